"""Benchmark: what a deep queue costs a request. /queue/status, one submit and a page of jobs with
100, 1,000 and 10,000 jobs queued (10 users), the browsers busy on two slow jobs and otherwise idle.

The server runs in its own process (``MAX_QUEUE_SIZE`` raised), the demo platform in another one that
answers after 60 s, so the two running jobs hold their slots while the queue is measured. Run with
``make bench``. Prints one JSON document: median and p99 per depth, and each figure at 10,000 over its
figure at 100 (target <= 1.5).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import ServerProcess, article, wait_until

from bench.record import report

USERS, DEPTHS, CHUNK = 10, (100, 1_000, 10_000), 100
SAMPLES = {"queue_status": 150, "submit_one": 60, "page_of_20": 100, "healthz": 150}


def timed(call: Callable[[], Any], runs: int) -> dict[str, float]:
    """Median and p99 of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50": round(statistics.median(times), 2),
        "p99": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
    }


def fill(server: ServerProcess, tokens: list[str], target: int, queued: int) -> int:
    """Submit jobs (at the lowest priority, round the users) until ``target`` are queued."""
    n = 0
    while queued < target:
        count = min(CHUNK, target - queued)
        server.publish(tokens[n % USERS], [article(f"[deep{n}]", i) for i in range(count)], priority=9)
        queued += count
        n += 1
    return queued


def measure(server: ServerProcess, tokens: list[str]) -> dict[str, dict[str, float]]:
    """The four figures at the current depth (the submits made here are cancelled again)."""
    token = tokens[0]
    made: list[str] = []

    def submit_one() -> None:
        made.extend(server.publish(token, [article("[one]", len(made))], priority=9))

    for _ in range(20):  # untimed: connections, caches and the first forecast of this depth
        server.call("GET", "/queue/status", token=token)
        server.call("GET", "/api/jobs?limit=20", token=token)
    figures = {
        "healthz": timed(lambda: server.call("GET", "/healthz"), SAMPLES["healthz"]),
        "queue_status": timed(lambda: server.call("GET", "/queue/status", token=token), SAMPLES["queue_status"]),
        "page_of_20": timed(lambda: server.call("GET", "/api/jobs?limit=20", token=token), SAMPLES["page_of_20"]),
        "submit_one": timed(submit_one, SAMPLES["submit_one"]),
    }
    for job_id in made:
        server.call("POST", f"/api/jobs/{job_id}/cancel", token=token)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        platform = ServerProcess(Path(tmp) / "platform").start()
        env = {
            "MAX_CONCURRENT_JOBS": 2,
            "MAX_QUEUE_SIZE": 20_000,
            "USER_MAX_ACTIVE": 20_000,
            "USER_RATE_LIMIT": "100000/minute",
            "DEMO_PLATFORM": 0,
            "DEMO_URL": platform.base,
        }
        server = ServerProcess(Path(tmp) / "instance", **env).start()
        try:
            tokens = [server.make_user(f"deep{u}") for u in range(USERS)]
            platform.knobs(delay_ms=60_000)  # the two running jobs wait on the platform, browsers idle
            server.publish(tokens[0], [article("[slow]", i) for i in range(2)], priority=0)
            wait_until(lambda: server.ok("GET", "/queue/status", token=tokens[0])["processing"] == 2, 120, "2 running")
            results, queued = {}, 0
            for depth in DEPTHS:
                queued = fill(server, tokens, depth, queued)
                results[str(depth)] = measure(server, tokens)
                print(f"depth {depth}: {results[str(depth)]}", file=sys.stderr, flush=True)
            status = server.ok("GET", "/queue/status", token=tokens[0])
        finally:
            platform.knobs(delay_ms=0)
            server.terminate()
            platform.terminate()
    deepest, shallowest = results[str(DEPTHS[-1])], results[str(DEPTHS[0])]
    report(
        "deep_queue",
        {
            "by_queued_jobs_ms": results,
            "p50_at_10000_over_100": {k: round(deepest[k]["p50"] / shallowest[k]["p50"], 2) for k in deepest},
            "targets": {"queue_status and submit_one p50 at 10000 over 100": "<= 1.5"},
            "queue_size_at_end": status["queue_size"],
            "estimated_wait_time_at_end_s": status["estimated_wait_time"],
        },
    )


if __name__ == "__main__":
    main()
