"""API tokens: stored as SHA-256, named, optionally expiring, revocable one by one, last use recorded."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db import Database, rowcount
from app.errors import Conflict
from app.models import ApiToken, User, utcnow

log = logging.getLogger("examgen.auth")

MAX_TOKENS_PER_USER = 20
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


def hash_token(token: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh API token, shown once."""
    return "eg_" + secrets.token_urlsafe(32)


@dataclass
class Caller:
    """The user a bearer token belongs to, and which token it was."""

    user: User
    token_id: int


def describe(t: ApiToken) -> dict[str, Any]:
    """A token as its owner sees it: never the secret, nor its hash."""
    from app.timefmt import iso

    return {
        "id": t.id,
        "name": t.name or "",
        "created_at": iso(t.created_at),
        "last_used_at": iso(t.last_used_at),
        "expires_at": iso(t.expires_at),
    }


def add_token(s: Session, user_id: int, name: str, token: str | None = None, days: float | None = None) -> ApiToken:
    """Store a token for ``user_id`` in the caller's transaction."""
    expires = utcnow() + timedelta(days=days) if days else None
    row = ApiToken(user_id=user_id, token_hash=hash_token(token or new_token()), name=name, expires_at=expires)
    s.add(row)
    s.flush()
    return row


def issue(db: Database, user_id: int, name: str, days: float | None = None) -> tuple[str, dict[str, Any]]:
    """A new named token (secret, description); Conflict when the user has too many."""
    token = new_token()
    with db.write() as s:
        count = s.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id)) or 0
        if count >= MAX_TOKENS_PER_USER:
            raise Conflict(f"At most {MAX_TOKENS_PER_USER} tokens per user; revoke one first")
        row = add_token(s, user_id, name, token, days)
        return token, describe(row)


def list_tokens(db: Database, user_id: int) -> list[dict[str, Any]]:
    """A user's tokens, oldest first."""
    with db.read() as s:
        rows = s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
        return [describe(t) for t in rows]


def revoke(db: Database, user_id: int, token_id: int) -> bool:
    """Delete one token of ``user_id``; False when it has no such token."""
    with db.write() as s:
        gone = rowcount(s.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))) == 1
    if gone:
        log.info("API token %s of user %s revoked", token_id, user_id)
    return gone


# every authenticated request runs it: built once (building it cost more CPU than running it)
_BY_TOKEN = (
    select(User, ApiToken.id, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        User.disabled.is_(False),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
    )
)


def caller_by_token(db: Database, token: str, now: datetime | None = None) -> Caller | None:
    """The enabled user of a valid, unexpired token; records its use (at most once a minute)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    with db.read() as s:
        row = s.execute(_BY_TOKEN, {"token_hash": hash_token(token), "now": now}).first()
    if row is None:
        return None
    user, token_id, last_used = row
    if last_used is None or now - last_used >= TOUCH_EVERY:
        try:
            with db.write() as s:
                s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        except SQLAlchemyError as exc:  # bookkeeping only: a busy database must not refuse the request
            log.warning("Could not record the use of token %s: %s", token_id, exc)
    return Caller(user, token_id)
