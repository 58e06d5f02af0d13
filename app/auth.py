"""Users, passwords (argon2), API tokens (stored as SHA-256), and the first admin."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.errors import Conflict, ValidationError
from app.models import ApiToken, User

log = logging.getLogger("examgen.auth")

MIN_PASSWORD = 6  # admins set first passwords for teammates; SPEC sets no minimum
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_hasher = PasswordHasher()  # argon2id, 64 MiB, 3 passes: argon2-cffi's recommended defaults
_DUMMY_HASH = _hasher.hash("examgen-timing-equaliser")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; takes the same time for unknown users."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh API token, shown once."""
    return "eg_" + secrets.token_urlsafe(32)


@dataclass
class Created:
    user: User
    token: str
    password: str | None = None


def create_user(
    db: Database, username: str, password: str | None = None, admin: bool = False, token: str | None = None
) -> Created:
    """Create a user with one API token; raise ValidationError or Conflict."""
    if not USERNAME_RE.fullmatch(username or ""):
        raise ValidationError(
            "A username is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            fields={"username": "invalid"},
        )
    if password is not None and not MIN_PASSWORD <= len(password) <= 1024:
        raise ValidationError(
            f"A password has {MIN_PASSWORD} to 1024 characters", fields={"password": "invalid length"}
        )
    token = token or new_token()
    try:
        with db.write() as s:
            user = User(username=username, is_admin=admin, password_hash=hash_password(password) if password else None)
            s.add(user)
            s.flush()
            s.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    except IntegrityError:
        raise Conflict(f"The user {username!r} exists already") from None
    log.info("User %s created%s", username, " (admin)" if admin else "")
    return Created(user, token, password)


def new_api_token(db: Database, user_id: int) -> str:
    """Issue another token for a user (shown once)."""
    token = new_token()
    with db.write() as s:
        s.add(ApiToken(user_id=user_id, token_hash=hash_token(token)))
    return token


def user_by_token(db: Database, token: str) -> User | None:
    """The enabled user a bearer token belongs to."""
    if not token or len(token) > 200:
        return None
    with db.read() as s:
        return s.scalar(
            select(User)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_token(token), User.disabled.is_(False))
        )


def user_by_id(db: Database, user_id: int) -> User | None:
    """An enabled user by id (session logins)."""
    with db.read() as s:
        user = s.get(User, user_id)
        return user if user is not None and not user.disabled else None


def login(db: Database, username: str, password: str) -> User | None:
    """The user whose password matches, or None."""
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username, User.disabled.is_(False)))
    ok = check_password(user.password_hash if user else None, password)
    return user if ok else None


def set_disabled(db: Database, username: str, disabled: bool) -> bool:
    """Disable or enable a user; True if it exists."""
    with db.write() as s:
        return s.execute(update(User).where(User.username == username).values(disabled=disabled)).rowcount == 1


def bootstrap_admin(db: Database, username: str, password: str, token: str) -> Created | None:
    """Create the first admin when there are no users; print what was generated, once."""
    with db.read() as s:
        if (s.scalar(select(func.count()).select_from(User)) or 0) > 0:
            return None
    gen_password = password or secrets.token_urlsafe(12)
    created = create_user(db, username, gen_password, admin=True, token=token or None)
    if not password:
        log.warning("Generated the admin password for %r (shown once): %s", username, gen_password)
    if not token:
        log.warning("Generated the admin API token for %r (shown once): %s", username, created.token)
    return created
