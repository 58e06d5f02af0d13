"""The Zhihu platform module against a local replica of Zhihu, in real headless Chromium.

The replica runs as TWO servers on 127.0.0.1 (the editor like zhuanlan.zhihu.com, the API like www.zhihu.com):
the module's in-page API calls are then cross-origin, so cookies for both hosts and CORS are exercised too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from replicas.zhihu import ReplicaServer, ZhihuReplicaState, create_zhihu_replica
from selenium.webdriver.common.by import By
from sqlalchemy import select
from support import LiveServer, free_port

from app.engine.browser import Browser
from app.engine.browser_factory import BrowserFactory
from app.errors import JobFailure, PermanentFailure, TransientFailure
from app.models import Account
from app.platforms.base import Lookup
from app.platforms.browsing import normalize, page_path, paste_text
from app.platforms.zhihu import ZhihuPlatform

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# known at import time: @pytest.mark.server below needs the URLs before any fixture runs
EDITOR_PORT = free_port()
API_PORT = next(p for p in iter(free_port, None) if p != EDITOR_PORT)
EDITOR, API = f"http://127.0.0.1:{EDITOR_PORT}", f"http://127.0.0.1:{API_PORT}"
COOKIES = [  # as a browser extension exports them from zhihu.com
    {"name": "z_c0", "value": "2|1:0|10:1700000000|4:z_c0|zed", "domain": ".zhihu.com", "secure": True},
    {"name": "_xsrf", "value": "xsrf-zed", "domain": ".zhihu.com"},
    {"name": "d_c0", "value": "AEDc0", "domain": ".zhihu.com"},
]
TITLE = "学习 🎉 ✅ 知乎专栏：第一篇"
BODY = "学习 🎉 ✅\n第二段：Draft.js 只认它自己的状态 <b>不是标签</b> & 符号\n\n最后一段 — fin"


@pytest.fixture(scope="module")
def replica() -> Iterator[ZhihuReplicaState]:
    state = ZhihuReplicaState()
    state.api_url = API
    app = create_zhihu_replica(state)
    servers = [ReplicaServer(app, EDITOR_PORT), ReplicaServer(app, API_PORT)]
    yield state
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    factory = BrowserFactory(
        profile_root=tmp_path_factory.mktemp("zhihu") / "b",
        chrome_binary="/usr/bin/chromium",
        chromedriver="/usr/bin/chromedriver",
    )
    browser = factory.create()
    yield browser
    browser.quit()


@pytest.fixture
def driver(browser: Browser, replica: ZhihuReplicaState) -> Any:
    replica.reset()
    browser.end_job()
    assert browser.begin_job(), "the browser could not open a fresh context"
    return browser.driver


@pytest.fixture
def zhihu() -> ZhihuPlatform:
    return ZhihuPlatform(EDITOR, API, min_interval=0, wait_timeout=10)


def signed_in_editor(zhihu: ZhihuPlatform, driver: Any) -> str:
    """Give the browser the account's cookies and open the editor; the identity."""
    zhihu.with_cookies(driver, COOKIES)
    return zhihu.open_editor(driver)


def failure(fn: Any, *args: Any) -> JobFailure:
    """The job failure ``fn(*args)`` raises."""
    with pytest.raises(JobFailure) as info:
        fn(*args)
    return info.value


def test_publishes_cjk_and_emoji_exactly_and_keeps_the_id_a_string(
    zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState
) -> None:
    assert signed_in_editor(zhihu, driver) == replica.url_token
    zhihu.fill(driver, TITLE, BODY)
    zhihu.submit(driver)
    published = zhihu.confirm(driver, 15)

    [stored] = replica.published()
    assert (stored.title, stored.text) == (TITLE, BODY)
    assert published.article_id == stored.id and int(stored.id) > 2**53
    assert published.url == f"{EDITOR}/p/{stored.id}"
    record = json.loads(driver.execute_script("return sessionStorage.getItem('examgen.zhihu.publish')"))
    answer = json.loads(record["body"])  # the API's own answer, as the module saw it: code 0 for this id
    assert answer["code"] == 0 and json.loads(answer["data"]["result"])["publish"]["id"] == stored.id
    shown_title, shown_body = zhihu.read_back(driver, published)
    assert (normalize(shown_title), normalize(shown_body)) == (normalize(TITLE), normalize(BODY))
    assert EDITOR in replica.api_origins  # the identity and the publish went cross-origin, with cookies


def test_not_logged_in(zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState) -> None:
    assert failure(zhihu.open_editor, driver).code == "not_logged_in"  # no cookies at all
    assert page_path(driver) == "/signin"
    replica.logged_out = True  # cookies the site no longer accepts
    assert failure(signed_in_editor, zhihu, driver).code == "not_logged_in"

    replica.logged_out = False
    signed_in_editor(zhihu, driver)
    zhihu.fill(driver, TITLE, BODY)
    replica.logged_out = True  # logged out between opening the editor and publishing
    zhihu.submit(driver)
    assert failure(zhihu.confirm, driver, 10).code == "not_logged_in"
    assert replica.published() == []


def test_risk_control_is_a_captcha(zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState) -> None:
    replica.flagged = True
    error = failure(signed_in_editor, zhihu, driver)
    assert isinstance(error, PermanentFailure) and error.code == "captcha"

    replica.flagged, replica.risk_next = False, True
    signed_in_editor(zhihu, driver)
    zhihu.fill(driver, TITLE, BODY)
    zhihu.submit(driver)
    assert failure(zhihu.confirm, driver, 10).code == "captcha"
    assert replica.published() == []


def test_rejected_content(zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState) -> None:
    replica.reject_next = True
    signed_in_editor(zhihu, driver)
    zhihu.fill(driver, TITLE, BODY)
    zhihu.submit(driver)
    error = failure(zhihu.confirm, driver, 10)
    assert (error.code, error.permanent) == ("content_rejected", True)
    assert "违反社区规范" in error.message


def test_a_draft_is_not_a_success(zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState) -> None:
    replica.draft_only = True
    signed_in_editor(zhihu, driver)
    zhihu.fill(driver, TITLE, BODY)
    zhihu.submit(driver)
    error = failure(zhihu.confirm, driver, 3)
    assert isinstance(error, TransientFailure) and error.code == "timeout" and "draft" in error.message
    assert re.fullmatch(r"/p/\d+/edit", page_path(driver))
    assert replica.published() == []


def test_a_long_title_fails_before_typing(zhihu: ZhihuPlatform, driver: Any) -> None:
    signed_in_editor(zhihu, driver)
    error = failure(zhihu.fill, driver, "长" * 101, BODY)
    assert (error.code, error.permanent) == ("title_too_long", True)
    assert driver.find_element(By.TAG_NAME, "textarea").get_attribute("value") == ""
    assert driver.execute_script("return window.__draftText()") == ""


def test_writing_the_dom_does_not_reach_the_editor_state_but_paste_does(zhihu: ZhihuPlatform, driver: Any) -> None:
    signed_in_editor(zhihu, driver)
    body = driver.find_element(By.CSS_SELECTOR, ".public-DraftEditor-content")
    driver.execute_script("arguments[0].innerHTML = '<p>set by a script</p>'", body)
    assert body.text == "set by a script"
    assert driver.execute_script("return window.__draftText()") == ""
    paste_text(driver, body, "学习 🎉 ✅")
    assert driver.execute_script("return window.__draftText()") == "学习 🎉 ✅"


def test_find_reads_the_members_own_articles(zhihu: ZhihuPlatform, driver: Any, replica: ZhihuReplicaState) -> None:
    target = replica.add(TITLE, BODY)
    for i in range(25):  # the target ends up on the second page of the list
        replica.add(f"其他文章 {i}", f"正文 {i}")
    signed_in_editor(zhihu, driver)

    found = zhihu.find(driver, TITLE, BODY)
    assert found.outcome == Lookup.FOUND and found.published is not None
    assert (found.published.article_id, found.published.url) == (target.id, f"{EDITOR}/p/{target.id}")
    assert zhihu.find(driver, "从未发表的标题", BODY).outcome == Lookup.ABSENT
    assert zhihu.find(driver, TITLE, "同标题，另一篇正文").outcome == Lookup.ABSENT

    replica.excerpt_only = True  # no full text in the list: the excerpt decides, or nobody can tell
    assert zhihu.find(driver, TITLE, BODY).outcome == Lookup.FOUND
    assert zhihu.find(driver, TITLE, "同标题，另一篇正文").outcome == Lookup.UNKNOWN

    replica.list_broken = True
    broken = zhihu.find(driver, TITLE, BODY)
    assert broken.outcome == Lookup.UNKNOWN and broken.reason


def test_cookies_are_set_for_both_hosts_of_the_real_site() -> None:
    class Recorder:  # no browser: only what the module asks CDP to set
        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []

        def execute_cdp_cmd(self, cmd: str, params: dict[str, Any]) -> None:
            self.calls.extend(params["cookies"] if cmd == "Network.setCookies" else [params])

    recorder = Recorder()
    cookies = [*COOKIES, {"name": "only_zhuanlan", "value": "1", "domain": "zhuanlan.zhihu.com"}]
    ZhihuPlatform("https://zhuanlan.zhihu.com", "https://www.zhihu.com").with_cookies(recorder, cookies)
    got = {(c["url"], c["name"], c.get("domain"), c.get("secure")) for c in recorder.calls}
    for url in ("https://zhuanlan.zhihu.com/", "https://www.zhihu.com/"):
        assert (url, "z_c0", ".zhihu.com", True) in got and (url, "_xsrf", ".zhihu.com", None) in got
    assert ("https://zhuanlan.zhihu.com/", "only_zhuanlan", "zhuanlan.zhihu.com", None) in got
    assert len(got) == 7  # the zhuanlan-only cookie is not offered to www


@pytest.mark.server(zhihu_base_url=EDITOR, zhihu_api_url=API, zhihu_min_interval=0)
def test_publish_job_through_the_whole_server(live_server: LiveServer, replica: ZhihuReplicaState) -> None:
    replica.reset()
    token = live_server.make_user("zed", demo_account=False)
    cookies = [{"name": "z_c0", "value": "2|1:0|10:zed", "domain": ".zhihu.com"}, {"name": "_xsrf", "value": "x"}]
    live_server.ok("POST", "/api/accounts", {"platform": "zhihu", "name": "main", "cookies": cookies}, token, 201)
    body = {"platform": "zhihu", "account": "main", "articles": [{"title": TITLE, "content": BODY}]}
    [job_id] = live_server.ok("POST", "/api/jobs/publish", body, token, 202)["job_ids"]

    job = live_server.wait_final(token, [job_id], timeout=60)[job_id]
    assert job["status"] == "success", job
    m = re.fullmatch(re.escape(EDITOR) + r"/p/(\d+)", job["result_url"])
    assert m, job["result_url"]
    [stored] = replica.published()
    assert (stored.id, stored.title, stored.text) == (m.group(1), TITLE, BODY)
    assert job["article_id"] == stored.id
    # the cookie the site renewed while publishing is saved with the account's others
    accounts = live_server.engine.accounts
    with live_server.engine.db.read() as s:
        account = s.scalar(select(Account).where(Account.name == "main", Account.platform == "zhihu"))
        saved = {c["name"]: c["value"] for c in accounts.cookies.open(account.cookies_encrypted)}
    assert saved["z_r0"] == f"renewed-{replica.renewals}" and saved["z_c0"] == "2|1:0|10:zed"
