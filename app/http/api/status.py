"""Operational endpoints: /queue/status, /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.http.common import components, current_user, login_required

bp = Blueprint("ops", __name__)


@bp.get("/queue/status")
@login_required
def queue_status() -> Response:
    """The queue live, with its historical peaks (admins: every user's figures)."""
    return jsonify(components().desk.views.queue_status(current_user()))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database, the dispatcher and the browsers work; 503 naming what is wrong (no auth)."""
    health = components().server.health()
    db_ok = components().db.ping()
    problems = {}
    if not db_ok:
        problems["database"] = "the database does not answer"
    if not health.dispatcher_ok:
        problems["dispatcher"] = f"the dispatcher has not run for {health.dispatcher_silent_seconds:.0f} s"
    if health.browser_error:
        problems["browsers"] = f"no browser can be started: {health.browser_error}"
    # readiness: right after a start, the browsers of the first jobs are still starting
    starting = health.starting and not problems
    body = {
        "status": "unhealthy" if problems else "starting" if starting else "ok",
        "database": db_ok,
        "dispatcher": health.dispatcher_ok,
        "browsers": health.browser_error is None,
        "problems": problems,
        "shutting_down": health.shutting_down,
        "starting": starting,
    }
    return jsonify(body), 503 if problems or starting else 200
