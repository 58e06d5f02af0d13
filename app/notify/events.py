"""Which events happened: read from the jobs and accounts tables, queued once per webhook in the outbox.

The database is the source: every pass looks at the jobs that ended since the last one (with an
overlap), so an event missed by a crash is found at the next start. Each event has a key; the
outbox's unique (webhook, key) keeps it from being queued twice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.models import FINAL_STATUSES, Account, Job, JobStatus, OutboxMessage, User, Webhook, utcnow
from app.timefmt import iso

OVERLAP = timedelta(seconds=10)  # a commit that lands just after a pass read its rows is seen next time
QUIET_KINDS = {"check_login"}  # not a "batch" anybody waits for


@dataclass(frozen=True)
class Event:
    """One thing to tell a user's webhooks about."""

    user_id: int
    name: str  # one of formats.EVENTS, or "test"
    key: str
    message: dict[str, Any]
    at: datetime


def message(name: str, text: str, data: dict[str, Any]) -> dict[str, Any]:
    """The notification every format is built from."""
    return {"event": name, "text": text, "data": data, "created_at": iso(utcnow())}


def _job_data(job: Job, username: str) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "user": username,
        "kind": job.kind,
        "status": job.status,
        "title": job.title,
        "platform": job.platform,
        "account": job.account_name,
        "error_code": job.error_code,
        "error": job.error,
        "result_url": job.result_url,
        "finished_at": iso(job.finished_at),
    }


def job_events(db: Database, since: datetime) -> list[Event]:
    """The events of jobs that ended at or after ``since``, for users who have webhooks."""
    with db.read() as s:
        users = set(s.scalars(select(Webhook.user_id).distinct()))
        if not users:
            return []
        rows = s.execute(
            select(Job, User.username)
            .join(User, User.id == Job.user_id)
            .where(Job.user_id.in_(users), Job.status.in_(list(FINAL_STATUSES)), Job.updated_at >= since)
            .order_by(Job.seq)
        ).all()
        events: list[Event] = []
        batches: dict[tuple[int, datetime], str] = {}
        for job, name in rows:
            data = _job_data(job, name)
            when = job.finished_at or job.updated_at
            what = job.title or job.kind
            if job.status == JobStatus.FAILED:
                text = f"examgen: {job.kind} job failed ({job.error_code}): {what} — {job.error or ''}".strip(" —")
                events.append(
                    Event(
                        job.user_id,
                        "job_failed",
                        f"job_failed:{job.id}:{iso(when)}",
                        message("job_failed", text, data),
                        when,
                    )
                )
            elif job.status == JobStatus.NEEDS_REVIEW:
                text = f"examgen: {job.kind} job needs review ({job.error_code}): {what}"
                key = f"job_needs_review:{job.id}:{iso(when)}"
                events.append(
                    Event(job.user_id, "job_needs_review", key, message("job_needs_review", text, data), when)
                )
            if job.kind not in QUIET_KINDS:
                batches.setdefault((job.user_id, job.created_at), name)
        for (user_id, created), name in batches.items():
            batch = list(
                s.scalars(select(Job).where(Job.user_id == user_id, Job.created_at == created).order_by(Job.seq))
            )
            if not batch or any(j.status not in FINAL_STATUSES for j in batch):
                continue
            counts = Counter(str(j.status) for j in batch)
            first, ended = batch[0], max((j.finished_at or j.updated_at) for j in batch)
            parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            text = f"examgen: {name}'s batch of {len(batch)} {first.kind} jobs finished: {parts}"
            data = {
                "user": name,
                "kind": first.kind,
                "jobs": len(batch),
                "counts": dict(counts),
                "job_ids": [j.id for j in batch],
            }
            events.append(
                Event(
                    user_id,
                    "batch_finished",
                    f"batch_finished:{first.id}",
                    message("batch_finished", text, data),
                    ended,
                )
            )
        events.extend(_expired_accounts(s, users, since))
    return events


def _expired_accounts(s: Any, users: set[int], since: datetime) -> list[Event]:
    """Accounts found logged out since ``since`` (by a publish or a login check)."""
    rows = s.execute(
        select(Account, User.username)
        .join(User, User.id == Account.user_id)
        .where(Account.user_id.in_(users), Account.login_ok.is_(False), Account.checked_at >= since)
    ).all()
    found = []
    for account, name in rows:
        # one notice per set of cookies: new cookies that expire again are a new event
        generation = hashlib.sha256(account.cookies_encrypted).hexdigest()[:16]
        where = f"{account.platform}/{account.name}"
        text = f"examgen: the {where} account of {name} is logged out; its jobs wait for fresh cookies"
        payload = {"account_id": account.id, "platform": account.platform, "account": account.name, "user": name}
        key = f"account_expired:{account.id}:{generation}"
        found.append(
            Event(
                account.user_id, "account_expired", key, message("account_expired", text, payload), account.checked_at
            )
        )
    return found


def queue_events(db: Database, events: list[Event]) -> int:
    """Put each event in the outbox once for every webhook of its user that wants it; the count added."""
    if not events:
        return 0
    added = 0
    with db.read() as s:
        hooks = list(s.scalars(select(Webhook).where(Webhook.user_id.in_({e.user_id for e in events}))))
        keys = {e.key for e in events}
        known = set(
            s.execute(
                select(OutboxMessage.webhook_id, OutboxMessage.event_key).where(OutboxMessage.event_key.in_(keys))
            ).all()
        )
    for event in events:
        for hook in hooks:
            wanted = event.name == "test" or event.name in (hook.events or [])
            if hook.user_id != event.user_id or not wanted or (hook.id, event.key) in known:
                continue
            if event.at < hook.created_at:
                continue  # before the webhook existed
            try:
                with db.write() as s:
                    s.add(
                        OutboxMessage(webhook_id=hook.id, event=event.name, event_key=event.key, payload=event.message)
                    )
                added += 1
            except IntegrityError:
                pass  # queued meanwhile by another pass: once is enough
    return added


def pending_count(db: Database) -> int:
    """Messages not delivered yet."""
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0
