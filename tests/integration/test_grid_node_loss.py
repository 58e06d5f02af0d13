"""A Grid node that dies in the middle of a publish: the job is retried on the other node, goes
through the click-state reconciliation, and the article exists exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import LiveServer, article, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def test_a_node_killed_after_the_click_publishes_once(instance: Path, grid: Any) -> None:
    server = LiveServer(instance, driver_remote_url=grid.url, max_concurrent_jobs=1).start()
    try:
        token = server.make_user("nodeloss")
        server.knobs(publish_hang_ms=30000)  # stored on the platform; the answer hangs
        (job_id,) = server.publish(token, [article("[nodeloss]", 0)])
        wait_until(lambda: server.articles(), 60, "the article to be stored (the click happened)")
        handle = server.engine.server._dispatcher.handle(job_id)
        assert handle is not None and handle.browser is not None and handle.browser.remote is not None
        node = grid.node_of(handle.browser.remote.session_id)
        assert node is not None
        grid.kill_node(node)  # kill -9 of the node and its browsers, mid-publish
        server.knobs(publish_hang_ms=0)

        job = server.wait_final(token, [job_id], timeout=180)[job_id]
        assert job["status"] == "success", job
        assert [a["title"] for a in server.articles()] == ["[nodeloss] article 0"]  # never twice
        assert job["attempts"] >= 2 and job["result_url"]
        # the hub notices the dead node within seconds; then only the live node's slots count
        doc = wait_until(
            lambda: (d := server.ok("GET", "/queue/status", token=token))["grid"]["total_slots"] == 2 and d,
            20,
            "the Grid to count the dead node out",
        )
        assert [n["availability"] for n in doc["grid"]["nodes"]].count("UP") == 1
    finally:
        server.knobs(publish_hang_ms=0)
        server.stop()
    grid.wait_no_sessions()
    assert server.engine.server.factory.ledger.held() == []
