"""Publishing from the browser and following the jobs live: success, cancel, retry, without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import password
from e2e_browser import UI
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def _badges(ui: UI, list_css: str) -> list[str]:
    return ui.texts(f"{list_css} .badge")


def test_publish_a_batch_and_watch_it_finish_live(live_server: LiveServer, ui: UI, tmp_path: Path) -> None:
    live_server.make_user("ada")
    (tmp_path / "second.md").write_text("# 第二篇：队列\n\n公平的队列让每个人都能尽快发布。\n", encoding="utf-8")
    (tmp_path / "third-note.txt").write_text("A plain text file: its name becomes the title.\n", encoding="utf-8")
    ui.login("ada", password("ada"))
    ui.open("/publish")
    ui.wait(lambda: ui.find("#account").get_attribute("value") == "main", 10, "the account picker")
    ui.stub_notifications()
    ui.mark_page()

    ui.fill("#articles li:nth-child(1) .a-title", "First: 学习计划")
    ui.fill("#articles li:nth-child(1) .a-body", "Three articles at once, typed and dropped.")
    ui.find("#files").send_keys(f"{tmp_path / 'second.md'}\n{tmp_path / 'third-note.txt'}")
    ui.wait(lambda: len(ui.finds("#articles > li")) == 3, 10, "two articles read from files")
    titles = [e.get_attribute("value") for e in ui.finds("#articles .a-title")]
    assert titles == ["First: 学习计划", "第二篇：队列", "third-note"]
    assert ui.find("#submit").text == "发布 3 篇文章"

    ui.click("#submit")
    ui.wait(lambda: len(ui.statuses("#batch-list")) == 3, 10, "the batch to appear")
    first_seen = _badges(ui, "#batch-list")
    assert first_seen != ["已完成"] * 3, "the jobs cannot be done the moment they are submitted"
    ui.wait(lambda: _badges(ui, "#batch-list") == ["已完成"] * 3, 60, "all three badges to read 已完成")
    assert ui.same_page(), "the page was reloaded"
    assert len(ui.finds("#batch-list a.result-link")) == 3
    ui.wait(lambda: "全部完成" in ui.text("#toasts"), 10, "the batch toast")
    assert ui.js("return window.__notes.length") == 1
    published = sorted(a["title"] for a in live_server.articles())
    assert published == sorted(titles)


@pytest.mark.server(max_concurrent_jobs=1)
def test_cancel_a_waiting_job_from_the_monitor(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("bea")
    # nothing starts until the last job is cancelled, however slow the machine: with slowed publishes
    # instead, a quick first browser launch and a slow login could let the last job start first
    live_server.engine.server.pause()
    ids = live_server.publish(token, [article("slow", i) for i in range(3)])
    ui.login("bea", password("bea"))
    ui.wait(lambda: len(ui.statuses()) == 3, 10, "three jobs on the monitor")
    ui.mark_page()
    last = ids[-1]
    assert ui.statuses()[last] in ("pending", "queued")
    assert "排在第" in ui.text(f'li[data-id="{last}"] .job-phase')
    ui.click(f'li[data-id="{last}"] button[data-action="cancel"]')
    ui.wait(lambda: ui.statuses()[last] == "cancelled", 10, "the job to be cancelled")
    assert ui.text(f'li[data-id="{last}"] .badge') == "已取消"
    live_server.engine.server.resume()
    ui.wait(lambda: [ui.statuses()[i] for i in ids[:2]] == ["success"] * 2, 60, "the other two to finish")
    assert ui.same_page()
    assert live_server.job(token, last)["status"] == "cancelled"
    assert len(live_server.articles()) == 2


def test_a_job_that_finds_the_account_logged_out_waits_and_continues_after_a_login_check(
    live_server: LiveServer, ui: UI
) -> None:
    token = live_server.make_user("cy")
    live_server.knobs(logout_all=True)
    [job_id] = live_server.publish(token, [article("waits", 1)])
    ui.login("cy", password("cy"))
    row = f'li[data-id="{job_id}"]'
    ui.wait(lambda: ui.texts(f"{row} .job-note"), 60, "the job to say why it waits")
    assert ui.statuses()[job_id] == "queued"
    (note,) = ui.texts(f"{row} .job-note")
    assert "平台账号未登录" in note and "not_logged_in" in note
    assert "已暂停" in ui.text(f"{row} .job-phase")
    assert ui.find(f"{row} a.update-cookies").get_attribute("href") == live_server.base + "/accounts"
    ui.wait(lambda: ui.js(f"return document.querySelector('{row} img.thumb').naturalWidth") > 0, 10, "the screenshot")

    live_server.knobs(logout_all=False)  # logged in again: a login check tells examgen so
    ui.click(f"{row} a.update-cookies")
    ui.wait(lambda: ui.finds('#account-list button[data-action="check"]'), 10, "the accounts page")
    ui.click('#account-list button[data-action="check"]')
    ui.wait(lambda: live_server.job(token, job_id)["status"] == "success", 60, "the waiting job to publish")
    ui.open("/")
    ui.wait(lambda: ui.statuses().get(job_id) == "success", 20, "the jobs page to show it done")
    assert ui.texts(f"{row} .badge") == ["已完成"]
    assert ui.find(f"{row} a.result-link").get_attribute("href").startswith(live_server.base + "/demo/p/")
    assert live_server.job(token, job_id)["attempts"] == 1


@pytest.mark.server(user_max_active=2)
def test_a_refused_batch_is_explained_in_plain_words(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("dee")
    ui.login("dee", password("dee"))
    ui.open("/publish")
    ui.wait(lambda: ui.find("#account").get_attribute("value") == "main", 10, "the account picker")
    ui.fill_articles([(f"Too many {i}", "One article more than allowed.") for i in range(3)])
    ui.click("#submit")
    message = ui.wait(lambda: ui.find("#form-error").text, 10, "the refusal")
    assert message.startswith("你未完成的任务太多了。现在还可以提交 2 个。请在约 ")
    assert message.endswith("秒后重试。或者删去其中 1 篇，现在就提交其余 2 篇。")  # what to do next, either way
    assert live_server.articles() == [] and len(ui.finds("#articles > li")) == 3  # nothing lost, nothing sent


def test_resolve_a_job_that_needs_review(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("eve")
    live_server.knobs(drop_next=1, me_unavailable=True)  # the click is lost and nobody can tell
    [job_id] = live_server.publish(token, [article("review", 1)])
    live_server.wait_final(token, [job_id])
    ui.login("eve", password("eve"))
    row = f'li[data-id="{job_id}"]'
    ui.wait(lambda: ui.statuses().get(job_id) == "needs_review", 10, "the job that needs review")
    ui.click(f'{row} button[data-action="published"]')
    ui.wait(lambda: "请输入文章的网址" in ui.text("#toasts"), 5, "the missing address")
    ui.fill(f"{row} .review-url", "https://example.com/p/42")
    ui.click(f'{row} button[data-action="published"]')
    ui.wait(lambda: ui.statuses()[job_id] == "success", 10, "the job marked as published")
    assert ui.find(f"{row} a.result-link").get_attribute("href") == "https://example.com/p/42"
