"""Remote mode on a real local Selenium Grid: publish and generate, isolation, capacity, no leftovers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdf_factory
import pytest
from support import LiveServer, article, wait_until

from app.engine.browser_factory import BrowserFactory
from app.engine.pool import DriverPool

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def remote_server(instance: Path, grid: Any, **overrides: Any) -> LiveServer:
    overrides.setdefault("max_concurrent_jobs", 2)
    return LiveServer(instance, driver_remote_url=grid.url, **overrides).start()


def test_publish_and_generate_through_the_grid(instance: Path, grid: Any, tmp_path: Path) -> None:
    server = remote_server(instance, grid)
    try:
        token = server.make_user("gina")
        ids = server.publish(token, [article("grid", i) for i in range(3)])
        pdf = pdf_factory.english_course_pdf(tmp_path / "course.pdf").read_bytes()
        body, ctype = pdf_factory.multipart({"questions": "6"}, {"file": ("course.pdf", pdf)})
        status, payload, _ = server.call(
            "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
        )
        assert status == 202, payload
        ids.append(payload["job_id"])
        jobs = server.wait_final(token, ids, timeout=240)
        assert {j["status"] for j in jobs.values()} == {"success"}, jobs
        titles = [a["title"] for a in server.articles()]
        assert sorted(titles) == sorted(f"grid article {i}" for i in range(3))  # each exactly once
        result, pdf_out, _ = server.call("GET", f"/api/jobs/{ids[-1]}/result", token=token)
        assert result == 200 and pdf_out[:5] == b"%PDF-"

        # every browser ran on the Grid, recorded with its node, with per-job contexts over se:cdp
        pool = server.engine.server._pool
        browsers = [*pool._idle, *pool._in_use]
        assert browsers and all(b.remote is not None and b.contexts is not None for b in browsers)
        held = {row[0]: row[2] for row in server.engine.server.factory.ledger.held()}
        assert held and set(held) <= set(grid.sessions_now())
        assert all(uri and uri.startswith("http://127.0.0.1:") for uri in held.values())

        # the Grid's capacity shows in /queue/status and /metrics
        doc = server.ok("GET", "/queue/status", token=token)
        assert doc["grid"]["total_slots"] == 4 and len(doc["grid"]["nodes"]) == 2
        _, metrics, _ = server.call("GET", "/metrics")
        assert b"examgen_grid_nodes 2.0" in metrics and b"examgen_grid_free_slots" in metrics
    finally:
        server.stop()
    # a graceful stop quits every session it held, waits until the Grid lists none of them (its
    # nodes close the browsers after the delete returns), and strikes them off
    assert not set(held) & set(grid.sessions_now())
    grid.wait_no_sessions()
    assert server.engine.server.factory.ledger.held() == []


def test_a_job_on_a_shared_remote_browser_inherits_nothing(grid: Any, tmp_path: Path) -> None:
    factory = BrowserFactory(tmp_path / "browsers", remote_url=grid.url)
    pool = DriverPool(factory.create, size=1)
    try:
        first = pool.acquire()
        assert first.contexts is not None and first.remote is not None
        first.driver.get(grid.url + "/ui/")
        first.driver.execute_script("localStorage.setItem('k', 'secret'); document.cookie = 'c=secret; max-age=3600';")
        assert first.driver.execute_script("return localStorage.getItem('k')") == "secret"
        pool.release(first)

        second = pool.acquire()
        assert second is first  # the very same remote Chromium
        assert second.driver.current_url == "about:blank"
        second.driver.get(grid.url + "/ui/")
        seen = second.driver.execute_script("return [localStorage.getItem('k'), document.cookie]")
        assert seen == [None, ""]
        pool.release(second)
    finally:
        pool.close()
    grid.wait_no_sessions()


@pytest.mark.parametrize("size", [3])
def test_the_pool_follows_the_grids_capacity(instance: Path, grid: Any, size: int) -> None:
    # another client holds one of the four slots: this server may use three at most
    from selenium import webdriver

    other = webdriver.Remote(command_executor=grid.url, options=BrowserFactory(Path("/nonexistent")).options(None))
    try:
        server = remote_server(instance, grid, max_concurrent_jobs=4, driver_pool_size=4)
        try:
            wait_until(lambda: server.engine.server._pool.size == size, 30, "the pool to shrink to the free slots")
            doc = server.ok("GET", "/queue/status", token="test-admin-token-0123456789")
            assert doc["pool"]["size"] == size and doc["grid"]["free_slots"] == size
        finally:
            server.stop()
    finally:
        other.quit()
    grid.wait_no_sessions()


def test_an_unreachable_grid_shows_in_healthz(instance: Path) -> None:
    from support import free_port

    server = LiveServer(instance, driver_remote_url=f"http://127.0.0.1:{free_port()}").start()
    try:
        status, body, _ = server.call("GET", "/healthz")
        assert status == 503 and "Selenium Grid" in body["problems"]["browsers"], body
    finally:
        server.stop()
