"""Login and logout for the web UI: a session cookie, CSRF-checked forms, attempts rate-limited."""

from __future__ import annotations

import logging
import math
import secrets
import time

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.wrappers import Response

from app.auth import login as check_login
from app.web.common import bp, csrf_ok, csrf_token, engine, no_store, page_user, safe_next

log = logging.getLogger("examgen.web")

# Per username and address: enough for typos, far too few to guess a password (argon2 is slow too).
LOGIN_LIMIT = parse("10/minute")


class LoginLimiter:
    """A moving window of login attempts per (username, address), kept in memory per app."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def take(self, key: str) -> int:
        """Count one attempt; 0 when it is allowed, else the seconds to wait."""
        if self._limiter.hit(LOGIN_LIMIT, key):
            return 0
        stats = self._limiter.get_window_stats(LOGIN_LIMIT, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def forget(self, key: str) -> None:
        """A successful login starts the count afresh."""
        self._limiter.clear(LOGIN_LIMIT, key)


def limiter() -> LoginLimiter:
    """This app's login limiter."""
    return current_app.extensions.setdefault("examgen_login_limiter", LoginLimiter())


def _form(error: str | None = None, status: int = 200, username: str = "") -> tuple[str, int]:
    html = render_template(
        "login.html",
        page_title=_("Log in"),
        error=error,
        username=username,
        next=safe_next(request.values.get("next")),
        csrf=csrf_token(),
    )
    return html, status


@bp.get("/login")
def login() -> Response | tuple[str, int]:
    """The login form (or straight on, when already logged in)."""
    if page_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    html, status = _form()
    return no_store(current_app.make_response((html, status)))


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    """Check the form; on success start a fresh session with a new CSRF token."""
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    if not csrf_ok():
        return _form(_("The form had expired. Please try again."), 400, username)
    if not username or not password:
        return _form(_("Enter your username and password."), 400, username)
    key = f"{username.lower()}|{request.remote_addr}"
    wait = limiter().take(key)
    if wait:
        log.warning("Login of %s from %s rate-limited", username, request.remote_addr)
        message = _("Too many login attempts. Please wait %(seconds)s seconds, then try again.", seconds=wait)
        html, status = _form(message, 429, username)
        resp = current_app.make_response((html, status))
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = check_login(engine().db, username, password)
    if user is None:
        log.info("Failed login of %s from %s", username, request.remote_addr)
        return _form(_("The username or the password is wrong."), 401, username)
    limiter().forget(key)
    session.clear()  # a new session id for the new identity: no fixation
    session.permanent = True
    session["uid"] = user.id
    session["csrf"] = secrets.token_urlsafe(32)
    log.info("User %s logged in from %s", user.username, request.remote_addr)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """End the session (only with the form's CSRF token, so other sites cannot log people out)."""
    if csrf_ok():
        session.clear()
        return redirect(url_for("web.login"))
    return redirect(url_for("web.jobs"))
