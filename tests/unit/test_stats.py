"""Wait estimates and persisted peaks."""

from __future__ import annotations

from app.db import Database
from app.stats import QueueFigures, estimate_starts


def test_free_slots_start_at_once_then_jobs_wait_for_the_earliest_slot() -> None:
    assert estimate_starts(4, running_elapsed=[], slots=2, avg=10) == [0.0, 0.0, 10.0, 10.0]


def test_running_jobs_shorten_the_wait_by_what_they_already_ran() -> None:
    assert estimate_starts(3, running_elapsed=[4.0, 2.0], slots=2, avg=10) == [6.0, 8.0, 16.0]


def test_a_job_past_the_average_is_still_expected_to_take_half_an_average() -> None:
    assert estimate_starts(2, running_elapsed=[50.0], slots=1, avg=10) == [5.0, 15.0]


def test_peaks_survive_a_restart(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    db = Database(url)
    db.upgrade()
    figures = QueueFigures(db)
    figures.load()
    figures.observe(queue_size=7, processing=2)
    figures.observe(queue_size=3, processing=1)  # lower: not a peak
    db.dispose()

    again = QueueFigures(Database(url))
    again.load()
    assert (again.peaks.max_queue_size, again.peaks.max_processing) == (7, 2)
    assert again.peaks.max_queue_size_at is not None and again.peaks.max_queue_size_at.tzinfo is not None
