"""Admission control: per-user active cap and request rate, the server's queue cap, shutdown."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from app.errors import LimitExceeded


class MovingWindow:
    """At most ``amount`` hits per ``seconds`` for each key, counted over the last ``seconds``.

    Written here rather than taken from ``limits``: its in-memory storage starts a timer thread on
    every hit to expire old entries, and a new thread on 2 cores busy with browsers waits behind
    all of them (130-260 ms of a submit, measured under `make bench`'s load). This one prunes on use.
    """

    def __init__(self, amount: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.amount, self.seconds = amount, seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one hit for ``key`` if the window has room; False (and nothing counted) if not."""
        now = self._clock()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.amount:
                return False
            hits.append(now)
            self._hits[key] = hits
            return True

    def remaining(self, key: str) -> int:
        """Hits ``key`` may still make now."""
        with self._lock:
            return max(0, self.amount - len(self._recent(key, self._clock())))

    def reset_in(self, key: str) -> float:
        """Seconds until the oldest hit of ``key`` leaves the window (0 when there is none)."""
        now = self._clock()
        with self._lock:
            hits = self._recent(key, now)
            return hits[0] + self.seconds - now if hits else 0.0

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key) or deque()
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        if not hits:
            self._hits.pop(key, None)  # a user who stopped submitting costs nothing
        return hits


class Admission:
    """Decides whether ``n`` more jobs of a user may be created now; raises LimitExceeded if not.

    The rate limit counts submissions (a batch of 100 is one) in a moving window kept in memory:
    a restart gives every user a fresh window, which errs on the side of letting work in.
    Scheduled jobs that are not due yet count against no cap.
    """

    def __init__(self, user_max_active: int, rate: tuple[int, int], max_queue_size: int) -> None:
        self.user_max_active = user_max_active
        self.max_queue_size = max_queue_size
        self._window = MovingWindow(rate[0], rate[1])
        self.rejections: dict[str, int] = {}

    def check(
        self,
        user: str,
        n: int,
        user_active: int,
        total_active: int,
        shutting_down: bool,
        avg_job_seconds: float,
        rate: bool = True,
    ) -> None:
        """Raise the first limit that ``n`` more jobs would break.

        Every submission that gets this far counts against the rate window, refused or not.
        """
        if shutting_down:
            self._reject(
                "shutting_down", "The server is shutting down; submit again in a minute", 503, 60, {"can_submit": 0}
            )
        room_user = max(0, self.user_max_active - user_active)
        if rate and not self._window.hit(user):
            wait = max(1, math.ceil(self._window.reset_in(user)))
            self._reject(
                "rate_limited",
                f"At most {self._window.amount} submissions per {self._window.seconds} s are allowed; "
                f"submit again in {wait} s",
                429,
                wait,
                {"can_submit": 0},
            )
        extra = {"can_submit": room_user}
        if n > room_user:
            wait = max(1, math.ceil(avg_job_seconds * (n - room_user)))
            self._reject(
                "too_many_active_jobs",
                f"You have {user_active} unfinished jobs; at most {self.user_max_active} are allowed "
                f"(you may submit {room_user} more now)",
                429,
                wait,
                extra,
            )
        room_server = max(0, self.max_queue_size - total_active)
        if n > room_server:
            self._reject(
                "queue_full",
                f"The server's queue is full ({total_active} unfinished jobs); try again later",
                503,
                max(1, math.ceil(avg_job_seconds)),
                {"can_submit": min(extra["can_submit"], room_server)},
            )

    def remaining(self, user: str) -> int:
        """Submissions the user may still make in the current window."""
        return self._window.remaining(user)

    def _reject(self, code: str, message: str, status: int, retry_after: float, extra: dict[str, Any]) -> None:
        self.rejections[code] = self.rejections.get(code, 0) + 1
        raise LimitExceeded(message, code=code, status=status, retry_after=retry_after, extra=extra)
