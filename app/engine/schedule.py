"""Jobs waiting for their publish time: an in-memory mirror of the ``scheduled`` rows."""

from __future__ import annotations

import threading
from datetime import datetime

from app.engine.queue import QueueItem


class Schedule:
    """Scheduled jobs by due time; thread-safe. The database stays the truth: reloaded at start."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[str, tuple[datetime, QueueItem]] = {}
        self.version = 0  # goes up with every change: the start-time forecast reads the schedule

    def __len__(self) -> int:
        with self._lock:
            return len(self._due)

    def __contains__(self, job_id: object) -> bool:
        with self._lock:
            return job_id in self._due

    def add(self, due: datetime, item: QueueItem) -> None:
        """Hold ``item`` until ``due`` (moving it if it was already held)."""
        with self._lock:
            self._due[item.job_id] = (due, item)
            self.version += 1

    def forget(self, job_id: str) -> bool:
        """A cancelled or moved-to-now job is no longer held; True if it was."""
        with self._lock:
            if self._due.pop(job_id, None) is None:
                return False
            self.version += 1
            return True

    def pop_due(self, now: datetime) -> list[str]:
        """Take the jobs whose time has come, soonest first."""
        with self._lock:
            due = sorted((at, item.seq, job_id) for job_id, (at, item) in self._due.items() if at <= now)
            for _, _, job_id in due:
                del self._due[job_id]
            if due:
                self.version += 1
        return [job_id for _, _, job_id in due]

    def items(self) -> list[tuple[datetime, QueueItem]]:
        """(due, item) of every held job, soonest first."""
        with self._lock:
            return sorted(self._due.values(), key=lambda e: (e[0], e[1].seq))

    def counts_by_user(self) -> dict[str, int]:
        """How many jobs each user has scheduled."""
        with self._lock:
            counts: dict[str, int] = {}
            for _, item in self._due.values():
                counts[item.user] = counts.get(item.user, 0) + 1
            return counts
