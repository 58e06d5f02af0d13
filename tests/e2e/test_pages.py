"""Every page in both languages, the queue page's live figures and chart, and the phone-sized layout."""

from __future__ import annotations

import pytest
from conftest import password
from e2e_browser import PHONE, UI
from selenium.webdriver.common.keys import Keys
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

# path -> (Chinese heading, English heading)
PAGES = {
    "/": ("任务", "Jobs"),
    "/publish": ("发布", "Publish"),
    "/exams": ("生成试卷", "Generate an exam"),
    "/accounts": ("账号", "Accounts"),
    "/queue": ("队列", "Queue"),
    "/admin": ("管理", "Admin"),
}


def _switch(ui: UI, label: str) -> None:
    ui.click(f'.langs a[lang="{"en" if label == "English" else "zh-Hans-CN"}"]')
    ui.wait(lambda: ui.find("html").get_attribute("lang") == ("en" if label == "English" else "zh-Hans-CN"), 10, label)


def test_every_page_in_both_languages(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("fay")
    live_server.wait_final(token, live_server.publish(token, [article("lang", 1)]))
    ui.login("admin", "admin-password-1")
    for path, (zh, _) in PAGES.items():
        ui.open(path)
        assert ui.text("h1") == zh, path
        assert ui.text('.mainnav a[aria-current="page"]') == zh.replace("生成试卷", "试卷")
        ui.wait(lambda: ui.js("return document.querySelector('[aria-busy=true]') === null"), 10, f"{path} filled")
        assert ui.a11y_problems() == [], path
    ui.open("/admin")
    ui.wait(lambda: "已完成" in ui.text("#job-list"), 15, "a translated badge drawn by the script")

    _switch(ui, "English")
    assert ui.driver.current_url.endswith("/admin")  # the switch comes back to the same page
    ui.wait(lambda: "Done" in ui.text("#job-list"), 15, "the badge in English")
    assert "Everybody's jobs" in ui.text("main")
    for path, (_, en) in PAGES.items():
        ui.open(path)
        assert ui.text("h1") == en, path
        assert [a.text for a in ui.finds(".mainnav a")][:2] == ["Jobs", "Publish"]
    ui.open("/publish")
    assert ui.text("#articles .article-n") == "Article 1"  # a string from the page's JSON, used by its script
    ui.find("body").send_keys(Keys.TAB)  # keyboard users first meet the skip link, then the menu
    assert ui.js("return document.activeElement.className") == "skip-link"
    assert ui.js("return getComputedStyle(document.activeElement).boxShadow") != "none"  # a visible focus ring

    _switch(ui, "简体中文")
    assert ui.text('.mainnav a[aria-current="page"]') == "发布"
    assert ui.text("#articles .article-n") == "第 1 篇"
    ui.open("/login")  # logged in: straight through to the jobs
    assert ui.text("h1") == "任务"


def test_queue_page_shows_live_figures_and_the_chart(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("gus")
    live_server.wait_final(token, live_server.publish(token, [article("queue", i) for i in range(2)]))
    ui.login("admin", "admin-password-1")
    ui.open("/queue")
    ui.wait(lambda: ui.text("#s-processed") == "2", 10, "the finished count")
    assert "/" in ui.text("#s-processing") and ui.text("#p-max") == "2"
    assert "峰值" in ui.text("#s-queue-peak")
    assert ui.text("#u-wait") == "无：我没有排队中的任务。"  # the admin has no jobs: not "0 秒"
    ui.wait(lambda: ui.finds("#chart svg.chart-svg"), 10, "the chart")
    assert ui.finds("#chart text.axis")
    status, history, _ = live_server.call("GET", "/ui/queue/history", token=token)
    assert status == 200 and isinstance(history["samples"], list)
    assert live_server.call("GET", "/ui/queue/history")[0] == 401


def test_phone_layout_has_no_sideways_scrolling(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("hal")
    live_server.knobs(reject_next=1)  # a failed job, with its screenshot
    live_server.wait_final(token, live_server.publish(token, [article("phone " * 12, 1)]))
    ui.driver.set_window_size(*PHONE)
    ui.open("/login")
    assert ui.no_horizontal_overflow()
    ui.login("hal", password("hal"))
    for path in ("/", "/publish", "/exams", "/accounts", "/queue"):
        ui.open(path)
        ui.wait(lambda: ui.js("return document.querySelector('[aria-busy=true]') === null"), 10, f"{path} filled")
        assert ui.no_horizontal_overflow(), path
        assert ui.a11y_problems() == [], path
    ui.open("/")
    ui.wait(lambda: ui.finds("#job-list .job-error"), 10, "the failed job")
    assert ui.no_horizontal_overflow()
    assert ui.a11y_problems() == []
    assert ui.find('.mainnav a[href="/queue"]').is_displayed()
