"""Backoff with jitter, and what a failed attempt turns into."""

from __future__ import annotations

import random

import pytest

from app.engine.retry import backoff_delay, final_status
from app.models import JobStatus


@pytest.mark.parametrize(("attempt", "nominal"), [(1, 5), (2, 10), (3, 20), (4, 40), (10, 60)])
def test_backoff_doubles_is_capped_and_jittered_within_half(attempt: int, nominal: float) -> None:
    rng = random.Random(7)
    delays = [backoff_delay(attempt, base=5, cap=60, rng=rng) for _ in range(200)]
    assert all(nominal / 2 <= d <= nominal for d in delays)
    assert max(delays) - min(delays) > nominal / 4  # really jittered


def test_transient_failure_is_retried_until_attempts_run_out() -> None:
    assert final_status(permanent=False, unknown=False, attempts=1, max_attempts=4, clicked=False) is None
    assert final_status(permanent=False, unknown=False, attempts=4, max_attempts=4, clicked=False) == JobStatus.FAILED


def test_permanent_failure_is_never_retried() -> None:
    assert final_status(permanent=True, unknown=False, attempts=1, max_attempts=4, clicked=False) == JobStatus.FAILED


def test_an_unknown_outcome_goes_to_a_person() -> None:
    assert (
        final_status(permanent=True, unknown=True, attempts=1, max_attempts=4, clicked=True) == JobStatus.NEEDS_REVIEW
    )


def test_a_click_that_cannot_be_retried_any_more_is_never_called_failed() -> None:
    status = final_status(permanent=False, unknown=False, attempts=4, max_attempts=4, clicked=True)
    assert status == JobStatus.NEEDS_REVIEW


def test_the_retry_schedule_releases_jobs_when_due_and_forgets_cancelled_ones() -> None:
    from datetime import UTC, datetime, timedelta

    from app.engine.retry import RetrySchedule

    t0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    schedule = RetrySchedule()
    schedule.add(t0 + timedelta(seconds=20), "late")
    schedule.add(t0 + timedelta(seconds=5), "early")
    schedule.add(t0 + timedelta(seconds=10), "cancelled")
    schedule.forget("cancelled")
    assert len(schedule) == 2
    assert schedule.pop_due(t0) == []
    assert schedule.pop_due(t0 + timedelta(seconds=15)) == ["early"]
    assert schedule.pop_due(t0 + timedelta(seconds=60)) == ["late"] and len(schedule) == 0
