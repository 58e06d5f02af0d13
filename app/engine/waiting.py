"""Where jobs wait: the fair queue, the backoffs and the schedule, kept in step with the database."""

from __future__ import annotations

import logging
from collections.abc import Callable

from app import jobs as store
from app.db import Database
from app.engine.lanes import Lanes
from app.engine.queue import FairQueue
from app.engine.retry import RetrySchedule
from app.engine.schedule import Schedule
from app.models import Job, JobStatus, utcnow

log = logging.getLogger("examgen")


class WaitingRoom:
    """Moves jobs between the three waiting places; the database decides each move first."""

    def __init__(self, db: Database, lanes: Lanes) -> None:
        self.db = db
        self.lanes = lanes
        self.queue = FairQueue()
        self.retries = RetrySchedule()  # jobs waiting out a backoff
        self.schedule = Schedule()  # jobs waiting for their publish_at
        self.summary: Callable[[], str] = lambda: ""  # the figures a log line ends with

    def enqueue(self, job: Job, username: str) -> None:
        """Put a queued job in the queue, or hold a scheduled one until its time."""
        item = self.lanes.item(job, username)
        if job.status == JobStatus.SCHEDULED and job.publish_at is not None:
            self.queue.remove(job.id)
            self.schedule.add(job.publish_at, item)
        else:
            self.schedule.forget(job.id)
            self.queue.push(item)

    def forget(self, job_id: str) -> None:
        """A waiting job was cancelled: drop it from the queue, the backoffs and the schedule."""
        self.queue.remove(job_id)
        self.retries.forget(job_id)
        self.schedule.forget(job_id)

    def requeue_ids(self, job_ids: list[str], from_statuses: tuple[str, ...] = (JobStatus.RETRYING,)) -> int:
        """Put these jobs back in the queue (those in ``from_statuses`` first moved to queued)."""
        with self.db.write() as s:
            jobs = [job for job_id in job_ids if (job := store.get(s, job_id)) is not None]
            jobs = [j for j in jobs if j.status == JobStatus.QUEUED or store.requeue(s, j.id, from_statuses)]
            names = store.usernames(s, (j.user_id for j in jobs))
        for job in jobs:
            self.queue.push(self.lanes.item(job, names[job.user_id]))
        return len(jobs)

    def promote_scheduled(self) -> None:
        """Scheduled jobs whose time has come join the queue (the database decides: a cancel wins)."""
        due = self.schedule.pop_due(utcnow())
        if not due:
            return
        with self.db.write() as s:
            jobs = [job for job_id in due if (job := store.promote(s, job_id)) is not None]
            names = store.usernames(s, (j.user_id for j in jobs))
        for job in jobs:
            self.queue.push(self.lanes.item(job, names[job.user_id]))
            log.info("Job %s due: queued (user=%s) — %s", job.id, names[job.user_id], self.summary())

    def is_waiting(self, job_id: str) -> bool:
        """The job is in the in-memory queue."""
        return job_id in self.queue

    def holds(self, job_id: str) -> bool:
        """The job waits in memory: in the queue, a backoff or the schedule."""
        return job_id in self.queue or job_id in self.retries.ids() or job_id in self.schedule

    def positions(self) -> dict[str, int]:
        """Each queued job's place in the fair order (1 = next)."""
        return self.queue.positions()

    def count(self) -> int:
        """Jobs waiting to run: queued plus those waiting out a backoff."""
        return len(self.queue) + len(self.retries)
