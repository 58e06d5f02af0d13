"""Live queue figures, persisted peaks and totals, and the job durations estimates use."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from app.db import Database
from app.jobs import ensure_stats_row
from app.models import QueueStats, utcnow
from app.timefmt import iso

DEFAULT_JOB_SECONDS = 10.0


@dataclass
class Peaks:
    max_queue_size: int = 0
    max_queue_size_at: datetime | None = None
    max_processing: int = 0
    max_processing_at: datetime | None = None


class QueueFigures:
    """Peaks and totals as stored, plus the recent job durations the estimates use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self.peaks = Peaks()
        self.since: datetime = utcnow()
        self._durations: deque[float] = deque(maxlen=100)
        self._by_group: dict[str, deque[float]] = {}
        self._history: deque[dict[str, object]] = deque(maxlen=360)  # 10 s samples: one hour
        # the highest (queue size, processing) seen since the last sample: a peak between samples still shows
        self._interval_max = (0, 0)

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
            self._interval_max = (max(self._interval_max[0], queue_size), max(self._interval_max[1], processing))
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

    def record_duration(self, seconds: float, group: str = "") -> None:
        """One finished attempt's running time (of a platform's publishes, or a kind), for the estimates."""
        with self._lock:
            self._durations.append(seconds)
            if group:
                self._by_group.setdefault(group, deque(maxlen=5)).append(seconds)

    def avg_for(self, group: str) -> float | None:
        """Mean of the group's last 5 attempts (recent ones: browsers warm up, loads change), or None."""
        with self._lock:
            recent = self._by_group.get(group)
            return sum(recent) / len(recent) if recent else None

    @property
    def measured(self) -> bool:
        """True once some attempt has finished."""
        with self._lock:
            return bool(self._durations)

    @property
    def avg_job_seconds(self) -> float:
        """Mean of the last 100 attempts (a default until there are some)."""
        with self._lock:
            if not self._durations:
                return DEFAULT_JOB_SECONDS
            return sum(self._durations) / len(self._durations)

    def sample(self, queue_size: int, processing: int) -> None:
        """Record one point of the queue history: the maxima of its interval, the values now included."""
        with self._lock:
            top_queue, top_processing = self._interval_max
            self._interval_max = (0, 0)
        point: dict[str, object] = {
            "t": iso(utcnow()),
            "queue_size": max(queue_size, top_queue),
            "processing": max(processing, top_processing),
        }
        self._history.append(point)

    def history(self) -> list[dict[str, object]]:
        """The recorded points, oldest first."""
        return list(self._history)
