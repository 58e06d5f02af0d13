"""Self-healing: brings the in-memory state (queue, running handles, retry schedule) and the
database back together after a fault, and restarts the engine's threads if one died.

Runs every ``interval`` seconds and at once after a database error. Each repair is a
conditional update, so a pass racing a job that ends on its own changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.models import Job, JobStatus, utcnow

if TYPE_CHECKING:
    from app.engine.dispatcher import Dispatcher
    from app.engine.queue import FairQueue
    from app.engine.retry import RetrySchedule
    from app.engine.server import JobServer

log = logging.getLogger("examgen.reconciler")


@dataclass
class Repairs:
    """What one pass put right."""

    phantoms: int = 0  # handles of jobs with no live thread, dropped from "processing"
    orphans: int = 0  # running rows with no thread, queued again (a publish reconciles first)
    lost_queued: int = 0  # queued rows missing from the in-memory queue
    lost_retrying: int = 0  # retrying rows missing from the retry schedule

    def __bool__(self) -> bool:
        return any((self.phantoms, self.orphans, self.lost_queued, self.lost_retrying))


class Reconciler:
    """Owned by JobServer; its thread is ``reconciler``, stopped by the server's stop event."""

    def __init__(
        self,
        server: JobServer,
        dispatcher: Dispatcher,
        queue: FairQueue,
        retries: RetrySchedule,
        interval: float = 30.0,
        grace: float = 10.0,
    ) -> None:
        self.server = server
        self.dispatcher = dispatcher
        self.queue = queue
        self.retries = retries
        self.submit_lock = threading.Lock()  # the submitters' lock, once the service shares it
        self.interval = interval
        self.grace = grace  # a queued/retrying row this fresh may just be on its way into memory
        self._wake = threading.Event()
        self.passes = 0
        self.last_error: str | None = None

    def trigger(self) -> None:
        """Run a pass soon (after a database error, or a lost outcome)."""
        self._wake.set()

    def loop(self) -> None:
        """The thread body: a pass every ``interval`` s or when triggered; errors are logged, never fatal."""
        stop = self.server.stop_event
        last = time.monotonic()
        while not stop.wait(1.0):
            self.server.ensure_threads()
            if not self._wake.is_set() and time.monotonic() - last < self.interval:
                continue
            self._wake.clear()
            last = time.monotonic()
            try:
                repairs = self.run_once()
                self.last_error = None
                if repairs:
                    log.warning("Reconciler repaired %s — %s", repairs, self.server.summary())
            except Exception as exc:  # noqa: BLE001 - the database may still be down: try again shortly
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                log.warning("Reconciler pass failed (%s); trying again in a few seconds", self.last_error)
                last = time.monotonic() - self.interval + 3

    def run_once(self) -> Repairs:
        """One pass: compare the database with memory and put every difference right."""
        srv = self.server
        repairs = Repairs(phantoms=len(self.dispatcher.prune()))
        fresh = utcnow() - timedelta(seconds=self.grace)
        with srv.db.read() as s:
            rows = s.execute(
                select(Job.id, Job.status, Job.updated_at, Job.next_attempt_at).where(
                    Job.status.in_([JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.RETRYING])
                )
            ).all()
        # read after the rows: a job claimed since then is not among them, one running then is here
        live = {h.job_id for h in self.dispatcher.running()}
        scheduled = self.retries.ids()
        orphans = [r.id for r in rows if r.status == JobStatus.RUNNING and r.id not in live]
        lost = [
            r.id
            for r in rows
            if r.status == JobStatus.QUEUED and r.id not in self.queue and r.id not in live and r.updated_at < fresh
        ]
        if orphans:
            repairs.orphans = srv.requeue_ids(orphans, (JobStatus.RUNNING,))
            log.warning("Reconciler: %d running jobs had no thread; queued again", repairs.orphans)
        if lost:
            with self.submit_lock:  # a submit pushes right after its commit: let it finish first
                lost = [job_id for job_id in lost if job_id not in self.queue]
                repairs.lost_queued = srv.requeue_ids(lost, ())
        for r in rows:
            if r.status == JobStatus.RETRYING and r.id not in scheduled and r.updated_at < fresh:
                self.retries.add(r.next_attempt_at or utcnow(), r.id)
                repairs.lost_retrying += 1
        self.passes += 1
        return repairs
