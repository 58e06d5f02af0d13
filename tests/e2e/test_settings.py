"""The settings page in a real browser: API tokens (create → shown once, revoke), the password and webhooks."""

from __future__ import annotations

import pytest
from conftest import password
from e2e_browser import DESKTOP, PHONE, UI
from receiver import Receiver
from selenium.webdriver.support.ui import Select
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


@pytest.mark.server(webhook_allowed_networks="127.0.0.1/32")  # the local receiver; 10.0.0.0/8 stays refused
def test_webhooks_on_the_settings_page(live_server: LiveServer, ui: UI) -> None:
    s = live_server
    token = s.make_user("wes", demo_account=False)
    with Receiver() as receiver:
        ui.login("wes", password("wes"))
        ui.open("/settings")
        ui.wait(lambda: ui.finds('#webhooks[aria-busy="false"]'), 10, "the webhook list")
        assert "还没有 Webhook" in ui.text("#webhooks")

        ui.fill("#hook-name", "team chat")
        Select(ui.find("#hook-kind")).select_by_value("json")
        ui.fill("#hook-url", receiver.url + "/team?key=secret-123")
        ui.fill("#hook-secret", "shh")
        ui.click("#hook-ev-job_failed")  # every event is ticked at first: leave this one out
        ui.click("#hook-submit")
        ui.wait(lambda: ui.texts("#webhooks .hook-name") == ["team chat"], 10, "the new webhook listed")
        (item,) = ui.texts("#webhooks > li[data-id]")
        assert "JSON" in item and receiver.url + "/…" in item and "secret-123" not in item
        assert "一批任务已结束" in item and "任务失败" not in item
        (hook,) = s.ok("GET", "/api/webhooks", token=token)["webhooks"]
        assert hook["events"] == ["account_expired", "batch_finished", "job_needs_review"]
        ui.wait(lambda: ui.texts("#webhooks .deliveries tbody tr") == ["还没有发送过消息。"], 10, "no messages yet")

        ui.fill("#hook-name", "internal")
        ui.fill("#hook-url", "http://10.0.0.8/h")
        ui.click("#hook-submit")
        ui.wait(lambda: ui.find("#hook-url-error").is_displayed(), 10, "the url's own error")
        assert "公网" in ui.text("#hook-url-error") and ui.find("#hook-url").get_attribute("aria-invalid") == "true"
        assert ui.find("#hook-error").is_displayed() is False
        assert len(s.ok("GET", "/api/webhooks", token=token)["webhooks"]) == 1
        assert ui.texts("#webhooks .hook-name") == ["team chat"]

        receiver.hold.set()  # the receiver keeps the message until released: the page shows it sending
        ui.click('#webhooks li[data-id] button[data-action="test"]')
        ui.wait(lambda: ui.finds('#webhooks tr[data-status="pending"]'), 10, "the test message sending")
        assert "发送中" in ui.texts("#webhooks .deliveries tbody tr")[0]
        ui.wait(lambda: receiver.got("/team"), 20, "the message at the receiver")
        receiver.release.set()
        ui.wait(lambda: ui.finds('#webhooks tr[data-status="delivered"]'), 20, "the test message delivered")
        (row,) = ui.texts("#webhooks .deliveries tbody tr")
        assert "测试消息" in row and "已送达" in row
        got = receiver.got()
        assert len(got) == 1 and got[0]["path"].startswith("/team") and receiver.bodies()[0]["event"] == "test"
        assert ui.a11y_problems() == []
        ui.driver.set_window_size(*PHONE)  # the deliveries table scrolls inside its card, not the page
        assert ui.js("return document.documentElement.scrollWidth <= document.documentElement.clientWidth;")
        ui.driver.set_window_size(*DESKTOP)

        ui.open("/lang/en?next=/settings")
        ui.wait(lambda: ui.texts('#webhooks tr[data-status="delivered"]'), 10, "the deliveries in English")
        assert "Delivered" in ui.texts("#webhooks .deliveries tbody tr")[0]
        assert "A batch finished" in ui.text("#webhooks")

        ui.click('#webhooks li[data-id] button[data-action="delete"]')
        ui.driver.switch_to.alert.accept()
        ui.wait(lambda: not ui.finds("#webhooks > li[data-id]"), 10, "the webhook gone from the list")
        assert s.ok("GET", "/api/webhooks", token=token)["webhooks"] == []
        assert len(receiver.got()) == 1
