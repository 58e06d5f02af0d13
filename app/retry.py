"""Retry policy: exponential backoff with jitter, and what a failure becomes."""

from __future__ import annotations

import random

from app.models import JobStatus


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: base·2^(attempt−1), capped, "equal jitter".

    Half the delay is fixed and half random, so retries of jobs that failed together spread out
    but never come back sooner than half the nominal delay.
    """
    rng = rng or random
    nominal = min(cap, base * (2 ** max(0, attempt - 1)))
    return nominal / 2 + rng.uniform(0, nominal / 2)


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
