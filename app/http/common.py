"""Shared by the HTTP blueprints: the app's components, who is asking, CSRF, strict JSON bodies, error answers."""

from __future__ import annotations

import hmac
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import pydantic
from flask import Flask, Response, current_app, g, jsonify, request, session

from app.accounts import Accounts
from app.auth import caller_by_token
from app.db import Database
from app.engine.server import JobServer
from app.errors import ExamgenError, Forbidden, Unauthorized, ValidationError, problem
from app.models import User
from app.notify.webhooks import Webhooks
from app.service import JobDesk
from app.sessions import session_user
from config import Config

M = TypeVar("M", bound=pydantic.BaseModel)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
EXTENSION = "examgen"


@dataclass(frozen=True)
class Components:
    """The parts create_app builds and the views use, kept in ``app.extensions["examgen"]``."""

    config: Config
    db: Database
    server: JobServer
    desk: JobDesk
    accounts: Accounts
    webhooks: Webhooks


def components(app: Flask | None = None) -> Components:
    """The components of ``app`` (by default the current app)."""
    found = (app or current_app).extensions[EXTENSION]
    assert isinstance(found, Components)
    return found


def cookie_user() -> User | None:
    """The user of the request's session cookie while that session is valid (None otherwise)."""
    parts = components()
    config = parts.config
    return session_user(parts.db, session, config.session_idle_hours * 3600, config.session_max_days * 86400)


def current_user() -> User:
    """The caller: a bearer token, or the web UI's session (whose writes need the CSRF token)."""
    if "user" in g:
        return g.user
    header = request.headers.get("Authorization", "")
    user: User | None = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'")
        caller = caller_by_token(components().db, token.strip())
        if caller is None:
            raise Unauthorized("The API token is not valid (unknown, revoked or expired)")
        user = caller.user
        g.token_id = caller.token_id
    elif session.get("uid"):
        user = cookie_user()
        if user is None:
            raise Unauthorized("Your session has ended; log in again")
        if request.method not in SAFE_METHODS:
            check_csrf()
    else:
        raise Unauthorized("Log in, or send 'Authorization: Bearer <token>'")
    g.user = user
    return user


def csrf_token() -> str:
    """The session's CSRF token (created on first use, also for the login form)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    """True when the X-CSRF-Token header (or else the form's csrf_token field) echoes the session's token."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def check_csrf() -> None:
    """A cookie-authenticated write must echo the session's CSRF token (403 otherwise)."""
    if not csrf_ok():
        raise ExamgenError("The form has expired; reload the page", code="csrf_failed", status=403)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Resolve the caller before the view runs (401 otherwise)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only admins (403 for others)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user().is_admin:
            raise Forbidden("Only an admin may do this", code="forbidden")
        return view(*args, **kwargs)

    return wrapper


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def json_body() -> Any:
    """The request's JSON, strictly: right content type, valid UTF-8 JSON, no NaN, sane depth."""
    if request.mimetype != "application/json":
        raise ExamgenError(
            "Send a JSON body with 'Content-Type: application/json'", code="unsupported_media_type", status=415
        )
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        raise ValidationError("The JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"The body is not valid JSON: {exc}"[:300]) from None


def parse(model: type[M], data: Any = None) -> M:
    """Validate a JSON object against ``model``; field-level errors become a 400."""
    data = json_body() if data is None else data
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        fields: dict[str, str] = {}
        problems: list[dict[str, Any]] = []
        for err in exc.errors(include_url=False, include_input=False)[:50]:
            loc = ".".join(str(p) for p in err["loc"]) or "body"
            if loc not in fields:
                fields[loc] = err["msg"]
                problems.append(problem(loc, err["type"], **_plain(err.get("ctx"))))
        first = next(iter(fields.items()))
        raise ValidationError(
            f"Invalid field {first[0]}: {first[1]}", fields=fields, extra={"problems": problems}
        ) from None


def _plain(ctx: dict[str, Any] | None) -> dict[str, Any]:
    # the limits a sentence can quote (max_length, actual_length, ge…); exceptions and objects stay out
    return {k: v for k, v in (ctx or {}).items() if isinstance(v, (str, int, float, bool))}


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within [low, high], or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        if raw.strip().lstrip("+-").isdecimal():  # digits Python refuses to convert: far too many of them
            raise ValidationError(f"{name} must be between {low} and {high}", fields={name: "out of range"}) from None
        raise ValidationError(f"{name} must be a whole number", fields={name: "not a number"}) from None
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high}", fields={name: "out of range"})
    return value


def reject_nul_args() -> None:
    """A NUL in a query argument is bad input everywhere (and PostgreSQL refuses it in a query)."""
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            name = key.replace("\x00", "") or "query"
            raise ValidationError(f"{name} must not contain NUL characters", fields={name: "contains NUL"})


def error_response(exc: ExamgenError) -> Response:
    """The one error shape of the API, with Retry-After where it applies."""
    resp = jsonify({"success": False, "error": exc.to_dict()})
    resp.status_code = exc.status
    if exc.retry_after is not None:
        resp.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return resp
