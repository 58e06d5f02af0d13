"""The maintenance thread: a table of periodic chores (interval → chore), ticked every 0.25 s.

Each chore takes ``now`` (monotonic seconds), so a test calls one directly or ticks the table
with ``run_once(now)`` without a thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.engine.login_checks import queue_due_checks
from app.engine.outside import OUTSIDE_INTERVAL, OutsideWatch, follow_outside_changes
from app.engine.retention import purge_rows, remove_expired
from app.models import utcnow

if TYPE_CHECKING:
    from app.engine.dispatcher import Dispatcher
    from app.engine.pool import DriverPool
    from app.engine.retry import RetrySchedule
    from app.engine.server import JobServer

log = logging.getLogger("examgen")

TICK = 0.25
BROWSER_PROBE_INTERVAL = 10.0  # while no browser can start: how often to try one again
GRID_POLL_INTERVAL = 3.0  # a remote Grid's /status: its nodes and free slots


@dataclass
class Chore:
    """One periodic task: run when ``interval`` seconds have passed since it last ran."""

    name: str
    interval: float
    run: Callable[[float], None]
    last: float = 0.0


class Maintenance:
    """Owned by JobServer; its thread is ``maintenance``, stopped by the server's stop event."""

    def __init__(self, server: JobServer, dispatcher: Dispatcher, pool: DriverPool, retries: RetrySchedule) -> None:
        self.server = server
        self.dispatcher = dispatcher
        self.pool = pool
        self.retries = retries
        start = time.monotonic()
        self.outside = OutsideWatch(server.config.instance_path)
        self.chores = [
            Chore("supervise", 0, self.supervise),
            Chore("retries_due", 0, self.retries_due),
            Chore("scheduled_due", 0, self.scheduled_due),
            Chore("timeouts", 0, self.timeouts),
            Chore("outside_changes", OUTSIDE_INTERVAL, self.outside_changes),
            Chore("summary", server.config.summary_interval, self.summary, last=start),
            Chore("reap", 5, self.reap, last=start),
            Chore("browser_probe", BROWSER_PROBE_INTERVAL, self.browser_probe),
            Chore("sample", 10, self.sample),
            Chore("grid", GRID_POLL_INTERVAL, self.grid),
            Chore("grid_sweep", 60, self.grid_sweep, last=start),
            Chore("retention", 3600, self.retention),
            Chore("login_checks", 60, self.login_checks, last=start),
        ]

    def loop(self) -> None:
        """The thread body: tick the table until the server stops."""
        while not self.server.stop_event.wait(TICK):
            self.run_once(time.monotonic())

    def run_once(self, now: float) -> list[str]:
        """Run every chore that is due at ``now``; an error is logged and the others still run."""
        ran = []
        for chore in self.chores:
            if now - chore.last < chore.interval:
                continue
            chore.last = now
            try:
                chore.run(now)
                ran.append(chore.name)
            except Exception:
                log.exception("Maintenance chore %s failed; carrying on", chore.name)
        return ran

    # -- the chores ------------------------------------------------------------------------

    def supervise(self, now: float) -> None:
        """Restart a dead thread (the reconciler watches the others; this watches the reconciler)."""
        self.server.ensure_threads()

    def retries_due(self, now: float) -> None:
        """Jobs whose backoff is over go back to the queue."""
        due = self.retries.pop_due(utcnow())
        if due:
            self.server.requeue_ids(due)

    def scheduled_due(self, now: float) -> None:
        """Scheduled jobs whose time has come join the queue."""
        self.server.promote_scheduled()

    def timeouts(self, now: float) -> None:
        """A job past its deadline has its browser killed (its kind then fails as timed out)."""
        for handle in self.dispatcher.running():
            if now > handle.deadline and not handle.timed_out:
                handle.timed_out = True
                log.warning("Job %s ran over JOB_TIMEOUT; killing its browser", handle.job_id)
                if handle.browser is not None:
                    self.pool.kill(handle.browser)

    def outside_changes(self, now: float) -> None:
        """Follow what the admin CLI changed in the database (cancels, requeues), after it says so."""
        if self.outside.due(now):
            follow_outside_changes(self.server, self.dispatcher)

    def summary(self, now: float) -> None:
        """A summary line while there is work."""
        srv = self.server
        if srv.waiting() or self.dispatcher.running():
            log.info("%s, peak queue: %d", srv.summary(), srv.snapshot().peaks.max_queue_size)

    def reap(self, now: float) -> None:
        """Close browsers idle for longer than DRIVER_IDLE_TIMEOUT."""
        self.pool.reap_idle()

    def browser_probe(self, now: float) -> None:
        """While no browser can start, try one again."""
        if self.pool.start_error is not None:
            self.server.probe_browsers()

    def sample(self, now: float) -> None:
        """One point of the queue history."""
        self.server.sample()

    def grid(self, now: float) -> None:
        """A remote Grid's nodes and free slots; the pool follows its capacity."""
        self.server.watch_grid()

    def grid_sweep(self, now: float) -> None:
        """Remote sessions whose end failed are ended again."""
        ended = self.server.sweep_grid_sessions()
        if ended:
            log.info("Ended %d remote sessions left from failed ends", ended)

    def login_checks(self, now: float) -> None:
        """Queue the scheduled login checks that are due."""
        queue_due_checks(self.server, self.server.config.login_check_hours)

    def retention(self, now: float) -> None:
        """Remove files and rows older than their retention."""
        srv, cfg = self.server, self.server.config
        removed = remove_expired(srv.work_root, cfg.result_retention_days)
        if removed:
            log.info("Retention: removed %d files older than %g days", removed, cfg.result_retention_days)
        with srv.db.write() as s:
            jobs, keys = purge_rows(s, srv.work_root, cfg.job_retention_days)
        if jobs or keys:
            log.info(
                "Retention: deleted %d finished jobs and %d idempotency keys older than %g days",
                jobs,
                keys,
                cfg.job_retention_days,
            )
