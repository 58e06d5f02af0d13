"""The maintenance chores one at a time, and the table that ticks them, with no thread."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from core_harness import Core

from app.engine.runner import RunningJob
from app.engine.upkeep import Chore, Maintenance
from app.errors import TransientFailure
from app.jobs import NewJob
from app.models import Job, JobStatus, utcnow

pytestmark = pytest.mark.server(retry_base_delay=0, retry_max_delay=0, job_retention_days=1, result_retention_days=1)


@pytest.fixture
def upkeep(core: Core) -> Maintenance:
    return core.server._maintenance


def test_the_table_runs_each_chore_when_its_interval_has_passed(upkeep: Maintenance) -> None:
    ran: list[str] = []
    upkeep.chores = [
        Chore("often", 0, lambda now: ran.append("often")),
        Chore("hourly", 3600, lambda now: ran.append("hourly"), last=100.0),
    ]
    assert upkeep.run_once(100.0) == ["often"]
    assert upkeep.run_once(3699.0) == ["often"]
    assert upkeep.run_once(3700.0) == ["often", "hourly"]
    assert ran == ["often", "often", "often", "hourly"]


def test_a_failing_chore_does_not_stop_the_others(upkeep: Maintenance, caplog: pytest.LogCaptureFixture) -> None:
    def broken(now: float) -> None:
        raise RuntimeError("disk gone")

    ran: list[float] = []
    upkeep.chores = [Chore("broken", 0, broken), Chore("next", 0, ran.append)]
    assert upkeep.run_once(5.0) == ["next"] and ran == [5.0]
    assert "Maintenance chore broken failed" in caplog.text


def test_every_chore_is_in_the_table(upkeep: Maintenance) -> None:
    names = [c.name for c in upkeep.chores]
    assert names == [
        "supervise",
        "retries_due",
        "scheduled_due",
        "timeouts",
        "outside_changes",
        "summary",
        "reap",
        "browser_probe",
        "sample",
        "grid",
        "grid_sweep",
        "retention",
        "login_checks",
    ]


def test_supervise_starts_nothing_once_stopped(core: Core, upkeep: Maintenance) -> None:
    core.server.stop_event.set()
    upkeep.supervise(time.monotonic())
    assert core.server._threads.threads == {}


def test_retries_due_queues_a_job_whose_backoff_is_over(core: Core, upkeep: Maintenance) -> None:
    def flaky(ctx: object) -> None:
        raise TransientFailure("network", "down")

    core.kind.actions["flaky"] = flaky  # type: ignore[assignment]
    (job_id,) = core.submit("alice", "flaky")
    assert core.step() is True
    assert core.job(job_id).status == JobStatus.RETRYING and not core.server.is_waiting(job_id)
    upkeep.retries_due(time.monotonic())
    assert core.job(job_id).status == JobStatus.QUEUED and core.server.is_waiting(job_id)


def test_scheduled_due_queues_a_job_whose_time_has_come(core: Core, upkeep: Maintenance) -> None:
    job = NewJob(kind="scripted", payload={"do": "ok"}, publish_at=utcnow() + timedelta(hours=1))
    created, _ = core.service.submit(core.user("alice"), [job], 5)
    job_id = created[0]["job_id"]
    upkeep.scheduled_due(time.monotonic())
    assert core.job(job_id).status == JobStatus.SCHEDULED  # not yet
    with core.db.write() as s:
        row = s.query(Job).filter(Job.id == job_id).one()
        row.publish_at = utcnow() - timedelta(seconds=1)
        s.flush()
        core.server.enqueue(row, "alice")  # the schedule now holds the earlier time too
    upkeep.scheduled_due(time.monotonic())
    assert core.job(job_id).status == JobStatus.QUEUED and core.server.is_waiting(job_id)


def test_timeouts_mark_a_job_past_its_deadline(core: Core, upkeep: Maintenance) -> None:
    late = RunningJob(job_id="late", username="alice", kind="scripted", lane="", deadline=10.0)
    fine = RunningJob(job_id="fine", username="alice", kind="scripted", lane="", deadline=1000.0)
    dispatcher = core.server._dispatcher
    with dispatcher._lock:
        dispatcher._running.update(late=late, fine=fine)
    upkeep.timeouts(20.0)
    assert late.timed_out and not fine.timed_out


def test_summary_logs_only_while_there_is_work(
    core: Core, upkeep: Maintenance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="examgen")
    upkeep.summary(0.0)
    assert "peak queue" not in caplog.text
    core.submit("alice", "ok")
    upkeep.summary(0.0)
    assert "Queue size: 1, processing: 0/" in caplog.text and "peak queue: 1" in caplog.text


def test_reap_and_probe_ask_the_pool(core: Core, upkeep: Maintenance, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    pool = core.server._pool
    monkeypatch.setattr(pool, "reap_idle", lambda: calls.append("reap"))
    monkeypatch.setattr(pool, "probe", lambda: calls.append("probe") or True)
    upkeep.reap(0.0)
    upkeep.browser_probe(0.0)  # browsers start: nothing to probe
    pool.start_error = "no chromium"
    upkeep.browser_probe(0.0)
    assert calls == ["reap", "probe"]


def test_sample_adds_a_point_to_the_history(core: Core, upkeep: Maintenance) -> None:
    core.submit("alice", "ok", "ok")
    upkeep.sample(0.0)
    (point,) = core.server.history()
    assert (point["queue_size"], point["processing"]) == (2, 0)


def test_retention_removes_old_rows_and_files(core: Core, upkeep: Maintenance) -> None:
    old, new = core.submit("alice", "ok", "ok")
    core.drain()
    with core.db.write() as s:
        row = s.query(Job).filter(Job.id == old).one()
        row.finished_at = row.updated_at = row.created_at = utcnow() - timedelta(days=3)
    results = Path(core.config.instance_path) / "results"
    results.mkdir(exist_ok=True)
    stale = results / "old.pdf"
    stale.write_bytes(b"%PDF")
    os.utime(stale, (time.time() - 3 * 86400,) * 2)
    upkeep.retention(0.0)
    assert not stale.exists()
    with core.db.read() as s:
        assert s.query(Job).filter(Job.id == old).count() == 0
        assert s.query(Job).filter(Job.id == new).count() == 1
