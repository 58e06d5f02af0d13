"""JobServer's verbs and snapshot on a server that is never started: no threads but the ones a test makes."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import pkgutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from core_harness import Core

from app import jobs as store
from app.engine.runner import RunningJob
from app.jobs import NewJob
from app.kinds.base import JobResult, account_lane
from app.kinds.check_login import CheckLoginKind
from app.kinds.publish import PublishKind
from app.models import Account, Job, JobStatus, utcnow


def later(core: Core, name: str, hours: float = 1) -> str:
    """Submit one scripted job scheduled ``hours`` from now; its id."""
    job = NewJob(kind="scripted", payload={"do": "ok"}, publish_at=utcnow() + timedelta(hours=hours))
    created, _ = core.service.submit(core.user(name), [job], 5)
    return str(created[0]["job_id"])


def test_enqueue_queues_a_queued_job_and_holds_a_scheduled_one(core: Core) -> None:
    (now_id,) = core.submit("alice", "ok")
    later_id = later(core, "bob")
    assert core.server.is_waiting(now_id) and not core.server.is_waiting(later_id)
    snap = core.server.snapshot()
    assert (snap.queue_size, snap.scheduled) == (1, 1)
    # moved to now: the same verb takes it out of the schedule and into the queue
    core.service.reschedule(core.user("bob"), later_id, utcnow() - timedelta(seconds=1))
    assert core.server.is_waiting(later_id)
    assert (core.server.snapshot().queue_size, core.server.snapshot().scheduled) == (2, 0)


def test_forget_drops_a_job_from_the_queue_and_the_schedule(core: Core) -> None:
    (queued,) = core.submit("alice", "ok")
    scheduled = later(core, "alice")
    core.server.forget(queued)
    core.server.forget(scheduled)
    snap = core.server.snapshot()
    assert (snap.queue_size, snap.scheduled) == (0, 0)
    assert core.step() is False  # nothing left to start


def test_interrupt_cancels_a_running_job_and_waits_for_its_thread(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    handle = RunningJob(job_id=job_id, username="alice", kind="scripted", lane="", deadline=0)
    thread = threading.Thread(target=handle.cancel.wait, args=(30,), name="job-test", daemon=True)
    thread.start()
    dispatcher = core.server._dispatcher
    with dispatcher._lock:  # as if the dispatcher had started it
        dispatcher._running[job_id] = handle
        dispatcher._threads[job_id] = thread
    assert core.server.interrupt(job_id, 10) is True
    assert handle.cancel.is_set() and not thread.is_alive()
    assert core.server.interrupt("no-such-job", 0) is False


def test_snapshot_counts_per_user_and_is_frozen(core: Core) -> None:
    core.submit("alice", "ok", "ok")
    core.submit("bob", "ok")
    later(core, "bob")
    seen: list[dict[str, int]] = []

    def look(ctx: object) -> JobResult:
        seen.append(core.server.snapshot().running_by_user)
        return JobResult()

    core.kind.actions["look"] = look
    core.submit("carol", "look", priority=1)  # runs first
    snap = core.server.snapshot()
    assert snap.queued_by_user == {"alice": 2, "bob": 1, "carol": 1}
    assert snap.scheduled_by_user == {"bob": 1}
    assert (snap.queue_size, snap.processing, snap.max_concurrent) == (4, 0, core.config.max_concurrent_jobs)
    assert snap.peaks.max_queue_size == 4
    assert core.step() is True
    assert seen == [{"carol": 1}]
    after = core.server.snapshot()
    assert after.total_processed == snap.total_processed + 1 and after.queue_size == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.queue_size = 0  # type: ignore[misc]


def test_positions_and_summary(core: Core) -> None:
    first, second = core.submit("alice", "ok", "ok")
    assert core.server.positions() == {first: 1, second: 2}
    assert core.server.summary() == f"Queue size: 2, processing: 0/{core.config.max_concurrent_jobs}"


def test_health_names_what_is_wrong(core: Core) -> None:
    health = core.server.health()
    assert health.dispatcher_ok and health.browser_error is None and core.server.healthy()
    core.server._pool.start_error = "no chromium"
    assert core.server.health().browser_error == "no chromium" and not core.server.healthy()
    core.server._pool.start_error = None
    core.server.stop_event.set()  # a stopped engine does not claim to work
    assert not core.server.health().dispatcher_ok


def test_pause_keeps_jobs_queued(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    core.server.pause()
    assert core.step() is False and core.server.is_waiting(job_id)


def account(core: Core, user: str) -> int:
    with core.db.write() as s:
        row = Account(user_id=core.user(user).id, platform="demo", name="main", cookies_encrypted=b"")
        s.add(row)
        s.flush()
        return row.id


def test_only_a_publish_marks_the_account_as_published(core: Core) -> None:
    account_id = account(core, "alice")
    job = NewJob(kind="scripted", payload={"do": "ok"}, platform="demo", account_id=account_id)
    created, _ = core.service.submit(core.user("alice"), [job], 5)
    assert core.step() is True
    assert core.job(created[0]["job_id"]).status == JobStatus.SUCCESS
    with core.db.write() as s:
        row = s.get(Account, account_id)
        assert row is not None and row.last_published_at is None and row.login_ok is True
        job_row = store.get(s, created[0]["job_id"])
        assert job_row is not None
        CheckLoginKind({}, core.db).on_success(s, job_row, JobResult())
        assert row.last_published_at is None
        PublishKind({}).on_success(s, job_row, JobResult())
        assert row.last_published_at is not None


def test_one_function_makes_a_lane() -> None:
    assert account_lane(3, "demo", 7) == "3/demo/7"
    payload = {"platform": "demo"}
    assert PublishKind({}).lane(payload, 3, 7) == CheckLoginKind({}, None).lane(payload, 3, 7) == "3/demo/7"  # type: ignore[arg-type]


def test_learn_lane_takes_the_account_overrides(core: Core) -> None:
    account_id = account(core, "alice")
    with core.db.write() as s:
        row = s.get(Account, account_id)
        assert row is not None
        row.concurrency = 2
    core.server.account_changed(core.user("alice").id, "demo", account_id)
    lane = account_lane(core.user("alice").id, "demo", account_id)
    assert core.server.lane_pacing()[lane].concurrency == 2 and core.server._lanes.pacer.capacity(lane) == 2


def engine_modules() -> list[str]:
    spec = importlib.util.find_spec("app.engine")
    assert spec is not None and spec.submodule_search_locations
    return [f"app.engine.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)]


@pytest.mark.parametrize("module", engine_modules())
def test_the_engine_imports_no_outer_layer(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    outer = sorted(n for n in names if n.startswith(("app.presenter", "app.service", "app.http", "flask")))
    assert not outer, f"{module} imports {outer}"


def test_a_job_row_is_what_on_success_gets(core: Core) -> None:
    got: list[str] = []

    class Spy:
        def on_success(self, session: object, job: Job, result: JobResult) -> None:
            got.append(job.id)

    core.kind.on_success = Spy().on_success  # type: ignore[method-assign]
    (job_id,) = core.submit("alice", "ok")
    core.step()
    assert got == [job_id]


def test_health_says_starting_until_the_warm_up_browsers_are_up(core: Core) -> None:
    assert core.server.health().starting  # built, never warmed up: /healthz answers 503 "starting"
    core.server._ready.set()
    assert not core.server.health().starting and core.server.health().healthy
