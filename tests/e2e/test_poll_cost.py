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
# requests to arguments[0] the page started at or after page time arguments[1] (an entry appears when its answer
# has come, with the time its request started: a poll already on its way at that time is never counted)
STARTED_SINCE = (
    "return performance.getEntriesByType('resource')"
    ".filter(e => e.name.includes(arguments[0]) && e.startTime >= arguments[1]).length;"
)
# set document.hidden, tell the page, and return the page time it happened at
SET_HIDDEN = (
    "Object.defineProperty(document, 'hidden', {value: arguments[0], configurable: true});"
    "document.dispatchEvent(new Event('visibilitychange'));"
    "return performance.now();"
)


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

    # polls are told apart by when they started, not by when their answers landed: a poll already on its
    # way when the tab hid may be answered seconds later on a loaded machine, and is no hidden-tab poll
    hidden_at = ui.js(SET_HIDDEN, True)
    settle(4)  # longer than the 1.5 s poll period: a poll started in this window would be a hidden tab polling
    assert ui.js(STARTED_SINCE, "/api/jobs", hidden_at) == 0, "a hidden tab kept polling"
    shown_at = ui.js(SET_HIDDEN, False)
    # resumed: one poll at once, the next a period later (answers may be slow to come on a loaded machine)
    ui.wait(lambda: ui.js(STARTED_SINCE, "/api/jobs", shown_at) >= 2, 15, "polling to resume")
