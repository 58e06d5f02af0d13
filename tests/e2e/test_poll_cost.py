"""The live jobs monitor polls while its tab is visible, stops in a hidden tab, and resumes at once.

What polling costs (server time per poll, requests per second per tab) is measured by
``make bench-ui`` (bench/poll_cost.py), not asserted here.
"""

from __future__ import annotations

import pytest
from conftest import password
from e2e_browser import UI, settle
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

COUNT_API = "return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0])).length;"


@pytest.mark.server(max_concurrent_jobs=1, user_max_active=50, user_rate_limit="100/minute")
def test_polling_runs_in_a_visible_tab_and_pauses_in_a_hidden_one(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("ida")
    live_server.knobs(delay_ms=30000)  # twenty jobs that stay unfinished while we look
    ids = live_server.publish(token, [article("poll", i) for i in range(20)])
    status = live_server.ok("GET", "/api/jobs/status?ids=" + ",".join(ids), token=token)
    assert len(status["jobs"]) == 20

    ui.login("ida", password("ida"))
    ui.wait(lambda: len(ui.statuses()) == 20, 10, "the twenty jobs")
    before = ui.js(COUNT_API, "/api/jobs")
    ui.wait(lambda: ui.js(COUNT_API, "/api/jobs") >= before + 2, 10, "the monitor to poll")

    ui.js("Object.defineProperty(document, 'hidden', {value: true, configurable: true});")
    ui.js("document.dispatchEvent(new Event('visibilitychange'));")
    settle(0.5)  # a request already on its way may still land
    hidden_before = ui.js(COUNT_API, "/api/jobs")
    settle(4)  # longer than the 1.5 s poll period: a poll in this window would be a hidden tab polling
    assert ui.js(COUNT_API, "/api/jobs") == hidden_before, "a hidden tab kept polling"
    ui.js("Object.defineProperty(document, 'hidden', {value: false, configurable: true});")
    ui.js("document.dispatchEvent(new Event('visibilitychange'));")
    ui.wait(lambda: ui.js(COUNT_API, "/api/jobs") >= hidden_before + 2, 5, "polling to resume at once")
