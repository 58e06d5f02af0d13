"""Pacing per platform account: one job at a time, a minimum interval, cool-downs."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from app.queue import QueueItem


class Pacer:
    """Tells the dispatcher which lanes may start a job now, without blocking other lanes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._not_before: dict[str, float] = {}

    def ready(self, item: QueueItem) -> bool:
        """True when ``item``'s lane is free and not waiting out an interval or cool-down."""
        if not item.lane:
            return True
        with self._lock:
            return item.lane not in self._busy and self._clock() >= self._not_before.get(item.lane, 0.0)

    def start(self, lane: str) -> None:
        """A job of ``lane`` started."""
        if lane:
            with self._lock:
                self._busy.add(lane)

    def finish(self, lane: str, interval: float = 0.0, jitter: float = 0.0) -> None:
        """A job of ``lane`` ended; the next may start after ``interval`` plus random jitter."""
        if not lane:
            return
        with self._lock:
            self._busy.discard(lane)
            if interval > 0:
                wait = interval + random.uniform(0, jitter)
                self._not_before[lane] = max(self._not_before.get(lane, 0.0), self._clock() + wait)

    def cool_down(self, lane: str, seconds: float) -> None:
        """Hold ``lane`` for ``seconds`` (captcha, risk control)."""
        with self._lock:
            self._not_before[lane] = max(self._not_before.get(lane, 0.0), self._clock() + seconds)

    def waiting(self, lane: str) -> float:
        """Seconds until ``lane`` may start again (0 when it may now)."""
        with self._lock:
            return max(0.0, self._not_before.get(lane, 0.0) - self._clock())
