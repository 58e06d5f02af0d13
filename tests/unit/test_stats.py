"""Persisted peaks and measured durations."""

from __future__ import annotations

from app.db import Database
from app.engine.stats import QueueFigures


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


def test_durations_are_averaged_per_platform_and_overall(tmp_path) -> None:
    figures = QueueFigures(Database(f"sqlite:///{tmp_path}/t.db"))
    assert figures.avg_for("demo") is None and not figures.measured
    figures.record_duration(4.0, "demo")
    figures.record_duration(6.0, "demo")
    figures.record_duration(20.0, "generate")
    assert figures.avg_for("demo") == 5.0 and figures.avg_for("generate") == 20.0
    assert figures.measured and figures.avg_job_seconds == 10.0


def test_a_peak_between_two_samples_shows_in_the_next_point(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path}/t.db")
    db.upgrade()
    figures = QueueFigures(db)
    figures.load()
    figures.sample(queue_size=1, processing=0)
    figures.observe(queue_size=9, processing=3)  # a short burst, over before the next sample
    figures.observe(queue_size=2, processing=1)
    figures.sample(queue_size=0, processing=0)
    figures.sample(queue_size=0, processing=0)  # the maxima were reset by the previous sample
    points = [(p["queue_size"], p["processing"]) for p in figures.history()]
    assert points == [(1, 0), (9, 3), (0, 0)]
