"""Changes another process made to the database (the admin CLI): the running engine follows them.

The CLI never touches the engine's memory; it changes rows through the job store, then touches a
marker file in the instance folder. The maintenance thread looks at the marker every
``OUTSIDE_INTERVAL`` s (a stat, nothing more) and, for a while after it changed, brings the engine
in step: a cancel asked for a running job stops its thread, a job cancelled while waiting leaves
the queue, a job queued from outside joins it. Each step is guarded the way the reconciler's are.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.models import Job, JobStatus, utcnow

if TYPE_CHECKING:
    from app.engine.dispatcher import Dispatcher
    from app.engine.server import JobServer

log = logging.getLogger("examgen")

OUTSIDE_INTERVAL = 2.0
RECENT = timedelta(minutes=2)  # how far back rows changed from outside are looked at
GRACE = timedelta(seconds=2)  # a queued row this fresh may still be on its way into memory
FOLLOW_FOR = 10.0  # seconds of passes after the marker changed (longer than GRACE)
MARKER = "outside-changes"


def nudge(instance: str | os.PathLike[str]) -> None:
    """Tell a running server that rows were changed from outside (its next look follows them)."""
    marker = Path(instance) / MARKER
    marker.touch()
    os.utime(marker)


class OutsideWatch:
    """Whether the marker changed lately; cheap enough to ask every two seconds."""

    def __init__(self, instance: str | os.PathLike[str]) -> None:
        self.marker = Path(instance) / MARKER
        self._seen = self._stamp()
        self._until = 0.0

    def _stamp(self) -> int:
        try:
            return self.marker.stat().st_mtime_ns
        except OSError:
            return 0

    def due(self, now: float) -> bool:
        """True while ``now`` (monotonic) is within FOLLOW_FOR s of a change of the marker."""
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen, self._until = stamp, now + FOLLOW_FOR
        return now <= self._until


def follow_outside_changes(server: JobServer, dispatcher: Dispatcher) -> dict[str, int]:
    """One pass; returns how many jobs were stopped, dropped from memory, and queued."""
    now = utcnow()
    with server.db.read() as s:
        rows = s.execute(
            select(Job.id, Job.status, Job.cancel_requested, Job.updated_at).where(
                Job.status.in_([JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.CANCELLED]),
                Job.updated_at >= now - RECENT,
            )
        ).all()
    done = {"stopped": 0, "dropped": 0, "queued": 0}
    for r in rows:
        if r.status == JobStatus.RUNNING and r.cancel_requested:
            handle = dispatcher.handle(r.id)
            if handle is not None and not handle.cancel.is_set():
                log.info("Job %s: cancel asked from outside the server; stopping it", r.id)
                server.interrupt(r.id, 0)
                done["stopped"] += 1
        elif r.status == JobStatus.CANCELLED and server.holds(r.id):
            server.forget(r.id)
            done["dropped"] += 1
    fresh = now - GRACE
    candidates = [r.id for r in rows if r.status == JobStatus.QUEUED and r.updated_at < fresh]
    if candidates:
        with server.submit_lock():  # a submitter pushes right after its commit: let it finish first
            # the order matters: the row read as queued, then not in the queue, then not running. The
            # dispatcher registers a job as running right after popping it and before claiming it, so
            # only that instant is left in which a job it took could be queued a second time
            with server.db.read() as s:
                queued = set(s.scalars(select(Job.id).where(Job.id.in_(candidates), Job.status == JobStatus.QUEUED)))
            missing = [job_id for job_id in candidates if job_id in queued and not server.is_waiting(job_id)]
            live = {h.job_id for h in dispatcher.running()}
            missing = [job_id for job_id in missing if job_id not in live]
            if missing:
                done["queued"] = server.requeue_ids(missing, ())
    if done["queued"]:
        log.info("%d jobs queued from outside the server joined the queue — %s", done["queued"], server.summary())
    return done
