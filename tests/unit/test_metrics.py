"""The /metrics figures: a private registry per app, live values at scrape time, job durations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.errors import LimitExceeded
from app.jobs import NewJob
from app.models import User
from app.runner import RunningJob
from config import TestConfig


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app whose threads are not started: the figures change only when the test changes them."""
    flask_app = create_app(TestConfig.for_dir(tmp_path / "instance", admin_token="t" * 20), start=False)
    yield flask_app
    flask_app.extensions["examgen"].db.dispose()


def scrape(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) -> value, parsed the way Prometheus parses it."""
    resp = app.test_client().get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    out = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def admin(app: Flask) -> User:
    with app.extensions["examgen"].db.read() as s:
        return s.query(User).filter_by(username="admin").one()


def test_live_figures_are_read_at_scrape_time(app: Flask) -> None:
    eng = app.extensions["examgen"]
    before = scrape(app)
    assert before[("examgen_queue_size", ())] == 0
    assert before[("examgen_max_concurrent_jobs", ())] == eng.config.max_concurrent_jobs
    assert before[("examgen_pool_size", ())] == eng.config.driver_pool_size
    job = NewJob(kind="publish", payload={}, title="t", platform="demo")
    eng.service.submit(admin(app), [job, job], priority=5)
    after = scrape(app)
    assert after[("examgen_queue_size", ())] == 2
    assert after[("examgen_jobs", (("status", "queued"),))] == 2
    assert after[("examgen_jobs", (("status", "success"),))] == 0
    assert after[("examgen_queue_size_peak", ())] == 2


def test_rejections_are_counted_by_code(app: Flask) -> None:
    admission = app.extensions["examgen"].server.admission
    for _ in range(3):
        with pytest.raises(LimitExceeded):
            admission.check("u", 1, user_active=admission.user_max_active, total_active=0, shutting_down=False,
                            avg_job_seconds=1)  # fmt: skip
    with pytest.raises(LimitExceeded):
        admission.check("u", 1, user_active=0, total_active=0, shutting_down=True, avg_job_seconds=1)
    figures = scrape(app)
    assert figures[("examgen_admission_rejections_total", (("code", "too_many_active_jobs"),))] == 3
    assert figures[("examgen_admission_rejections_total", (("code", "shutting_down"),))] == 1
    assert figures[("examgen_admission_rejections_total", (("code", "queue_full"),))] == 0


def test_every_finished_attempt_is_observed(app: Flask) -> None:
    dispatcher = app.extensions["examgen"].server.dispatcher
    handle = RunningJob(job_id="j1", username="u", kind="publish", lane="", deadline=time.monotonic() + 60)
    handle.started, handle.outcome = time.monotonic() - 3, "success"
    dispatcher.on_finished(handle)  # what the dispatcher calls when a job thread ends
    app.extensions["examgen_metrics"].observe_job("generate", "failed", 0.2)
    figures = scrape(app)
    ok = (("kind", "publish"), ("status", "success"))
    assert figures[("examgen_job_duration_seconds_count", ok)] == 1
    assert 3 <= figures[("examgen_job_duration_seconds_sum", ok)] < 4
    assert (
        figures[("examgen_job_duration_seconds_bucket", (("kind", "publish"), ("le", "2.0"), ("status", "success")))]
        == 0
    )
    assert (
        figures[("examgen_job_duration_seconds_bucket", (("kind", "publish"), ("le", "5.0"), ("status", "success")))]
        == 1
    )
    assert figures[("examgen_job_duration_seconds_count", (("kind", "generate"), ("status", "failed")))] == 1
    # the engine's own bookkeeping still ran
    assert app.extensions["examgen"].server.figures.avg_job_seconds >= 3


def test_each_app_has_its_own_registry(app: Flask, tmp_path: Path) -> None:
    other = create_app(TestConfig.for_dir(tmp_path / "other", admin_token="u" * 20), start=False)
    try:
        app.extensions["examgen_metrics"].observe_job("publish", "success", 1)
        assert ("examgen_job_duration_seconds_count", (("kind", "publish"), ("status", "success"))) not in scrape(other)
    finally:
        other.extensions["examgen"].db.dispose()


def test_a_failing_source_does_not_fail_the_scrape(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("pool is gone")

    monkeypatch.setattr(app.extensions["examgen"].server.pool, "stats", broken)
    figures = scrape(app)
    assert ("examgen_queue_size", ()) in figures
    assert ("examgen_pool_size", ()) not in figures
