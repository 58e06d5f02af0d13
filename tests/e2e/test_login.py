"""Login, logout, CSRF, the login rate limit, and the admin page's visibility, in a real browser."""

from __future__ import annotations

import re

import pytest
from conftest import password
from e2e_browser import UI
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_pages_need_login_and_logout_ends_the_session(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("lena")
    ui.open("/publish")
    assert ui.driver.current_url.endswith("/login?next=/publish")
    assert ui.find("html").get_attribute("lang") == "zh-Hans-CN"  # Chinese first, whatever the browser says

    ui.fill("#username", "lena")
    ui.fill("#password", "wrong-password")
    ui.click("#login-submit")
    assert "用户名或密码错误" in ui.text("#login-error")

    ui.fill("#password", password("lena"))
    ui.click("#login-submit")
    ui.wait(lambda: ui.driver.current_url.endswith("/publish"), 15, "the page asked for before login")
    assert ui.find('.mainnav a[aria-current="page"]').text == "发布"

    ui.click(".topbar-tools button[type=submit]")
    ui.wait(lambda: "/login" in ui.driver.current_url, 10, "the login page after logout")
    ui.open("/")
    assert "/login" in ui.driver.current_url


def test_admin_page_is_404_for_others_and_manages_users(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("olga")
    ui.login("olga", password("olga"))
    assert not ui.finds('.mainnav a[href="/admin"]')
    ui.open("/admin")
    assert "这个页面不存在" in ui.text("main")
    status, _, _ = live_server.call("GET", "/ui/admin/users", token=live_server.make_user("pete"))
    assert status == 404

    ui.click(".topbar-tools button[type=submit]")
    ui.wait(lambda: "/login" in ui.driver.current_url, 10, "logout")
    ui.login("admin", "admin-password-1")
    ui.open("/admin")
    ui.wait(lambda: ui.finds('tr[data-user="olga"]'), 10, "the users table")
    ui.fill("#new-username", "quinn")
    ui.fill("#new-password", "quinn-password")
    ui.click("#user-submit")
    token = ui.wait(lambda: ui.find("#token-value").text, 10, "the new user's token")
    assert live_server.call("GET", "/api/me", token=token)[1]["username"] == "quinn"
    ui.wait(lambda: ui.finds('tr[data-user="quinn"]'), 10, "quinn in the table")

    ui.click('tr[data-user="olga"] button[data-action="toggle"]')
    ui.driver.switch_to.alert.accept()
    ui.wait(lambda: "已停用" in ui.text('tr[data-user="olga"]'), 10, "olga disabled")
    ui.click('tr[data-user="olga"] button[data-action="token"]')
    ui.wait(lambda: "olga" in ui.text("#token-label"), 10, "olga's new token")


def test_login_is_throttled_with_a_growing_delay(live_server: LiveServer) -> None:
    client = live_server.app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/login", data={"username": "admin", "password": "x"}).status_code == 400  # no CSRF token
    codes = [
        client.post("/login", data={"username": "admin", "password": "nope", "csrf_token": csrf}).status_code
        for _ in range(7)
    ]
    assert codes == [401] * 6 + [429]  # five free failures, then a delay before each next check
    answer = client.post("/login", data={"username": "admin", "password": "admin-password-1", "csrf_token": csrf})
    assert answer.status_code == 429 and "请等待" in answer.get_data(as_text=True)
    assert 0 < int(answer.headers["Retry-After"]) <= 60
    other = client.post("/login", data={"username": "nobody", "password": "nope", "csrf_token": csrf})
    assert other.status_code == 401  # another username is counted apart
