"""Dispatcher.run_once on a real SQLite file and a real FairQueue, one step at a time, no threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from core_harness import Core

from app import jobs as store
from app.engine.pool import PoolClosed
from app.errors import LimitExceeded, TransientFailure
from app.kinds.base import JobResult
from app.models import JobStatus, utcnow


def test_a_step_claims_runs_and_finishes_one_job_and_gives_the_slot_back(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    assert core.server.is_waiting(job_id)
    assert core.step() is True
    job = core.job(job_id)
    assert (job.status, job.attempts, job.result_url) == (JobStatus.SUCCESS, 1, f"http://demo/p/{job_id}")
    assert not core.server.is_waiting(job_id) and core.server._dispatcher.running() == []
    assert core.free_slots() == core.config.max_concurrent_jobs
    assert core.step() is False  # nothing left


def test_a_job_changed_by_somebody_else_is_not_claimed(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    with core.db.write() as s:
        assert store.cancel_waiting(s, job_id)  # cancelled between the queue and the claim
    assert core.step() is False
    assert core.job(job_id).status == JobStatus.CANCELLED and core.kind.ran == []
    assert core.free_slots() == core.config.max_concurrent_jobs


def test_users_take_turns_and_a_lower_priority_number_goes_first(core: Core) -> None:
    core.submit("alice", "ok", "ok", "ok")
    core.submit("bob", "ok")
    core.submit("carol", "ok", priority=0)
    assert core.drain() == 5
    assert core.kind.ran == ["carol0", "alice0", "bob0", "alice1", "alice2"]


def test_a_busy_lane_is_skipped_and_other_lanes_run(core: Core) -> None:
    core.submit("alice", "ok", "ok", lane="alice/demo/1")
    core.submit("bob", "ok", lane="bob/demo/2")
    core.server._lanes.pacer.start("alice/demo/1")  # as if one of alice's jobs were running on that account
    assert core.drain() == 1 and core.kind.ran == ["bob0"]
    core.server._lanes.pacer.finish("alice/demo/1")
    assert core.drain() == 2 and core.kind.ran == ["bob0", "alice0", "alice1"]


def test_a_paused_dispatcher_claims_nothing(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    core.server.pause()
    assert core.step() is False
    assert core.job(job_id).status == JobStatus.QUEUED and core.server.is_waiting(job_id)


def test_stop_stops_claiming_first_refuses_new_work_and_closes_the_pool(core: Core) -> None:
    (job_id,) = core.submit("alice", "ok")
    core.server.stop(grace=0)
    assert core.server.shutting_down and core.server.stop_event.is_set()
    assert core.server._dispatcher.paused.is_set()
    assert core.step() is False
    assert core.job(job_id).status == JobStatus.QUEUED  # still there for the next start
    with pytest.raises(LimitExceeded) as refused:
        core.submit("alice", "ok")
    assert refused.value.code == "shutting_down" and refused.value.status == 503
    with pytest.raises(PoolClosed):
        core.server._pool.acquire(timeout=0)  # browsers are closed last, after the claiming stopped


def test_an_interrupted_attempt_is_handed_back_uncounted_and_requeued(core: Core) -> None:
    def interrupted(ctx):
        handle = core.server._dispatcher.handle(ctx.job_id)
        assert handle is not None
        handle.shutdown = True  # what stop() does to a job still running when the grace is over
        raise TransientFailure("browser_error", "the browser was closed")

    core.kind.actions["interrupted"] = interrupted
    (job_id,) = core.submit("alice", "interrupted")
    assert core.step() is True
    job = core.job(job_id)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    assert core.server.is_waiting(job_id)


def test_a_retry_waits_out_its_backoff_then_runs_again(core: Core) -> None:
    outcomes = iter([TransientFailure("platform_unavailable", "503 from the editor"), None])

    def flaky(ctx):
        exc = next(outcomes)
        if exc:
            raise exc
        return core.kind.actions["ok"](ctx)

    core.kind.actions["flaky"] = flaky
    (job_id,) = core.submit("alice", "flaky")
    assert core.step() is True
    job = core.job(job_id)
    assert (job.status, job.error_code) == (JobStatus.RETRYING, "platform_unavailable")
    assert job.next_attempt_at is not None and len(core.server._retries) == 1
    assert core.server.waiting() == 1  # a job waiting out its backoff counts in the queue size
    assert core.server._retries.pop_due(utcnow()) == []  # not due yet
    due = core.server._retries.pop_due(job.next_attempt_at + timedelta(seconds=1))
    assert due == [job_id]
    assert core.server.requeue_ids(due) == 1  # what the maintenance chore does with due retries
    assert core.step() is True
    job = core.job(job_id)
    assert (job.status, job.attempts) == (JobStatus.SUCCESS, 2)


def test_a_stop_that_looks_while_a_job_is_being_launched_waits_instead_of_failing(core: Core) -> None:
    """A drain may find a job's thread registered but not started yet; it counts as running."""
    (job_id,) = core.submit("alice", "ok")
    dispatcher = core.server._dispatcher
    seen: list[bool] = []

    def launch(thread: threading.Thread) -> None:
        seen.append(dispatcher.join_all(0.05))  # what a stop sees at this instant
        seen.append(dispatcher.join_job(job_id, 0.05))
        thread.start()

    dispatcher.launch = launch
    assert core.step() is True
    assert dispatcher.join_all(30)
    assert seen == [False, False]
    assert core.job(job_id).status == JobStatus.SUCCESS


def test_a_dispatcher_waiting_for_a_free_browser_looks_again_as_soon_as_a_job_ends(core: Core) -> None:
    """Blocked (as many jobs running as browsers), it must not sleep out its wait after a job ends."""
    (job_id,) = core.submit("alice", "ok")
    dispatcher = core.server._dispatcher
    busy = [True]
    dispatcher.blocked = lambda: busy[0]
    looked = threading.Thread(target=dispatcher.run_once, args=(60,), daemon=True)
    looked.start()
    looked.join(0.2)
    assert looked.is_alive(), "blocked: it waits"
    busy[0] = False
    core.server._queue.wake()  # what a job's thread does as it ends
    looked.join(20)
    assert not looked.is_alive(), "the wait went on after a job ended"
    assert core.step() is True and core.job(job_id).status == JobStatus.SUCCESS


def test_a_job_runs_on_the_thread_started_before_it_arrived_and_the_spare_ends_with_the_loop(core: Core) -> None:
    """The next job's thread waits, started, for its job (a new thread's first turn is slow on a busy
    machine); the job's own row is read in the claim's transaction; a stop ends the waiting thread."""
    dispatcher = core.server._dispatcher
    dispatcher.launch = threading.Thread.start
    threads: list[threading.Thread] = []
    core.kind.actions["where"] = lambda ctx: (threads.append(threading.current_thread()), JobResult())[1]
    reads: list[str] = []
    write_retrying = core.db.write_retrying

    def recorded(fn: Callable[..., object], what: str, **kw: object) -> object:
        reads.append(what)
        return write_retrying(fn, what, **kw)  # type: ignore[arg-type]

    core.server._dispatcher.runner.db.write_retrying = recorded  # type: ignore[method-assign]
    loop = threading.Thread(target=dispatcher.loop, name="dispatcher-test", daemon=True)
    loop.start()
    try:
        wait_for(lambda: dispatcher._spare is not None, "a spare job thread")
        assert dispatcher._spare is not None
        spare = dispatcher._spare[0]
        assert spare.is_alive() and spare.name.startswith("job-")
        for n in (1, 2):
            (job_id,) = core.submit("alice", "where")
            wait_for(lambda job_id=job_id: core.job(job_id).status == JobStatus.SUCCESS, "the job's success")
            assert len(threads) == n
        assert any(r.startswith("recording") for r in reads)  # the runner's writes went through here
        assert not [r for r in reads if r.startswith("loading")]  # and no read of its own to start
        assert threads[0] is spare  # the first job went to the thread that was waiting for it
        assert threads[1] is not spare and threads[1].name.startswith("job-")  # and a new spare took the next
        wait_for(lambda: dispatcher._spare is not None, "the next spare")
        assert dispatcher._spare is not None
        waiting = dispatcher._spare[0]
    finally:
        dispatcher.stop.set()
        loop.join(10)
    waiting.join(5)
    assert not waiting.is_alive() and not loop.is_alive()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Poll ``check`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.01)
