"""Platform accounts: a user's stored (encrypted) cookies per platform, never shown again."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select

from app.crypto import CookieBox
from app.db import Database
from app.errors import NotFound, ValidationError
from app.models import Account, User
from app.views import iso

log = logging.getLogger("examgen.accounts")


def account_dict(account: Account) -> dict[str, Any]:
    """An account as the API shows it: everything but the cookies."""
    return {
        "id": account.id,
        "platform": account.platform,
        "name": account.name,
        "identity": account.identity,
        "login_ok": account.login_ok,
        "checked_at": iso(account.checked_at),
        "last_published_at": iso(account.last_published_at),
        "cooldown_until": iso(account.cooldown_until),
        "cooldown_reason": account.cooldown_reason,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.updated_at),
    }


class Accounts:
    """Create, list, find and remove the accounts of a user."""

    def __init__(self, db: Database, cookies: CookieBox, platforms: dict[str, Any]) -> None:
        self.db = db
        self.cookies = cookies
        self.platforms = platforms

    def save(self, user: User, platform: str, name: str, cookies: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """Create the account, or replace its cookies; (account, created)."""
        if platform not in self.platforms:
            raise ValidationError(
                f"Unknown platform {platform!r}; available: {', '.join(sorted(self.platforms))}",
                fields={"platform": "unknown platform"},
            )
        sealed = self.cookies.seal(cookies)
        with self.db.write() as s:
            account = s.scalar(
                select(Account).where(Account.user_id == user.id, Account.platform == platform, Account.name == name)
            )
            created = account is None
            if account is None:
                account = Account(user_id=user.id, platform=platform, name=name, cookies_encrypted=sealed)
                s.add(account)
            else:
                account.cookies_encrypted = sealed
                account.login_ok = None
                account.identity = None
            s.flush()
            out = account_dict(account)
        log.info("Account %s/%s of %s %s", platform, name, user.username, "added" if created else "updated")
        return out, created

    def list(self, user: User) -> list[dict[str, Any]]:
        """The user's accounts."""
        with self.db.read() as s:
            rows = s.scalars(select(Account).where(Account.user_id == user.id).order_by(Account.platform, Account.name))
            return [account_dict(a) for a in rows]

    def find(self, user: User, platform: str, name: str) -> Account:
        """The user's account on ``platform`` called ``name``, or a 400 naming the field."""
        with self.db.read() as s:
            account = s.scalar(
                select(Account).where(Account.user_id == user.id, Account.platform == platform, Account.name == name)
            )
        if account is None:
            raise ValidationError(
                f"You have no {platform} account called {name!r}; add it under /api/accounts first",
                fields={"account": "no such account"},
            )
        return account

    def get(self, user: User, account_id: int) -> Account:
        """One of the user's accounts by id (404 for anybody else's)."""
        with self.db.read() as s:
            account = s.get(Account, account_id)
        if account is None or account.user_id != user.id:
            raise NotFound("No such account")
        return account

    def remove(self, user: User, platform: str | None, name: str | None, account_id: int | None = None) -> None:
        """Delete one of the user's accounts."""
        with self.db.write() as s:
            q = delete(Account).where(Account.user_id == user.id)
            if account_id is not None:
                q = q.where(Account.id == account_id)
            else:
                q = q.where(Account.platform == platform, Account.name == name)
            if s.execute(q).rowcount != 1:
                raise NotFound("No such account")
