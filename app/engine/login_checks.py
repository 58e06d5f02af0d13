"""Scheduled login checks: each account's cookies are tried every LOGIN_CHECK_HOURS (+ up to 10 %).

A check is an ordinary ``check_login`` job in the account's lane, so it is paced like publishing
and never runs beside that account's publishes. Accounts known to be logged out are left alone
(they wait for fresh cookies), except for one check RECHECK_AFTER a publish found them logged out;
an account never checked counts from its creation.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import jobs as store
from app.engine.lanes import EXPIRED_CODE
from app.engine.runner import RunningJob
from app.kinds.check_login import login_check_job
from app.models import ACTIVE_STATUSES, Account, Job, JobStatus, User, utcnow

if TYPE_CHECKING:
    from app.engine.server import JobServer

log = logging.getLogger("examgen")

CHECK_PRIORITY = 9  # after the users' own work of any priority
GOLDEN = 0.6180339887498949
RECHECK_AFTER = timedelta(minutes=5)  # after a publish found the account logged out


def jitter_fraction(account_id: int) -> float:
    """A fixed fraction in [0, 0.1) per account: checks of many accounts spread out, stably."""
    return (account_id * GOLDEN) % 1.0 * 0.1


def is_due(account: Account, hours: float, now: datetime) -> bool:
    """The account's next check is due: not logged out, and its last check (or creation) long enough ago."""
    if account.login_ok is False or hours <= 0:
        return False
    since = account.checked_at or account.created_at
    return now >= since + timedelta(hours=hours * (1 + jitter_fraction(account.id)))


def queue_due_checks(server: JobServer, hours: float) -> list[str]:
    """Queue a check for every account due (unless one is waiting already); returns the job ids."""
    if hours <= 0:
        return []
    now = utcnow()
    with server.db.read() as s:
        rows = s.execute(
            select(Account, User.username).join(User, User.id == Account.user_id).where(User.disabled.is_(False))
        ).all()
        pending = _pending_checks(s)
    due = [(a, name) for a, name in rows if a.id not in pending and is_due(a, hours, now)]
    return [queue_check(server, account, name) for account, name in due]


def recheck_after_logout(server: JobServer) -> Callable[[RunningJob, float], None]:
    """A finished-job listener: a publish that found its account logged out gets a login check
    RECHECK_AFTER later, so a platform's passing hiccup resumes the paused lane by itself."""

    def listen(handle: RunningJob, _seconds: float) -> None:
        if handle.error_code != EXPIRED_CODE or handle.kind == "check_login" or handle.account_id is None:
            return
        with server.db.read() as s:
            row = s.execute(
                select(Account, User.username)
                .join(User, User.id == Account.user_id)
                .where(Account.id == handle.account_id)
            ).first()
            if row is None or row[0].login_ok is not False or row[0].id in _pending_checks(s):
                return
        queue_check(server, row[0], row[1], at=utcnow() + RECHECK_AFTER)

    return listen


def queue_check(server: JobServer, account: Account, username: str, at: datetime | None = None) -> str:
    """Queue (or schedule for ``at``) an automatic login check of ``account``; returns its job id."""
    spec = dataclasses.replace(login_check_job(account, scheduled=True), publish_at=at)
    with server.submit_lock(), server.db.write() as s:
        (job,) = store.create_jobs(s, account.user_id, [spec], CHECK_PRIORITY, server.config.max_retries + 1)
        server.enqueue(job, username)
    when = f"at {at:%H:%M:%S} UTC" if at else "now"
    log.info("Job %s: login check of %s/%s (user=%s) %s", job.id, account.platform, account.name, username, when)
    return job.id


def _pending_checks(s: Session) -> set[int | None]:
    statuses = [*ACTIVE_STATUSES, JobStatus.SCHEDULED]
    return set(s.scalars(select(Job.account_id).where(Job.kind == "check_login", Job.status.in_(statuses))))
