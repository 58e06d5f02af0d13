"""In a real Chromium: the admin sets a new password for a user and deletes them; the exams page says,
with its numbers, why a too-short PDF or a question count outside 1-50 is refused, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import password
from e2e_browser import UI
from pdf_factory import short_course_pdf
from support import LiveServer
from web_session import WebLogin

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_admin_sets_a_new_password_and_deletes_a_user(live_server: LiveServer, ui: UI) -> None:
    token = live_server.make_user("nina", demo_account=False)
    ui.login("admin", "admin-password-1")
    ui.open("/admin")
    row = '#users tr[data-user="nina"]'
    ui.wait(lambda: ui.finds(row), 10, "nina in the list")
    # one's own row offers neither: the settings page changes one's password, and nobody deletes themselves
    assert not ui.finds('#users tr[data-user="admin"] button[data-action="password"]')
    assert not ui.finds('#users tr[data-user="admin"] button[data-action="delete"]')

    assert ui.text(f'{row} button[data-action="password"]') == "设置新密码"
    ui.click(f'{row} button[data-action="password"]')
    alert = ui.driver.switch_to.alert
    assert "nina" in alert.text
    alert.accept()
    ui.wait(lambda: not ui.find("#token-box").get_attribute("hidden"), 10, "the new password")
    assert ui.text("#token-label") == "nina 的新密码只显示这一次，请复制并转交给对方。"
    new = ui.text("#token-value")
    assert len(new) >= 16
    assert WebLogin(live_server.base).login("nina", password("nina"))[0] == 401
    assert WebLogin(live_server.base).login("nina", new)[0] == 302

    ui.click(f'{row} button[data-action="delete"]')
    alert = ui.driver.switch_to.alert
    assert alert.text.startswith("删除用户 nina？"), alert.text
    alert.dismiss()  # a second thought: nothing happens
    assert live_server.call("GET", "/api/me", token=token)[0] == 200
    ui.click(f'{row} button[data-action="delete"]')
    ui.driver.switch_to.alert.accept()
    ui.wait(lambda: not ui.finds(row), 10, "nina to leave the list")
    assert "用户 nina 已删除。" in ui.text("#toasts")
    assert live_server.call("GET", "/api/me", token=token)[0] == 401
    assert WebLogin(live_server.base).login("nina", new)[0] == 401


@pytest.mark.parametrize(
    ("lang", "short", "range_"),
    [
        (
            "zh",
            "这份 PDF 的文字最多能出 3 道题，而您要求 10 道；请减少题数或上传更多材料。",
            "题目数量必须在 1 到 50 之间。",
        ),
        (
            "en",
            "This PDF has text for at most 3 questions, but you asked for 10; ask for fewer or upload more material.",
            "The number of questions must be from 1 to 50.",
        ),
    ],
)
def test_the_exams_page_says_why_an_upload_is_refused(
    live_server: LiveServer, ui: UI, tmp_path: Path, lang: str, short: str, range_: str
) -> None:
    token = live_server.make_user("omar", demo_account=False)
    ui.login("omar", password("omar"))
    ui.open(f"/lang/{lang}?next=/exams")
    ui.find("#pdf").send_keys(str(short_course_pdf(tmp_path / "short.pdf")))
    for count in ("0", "51"):
        ui.fill("#questions", count)
        ui.click("#exam-submit")
        ui.wait(lambda: ui.text("#form-error") == range_, 10, f"{count} questions refused")
    ui.fill("#questions", "10")
    ui.click("#exam-submit")
    ui.wait(lambda: ui.text("#form-error") == short, 15, "the short PDF refused with its numbers")
    assert live_server.ok("GET", "/api/jobs", token=token)["total"] == 0  # refused before any job
