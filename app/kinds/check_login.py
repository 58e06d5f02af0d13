"""The check_login kind: open a platform with an account's cookies and record who is logged in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import PermanentFailure
from app.jobs import NewJob
from app.kinds.base import JobContext, JobResult, account_lane
from app.models import Account, Job, utcnow
from app.platforms.base import Platform


def login_check_job(account: Account, scheduled: bool = False) -> NewJob:
    """The job that checks ``account``'s login (from the API, the CLI or the schedule)."""
    payload: dict[str, Any] = {"platform": account.platform}
    if scheduled:
        payload["scheduled"] = True
    return NewJob(
        kind="check_login",
        payload=payload,
        title=f"Check login: {account.platform}/{account.name}",
        platform=account.platform,
        account_id=account.id,
        account_name=account.name,
    )


class CheckLoginKind:
    """A quick job: no publishing, just the identity the cookies log in as (or why they don't)."""

    name = "check_login"
    needs_browser = True

    def __init__(self, platforms: dict[str, Platform], db: Database) -> None:
        self.platforms = platforms
        self.db = db

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """Shares the account's lane, so a check never runs beside a publish of the same account."""
        return account_lane(user_id, payload.get("platform"), account_id)

    def run(self, ctx: JobContext) -> JobResult:
        """Record the account's identity and login state; a failed login is a permanent failure."""
        if ctx.account is None:
            raise PermanentFailure("account_missing", "The platform account was removed")
        platform = self.platforms.get(ctx.account.platform)
        if platform is None:
            raise PermanentFailure("unknown_platform", f"The platform {ctx.account.platform!r} is not available")
        ctx.report(20, "Opening the platform")
        platform.with_cookies(ctx.driver, ctx.account.cookies)
        try:
            identity = platform.open_editor(ctx.driver)
        except PermanentFailure as exc:  # not logged in, captcha…: recorded, and the job says which
            self._record(ctx.account.id, None)
            raise PermanentFailure(exc.code, exc.message) from None
        self._record(ctx.account.id, identity)
        return JobResult(identity=identity, result_url=platform.cookie_url)

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """Nothing beyond what ``run`` recorded."""

    def _record(self, account_id: int, identity: str | None) -> None:
        values: dict[str, Any] = {"login_ok": identity is not None, "checked_at": utcnow()}
        if identity is not None:
            values["identity"] = identity
        with self.db.write() as s:
            s.execute(update(Account).where(Account.id == account_id).values(**values))
