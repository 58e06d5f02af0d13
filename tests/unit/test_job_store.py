"""The job store on a real SQLite file (and PostgreSQL when one is given): claims, recovery, totals."""

from __future__ import annotations

import threading

import pytest
from support import postgres_url

from app import jobs as store
from app.db import Database
from app.jobs import NewJob
from app.models import ClickState, JobStatus, QueueStats, User


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Database:
    # one contract, every backend
    url = postgres_url() if request.param == "postgresql" else f"sqlite:///{tmp_path}/jobs.db"
    database = Database(url)
    database.upgrade()
    with database.write() as s:
        s.add(User(id=1, username="alice"))
        store.ensure_stats_row(s)
    yield database
    database.dispose()


def make_jobs(db: Database, n: int) -> list[str]:
    with db.write() as s:
        jobs = store.create_jobs(s, 1, [NewJob(kind="publish", payload={"i": i}) for i in range(n)], 5, 4)
        return [j.id for j in jobs]


def test_only_one_of_many_threads_claims_a_job(db: Database) -> None:
    (job_id,) = make_jobs(db, 1)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        with db.write() as s:
            wins.append(store.claim(s, job_id) is not None)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert wins.count(True) == 1 and len(wins) == 8
    with db.read() as s:
        job = store.get(s, job_id)
        assert job.status == JobStatus.RUNNING and job.attempts == 1


def test_the_statements_built_once_carry_each_calls_own_values(db: Database) -> None:
    """claim, set_click_state and count_active are built once with bound parameters: each call must
    still touch only its own job and user, and the claimed row comes back as claimed."""
    first, second = make_jobs(db, 2)
    with db.write() as s:
        s.add(User(id=2, username="bob"))
        s.flush()  # the user row before the job that references it
        store.create_jobs(s, 2, [NewJob(kind="publish", payload={})], 5, 4)
    with db.write() as s:
        claimed = store.claim(s, first)
        assert claimed is not None and claimed.id == first
        assert (claimed.status, claimed.attempts, claimed.phase) == (JobStatus.RUNNING, 1, "Starting")
        assert claimed.started_at is not None and claimed.started_at == claimed.updated_at
        store.set_click_state(s, first, ClickState.ABOUT)
    with db.read() as s:
        assert store.get(s, first).click_state == ClickState.ABOUT
        untouched = store.get(s, second)
        assert (untouched.status, untouched.attempts, untouched.click_state) == (JobStatus.QUEUED, 0, ClickState.NONE)
        assert (store.count_active(s, 1), store.count_active(s, 2), store.count_active(s)) == (2, 1, 3)


def test_a_cancelled_job_cannot_be_claimed(db: Database) -> None:
    (job_id,) = make_jobs(db, 1)
    with db.write() as s:
        assert store.cancel_waiting(s, job_id)
    with db.write() as s:
        assert store.claim(s, job_id) is None


def test_recovery_requeues_in_order_keeps_click_state_and_honours_cancels(db: Database) -> None:
    ids = make_jobs(db, 4)
    with db.write() as s:
        for job_id in ids[:3]:
            store.claim(s, job_id)
        store.set_click_state(s, ids[1], ClickState.ABOUT)  # crashed right after the click
        store.request_cancel(s, ids[2])  # cancel asked, then the crash
    with db.write() as s:
        recovered = store.recover(s)
        by_id = {j.id: j for j in recovered}
        assert [j.id for j in recovered] == [ids[0], ids[1], ids[3]]
        assert all(j.status == JobStatus.QUEUED for j in recovered)
        assert by_id[ids[1]].click_state == ClickState.ABOUT
        assert store.get(s, ids[2]).status == JobStatus.CANCELLED


def test_a_run_handed_back_at_shutdown_does_not_use_up_an_attempt(db: Database) -> None:
    (job_id,) = make_jobs(db, 1)
    with db.write() as s:
        store.claim(s, job_id)
        assert store.hand_back(s, job_id)
    with db.read() as s:
        job = store.get(s, job_id)
        assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)


def test_finishing_counts_totals_once(db: Database) -> None:
    ids = make_jobs(db, 2)
    with db.write() as s:
        for job_id in ids:
            store.claim(s, job_id)
        assert store.finish(s, ids[0], JobStatus.SUCCESS)
        assert store.finish(s, ids[1], JobStatus.FAILED, error="x", error_code="y")
        assert not store.finish(s, ids[1], JobStatus.FAILED)  # already final: not counted again
    with db.read() as s:
        row = s.get(QueueStats, 1)
        assert (row.total_processed, row.total_failed) == (2, 1)


def test_a_user_retry_gives_a_fresh_set_of_attempts(db: Database) -> None:
    (job_id,) = make_jobs(db, 1)
    with db.write() as s:
        store.claim(s, job_id)
        store.finish(s, job_id, JobStatus.FAILED, error="boom", error_code="x")
        assert store.reset_for_retry(s, job_id, 4)
        assert not store.reset_for_retry(s, job_id, 4)  # queued now: not retryable again
    with db.read() as s:
        job = store.get(s, job_id)
        assert (job.status, job.attempts, job.error) == (JobStatus.QUEUED, 0, None)


def test_sqlite_connections_keep_a_small_page_cache(tmp_path) -> None:
    """Each pooled connection caches pages of its own: bounded small, so the RSS levels off as the file grows."""
    database = Database(f"sqlite:///{tmp_path}/cache.db")
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -512  # KiB, not the 2 MB default
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        database.dispose()
