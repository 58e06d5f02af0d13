"""Retry policy: exponential backoff with jitter, and what a failure becomes."""

from __future__ import annotations

import heapq
import random
import threading
from datetime import datetime

from app.models import JobStatus


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: base·2^(attempt−1), capped, "equal jitter".

    Half the delay is fixed and half random, so retries of jobs that failed together spread out
    but never come back sooner than half the nominal delay.
    """
    nominal = min(cap, base * (2 ** max(0, attempt - 1)))
    jitter = (rng or random).uniform(0, nominal / 2)
    return float(nominal / 2 + jitter)


def final_status(
    *, permanent: bool, unknown: bool, attempts: int, max_attempts: int, clicked: bool
) -> JobStatus | None:
    """The status a failed attempt leads to, or None to retry.

    A publish that may have clicked and can no longer be retried is never called failed: its
    outcome is unknown, so a person decides (``needs_review``).
    """
    if unknown:
        return JobStatus.NEEDS_REVIEW
    if permanent:
        return JobStatus.FAILED
    if attempts < max_attempts:
        return None
    return JobStatus.NEEDS_REVIEW if clicked else JobStatus.FAILED


class RetrySchedule:
    """Jobs waiting out a backoff, by due time; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heap: list[tuple[datetime, str]] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._heap)

    def add(self, due: datetime, job_id: str) -> None:
        """Retry ``job_id`` at ``due``."""
        with self._lock:
            heapq.heappush(self._heap, (due, job_id))

    def forget(self, job_id: str) -> None:
        """A cancelled job no longer waits (nor counts in the queue size)."""
        with self._lock:
            kept = [entry for entry in self._heap if entry[1] != job_id]
            if len(kept) != len(self._heap):
                heapq.heapify(kept)
                self._heap = kept

    def ids(self) -> set[str]:
        """The jobs waiting out a backoff now."""
        with self._lock:
            return {job_id for _, job_id in self._heap}

    def pop_due(self, now: datetime) -> list[str]:
        """Take the jobs whose backoff is over."""
        due = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[1])
        return due
