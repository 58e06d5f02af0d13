"""Benchmark: what the live jobs monitor costs — server time per poll and requests per open tab.

Run with ``make bench-ui``. Prints one JSON document: median and 95th percentile server time of
the status poll of 20 jobs and of a page of 20 jobs, the status answer's size, and the requests per
second of one open tab (statuses every 1.5 s and the page every 10 s are expected: 0.5–1.0/s).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))

from e2e_browser import UI, make_driver, settle
from support import LiveServer, article

from bench.record import report

JOBS, WINDOW = 20, 10.0
COUNT_API = "return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0])).length;"


def timed(client: Any, path: str, runs: int) -> dict[str, float]:
    """Median and 95th percentile of the server time of ``path``, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95)], 2)}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="examgen-bench-") as tmp:
        server = LiveServer(Path(tmp) / "instance", max_concurrent_jobs=1, user_max_active=50,
                            user_rate_limit="100/minute").start()  # fmt: skip
        try:
            token = server.make_user("ida")
            server.knobs(delay_ms=30000)  # jobs that stay unfinished while we measure
            ids = server.publish(token, [article("poll", i) for i in range(JOBS)])
            client = server.app.test_client()
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"username": "ida", "password": "pw-ida-123", "csrf_token": csrf})
            status_path = "/api/jobs/status?ids=" + ",".join(ids)
            figures: dict[str, Any] = {
                "status_of_20_jobs": timed(client, status_path, 200) | {"bytes": len(client.get(status_path).data)},
                "page_of_20_jobs": timed(client, "/api/jobs?page=1&limit=20", 100),
            }
            driver = make_driver(Path(tmp) / "profile")
            try:
                ui = UI(driver, server.base)
                ui.login("ida", "pw-ida-123")
                ui.wait(lambda: len(ui.statuses()) == JOBS, 20, "the jobs")
                before = ui.js(COUNT_API, "/api/jobs")
                settle(WINDOW)  # a measurement window
                figures["requests_per_open_tab_per_s"] = round((ui.js(COUNT_API, "/api/jobs") - before) / WINDOW, 2)
            finally:
                driver.quit()
        finally:
            server.knobs(delay_ms=0)
            server.stop()
    report("poll_cost", figures)


if __name__ == "__main__":
    main()
