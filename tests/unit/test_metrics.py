"""The /metrics figures: a private registry per app, live values at scrape time, job durations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.engine.runner import RunningJob
from app.errors import LimitExceeded
from app.jobs import NewJob
from app.models import User
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
    eng.desk.submit(admin(app), [job, job], priority=5)
    after = scrape(app)
    assert after[("examgen_queue_size", ())] == 2
    assert after[("examgen_jobs", (("status", "queued"),))] == 2
    assert after[("examgen_jobs", (("status", "success"),))] == 0
    assert after[("examgen_queue_size_peak", ())] == 2


def test_rejections_are_counted_by_code(app: Flask) -> None:
    admission = app.extensions["examgen"].desk.admission
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
    dispatcher = app.extensions["examgen"].server._dispatcher
    handle = RunningJob(job_id="j1", username="u", kind="publish", lane="", deadline=time.monotonic() + 60)
    handle.started, handle.outcome = time.monotonic() - 3, "success"
    dispatcher.on_finished(handle)  # what the dispatcher calls when a job thread ends
    app.extensions["examgen_metrics"].observe_job("generate", "failed", 0.2)
    figures = scrape(app)
    ok = (("kind", "publish"), ("status", "success"))
    assert figures[("examgen_job_duration_seconds_count", ok)] == 1
    # the attempt ran at least 3 s: only lower bounds, since a busy machine can only make it longer
    assert figures[("examgen_job_duration_seconds_sum", ok)] >= 3
    assert (
        figures[("examgen_job_duration_seconds_bucket", (("kind", "publish"), ("le", "2.0"), ("status", "success")))]
        == 0
    )
    assert (
        figures[("examgen_job_duration_seconds_bucket", (("kind", "publish"), ("le", "+Inf"), ("status", "success")))]
        == 1
    )
    assert figures[("examgen_job_duration_seconds_count", (("kind", "generate"), ("status", "failed")))] == 1
    # the engine's own bookkeeping still ran
    assert app.extensions["examgen"].server.snapshot().avg_job_seconds >= 3


def test_each_app_has_its_own_registry(app: Flask, tmp_path: Path) -> None:
    other = create_app(TestConfig.for_dir(tmp_path / "other", admin_token="u" * 20), start=False)
    try:
        app.extensions["examgen_metrics"].observe_job("publish", "success", 1)
        assert ("examgen_job_duration_seconds_count", (("kind", "publish"), ("status", "success"))) not in scrape(other)
    finally:
        other.extensions["examgen"].db.dispose()


def test_a_failing_source_does_not_fail_the_scrape(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("the engine's figures are gone")

    monkeypatch.setattr(app.extensions["examgen"].server, "snapshot", broken)
    figures = scrape(app)
    assert ("examgen_jobs", (("status", "queued"),)) in figures  # the database part still answers
    assert ("examgen_queue_size", ()) not in figures and ("examgen_pool_size", ()) not in figures


def test_outcomes_are_counted_by_kind_platform_and_outcome(app: Flask) -> None:
    dispatcher = app.extensions["examgen"].server._dispatcher
    for outcome in ("success", "success", "failed"):
        handle = RunningJob(job_id="j", username="u", kind="publish", lane="", deadline=time.monotonic() + 60)
        handle.started, handle.outcome, handle.platform = time.monotonic(), outcome, "demo"
        dispatcher.on_finished(handle)
    figures = scrape(app)
    labels = (("kind", "publish"), ("outcome", "success"), ("platform", "demo"))
    assert figures[("examgen_job_outcomes_total", labels)] == 2
    assert (
        figures[("examgen_job_outcomes_total", (("kind", "publish"), ("outcome", "failed"), ("platform", "demo")))] == 1
    )


def test_accounts_are_counted_by_state(app: Flask) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from app.models import Account, utcnow

    eng = app.extensions["examgen"]
    owner = admin(app)
    for name in ("a", "b", "c", "d", "e"):
        eng.accounts.save(owner, "demo", name, [{"name": "demo_user", "value": name}])
    with eng.db.write() as s:
        s.execute(update(Account).where(Account.name.in_(["a", "b"])).values(login_ok=True))
        s.execute(update(Account).where(Account.name == "c").values(login_ok=False))
        s.execute(update(Account).where(Account.name == "d").values(cooldown_until=utcnow() + timedelta(hours=1)))
    figures = scrape(app)
    states = {
        state: figures[("examgen_accounts", (("state", state),))]
        for state in ("ok", "expired", "cooling_down", "unknown")
    }
    assert states == {"ok": 2, "expired": 1, "cooling_down": 1, "unknown": 1}


def test_process_disk_browser_and_notification_figures_are_there(app: Flask) -> None:
    figures = scrape(app)
    assert figures[("process_resident_memory_bytes", ())] > 0
    assert ("process_cpu_seconds_total", ()) in figures
    assert figures[("examgen_browsers_alive", ())] == 0  # nothing started: the threads are not running
    assert 0 < figures[("examgen_instance_disk_free_bytes", ())] <= figures[("examgen_instance_disk_size_bytes", ())]
    assert figures[("examgen_notifications", (("status", "pending"),))] == 0
    assert figures[("examgen_browser_start_failing", ())] in (0, 1)
