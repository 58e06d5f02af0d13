"""Platform accounts: a user's stored (encrypted) cookies per platform, never shown again."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.crypto import CookieBox
from app.db import Database, rowcount
from app.errors import NotFound, ValidationError
from app.models import Account, User, utcnow
from app.timefmt import iso

log = logging.getLogger("examgen.accounts")


ACCOUNT_STATES = ("ok", "expired", "cooling_down", "unknown")


def account_state(account: Account, now: datetime | None = None) -> str:
    """ok, expired (its cookies no longer log in), cooling_down (after a captcha) or unknown (never checked)."""
    if account.cooldown_until is not None and account.cooldown_until > (now or utcnow()):
        return "cooling_down"
    if account.login_ok is None:
        return "unknown"
    return "ok" if account.login_ok else "expired"


def state_counts(session: Session) -> dict[str, int]:
    """How many accounts are in each state."""
    counts = dict.fromkeys(ACCOUNT_STATES, 0)
    now = utcnow()
    for account in session.scalars(select(Account)):
        counts[account_state(account, now)] += 1
    return counts


def account_dict(account: Account, platform: Any = None) -> dict[str, Any]:
    """An account as the API shows it: everything but the cookies; ``pacing`` is what is in effect."""
    pacing = None
    if platform is not None:
        effective = platform.pacing.overridden(account.concurrency, account.min_interval)
        pacing = {"concurrency": effective.concurrency, "min_interval": effective.min_interval}
    return {
        "id": account.id,
        "platform": account.platform,
        "name": account.name,
        "identity": account.identity,
        "login_ok": account.login_ok,
        "state": account_state(account),
        "checked_at": iso(account.checked_at),
        "last_published_at": iso(account.last_published_at),
        "cooldown_until": iso(account.cooldown_until),
        "cooldown_reason": account.cooldown_reason,
        "concurrency": account.concurrency,
        "min_interval": account.min_interval,
        "pacing": pacing,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.updated_at),
    }


class Accounts:
    """Create, list, find and remove the accounts of a user."""

    def __init__(self, db: Database, cookies: CookieBox, platforms: dict[str, Any]) -> None:
        self.db = db
        self.cookies = cookies
        self.platforms = platforms

    def save(
        self, user: User, platform: str, name: str, cookies: list[dict[str, Any]], pacing: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Create the account, or replace its cookies (and set the pacing given); (account, created)."""
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
            for key, value in (pacing or {}).items():
                setattr(account, key, value)
            s.flush()
            out = account_dict(account, self.platforms.get(platform))
        log.info("Account %s/%s of %s %s", platform, name, user.username, "added" if created else "updated")
        return out, created

    def list(self, user: User) -> list[dict[str, Any]]:
        """The user's accounts."""
        with self.db.read() as s:
            rows = s.scalars(select(Account).where(Account.user_id == user.id).order_by(Account.platform, Account.name))
            return [account_dict(a, self.platforms.get(a.platform)) for a in rows]

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

    def set_pacing(self, user: User, account_id: int, pacing: dict[str, Any]) -> dict[str, Any]:
        """Set the account's own concurrency / min_interval (None: the platform's default again)."""
        with self.db.write() as s:
            account = s.get(Account, account_id)
            if account is None or account.user_id != user.id:
                raise NotFound("No such account")
            for key, value in pacing.items():
                setattr(account, key, value)
            s.flush()
            out = account_dict(account, self.platforms.get(account.platform))
        log.info("Account %s/%s of %s: pacing %s", out["platform"], out["name"], user.username, out["pacing"])
        return out

    def remove(self, user: User, platform: str | None, name: str | None, account_id: int | None = None) -> None:
        """Delete one of the user's accounts."""
        with self.db.write() as s:
            q = delete(Account).where(Account.user_id == user.id)
            if account_id is not None:
                q = q.where(Account.id == account_id)
            else:
                q = q.where(Account.platform == platform, Account.name == name)
            if rowcount(s.execute(q)) != 1:
                raise NotFound("No such account")
