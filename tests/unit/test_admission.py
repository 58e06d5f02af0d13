"""Admission decisions: which limit answers first, what it tells the caller, and what counts as a request."""

from __future__ import annotations

import pytest

from app.engine.admission import Admission, MovingWindow
from app.errors import LimitExceeded


def refused(adm: Admission, n: int, **state: object) -> LimitExceeded:
    args = {"user_active": 0, "total_active": 0, "shutting_down": False, "avg_job_seconds": 10.0} | state
    with pytest.raises(LimitExceeded) as info:
        adm.check("alice", n, **args)  # type: ignore[arg-type]
    return info.value


def test_within_every_limit_passes_and_each_submission_counts_once_against_the_window() -> None:
    adm = Admission(user_max_active=5, rate=(3, 60), max_queue_size=10)
    adm.check("alice", 3, user_active=0, total_active=0, shutting_down=False, avg_job_seconds=10)
    assert adm.remaining("alice") == 2  # a batch of three jobs is one submission
    assert adm.remaining("bob") == 3


def test_shutting_down_answers_first_with_503() -> None:
    err = refused(Admission(1, (1, 60), 1), 5, shutting_down=True, user_active=9, total_active=9)
    assert (err.code, err.status, err.extra["can_submit"]) == ("shutting_down", 503, 0)


def test_too_many_active_jobs_says_how_many_may_still_come() -> None:
    err = refused(Admission(user_max_active=5, rate=(20, 60), max_queue_size=100), 4, user_active=3)
    assert (err.code, err.status, err.extra["can_submit"]) == ("too_many_active_jobs", 429, 2)
    assert err.retry_after == 20  # two jobs too many, ten seconds each


def test_the_rate_limit_is_a_moving_window_per_user() -> None:
    adm = Admission(user_max_active=50, rate=(3, 60), max_queue_size=100)
    for _ in range(3):
        adm.check("alice", 2, user_active=0, total_active=0, shutting_down=False, avg_job_seconds=1)
    err = refused(adm, 2)
    assert (err.code, err.status, err.extra["can_submit"]) == ("rate_limited", 429, 0)
    assert 1 <= err.retry_after <= 60
    adm.check("bob", 3, user_active=0, total_active=0, shutting_down=False, avg_job_seconds=1)  # bob has his own
    adm.check("alice", 2, user_active=0, total_active=0, shutting_down=False, avg_job_seconds=1, rate=False)


def test_a_full_server_queue_is_503_and_caps_can_submit() -> None:
    err = refused(Admission(user_max_active=50, rate=(50, 60), max_queue_size=10), 3, total_active=9)
    assert (err.code, err.status, err.extra["can_submit"]) == ("queue_full", 503, 1)


def test_a_refused_submission_counts_against_the_window_but_shutting_down_counts_nothing() -> None:
    adm = Admission(user_max_active=2, rate=(5, 60), max_queue_size=100)
    refused(adm, 1, shutting_down=True)
    assert adm.remaining("alice") == 5
    refused(adm, 3)  # over the active cap: the request was made, so it counts (retrying cannot flood)
    assert adm.remaining("alice") == 4
    assert adm.rejections == {"too_many_active_jobs": 1, "shutting_down": 1}


def test_the_moving_window_counts_the_last_seconds_only_and_forgets_idle_users() -> None:
    now = [1000.0]
    window = MovingWindow(2, 60, clock=lambda: now[0])
    assert window.hit("alice") and window.hit("alice")
    assert not window.hit("alice") and window.remaining("alice") == 0  # a refused hit counts nothing
    assert window.reset_in("alice") == 60
    now[0] += 30
    assert window.hit("bob") and window.remaining("bob") == 1
    now[0] += 30  # alice's two hits are 60 s old: out of the window
    assert window.remaining("alice") == 2 and window.reset_in("alice") == 0
    assert "alice" not in window._hits  # nothing kept for a user with no recent hit
    assert window.hit("alice") and window.reset_in("bob") == 30
