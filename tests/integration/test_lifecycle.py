"""The real process: kill -9 and restart loses nothing and publishes nothing twice; SIGTERM drains."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from support import FINAL, ServerProcess, article, browser_pids, wait_until

pytestmark = pytest.mark.browser


def duplicates(server: ServerProcess, prefix: str) -> int:
    counts = Counter(a["title"] for a in server.articles() if a["title"].startswith(prefix))
    return sum(n - 1 for n in counts.values())


def profiles_left(instance: Path) -> list[Path]:
    root = instance / "browsers"
    return list(root.iterdir()) if root.exists() else []


def test_kill_9_mid_run_then_restart_finishes_every_job_exactly_once(
    instance: Path, server_process: type[ServerProcess]
) -> None:
    env = {"MAX_CONCURRENT_JOBS": 2, "USER_MAX_ACTIVE": 20, "USER_RATE_LIMIT": "100/minute"}
    first = server_process(instance, **env).start()
    tokens = {name: first.make_user(name) for name in ("k1", "k2", "k3")}
    owned = {name: first.publish(tok, [article(f"[{name}]", i) for i in range(6)]) for name, tok in tokens.items()}

    def some_done_and_running() -> bool:
        jobs = [j for n, t in tokens.items() for j in first.ok("GET", "/api/jobs?limit=100", token=t)["jobs"]]
        done = sum(j["status"] in FINAL for j in jobs)
        return done >= 4 and any(j["status"] == "running" for j in jobs)

    wait_until(some_done_and_running, 120, "some jobs done and some running")
    first.kill9()
    assert browser_pids(instance), "a crashed server leaves its browsers behind"

    second = server_process(instance, port=first.port, **env).start()
    finals = {}
    for name, tok in tokens.items():
        finals.update(second.wait_final(tok, owned[name], timeout=180))
    statuses = Counter(j["status"] for j in finals.values())
    assert statuses["success"] + statuses["needs_review"] == 18 and statuses["needs_review"] <= 1
    assert duplicates(second, "[k") == 0
    titles = {a["title"] for a in second.articles()}
    assert all(j["title"] in titles for j in finals.values() if j["status"] == "success")
    assert second.terminate() == 0
    assert not browser_pids(instance), "no Chromium may outlive the server"
    assert not profiles_left(instance)


def test_a_crash_right_after_the_click_is_reconciled_to_success(
    instance: Path, server_process: type[ServerProcess]
) -> None:
    first = server_process(instance, MAX_CONCURRENT_JOBS=1).start()
    token = first.make_user("clicker")
    first.knobs(publish_hang_ms=30000)  # the article is stored, the answer never comes in time
    (job_id,) = first.publish(token, [article("[click]", 0)])
    wait_until(lambda: any(a["title"] == "[click] article 0" for a in first.articles()), 60, "the article")
    first.kill9()

    second = server_process(instance, port=first.port, MAX_CONCURRENT_JOBS=1).start()
    job = second.wait_final(token, [job_id], timeout=90)[job_id]
    assert job["status"] == "success" and job["attempts"] == 2
    matching = [a for a in second.articles() if a["title"] == "[click] article 0"]
    assert len(matching) == 1 and job["result_url"].endswith(f"/demo/p/{matching[0]['id']}")
    assert second.terminate() == 0


def test_a_crash_after_the_click_with_the_article_absent_publishes_it_once(
    instance: Path, server_process: type[ServerProcess]
) -> None:
    first = server_process(instance, MAX_CONCURRENT_JOBS=1).start()
    token = first.make_user("dropper")
    first.knobs(drop_next=1, publish_hang_ms=30000)  # the platform hangs and will store nothing
    (job_id,) = first.publish(token, [article("[drop]", 0)])
    wait_until(lambda: first.job(token, job_id)["progress"] >= 60, 60, "the publish click")
    first.kill9()

    second = server_process(instance, port=first.port, MAX_CONCURRENT_JOBS=1).start()
    job = second.wait_final(token, [job_id], timeout=90)[job_id]
    assert job["status"] == "success"
    assert sum(1 for a in second.articles() if a["title"] == "[drop] article 0") == 1
    assert second.terminate() == 0


def test_sigterm_drains_running_jobs_hands_back_the_rest_and_exits_0(
    instance: Path, server_process: type[ServerProcess]
) -> None:
    env = {"MAX_CONCURRENT_JOBS": 2, "SHUTDOWN_GRACE": 20}
    first = server_process(instance, **env).start()
    tokens = [first.make_user(f"drain{i}") for i in range(2)]
    first.knobs(delay_ms=1500)
    ids = {tok: first.publish(tok, [article(f"[drain{n}]", i) for i in range(3)]) for n, tok in enumerate(tokens)}
    wait_until(lambda: first.ok("GET", "/queue/status", token=tokens[0])["processing"] == 2, 60, "2 running")
    first.proc.send_signal(15)
    wait_until(lambda: first.call("GET", "/healthz", timeout=2)[1].get("shutting_down"), 10, "the drain to begin")
    status, body, headers = first.call(
        "POST", "/api/jobs/publish", {"platform": "demo", "articles": [article("x", 0)]}, tokens[0]
    )
    assert status == 503 and body["error"]["code"] == "shutting_down" and int(headers["Retry-After"]) >= 1
    assert first.proc.wait(60) == 0
    log = first.tail(20000)
    assert "Shutdown complete" in log and "Traceback" not in log
    assert not browser_pids(instance)

    second = server_process(instance, port=first.port, **env).start()
    second.knobs(delay_ms=0)
    for tok, job_ids in ids.items():
        jobs = second.wait_final(tok, job_ids, timeout=120)
        assert all(j["status"] == "success" for j in jobs.values())
    assert duplicates(second, "[drain") == 0
    assert second.terminate() == 0
