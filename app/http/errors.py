"""App-wide error answers: the API's one JSON error shape, or the HTML pages of the web UI and the demo site."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.errors import ExamgenError
from app.http.common import error_response

log = logging.getLogger("examgen.http")

# blueprints that serve pages: their errors are HTML unless the client asks for JSON
HTML_BLUEPRINTS = frozenset({"web", "demo"})
DEMO_API = "/demo/api/"  # the demo site's JSON endpoints live in its page blueprint
# a URL that matches no route (404, 405) has no blueprint: these are the API's URL spaces
API_PATHS = ("/api/", "/queue/", "/healthz", "/metrics", "/generate", DEMO_API)
_HTTP_CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def wants_json() -> bool:
    """JSON for the API's blueprints and for clients that ask for it; HTML for pages."""
    if request.accept_mimetypes.best == "application/json":
        return True
    blueprint = request.blueprint
    if blueprint == "demo":
        return request.path.startswith(DEMO_API)
    if blueprint is not None:
        return blueprint not in HTML_BLUEPRINTS
    return request.path.startswith(API_PATHS)


def init_app(app: Flask) -> None:
    """Register the error handlers of the whole app."""

    @app.errorhandler(ExamgenError)
    def on_examgen_error(exc: ExamgenError) -> Response:
        return error_response(exc)

    @app.errorhandler(OperationalError)
    def on_database_down(exc: OperationalError) -> Response:
        # the database is unreachable or locked past its timeout: a passing state, so 503 and a retry hint
        log.error("Database unavailable on %s %s: %s", request.method, request.path, exc.orig)
        err = ExamgenError("The database is unavailable; try again shortly", code="unavailable", status=503)
        err.retry_after = 5
        return error_response(err)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response | HTTPException:
        if not wants_json():
            return exc
        code = exc.code or 500
        message = exc.description or exc.name
        if code == 413:
            message = "The request body is too large"
        err = ExamgenError(message, code=_HTTP_CODES.get(code, "error"), status=code)
        resp = error_response(err)
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(ExamgenError("Something went wrong on the server", code="internal_error", status=500))
