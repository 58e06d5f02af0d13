"""Benchmark: the same publishes through local browsers and through a Selenium Grid (remote mode).

Run by ``make bench`` (or ``python -m bench.remote [publishes]``). Starts a local Grid (a hub and
two nodes of 2 sessions on this machine) unless GRID_URL names one. Both runs use the same
settings and a demo platform in its own process; prints JSON with the remote/local ratio.
On one machine the Grid adds its relay hops and its JVMs' CPU to the browsers' own work.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from support import ServerProcess, article, free_port_block  # noqa: E402

from bench.record import report  # noqa: E402
from scripts.grid import LocalGrid, missing  # noqa: E402

CONCURRENCY = 2


def run(tmp: Path, name: str, platform: ServerProcess, count: int, remote_url: str = "") -> dict[str, Any]:
    """Start a server (warm browsers), publish ``count`` articles of one user, wait for all."""
    env: dict[str, object] = {
        "MAX_CONCURRENT_JOBS": CONCURRENCY,
        "USER_MAX_ACTIVE": count,
        "USER_RATE_LIMIT": "100/minute",
        "DEMO_PLATFORM": 0,
        "DEMO_URL": platform.base,
        "DRIVER_PREWARM": 1,
    }
    if remote_url:
        env["DRIVER_REMOTE_URL"] = remote_url
    server = ServerProcess(tmp / name, **env).start()
    try:
        token = server.make_user(f"{name}bench")
        # the warm-up's browsers are ready before the clock starts, as in a server that has been up
        deadline = time.monotonic() + 60
        while server.ok("GET", "/queue/status", token=token)["pool"]["idle"] < CONCURRENCY:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        start = time.perf_counter()
        ids = server.publish(token, [article(name, i) for i in range(count)])
        jobs = server.wait_final(token, ids, timeout=60 + 30 * count)
        wall = time.perf_counter() - start
        seconds = [
            (datetime.fromisoformat(j["finished_at"]) - datetime.fromisoformat(j["started_at"])).total_seconds()
            for j in jobs.values()
            if j.get("started_at") and j.get("finished_at")
        ]
    finally:
        server.terminate()
    ok = sum(1 for j in jobs.values() if j["status"] == "success")
    per_job = seconds
    return {
        "publishes": count,
        "succeeded": ok,
        "wall_seconds": round(wall, 2),
        "jobs_per_s": round(count / wall, 3),
        "mean_job_seconds": round(sum(per_job) / len(per_job), 2) if per_job else None,
    }


def main(count: int) -> None:
    """Local first, then remote, against one demo platform process."""
    problem = missing()
    if problem and not os.environ.get("GRID_URL"):
        report("remote", {"remote_vs_local": "skipped", "reason": problem})
        return
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        grid = None
        url = os.environ.get("GRID_URL", "")
        if not url:
            grid = LocalGrid(tmp / "grid", port=free_port_block(5) + 2).start()
            url = grid.url
        platform = ServerProcess(tmp / "platform").start()
        try:
            local = run(tmp, "local", platform, count)
            remote = run(tmp, "remote", platform, count, remote_url=url)
        finally:
            platform.terminate()
            if grid is not None:
                grid.stop()
    result = {
        "remote_vs_local": {
            "max_concurrent_jobs": CONCURRENCY,
            "local": local,
            "remote_grid_2_nodes": remote,
            "remote_local_throughput_ratio": round(remote["jobs_per_s"] / local["jobs_per_s"], 3),
            "cpu_count": psutil.cpu_count(),
            "load_average_after": [round(x, 2) for x in psutil.getloadavg()],
        }
    }
    report("remote", result)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
