"""The settings page in a real browser: API tokens (create → shown once, revoke) and the password."""

from __future__ import annotations

import pytest
from conftest import password
from e2e_browser import UI
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_tokens_and_password_on_the_settings_page(live_server: LiveServer, ui: UI) -> None:
    s = live_server
    s.make_user("sara", demo_account=False)
    ui.login("sara", password("sara"))
    ui.open("/settings")
    assert ui.text('.mainnav a[aria-current="page"]') == "设置"
    ui.wait(lambda: ui.finds("#tokens tbody tr[data-id]"), 10, "the token list")
    assert "initial" in ui.text("#tokens tbody")

    ui.fill("#token-name", "laptop script")
    ui.click("#token-submit")
    secret = ui.wait(lambda: ui.find("#token-value").text, 10, "the new token, shown once")
    assert secret.startswith("eg_") and "laptop script" in ui.text("#token-label")
    assert s.call("GET", "/api/me", token=secret)[1]["username"] == "sara"
    ui.wait(lambda: "laptop script" in ui.text("#tokens tbody"), 10, "the new token in the list")
    assert secret not in ui.text("#tokens tbody")

    row = next(r for r in ui.finds("#tokens tbody tr[data-id]") if "laptop script" in r.text)
    row.find_element("css selector", 'button[data-action="revoke"]').click()
    ui.driver.switch_to.alert.accept()
    ui.wait(lambda: "laptop script" not in ui.text("#tokens tbody"), 10, "the token gone from the list")
    assert s.call("GET", "/api/me", token=secret)[0] == 401

    ui.fill("#pw-current", password("sara"))
    ui.fill("#pw-new", "a-brand-new-pass")
    ui.fill("#pw-repeat", "a-brand-new-pass-typo")
    ui.click("#pw-submit")
    assert "不一致" in ui.wait(lambda: ui.text("#pw-error"), 10, "the mismatch message")
    ui.fill("#pw-repeat", "a-brand-new-pass")
    ui.click("#pw-submit")
    ui.wait(lambda: "密码已修改" in ui.text("#toasts"), 10, "the password changed")
    ui.open("/settings")  # this browser's session was renewed: still logged in
    assert "/settings" in ui.driver.current_url
