"""Scheduled login checks: each account's cookies are tried every LOGIN_CHECK_HOURS (+ up to 10 %).

A check is an ordinary ``check_login`` job in the account's lane, so it is paced like publishing
and never runs beside that account's publishes. Accounts known to be logged out are left alone
(they wait for fresh cookies); an account never checked counts from its creation.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app import jobs as store
from app.kinds.check_login import login_check_job
from app.models import ACTIVE_STATUSES, Account, Job, User, utcnow

if TYPE_CHECKING:
    from app.engine.server import JobServer

log = logging.getLogger("examgen")

CHECK_PRIORITY = 9  # after the users' own work of any priority
GOLDEN = 0.6180339887498949


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
        pending = set(
            s.scalars(select(Job.account_id).where(Job.kind == "check_login", Job.status.in_(list(ACTIVE_STATUSES))))
        )
    due = [(a, name) for a, name in rows if a.id not in pending and is_due(a, hours, now)]
    created = []
    for account, name in due:
        spec = login_check_job(account, scheduled=True)
        with server.submit_lock(), server.db.write() as s:
            (job,) = store.create_jobs(s, account.user_id, [spec], CHECK_PRIORITY, server.config.max_retries + 1)
            server.enqueue(job, name)
        created.append(job.id)
        log.info(
            "Job %s queued: scheduled login check of %s/%s (user=%s)", job.id, account.platform, account.name, name
        )
    return created
