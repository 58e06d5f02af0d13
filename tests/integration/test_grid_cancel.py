"""A cancel or a JOB_TIMEOUT ends the job's remote session at once, even while its page load hangs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import LiveServer, article, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def session_of(server: LiveServer, token: str, job_id: str) -> str:
    """The Grid session the running job's browser uses, once the job is in it."""
    wait_until(lambda: server.job(token, job_id)["progress"] >= 5, 60, "the job to be in its browser")
    handle = server.engine.server._dispatcher.handle(job_id)
    assert handle is not None and handle.browser is not None and handle.browser.remote is not None
    return handle.browser.remote.session_id


def test_cancel_ends_the_remote_session_of_a_hung_job(instance: Path, grid: Any) -> None:
    # the page load would give up only after 60 s: the waits below leave a loaded machine 30 s to end the
    # session (a Grid's hub and node are slow to answer there) and still prove it was the cancel that did
    server = LiveServer(instance, driver_remote_url=grid.url, max_concurrent_jobs=2, page_load_timeout=60).start()
    try:
        token = server.make_user("cancelgrid")
        server.knobs(delay_ms=60000)  # the editor's page load hangs well past the wait below
        (job_id,) = server.publish(token, [article("[gridcancel]", 0)])
        session = session_of(server, token, job_id)
        assert session in grid.sessions_now()
        server.ok("POST", f"/api/jobs/{job_id}/cancel", {}, token)
        # gone from the Grid and from the ledger, long before the page load could have ended (60 s);
        # the answer itself waits 5 s for the job, which a loaded machine may not give it
        wait_until(lambda: session not in grid.sessions_now(), 30, "the cancelled job's session to end")
        assert server.wait_final(token, [job_id], timeout=30)[job_id]["status"] == "cancelled"
        assert session not in {row[0] for row in server.engine.server.factory.ledger.held()}
        assert server.articles() == []
    finally:
        server.knobs(delay_ms=0)
        server.stop()
    grid.wait_no_sessions()


def test_job_timeout_ends_the_remote_session_and_the_retry_publishes_once(instance: Path, grid: Any) -> None:
    # the browser is started before the job: JOB_TIMEOUT then measures the job, not a session start
    # (seconds on a loaded machine); the page load itself would give up only after 60 s
    server = LiveServer(
        instance,
        driver_remote_url=grid.url,
        max_concurrent_jobs=1,
        job_timeout=10,
        page_load_timeout=60,
        driver_prewarm=True,
    ).start()
    try:
        token = server.make_user("timeoutgrid")
        wait_until(lambda: server.engine.server._pool.stats().idle == 1, 60, "the warm remote browser")
        server.knobs(delay_ms=50000)
        (job_id,) = server.publish(token, [article("[gridtimeout]", 0)])
        session = session_of(server, token, job_id)
        wait_until(lambda: session not in grid.sessions_now(), 30, "the timed-out attempt's session to end")
        server.knobs(delay_ms=0)
        job = server.wait_final(token, [job_id], timeout=120)[job_id]
        assert job["status"] == "success" and job["attempts"] >= 2
        assert [a["title"] for a in server.articles()] == ["[gridtimeout] article 0"]
    finally:
        server.knobs(delay_ms=0)
        server.stop()
    grid.wait_no_sessions()
