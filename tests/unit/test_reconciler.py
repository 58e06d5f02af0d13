"""The reconciler's run-once pass on a real SQLite file, the engine built but its threads not started."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from core_harness import Core
from sqlalchemy import update

from app import jobs as store
from app.engine.runner import RunningJob
from app.engine.server import JobServer
from app.jobs import NewJob
from app.models import ClickState, Job, JobStatus, User, utcnow


@pytest.fixture
def server(core: Core) -> JobServer:
    core.user("admin")
    return core.server


def make_jobs(srv: JobServer, n: int, kind: str = "scripted") -> list[str]:
    with srv.db.write() as s:
        user = s.query(User).filter_by(username="admin").one()
        jobs = store.create_jobs(s, user.id, [NewJob(kind=kind, payload={"i": i}) for i in range(n)], 5, 4)
        return [j.id for j in jobs]


def set_rows(srv: JobServer, job_id: str, **values: object) -> None:
    with srv.db.write() as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def row(srv: JobServer, job_id: str) -> Job:
    with srv.db.read() as s:
        return store.get(s, job_id)


def test_a_running_row_without_a_thread_is_queued_again_keeping_its_click_state(server: JobServer) -> None:
    plain, clicked = make_jobs(server, 2)
    for job_id in (plain, clicked):
        with server.db.write() as s:
            assert store.claim(s, job_id) is not None
    set_rows(server, clicked, click_state=ClickState.ABOUT)  # died between "about to click" and "clicked"
    repairs = server._reconciler.run_once()
    assert repairs.orphans == 2
    assert row(server, plain).status == JobStatus.QUEUED
    assert (row(server, clicked).status, row(server, clicked).click_state) == (JobStatus.QUEUED, ClickState.ABOUT)
    assert server.is_waiting(plain) and server.is_waiting(clicked)  # and runnable again
    assert not server._reconciler.run_once()  # a second pass finds nothing to do


def test_a_running_job_with_a_live_thread_is_left_alone(server: JobServer) -> None:
    (job_id,) = make_jobs(server, 1)
    with server.db.write() as s:
        store.claim(s, job_id)
    release = threading.Event()
    handle = RunningJob(job_id=job_id, username="admin", kind="scripted", lane="", deadline=0)
    thread = threading.Thread(target=release.wait, name="job-test", daemon=True)
    thread.start()
    with server._dispatcher._lock:
        server._dispatcher._running[job_id] = handle
        server._dispatcher._threads[job_id] = thread
    try:
        assert not server._reconciler.run_once()
        assert row(server, job_id).status == JobStatus.RUNNING
    finally:
        release.set()
        thread.join(5)


def test_a_phantom_handle_stops_counting_as_processing(server: JobServer) -> None:
    (job_id,) = make_jobs(server, 1)
    server.enqueue(row(server, job_id), "admin")
    handle = RunningJob(job_id=job_id, username="admin", kind="scripted", lane="", deadline=0)
    with server._dispatcher._lock:  # what a claim that failed half-way used to leave behind
        server._dispatcher._running[job_id] = handle
    assert len(server._dispatcher.running()) == 1
    repairs = server._reconciler.run_once()
    assert repairs.phantoms == 1 and server._dispatcher.running() == []
    assert row(server, job_id).status == JobStatus.QUEUED and server.is_waiting(job_id)


def test_queued_and_retrying_rows_missing_from_memory_are_put_back(server: JobServer) -> None:
    lost, fresh, waiting = make_jobs(server, 3)
    old = utcnow() - timedelta(minutes=5)
    set_rows(server, lost, updated_at=old)
    set_rows(server, waiting, status=JobStatus.RETRYING, updated_at=old, next_attempt_at=utcnow())
    repairs = server._reconciler.run_once()
    assert (repairs.lost_queued, repairs.lost_retrying) == (1, 1)
    assert server.is_waiting(lost)
    assert not server.is_waiting(fresh)  # just created: its submit may be about to push it
    assert waiting in server._retries.ids()
    assert not server._reconciler.run_once()


def test_finished_rows_are_never_touched(server: JobServer) -> None:
    (job_id,) = make_jobs(server, 1)
    with server.db.write() as s:
        store.claim(s, job_id)
        store.finish(s, job_id, JobStatus.SUCCESS)
    assert not server._reconciler.run_once()
    assert row(server, job_id).status == JobStatus.SUCCESS and not server.is_waiting(job_id)
