"""The whole server on PostgreSQL: publish, an idempotent repeat, and a kill -9 with nothing lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from support import ServerProcess, article, postgres_url, wait_until

pytestmark = pytest.mark.browser


def test_publish_and_recover_from_kill_9_on_postgresql(instance: Path, server_process: type[ServerProcess]) -> None:
    env = {
        "DATABASE_URL": postgres_url(),
        "MAX_CONCURRENT_JOBS": 2,
        "USER_MAX_ACTIVE": 20,
        "USER_RATE_LIMIT": "100/minute",
    }
    first = server_process(instance, **env).start()
    tokens = [first.make_user(f"pg{i}") for i in range(2)]
    body = {"platform": "demo", "articles": [article("[pg0]", i) for i in range(6)]}
    status, answer, _ = first.call("POST", "/api/jobs/publish", body, tokens[0], headers={"Idempotency-Key": "pg-1"})
    again = first.call("POST", "/api/jobs/publish", body, tokens[0], headers={"Idempotency-Key": "pg-1"})
    assert (status, again[0]) == (202, 200) and again[1]["job_ids"] == answer["job_ids"]
    owned = {tokens[0]: answer["job_ids"], tokens[1]: first.publish(tokens[1], [article("[pg1]", i) for i in range(6)])}
    wait_until(lambda: first.ok("GET", "/queue/status", token=tokens[0])["total_processed"] >= 3, 90, "some jobs done")
    first.kill9()

    second = server_process(instance, port=first.port, **env).start()
    for token, ids in owned.items():
        assert all(j["status"] == "success" for j in second.wait_final(token, ids, timeout=120).values())
    counts = Counter(a["title"] for a in second.articles() if a["title"].startswith("[pg"))
    assert len(counts) == 12 and set(counts.values()) == {1}  # all published, none twice
    assert second.ok("GET", "/queue/status", token=tokens[0])["max_processing"] == 2  # peaks persisted
    assert second.terminate() == 0
