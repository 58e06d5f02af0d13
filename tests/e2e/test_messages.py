"""The UI says validation errors in Chinese sentences, and a teacher called 李老师 can be created and log in.

(More than 100 articles never reach the server from the page, which stops at 100: test_publish_batch.py;
the server's own sentence for 101 is checked in tests/integration/test_validation_messages.py.)"""

from __future__ import annotations

import pytest
from conftest import password
from e2e_browser import UI
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def test_admin_creates_li_laoshi_who_logs_in(live_server: LiveServer, ui: UI) -> None:
    """A Chinese username is accepted, a second one is 'taken' (not 'the job changed'), and it logs in."""
    ui.login("admin", "admin-password-1")
    ui.open("/admin")
    ui.wait(lambda: "管理员" in ui.texts("#users .tag"), 10, "the role shown as 管理员")
    assert ui.text("label[for=new-admin]") == "管理员"
    ui.fill("#new-username", "")
    ui.click("#user-submit")
    ui.wait(lambda: ui.text("#form-error"), 10, "the empty username refused")
    assert ui.text("#form-error") == "请填写用户名。密码至少需要 8 个字符。"
    ui.fill("#new-username", "李老师")
    ui.fill("#new-password", "li-password-1")
    ui.click("#user-submit")
    ui.wait(lambda: not ui.find("#token-box").get_attribute("hidden"), 10, "the new user's token")
    ui.wait(lambda: "李老师" in ui.texts("#users .uname"), 10, "李老师 in the list")
    ui.fill("#new-username", "李老师")
    ui.fill("#new-password", "li-password-2")
    ui.click("#user-submit")
    ui.wait(lambda: ui.text("#form-error"), 10, "the second 李老师 refused")
    assert ui.text("#form-error").startswith("该用户名已被使用"), ui.text("#form-error")
    ui.driver.delete_all_cookies()
    ui.login("李老师", "li-password-1")
    assert ui.text(".who") == "李老师"


def test_cookie_box_says_what_is_wrong_in_chinese(live_server: LiveServer, ui: UI) -> None:
    """An empty box and broken JSON are told in the page's language, not the browser's English."""
    live_server.make_user("cory")
    ui.login("cory", password("cory"))
    ui.open("/accounts")
    ui.click("#acc-submit")
    ui.wait(lambda: ui.text("#form-error"), 10, "the empty box refused")
    assert ui.text("#form-error").startswith("请先粘贴 Cookie"), ui.text("#form-error")
    ui.fill("#acc-cookies", '[{"name": "a", "value": ')
    ui.click("#acc-submit")
    ui.wait(lambda: ui.text("#form-error").startswith("Cookie 不是有效的 JSON"), 10, "broken JSON refused")
