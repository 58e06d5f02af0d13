"""The job store: every change of a job's state, as functions taking a session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import Session

from app.db import rowcount
from app.models import ACTIVE_STATUSES, FINAL_STATUSES, ClickState, Job, JobStatus, QueueStats, User, utcnow

WAITING = (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.RETRYING)


@dataclass(frozen=True)
class NewJob:
    """One job to create: its kind-specific payload plus the columns lists show."""

    kind: str
    payload: dict[str, Any]
    title: str | None = None
    platform: str | None = None
    account_id: int | None = None
    account_name: str | None = None
    article_id: str | None = None
    publish_at: datetime | None = None  # later than now: ``scheduled`` until then


def create_jobs(
    session: Session,
    user_id: int,
    new_jobs: Sequence[NewJob],
    priority: int,
    max_attempts: int,
    idempotency_key: str | None = None,
) -> list[Job]:
    """Insert queued (or scheduled) jobs in submission order; the caller queues them after commit."""
    now = utcnow()
    jobs = [
        Job(
            user_id=user_id,
            kind=spec.kind,
            status=JobStatus.SCHEDULED if spec.publish_at and spec.publish_at > now else JobStatus.QUEUED,
            publish_at=spec.publish_at,
            priority=priority,
            payload=spec.payload,
            title=spec.title,
            platform=spec.platform,
            account_id=spec.account_id,
            account_name=spec.account_name,
            article_id=spec.article_id,
            max_attempts=max_attempts,
            idempotency_key=idempotency_key,
            created_at=now,
            updated_at=now,
        )
        for spec in new_jobs
    ]
    session.add_all(jobs)
    session.flush()
    return jobs


def count_active(session: Session, user_id: int | None = None) -> int:
    """Unfinished jobs, of one user or of everybody."""
    if user_id is None:
        return session.scalar(_COUNT_ACTIVE) or 0
    return session.scalar(_COUNT_ACTIVE_OF, {"user_id": user_id}) or 0


def usernames(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """User id -> name, in one query."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {uid: name for uid, name in session.execute(select(User.id, User.username).where(User.id.in_(ids)))}


# The statements every job and every request runs, built once: building one and computing its cache key
# cost more CPU than executing it. The updates touch rows no session of theirs has loaded, so there is
# nothing in the session to synchronize.
_GET = select(Job).where(Job.id == bindparam("job_id"))
_CLAIM = (
    update(Job)
    .where(Job.id == bindparam("job_id"), Job.status == JobStatus.QUEUED)
    .values(
        status=JobStatus.RUNNING,
        attempts=Job.attempts + 1,
        progress=0,
        phase="Starting",
        started_at=bindparam("now"),
        updated_at=bindparam("now"),
        error=None,
        error_code=None,
    )
    .execution_options(synchronize_session=False)
)
_SET_CLICK_STATE = (
    update(Job)
    .where(Job.id == bindparam("job_id"))
    .values(click_state=bindparam("state"), updated_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)
_COUNT_FINISHED = (
    update(QueueStats)
    .where(QueueStats.id == 1)
    .values(
        total_processed=QueueStats.total_processed + 1,
        total_failed=QueueStats.total_failed + bindparam("failed"),
    )
    .execution_options(synchronize_session=False)
)
_COUNT_ACTIVE = select(func.count()).select_from(Job).where(Job.status.in_(ACTIVE_STATUSES))
_COUNT_ACTIVE_OF = _COUNT_ACTIVE.where(Job.user_id == bindparam("user_id"))


def get(session: Session, job_id: str) -> Job | None:
    """A job by its public id."""
    return session.scalar(_GET, {"job_id": job_id})


def claim(session: Session, job_id: str) -> Job | None:
    """Atomically move a queued job to running; None when somebody else changed it first."""
    if rowcount(session.execute(_CLAIM, {"job_id": job_id, "now": utcnow()})) != 1:
        return None
    return get(session, job_id)


def set_click_state(session: Session, job_id: str, state: ClickState) -> None:
    """Record the irreversible step: about to click, clicked, or (after reconciling) undone."""
    session.execute(_SET_CLICK_STATE, {"job_id": job_id, "state": state, "now": utcnow()})


def finish(session: Session, job_id: str, status: JobStatus, **fields: Any) -> bool:
    """Move a running job to a final status and count it in the totals."""
    assert status in FINAL_STATUSES
    now = utcnow()
    values: dict[str, Any] = {"status": status, "finished_at": now, "updated_at": now, **fields}
    if status == JobStatus.SUCCESS:
        values.setdefault("progress", 100)
    result = session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING).values(**values))
    if rowcount(result) == 1:
        count_finished(session, status)
        return True
    return False


def count_finished(session: Session, status: JobStatus) -> None:
    """Add one finished job to the persisted totals (in the caller's transaction)."""
    session.execute(_COUNT_FINISHED, {"failed": 1 if status == JobStatus.FAILED else 0})


def count_failed_only(session: Session) -> None:
    """A job already counted as processed turned out failed (a needs-review resolved so)."""
    session.execute(update(QueueStats).where(QueueStats.id == 1).values(total_failed=QueueStats.total_failed + 1))


def schedule_retry(session: Session, job_id: str, at: datetime, code: str, message: str, **fields: Any) -> bool:
    """A running job waits out a backoff before it is queued again."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.RETRYING,
            next_attempt_at=at,
            error=message,
            error_code=code,
            phase=f"Retrying after: {message}"[:255],
            updated_at=utcnow(),
            **fields,
        )
    )
    return rowcount(result) == 1


def requeue(session: Session, job_id: str, from_statuses: Iterable[str]) -> bool:
    """Put a job back in the queue state (after a backoff, a restart, or a user's retry)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(list(from_statuses)))
        .values(status=JobStatus.QUEUED, next_attempt_at=None, phase=None, updated_at=utcnow())
    )
    return rowcount(result) == 1


def hand_back(session: Session, job_id: str) -> bool:
    """A run interrupted by a server stop goes back to the queue; the attempt does not count."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.QUEUED,
            attempts=case((Job.attempts > 0, Job.attempts - 1), else_=0),
            phase="Handed back at shutdown",
            updated_at=utcnow(),
        )
    )
    return rowcount(result) == 1


def park(session: Session, job_id: str, phase: str, code: str, message: str, evidence: dict[str, Any] | None) -> bool:
    """A running job waits again, its attempt not counted, with why (``phase``) and what it met (the
    error and its evidence): its account was found logged out before anything was published."""
    values: dict[str, Any] = {"error": message, "error_code": code, "phase": phase}
    if evidence:
        values["evidence"] = evidence
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.QUEUED,
            attempts=case((Job.attempts > 0, Job.attempts - 1), else_=0),
            updated_at=utcnow(),
            **values,
        )
    )
    return rowcount(result) == 1


def cancel_waiting(session: Session, job_id: str) -> bool:
    """Cancel a job that is not running yet; False if it is running or final."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(WAITING))
        .values(status=JobStatus.CANCELLED, finished_at=now, updated_at=now, phase="Cancelled")
    )
    if rowcount(result) == 1:
        count_finished(session, JobStatus.CANCELLED)
        return True
    return False


def request_cancel(session: Session, job_id: str) -> bool:
    """Flag a running job for cancellation; its runner finishes it."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(cancel_requested=True, updated_at=utcnow())
    )
    return rowcount(result) == 1


def reset_for_retry(session: Session, job_id: str, max_attempts: int) -> bool:
    """A user's retry of a final job: a fresh set of attempts, back to the queue."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status.in_([JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.NEEDS_REVIEW]),
        )
        .values(
            status=JobStatus.QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            progress=0,
            phase=None,
            error=None,
            error_code=None,
            cancel_requested=False,
            finished_at=None,
            started_at=None,
            next_attempt_at=None,
            updated_at=utcnow(),
        )
    )
    return rowcount(result) == 1


def resolve(session: Session, job_id: str, result_url: str | None, failed: bool) -> bool:
    """Settle a needs-review job: published at ``result_url``, or not (failed); False if not needs_review."""
    if failed:
        values: dict[str, Any] = {
            "status": JobStatus.FAILED,
            "error_code": "resolved_failed",
            "phase": "Resolved: not published",
        }
    else:
        values = {
            "status": JobStatus.SUCCESS,
            "result_url": result_url,
            "phase": "Resolved: published",
            "progress": 100,
            "error": None,
            "error_code": None,
        }
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.NEEDS_REVIEW).values(updated_at=utcnow(), **values)
    )
    if rowcount(result) != 1:
        return False
    if failed:
        count_failed_only(session)
    return True


def scheduled(session: Session) -> list[Job]:
    """Every job waiting for its publish time, soonest first."""
    q = select(Job).where(Job.status == JobStatus.SCHEDULED).order_by(Job.publish_at, Job.seq)
    return list(session.scalars(q))


def promote(session: Session, job_id: str) -> Job | None:
    """A scheduled job whose time has come is queued; None if it was cancelled or moved meanwhile."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.SCHEDULED, Job.publish_at <= now)
        .values(status=JobStatus.QUEUED, updated_at=now)
    )
    return get(session, job_id) if rowcount(result) == 1 else None


def reschedule(session: Session, job_id: str, at: datetime) -> bool:
    """Move a scheduled (or still queued) job to ``at``; it stays ``scheduled`` until then."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.SCHEDULED, JobStatus.QUEUED]))
        .values(
            status=JobStatus.SCHEDULED if at > now else JobStatus.QUEUED,
            publish_at=at,
            updated_at=now,
        )
    )
    return rowcount(result) == 1


def recover(session: Session) -> list[Job]:
    """At start: every unfinished job, in submission order; interrupted runs go back to queued.

    A run interrupted after its publish click keeps its click state, so its next run looks on
    the platform before doing anything else.
    """
    now = utcnow()
    # a cancel asked for just before the server died is honoured, unless the click may have happened
    cancelled = rowcount(
        session.execute(
            update(Job)
            .where(
                Job.status == JobStatus.RUNNING,
                Job.cancel_requested.is_(True),
                Job.click_state == ClickState.NONE,
            )
            .values(status=JobStatus.CANCELLED, finished_at=now, updated_at=now, phase="Cancelled")
        )
    )
    for _ in range(cancelled):
        count_finished(session, JobStatus.CANCELLED)
    session.execute(
        update(Job)
        .where(Job.status.in_([JobStatus.RUNNING, JobStatus.PENDING]))
        .values(
            status=JobStatus.QUEUED,
            phase="Interrupted by a restart",
            cancel_requested=False,
            updated_at=now,
        )
    )
    return list(session.scalars(select(Job).where(Job.status.in_(ACTIVE_STATUSES)).order_by(Job.seq)))


def ensure_stats_row(session: Session) -> QueueStats:
    """The single persisted statistics row, created on first start."""
    row = session.get(QueueStats, 1)
    if row is None:
        row = QueueStats(id=1, since=utcnow())
        session.add(row)
        session.flush()
    return row
