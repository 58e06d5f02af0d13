"""Users, passwords (argon2), sessions' epochs, and the first admin; tokens live in app.tokens."""

from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import Database, rowcount
from app.errors import Conflict, NotFound, invalid
from app.models import User
from app.tokens import add_token, caller_by_token, new_token

__all__ = ["caller_by_token", "new_token"]

log = logging.getLogger("examgen.auth")

MIN_PASSWORD = 8
MAX_USERNAME = 64
USERNAME_PUNCTUATION = frozenset("_.-")
_MARKS = frozenset({"Mn", "Mc"})  # combining marks: Devanagari, Thai… names need them after a letter
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


@dataclass
class Created:
    user: User
    token: str
    password: str | None = None


def create_user(
    db: Database, username: str, password: str | None = None, admin: bool = False, token: str | None = None
) -> Created:
    """Create a user with one API token; raise ValidationError or Conflict."""
    username = normal_username(username or "")
    if not valid_username(username):
        raise invalid(
            "username",
            "username_invalid",
            "A username is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    if password is not None:
        check_new_password(password)
    token = token or new_token()
    try:
        with db.write() as s:
            user = User(username=username, is_admin=admin, password_hash=hash_password(password) if password else None)
            s.add(user)
            s.flush()
            add_token(s, user.id, "initial", token)
    except IntegrityError:
        raise Conflict(
            f"The user {username!r} exists already", code="username_taken", fields={"username": "taken"}
        ) from None
    log.info("User %s created%s", username, " (admin)" if admin else "")
    return Created(user, token, password)


def normal_username(username: str) -> str:
    """The stored form of a username: NFKC, so a full-width "ａｌｉｃｅ" and "alice" are one name."""
    return unicodedata.normalize("NFKC", username)


def valid_username(username: str) -> bool:
    """1–64 Unicode letters or digits (and their combining marks), '_', '.' or '-'; a letter or digit first."""
    if not 1 <= len(username) <= MAX_USERNAME or not username[0].isalnum():
        return False
    return all(c.isalnum() or c in USERNAME_PUNCTUATION or unicodedata.category(c) in _MARKS for c in username)


def check_new_password(password: str) -> None:
    """ValidationError unless ``password`` has MIN_PASSWORD to 1024 characters."""
    if not MIN_PASSWORD <= len(password) <= 1024:
        raise invalid(
            "password",
            "string_too_short" if len(password) < MIN_PASSWORD else "string_too_long",
            f"A password has {MIN_PASSWORD} to 1024 characters",
            min_length=MIN_PASSWORD,
            max_length=1024,
        )


def end_sessions(db: Database, user_id: int) -> None:
    """Void every session cookie of a user (logout, password change, disabling)."""
    with db.write() as s:
        s.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))


def change_password(db: Database, user_id: int, current: str, new: str) -> bool:
    """Set a new password when ``current`` matches (False otherwise); ends every session of the user."""
    check_new_password(new)
    with db.read() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == user_id))
    if not check_password(stored, current):
        return False
    with db.write() as s:
        s.execute(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=hash_password(new), session_epoch=User.session_epoch + 1)
        )
    log.info("User %s changed the password; their sessions are ended", user_id)
    return True


def user_id_by_name(db: Database, username: str) -> int:
    """The id of the user called ``username``; NotFound (404) when there is none."""
    with db.read() as s:
        user_id = s.scalar(select(User.id).where(User.username == normal_username(username)))
    if user_id is None:
        raise NotFound("No such user")
    return user_id


def user_by_id(db: Database, user_id: int) -> User | None:
    """An enabled user by id (session logins)."""
    with db.read() as s:
        user = s.get(User, user_id)
        return user if user is not None and not user.disabled else None


def login(db: Database, username: str, password: str) -> User | None:
    """The user whose password matches, or None."""
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == normal_username(username), User.disabled.is_(False)))
    ok = check_password(user.password_hash if user else None, password)
    return user if ok else None


def set_disabled(db: Database, username: str, disabled: bool) -> bool:
    """Disable or enable a user (disabling ends their sessions); True if it exists."""
    values: dict = {"disabled": disabled}
    if disabled:
        values["session_epoch"] = User.session_epoch + 1
    with db.write() as s:
        return rowcount(s.execute(update(User).where(User.username == normal_username(username)).values(**values))) == 1


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
