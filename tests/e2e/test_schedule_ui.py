"""Scheduling a batch from the publish page, seeing it on the monitor with its time, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import password
from e2e_browser import UI
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

# an hour from now, as the browser's own datetime-local field writes local time
LOCAL_IN_AN_HOUR = """const d = new Date(Date.now() + 3600e3), p = (n) => String(n).padStart(2, "0");
return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;"""


def test_schedule_a_batch_from_the_publish_page_and_see_it_on_the_monitor(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("cleo")
    ui.login("cleo", password("cleo"))
    ui.open("/publish")
    ui.wait(lambda: ui.find("#account").get_attribute("value") == "main", 10, "the account picker")
    ui.fill("#articles li:nth-child(1) .a-title", "早安：定时发布")
    ui.fill("#articles li:nth-child(1) .a-body", "An hour from now.")
    ui.click("#add-article")
    ui.fill("#articles li:nth-child(2) .a-title", "Second, twenty minutes later")
    ui.fill("#articles li:nth-child(2) .a-body", "Spread by the picker.")
    local = ui.js(LOCAL_IN_AN_HOUR)
    ui.js("const f = document.querySelector('#publish-at'); f.value = arguments[0];", local)
    ui.find("#spread").send_keys("每 20 分钟一篇")
    assert ui.find("#spread").get_attribute("value") == "20m"
    ui.click("#submit")
    ui.wait(lambda: list(ui.statuses("#batch-list").values()) == ["scheduled", "scheduled"], 10, "a scheduled batch")
    assert ui.texts("#batch-list .badge") == ["已定时", "已定时"]
    ui.wait(lambda: "已定时 2 个任务" in ui.text("#toasts"), 10, "the scheduled toast")

    jobs = sorted(live_server.ok("GET", "/api/jobs", token=token)["jobs"], key=lambda j: j["publish_at"])
    times = [datetime.fromisoformat(j["publish_at"].replace("Z", "+00:00")) for j in jobs]
    assert (times[1] - times[0]).total_seconds() == 20 * 60
    shown = ui.js("return new Date(arguments[0]).getTime()", jobs[0]["publish_at"])
    picked = ui.js("return new Date(arguments[0]).getTime()", local)
    assert shown == picked  # the local time picked is the instant stored

    ui.open("/")
    first = jobs[0]["job_id"]
    ui.wait(lambda: "将于" in ui.text(f'li[data-id="{first}"] .job-phase'), 10, "the publish time on the monitor")
    ui.click('.langs a[lang="en"]')
    ui.wait(lambda: ui.find("html").get_attribute("lang") == "en", 10, "English")
    ui.wait(lambda: "publishes at" in ui.text(f'li[data-id="{first}"] .job-phase'), 10, "the time in English")
    assert ui.text(f'li[data-id="{first}"] .badge') == "Scheduled"
    ui.click(f'li[data-id="{first}"] button[data-action="cancel"]')
    ui.wait(lambda: ui.statuses().get(first) == "cancelled", 10, "the scheduled job cancelled from the monitor")
    assert live_server.articles() == []
