"""The JSON API: blueprints, and the one error shape for every failure."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app import metrics
from app.api import accounts, jobs, openapi, status, users
from app.api.common import error_response, reject_nul_args
from app.errors import ExamgenError

log = logging.getLogger("examgen.http")

_JSON_PREFIXES = ("/api/", "/queue/", "/healthz", "/metrics", "/generate", "/demo/api/")
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
    """API paths answer errors in JSON; pages answer in HTML."""
    return request.path.startswith(_JSON_PREFIXES) or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register the API blueprints, /metrics and the error handlers."""
    for module in (jobs, accounts, users, status, openapi):
        app.register_blueprint(module.bp)
        # Hooked on the app, not the blueprint: a registered blueprint cannot change, and one process
        # may build several apps (tests, bench).
        app.before_request_funcs.setdefault(module.bp.name, []).append(reject_nul_args)
    metrics.init_app(app)

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
