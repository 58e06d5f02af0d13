"""Live queue figures, persisted peaks and totals, and wait-time estimates."""

from __future__ import annotations

import heapq
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from app.db import Database
from app.jobs import ensure_stats_row
from app.models import QueueStats, utcnow

DEFAULT_JOB_SECONDS = 10.0


@dataclass
class Peaks:
    max_queue_size: int = 0
    max_queue_size_at: datetime | None = None
    max_processing: int = 0
    max_processing_at: datetime | None = None


def estimate_starts(count: int, running_elapsed: Sequence[float], slots: int, avg: float) -> list[float]:
    """Seconds until each of the next ``count`` queued jobs starts, in serving order.

    Each of the ``slots`` frees up when its running job ends (``avg`` minus what it already ran)
    and then takes the next queued job, which runs ``avg`` seconds. A job already past the
    average is still given half an average: slow jobs tend to stay slow.
    """
    free_at = [max(avg - e, avg / 2, 0.5) for e in running_elapsed[:slots]]
    free_at += [0.0] * (slots - len(free_at))
    heapq.heapify(free_at)
    starts = []
    for _ in range(count):
        t = heapq.heappop(free_at)
        starts.append(round(t, 1))
        heapq.heappush(free_at, t + avg)
    return starts


class QueueFigures:
    """Peaks and totals as stored, plus the recent job durations the estimates use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self.peaks = Peaks()
        self.since: datetime = utcnow()
        self._durations: deque[float] = deque(maxlen=100)

    def load(self) -> None:
        """Read the persisted row (created on first start)."""
        with self.db.write() as s:
            row = ensure_stats_row(s)
            self.peaks = Peaks(row.max_queue_size, row.max_queue_size_at, row.max_processing, row.max_processing_at)
            self.since = row.since

    def observe(self, queue_size: int, processing: int) -> None:
        """Record new peaks at once, so that they survive even a crash."""
        now = utcnow()
        values: dict[str, object] = {}
        with self._lock:
            if queue_size > self.peaks.max_queue_size:
                self.peaks.max_queue_size, self.peaks.max_queue_size_at = queue_size, now
                values.update(max_queue_size=queue_size, max_queue_size_at=now)
            if processing > self.peaks.max_processing:
                self.peaks.max_processing, self.peaks.max_processing_at = processing, now
                values.update(max_processing=processing, max_processing_at=now)
        if values:
            with self.db.write() as s:
                s.execute(update(QueueStats).where(QueueStats.id == 1).values(**values))

    def totals(self) -> tuple[int, int]:
        """(total_processed, total_failed) as stored."""
        with self.db.read() as s:
            row = s.get(QueueStats, 1)
            return (row.total_processed, row.total_failed) if row else (0, 0)

    def record_duration(self, seconds: float) -> None:
        """One finished attempt's running time, for the estimates."""
        with self._lock:
            self._durations.append(seconds)

    @property
    def avg_job_seconds(self) -> float:
        """Mean of the last 100 attempts (a default until there are some)."""
        with self._lock:
            if not self._durations:
                return DEFAULT_JOB_SECONDS
            return sum(self._durations) / len(self._durations)
