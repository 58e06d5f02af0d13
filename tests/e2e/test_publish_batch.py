"""Big batches on the publish page (at most one submission's worth of editors, clear all) and the phone-sized
English menu, the accounts page's cookie-site link and the publish page's no-account hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import password
from e2e_browser import PHONE, UI
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def _picker_ready(ui: UI) -> None:
    ui.wait(lambda: ui.find("#account").get_attribute("value") == "main", 10, "the account picker")


def test_101_files_give_100_editors_a_sentence_and_clear_all_empties_the_batch(
    live_server: LiveServer, ui: UI, tmp_path: Path
) -> None:
    live_server.make_user("ivy")
    paths = []
    for i in range(101):
        path = tmp_path / f"note-{i:03d}.md"
        path.write_text(f"# 第 {i} 篇\n\n正文 {i}。\n", encoding="utf-8")
        paths.append(str(path))
    ui.login("ivy", password("ivy"))
    ui.open("/publish")
    _picker_ready(ui)
    assert ui.find("#clear-articles").is_displayed() is False  # one blank article: nothing to clear

    ui.find("#files").send_keys("\n".join(paths))
    ui.wait(lambda: ui.texts("#files-note:not([hidden])"), 30, "the sentence about the files left out")
    assert len(ui.finds("#articles > li")) == 100
    assert ui.texts("#files-note") == ["每次最多提交 100 篇：已加入前 100 篇，其余 1 篇请下次提交。"]
    assert ui.find("#article-count").text == "100"
    assert ui.find("#add-article").get_attribute("disabled") is not None
    titles = [e.get_attribute("value") for e in ui.finds("#articles .a-title")]
    assert titles[0] == "第 0 篇" and titles[-1] == "第 99 篇"
    assert ui.a11y_problems() == []

    ui.click("#clear-articles")
    alert = ui.wait(lambda: ui.driver.switch_to.alert, 5, "the confirm")
    assert "100" in alert.text
    alert.dismiss()  # changed my mind: nothing is lost
    assert len(ui.finds("#articles > li")) == 100
    ui.click("#clear-articles")
    ui.wait(lambda: ui.driver.switch_to.alert, 5, "the confirm").accept()
    ui.wait(lambda: len(ui.finds("#articles > li")) == 1, 10, "one blank article")
    assert ui.find("#articles .a-title").get_attribute("value") == ""
    assert ui.texts("#files-note:not([hidden])") == [] and ui.find("#article-count").text == "1"
    assert ui.find("#add-article").get_attribute("disabled") is None

    ui.click("#add-article")  # two blank articles: cleared without asking
    ui.click("#clear-articles")
    ui.wait(lambda: len(ui.finds("#articles > li")) == 1, 5, "one blank article again")


def _nav_on_one_row(ui: UI) -> bool:
    return ui.js("return new Set(Array.from(document.querySelectorAll('.mainnav a')).map(a => a.offsetTop)).size === 1")


def test_the_menu_fits_a_phone_in_both_languages(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("jon", demo_account=False)
    ui.driver.set_window_size(*PHONE)
    ui.login("admin", "admin-password-1")  # the admin's menu is the longest
    for lang in ("en", "zh-Hans-CN"):
        ui.click(f'.langs a[lang="{lang}"]')
        ui.wait(lambda lang=lang: ui.find("html").get_attribute("lang") == lang, 10, lang)
        for path in ("/", "/publish", "/accounts", "/admin"):
            ui.open(path)
            ui.wait(lambda: ui.js("return document.querySelector('[aria-busy=true]') === null"), 10, f"{path} filled")
            assert len(ui.finds(".mainnav a")) == 7
            assert _nav_on_one_row(ui), (lang, path)
            assert all(a.is_displayed() for a in ui.finds(".mainnav a"))
            assert ui.js(  # every item within the screen, none scrolled out of sight
                "return Array.from(document.querySelectorAll('.mainnav a'))"
                ".every(a => { const r = a.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; })"
            ), (lang, path)
            assert ui.no_horizontal_overflow(), (lang, path)
            assert ui.a11y_problems() == [], (lang, path)

    ui.open("/accounts")  # the cookie site is a link that opens apart from the app
    link = ui.find("#cookie-site a")
    assert link.get_attribute("href") == live_server.base + "/demo/"
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"

    ui.driver.delete_all_cookies()
    ui.login("jon", password("jon"))  # no account: the hint says so in full, wrapped, not cut off
    ui.click('.langs a[lang="en"]')
    ui.wait(lambda: ui.find("html").get_attribute("lang") == "en", 10, "English")
    ui.open("/publish")
    hint = ui.wait(lambda: ui.texts("#account-hint:not([hidden])"), 10, "the no-account hint")
    assert hint == ["You have no account for this platform yet. Add an account for this platform"]
    assert ui.js("const h = document.getElementById('account-hint'); return h.scrollWidth <= h.clientWidth")
    assert ui.js("const s = document.getElementById('account'); return s.scrollWidth <= s.clientWidth")
    assert ui.texts("#account option") == ["No account yet"]
    assert ui.no_horizontal_overflow()
    assert ui.a11y_problems() == []


@pytest.mark.server(max_queue_size=2)
def test_a_full_queue_says_what_can_go_now_and_when_to_try_again(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("kim")
    ui.login("kim", password("kim"))
    ui.click('.langs a[lang="en"]')
    ui.wait(lambda: ui.find("html").get_attribute("lang") == "en", 10, "English")
    ui.open("/publish")
    _picker_ready(ui)
    ui.fill_articles([(f"Full {i}", "The queue takes two.") for i in range(3)])
    ui.click("#submit")
    message = ui.wait(lambda: ui.find("#form-error").text, 10, "the refusal")
    assert message.startswith("The server's queue is full. You can submit 2 more now. Try again in about ")
    assert message.endswith(" s. Or remove 1 of the articles and submit the other 2 now.")
    assert live_server.articles() == [] and len(ui.finds("#articles > li")) == 3
