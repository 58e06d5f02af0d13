"""Admission control: per-user active cap and request rate, the server's queue cap, shutdown."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import LimitExceeded


class Admission:
    """Decides whether ``n`` more jobs of a user may be created now; raises LimitExceeded if not.

    The rate limit counts submissions (a batch of 100 is one) in the ``limits`` package's moving
    window, kept in memory: a restart gives every user a fresh window, which errs on the side of
    letting work in. Scheduled jobs that are not due yet count against no cap.
    """

    def __init__(self, user_max_active: int, rate: tuple[int, int], max_queue_size: int) -> None:
        self.user_max_active = user_max_active
        self.max_queue_size = max_queue_size
        self._item = RateLimitItemPerSecond(rate[0], rate[1])
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
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
        if rate and not self._limiter.hit(self._item, user):
            window = self._limiter.get_window_stats(self._item, user)
            wait = max(1, math.ceil(window.reset_time - time.time()))
            self._reject(
                "rate_limited",
                f"At most {self._item.amount} submissions per {self._item.multiples} s are allowed; "
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
        return max(0, self._limiter.get_window_stats(self._item, user).remaining)

    def _reject(self, code: str, message: str, status: int, retry_after: float, extra: dict[str, Any]) -> None:
        self.rejections[code] = self.rejections.get(code, 0) + 1
        raise LimitExceeded(message, code=code, status=status, retry_after=retry_after, extra=extra)
