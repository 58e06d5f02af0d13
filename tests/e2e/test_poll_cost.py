"""What the live jobs monitor costs: requests per second per open tab, and server time per poll."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from conftest import password
from e2e_browser import UI, settle
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

COUNT_API = "return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0])).length;"


def _timed(client, path: str, runs: int = 200) -> tuple[float, float]:
    """Median and 95th percentile of the server time of ``path``, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


@pytest.mark.server(max_concurrent_jobs=1, user_max_active=50, user_rate_limit="100/minute")
def test_polling_is_cheap_and_pauses_in_hidden_tabs(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("ida")
    live_server.knobs(delay_ms=30000)  # twenty jobs that stay unfinished while we measure
    ids = live_server.publish(token, [article("poll", i) for i in range(20)])

    client = live_server.app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "ida", "password": password("ida"), "csrf_token": csrf})
    status_ms = _timed(client, "/api/jobs/status?ids=" + ",".join(ids))
    list_ms = _timed(client, "/api/jobs?page=1&limit=20", runs=100)
    size = len(client.get("/api/jobs/status?ids=" + ",".join(ids)).data)
    print(f"\nserver time per poll: status of 20 jobs {status_ms[0]:.1f} ms (p95 {status_ms[1]:.1f}, {size} bytes),")
    print(f"page of 20 jobs {list_ms[0]:.1f} ms (p95 {list_ms[1]:.1f})")
    assert status_ms[0] < 50 and list_ms[0] < 100

    ui.login("ida", password("ida"))
    ui.wait(lambda: len(ui.statuses()) == 20, 10, "the twenty jobs")
    before = ui.js(COUNT_API, "/api/jobs")
    settle(10)  # a measurement window, not a wait for something
    rate = (ui.js(COUNT_API, "/api/jobs") - before) / 10
    print(f"requests per open tab: {rate:.2f}/s")
    assert 0.5 <= rate <= 1.0  # statuses every 1.5 s, the page of jobs every 10 s

    ui.js("Object.defineProperty(document, 'hidden', {value: true, configurable: true});")
    ui.js("document.dispatchEvent(new Event('visibilitychange'));")
    settle(0.5)  # a request already on its way may still land
    hidden_before = ui.js(COUNT_API, "/api/jobs")
    settle(4)
    assert ui.js(COUNT_API, "/api/jobs") == hidden_before, "a hidden tab kept polling"
    ui.js("Object.defineProperty(document, 'hidden', {value: false, configurable: true});")
    ui.js("document.dispatchEvent(new Event('visibilitychange'));")
    ui.wait(lambda: ui.js(COUNT_API, "/api/jobs") >= hidden_before + 2, 5, "polling to resume at once")
