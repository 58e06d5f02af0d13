"""Operational endpoints: /queue/status, /healthz."""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify

from app.api.common import current_user, engine, login_required

bp = Blueprint("ops", __name__)


@bp.get("/queue/status")
@login_required
def queue_status() -> Response:
    """The queue live, with its historical peaks (admins: every user's figures)."""
    return jsonify(engine().service.views.queue_status(current_user()))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database and the dispatcher answer, 503 otherwise (no auth)."""
    eng = engine()
    db_ok = eng.db.ping()
    beat = time.monotonic() - eng.server.dispatcher.heartbeat
    dispatcher_ok = beat < 10 and not eng.server.stop_event.is_set()
    ok = db_ok and dispatcher_ok
    body = {
        "status": "ok" if ok else "unhealthy",
        "database": db_ok,
        "dispatcher": dispatcher_ok,
        "shutting_down": eng.server.shutting_down,
    }
    return jsonify(body), 200 if ok else 503
