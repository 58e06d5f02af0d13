"""Pacing per platform account: a capacity per lane, a minimum interval, cool-downs."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from app.engine.queue import QueueItem

DEFAULT_CAPACITY = 1  # a lane nobody described runs one job at a time
PAUSED = 1e9  # seconds a paused lane reports until it may start: beyond any forecast, so "unknown"


class Pacer:
    """Tells the dispatcher which lanes may start a job now, without blocking other lanes.

    Each lane (e.g. one platform account) is a counter with a capacity (0: no limit), plus a
    "not before" time set by the interval after a publish or by a cool-down.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._capacity: dict[str, int] = {}
        self._not_before: dict[str, float] = {}
        self._held: set[str] = set()  # paused until released: the account's login expired

    def set_capacity(self, lane: str, capacity: int) -> None:
        """How many jobs of ``lane`` may run at once (0: no limit)."""
        if lane:
            with self._lock:
                self._capacity[lane] = max(0, int(capacity))

    def capacity(self, lane: str) -> int:
        """The lane's capacity (0: no limit)."""
        with self._lock:
            return self._capacity.get(lane, DEFAULT_CAPACITY)

    def ready(self, item: QueueItem) -> bool:
        """True when ``item``'s lane has room and is not waiting out an interval or cool-down."""
        if not item.lane:
            return True
        with self._lock:
            if item.lane in self._held and not item.probe:
                return False
            cap = self._capacity.get(item.lane, DEFAULT_CAPACITY)
            if cap and self._running.get(item.lane, 0) >= cap:
                return False
            return self._clock() >= self._not_before.get(item.lane, 0.0)

    def start(self, lane: str) -> None:
        """A job of ``lane`` started."""
        if lane:
            with self._lock:
                self._running[lane] = self._running.get(lane, 0) + 1

    def finish(self, lane: str, interval: float = 0.0, jitter: float = 0.0) -> None:
        """A job of ``lane`` ended; the next may start after ``interval`` plus random jitter."""
        if not lane:
            return
        with self._lock:
            left = self._running.get(lane, 0) - 1
            if left > 0:
                self._running[lane] = left
            else:
                self._running.pop(lane, None)
            if interval > 0:
                wait = interval + random.uniform(0, jitter)
                self._not_before[lane] = max(self._not_before.get(lane, 0.0), self._clock() + wait)

    def cool_down(self, lane: str, seconds: float) -> None:
        """Hold ``lane`` for ``seconds`` (captcha, risk control)."""
        with self._lock:
            self._not_before[lane] = max(self._not_before.get(lane, 0.0), self._clock() + seconds)

    def hold(self, lane: str) -> None:
        """Start no job of ``lane`` but probes (login checks) until ``release``."""
        with self._lock:
            self._held.add(lane)

    def release(self, lane: str) -> bool:
        """Let ``lane`` run again; True if it was held."""
        with self._lock:
            if lane not in self._held:
                return False
            self._held.discard(lane)
            return True

    def waiting(self, lane: str) -> float:
        """Seconds until ``lane`` may start again (0 when it may now)."""
        with self._lock:
            return max(0.0, self._not_before.get(lane, 0.0) - self._clock())

    def snapshot(self) -> dict[str, tuple[int, float]]:
        """Lane -> (jobs running, seconds until it may start again), for the forecast."""
        with self._lock:
            now = self._clock()
            lanes = set(self._running) | self._held | {k for k, v in self._not_before.items() if v > now}
            return {
                lane: (
                    self._running.get(lane, 0),
                    PAUSED if lane in self._held else max(0.0, self._not_before.get(lane, 0.0) - now),
                )
                for lane in lanes
            }
