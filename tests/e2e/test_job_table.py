"""The jobs table: 1,000 jobs searched, sorted and paged, a bulk cancel and delete, both languages, phone cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import password
from e2e_browser import PHONE, UI
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def rows(ui: UI) -> list[str]:
    """The titles of the table's rows, read in one call (the table re-renders while it is read)."""
    return ui.texts("#job-rows .job-name")


def search(ui: UI, text: str) -> None:
    """Type in the search box as a person does (select all, then type over it)."""
    box = ui.find("#q")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    if text:
        box.send_keys(text)


def choose(ui: UI, css: str, value: str) -> None:
    Select(ui.find(css)).select_by_value(value)


def summary_says(ui: UI, text: str) -> bool:
    return text in ui.text("#list-summary")


def test_a_thousand_jobs_in_the_table_searched_sorted_paged_and_cancelled_in_bulk(
    live_server: LiveServer, ui: UI
) -> None:
    token = live_server.make_user("tab")
    live_server.seed_finished_jobs("tab", 1000)
    later = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    waiting = live_server.publish(token, [article("[tab] later", i) for i in range(3)], publish_at=later)

    ui.login("tab", password("tab"), view=None)  # a desktop window: the table is the default view
    ui.wait(lambda: len(rows(ui)) == 20, 15, "the first page of the table")
    assert ui.find("#view-table").get_attribute("aria-pressed") == "true"
    assert not ui.find("#job-list").is_displayed()
    assert summary_says(ui, "1003")
    headers = [h.rstrip(" ↑↓") for h in ui.texts("#job-table thead th")]  # the arrow marks the sorted column
    assert headers[1:8] == ["状态", "标题", "类型", "创建时间", "开始时间", "耗时", "尝试次数"], headers
    assert rows(ui)[:3] == ["[tab] later article 2", "[tab] later article 1", "[tab] later article 0"]
    first = ui.find(f'#job-rows tr[data-id="{waiting[2]}"]')
    assert "#" + waiting[2][:8] in first.text and "演示平台 / main" in first.text  # what tells it apart

    choose(ui, "#limit", "100")
    ui.wait(lambda: len(rows(ui)) == 100, 10, "100 rows a page")
    assert ui.text("#page-info") == "第 1 页，共 11 页"

    search(ui, "weekly")  # one exam title of every ten
    ui.wait(lambda: summary_says(ui, "100 个任务") and set(rows(ui)) == {"Weekly exam"}, 10, "the search")
    assert "q=weekly" in ui.driver.current_url  # a search can be bookmarked
    sources = ui.texts("#job-rows .jt-detail")
    assert any(s.startswith("chapter-") for s in sources), sources  # exams of the same title: their files differ

    search(ui, "note 000")
    ui.wait(lambda: len(rows(ui)) == 9, 10, "nine notes")
    ui.click('#job-table button[data-sort="title"]')
    ui.wait(lambda: rows(ui)[0] == "History note 0000", 10, "sorted by title")
    assert ui.find('#job-table th:has(button[data-sort="title"])').get_attribute("aria-sort") == "ascending"
    ui.click('#job-table button[data-sort="title"]')
    ui.wait(lambda: rows(ui)[0] == "History note 0008", 10, "sorted by title, the other way")
    assert "sort=-title" in ui.driver.current_url

    search(ui, "")
    choose(ui, "#status", "pending,scheduled,queued,running,retrying")
    ui.wait(lambda: len(rows(ui)) == 3, 10, "the three unfinished jobs")
    ui.click("#select-page")
    ui.wait(lambda: not ui.find("#bulk-bar").get_attribute("hidden"), 5, "the bulk bar")
    assert ui.text("#bulk-count") == "已选 3 个"
    assert ui.find('#bulk-bar [data-bulk="cancel"]').text == "取消 3 个"
    assert not ui.find('#bulk-bar [data-bulk="delete"]').is_enabled()  # nothing finished is selected
    ui.click('#bulk-bar [data-bulk="cancel"]')
    ui.wait(lambda: "取消：3 个已完成" in ui.text("#toasts"), 10, "the bulk cancel's answer")
    assert [live_server.job(token, i)["status"] for i in waiting] == ["cancelled"] * 3

    choose(ui, "#status", "cancelled")
    ui.wait(lambda: len(rows(ui)) == 100, 10, "the cancelled jobs (3 new, 100 seeded)")
    for job_id in waiting:
        ui.click(f'#job-rows tr[data-id="{job_id}"] input.pick')
    ui.js("window.confirm = () => true;")
    ui.click('#bulk-bar [data-bulk="delete"]')
    ui.wait(lambda: "删除：3 个已完成" in ui.text("#toasts"), 10, "the bulk delete's answer")
    assert all(live_server.call("GET", f"/api/jobs/{i}", token=token)[0] == 404 for i in waiting)
    assert ui.a11y_problems() == [] and ui.no_horizontal_overflow()

    ui.open("/lang/en?next=/")
    ui.wait(lambda: len(rows(ui)) == 20, 15, "the table in English")
    assert [h.rstrip(" ↑↓") for h in ui.texts("#job-table thead th")][1:3] == ["Status", "Title"]
    assert summary_says(ui, "1000 jobs")
    ui.click("#view-cards")  # the user's choice is kept
    ui.wait(lambda: len(ui.statuses()) == 20 and not ui.find("#job-table-wrap").is_displayed(), 10, "cards")
    ui.open("/")
    ui.wait(lambda: len(ui.statuses()) == 20, 10, "cards again after a reload")


def test_a_phone_gets_cards(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("pho")
    live_server.publish(token, [article("[pho]", 0)])
    ui.driver.set_window_size(*PHONE)
    ui.login("pho", password("pho"), view=None)
    ui.wait(lambda: len(ui.statuses()) == 1, 15, "the job as a card")
    assert not ui.find("#job-table-wrap").is_displayed() and ui.no_horizontal_overflow()
