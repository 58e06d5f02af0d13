"""Benchmark: the seeds' headline — one user's 10 articles on one account, 1 slot vs 4 slots.

Run with ``make bench`` (after the 100-publish benchmark) or ``python -m bench.batch``. The demo
platform runs in its own process with ``DEMO_DELAY_MS=2500``: its editor and its publish answer
each take 2.5 s, as a real platform's round trips do. Each server is warm (its browsers started)
before the batch is submitted. Prints one JSON document with both wall times and the speed-up.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import FINAL, ServerProcess, article, wait_until

from bench.record import report

# 2.5 s on each of a publish's two round trips (editor, publish), as the acceptance scenario: the
# publish is then mostly waiting on the platform, like a real one, and not on this machine's CPU
ARTICLES, DELAY_MS = 10, 2500


def run_batch(platform_url: str, instance: Path, slots: int) -> dict[str, object]:
    """Start a server with ``slots`` slots, wait for its browsers, time one batch of 10 to the end."""
    env = {
        "MAX_CONCURRENT_JOBS": slots,
        "DEMO_PLATFORM": 0,
        "DEMO_URL": platform_url,
        "DEMO_DELAY_MS": DELAY_MS,  # the estimates' first guess of a publish's duration
        "DRIVER_PREWARM": 1,
    }
    server = ServerProcess(instance, **env).start()
    try:
        token = server.make_user("solo")
        idle = lambda: server.ok("GET", "/queue/status", token=token)["pool"]["idle"] >= slots  # noqa: E731
        wait_until(idle, 120, "the browsers to start")
        t0 = time.perf_counter()
        ids = server.publish(token, [article("[solo]", i) for i in range(ARTICLES)])
        eta = server.job(token, ids[-1])["estimated_start_seconds"]
        eta_at = time.perf_counter()
        started = None
        while True:
            job = server.job(token, ids[-1])
            if started is None and job["status"] != "queued":
                started = time.perf_counter() - eta_at
            if job["status"] in FINAL:
                break
            time.sleep(0.1)
        jobs = server.wait_final(token, ids, timeout=600)
        wall = time.perf_counter() - t0
    finally:
        code = server.terminate()
    return {
        "slots": slots,
        "wall_s": round(wall, 1),
        "success": sum(j["status"] == "success" for j in jobs.values()),
        "eta_10th_s": eta,
        "started_10th_s": round(started or 0.0, 1),
        "exit_code": code,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        platform = ServerProcess(Path(tmp) / "platform", DEMO_DELAY_MS=DELAY_MS).start()
        try:
            one = run_batch(platform.base, Path(tmp) / "one", 1)
            four = run_batch(platform.base, Path(tmp) / "four", 4)
        finally:
            platform.terminate()
    result = {
        "benchmark": "seeds' headline: 1 user x 10 articles, one account",
        "demo_delay_ms": DELAY_MS,
        "publish_s_on_one_slot": round(float(one["wall_s"]) / ARTICLES, 2),
        "one_slot": one,
        "four_slots": four,
        "speedup": round(float(one["wall_s"]) / max(float(four["wall_s"]), 0.1), 2),
        "targets": {"speedup": ">= 3.0 (10 equal jobs on 4 slots: 3.33 at most)"},
        "seeds": {"one_slot_s": 150, "four_slots_s": 40, "speedup": 3.75},
        "cpu_count": psutil.cpu_count(),
        "load_average_after": [round(x, 2) for x in psutil.getloadavg()],
    }
    report("batch", result)


if __name__ == "__main__":
    main()
