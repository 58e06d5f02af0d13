"""Login and logout for the web UI: a session cookie, CSRF-checked forms, attempts throttled."""

from __future__ import annotations

import logging

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import end_sessions, normal_username
from app.auth import login as check_login
from app.http.common import components, csrf_ok, csrf_token
from app.http.web.common import bp, no_store, page_user, safe_next
from app.login_throttle import LoginThrottle
from app.sessions import start_session

log = logging.getLogger("examgen.web")


def limiter() -> LoginThrottle:
    """This app's login throttle."""
    return current_app.extensions.setdefault("examgen_login_throttle", LoginThrottle())


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
    username = normal_username((request.form.get("username") or "").strip())  # the stored form: one throttle key
    password = request.form.get("password") or ""
    if not csrf_ok():
        return _form(_("The form had expired. Please try again."), 400, username)
    if not username or not password:
        return _form(_("Enter your username and password."), 400, username)
    address = request.remote_addr or "-"
    wait = limiter().wait(username, address)
    if wait:
        log.warning("Login of %s from %s rate-limited", username, request.remote_addr)
        message = _("Too many login attempts. Please wait %(seconds)s seconds, then try again.", seconds=wait)
        html, status = _form(message, 429, username)
        resp = current_app.make_response((html, status))
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = check_login(components().db, username, password)
    if user is None:
        limiter().failed(username, address)
        log.info("Failed login of %s from %s", username, request.remote_addr)
        return _form(_("The username or the password is wrong."), 401, username)
    limiter().succeeded(username, address)
    start_session(session, user)  # a fresh session for the new identity: no fixation
    session.permanent = True
    log.info("User %s logged in from %s", user.username, request.remote_addr)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """End the user's sessions, on every device (only with the form's CSRF token, so other sites
    cannot log people out): a copy of the cookie is worthless afterwards."""
    if csrf_ok():
        user = page_user()
        if user is not None:
            end_sessions(components().db, user.id)
            log.info("User %s logged out", user.username)
        session.clear()
        return redirect(url_for("web.login"))
    return redirect(url_for("web.jobs"))
