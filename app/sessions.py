"""Web sessions that end: the signed cookie carries the user's session epoch, its start and last use.

A session is valid while the user is enabled, its epoch equals the user's current one (logout,
password change and disabling bump it), it was used within the idle timeout and started within
the absolute lifetime. The cookie is rewritten at most once a minute to record use.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from app.auth import user_by_id
from app.db import Database
from app.models import User

SEEN_EVERY = 60  # seconds: how stale the recorded last use may get before the cookie is rewritten


def start_session(session: MutableMapping[str, Any], user: User, now: float | None = None) -> None:
    """A fresh session for ``user`` (a new CSRF token, so nothing from before login survives)."""
    now = time.time() if now is None else now
    session.clear()
    session.update(uid=user.id, epoch=user.session_epoch, iat=int(now), seen=int(now))
    session["csrf"] = secrets.token_urlsafe(32)


def session_user(
    db: Database, session: MutableMapping[str, Any], idle_seconds: float, max_seconds: float, now: float | None = None
) -> User | None:
    """The user of a still valid session, or None (and the session is cleared)."""
    uid = session.get("uid")
    if not uid:
        return None
    now = time.time() if now is None else now
    try:
        user = user_by_id(db, int(uid))
        epoch, started, seen = int(session["epoch"]), float(session["iat"]), float(session["seen"])
    except (KeyError, TypeError, ValueError):
        user = None  # a cookie from before sessions carried these fields: log in again
    if user is None or epoch != user.session_epoch or now - started > max_seconds or now - seen > idle_seconds:
        session.clear()
        return None
    if now - seen >= SEEN_EVERY:
        session["seen"] = int(now)
    return user
