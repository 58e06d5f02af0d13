"""The demo platform end to end: a real waitress server, driven by headless Chromium and plain HTTP."""

from __future__ import annotations

import html
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any

import pytest
import waitress
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from app.db import Database
from app.demo_site import DemoKnobs, create_demo_blueprint
from app.models import DemoArticle
from app.platforms.base import Published
from app.platforms.browsing import normalize
from app.platforms.demo import DemoPlatform
from run import stop_http

pytestmark = pytest.mark.timeout(120)
EMOJI_CJK = "学习 🎉 emoji ✅"
CHROMIUM_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")
CHROMIUM_ARGS += ("--disable-extensions", "--disable-background-networking", "--disable-component-update")
CHROMIUM_ARGS += ("--disable-sync", "--no-first-run")
BAD_KNOBS = ({"fail_next": "2"}, {"fail_next": -1}, {"drop_next": True}, {"fail_rate": 1.5})
BAD_KNOBS += ({"logout_all": 1}, {"nope": 1}, {"self": 1}, [1, 2], "text", b"not json")


@dataclass
class Platform:
    port: int
    base: str
    db: Database
    knobs: DemoKnobs


@dataclass
class Answer:
    status: int
    headers: Any
    text: str

    def element_text(self, element_id: str) -> str | None:
        """The text of the element with this id (no nested tags), or None."""
        found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', self.text)
        return html.unescape(found.group(1)) if found else None


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("demo")
    db = Database(f"sqlite:///{tmp}/t.db")
    db.upgrade()
    knobs = DemoKnobs.from_env({})
    app = Flask(__name__)
    app.register_blueprint(create_demo_blueprint(db, knobs, knobs_api=True))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port
    yield Platform(port, f"http://127.0.0.1:{port}", db, knobs)
    stop_http(server, thread)
    db.dispose()


@pytest.fixture(autouse=True)
def _fresh_knobs(platform: Platform) -> None:
    platform.knobs.reset()  # knobs are shared by the module's one server: each test starts from the defaults


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = Options()
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.binary_location = "/usr/bin/chromium"
    # an explicit driver path: Selenium Manager must never run (no network here)
    chrome = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
    yield chrome
    chrome.quit()


def http(p: Platform, method: str, path: str, user: str = "", form: Any = None, raw: Any = None) -> Answer:
    """One request, redirects not followed: ``form`` is sent urlencoded, ``raw`` as JSON."""
    headers = {"Cookie": f"demo_user={user}"} if user else {}
    if form is not None:
        raw, headers["Content-Type"] = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
    elif raw is not None:
        headers["Content-Type"] = "application/json"
    conn = HTTPConnection("127.0.0.1", p.port, timeout=15)
    try:
        conn.request(method, path, body=raw, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read().decode("utf-8"))
    finally:
        conn.close()


def publish(p: Platform, user: str, content: str = "c", title: str = "t") -> Answer:
    return http(p, "POST", "/demo/publish", user, form={"title": title, "content": content})


def articles(p: Platform, author: str) -> list[dict[str, Any]]:
    return json.loads(http(p, "GET", f"/demo/api/articles?author={urllib.parse.quote(author)}").text)


def wait(driver: Any, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout, poll_frequency=0.05)


def login(browser: webdriver.Chrome, p: Platform, name: str) -> None:
    browser.delete_all_cookies()
    browser.get(p.base + "/demo/write")
    wait(browser).until(ec.url_contains("/demo/login"))
    browser.find_element(By.ID, "username").send_keys(name)
    browser.find_element(By.ID, "login-submit").click()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "whoami"), name))


def write(browser: webdriver.Chrome, title: str, *body_keys: str) -> None:
    browser.find_element(By.ID, "title").send_keys(title)
    if body_keys:
        browser.find_element(By.ID, "body").send_keys(*body_keys)


def confirm_publish(browser: webdriver.Chrome) -> None:
    browser.find_element(By.ID, "publish").click()
    wait(browser).until(ec.visibility_of_element_located((By.ID, "confirm-publish"))).click()


def published_id(browser: webdriver.Chrome) -> int:
    wait(browser).until(ec.url_matches(r"/demo/p/\d+$"))
    return int(browser.find_element(By.ID, "article").get_attribute("data-article-id"))


@pytest.mark.browser
def test_login_logout_and_plain_pages(platform: Platform, driver: webdriver.Chrome) -> None:
    answer = http(platform, "GET", "/demo/write")
    assert answer.status == 302 and answer.headers["Location"].endswith("/demo/login?next=/demo/write")
    login(driver, platform, "alice")
    assert driver.current_url == platform.base + "/demo/write"
    cookie = driver.get_cookie("demo_user")
    assert cookie and cookie["value"] == "alice" and cookie["path"] == "/"
    for target, expected in (("/demo/me", "/demo/me"), ("https://evil.example/", "/demo/write")):
        answer = http(platform, "POST", "/demo/login", form={"username": "bob", "next": target})
        assert answer.headers["Location"] == expected
    assert http(platform, "POST", "/demo/login", form={"username": " "}).status == 400
    assert "demo_user=;" in http(platform, "GET", "/demo/logout", "bob").headers["Set-Cookie"]
    assert http(platform, "GET", "/demo/p/999999").status == 404
    assert http(platform, "GET", "/demo/api/articles/999999").status == 404
    assert 'href="/demo/write"' in http(platform, "GET", "/demo/").text
    captcha = http(platform, "GET", "/demo/captcha").text
    assert 'id="captcha"' in captcha and "Verify that you are human" in captcha


@pytest.mark.browser
def test_publish_by_typing(platform: Platform, driver: webdriver.Chrome) -> None:
    login(driver, platform, "typist")
    keys = ("First line", Keys.ENTER, "second  line", Keys.ENTER, Keys.ENTER, "fourth lineX", Keys.BACKSPACE)
    write(driver, "Typed <title> & more", *keys)
    confirm_publish(driver)
    article_id = published_id(driver)
    expected = "First line\nsecond  line\n\nfourth line"
    assert driver.find_element(By.ID, "article-title").text == "Typed <title> & more"
    assert driver.find_element(By.ID, "article-author").text == "typist"
    assert driver.execute_script("return document.getElementById('article-content').textContent") == expected
    [stored] = articles(platform, "typist")
    assert stored["id"] == article_id and stored["content"] == expected
    assert json.loads(http(platform, "GET", f"/demo/api/articles/{article_id}").text) == stored


@pytest.mark.browser
def test_paste_keeps_emoji_and_cjk(platform: Platform, driver: webdriver.Chrome) -> None:
    login(driver, platform, "paster")
    write(driver, "Pasted")
    driver.execute_script(
        "const body = document.getElementById('body'); body.focus();"
        "const dt = new DataTransfer(); dt.setData('text/plain', arguments[0]);"
        "const init = {clipboardData: dt, bubbles: true, cancelable: true};"
        "body.dispatchEvent(new ClipboardEvent('paste', init));",
        EMOJI_CJK,
    )
    confirm_publish(driver)
    published_id(driver)
    assert driver.execute_script("return document.getElementById('article-content').textContent") == EMOJI_CJK
    assert [a["content"] for a in articles(platform, "paster")] == [EMOJI_CJK]


@pytest.mark.browser
def test_script_written_body_is_not_published(platform: Platform, driver: webdriver.Chrome) -> None:
    login(driver, platform, "scripter")
    write(driver, "Injected")
    driver.execute_script("document.getElementById('body').innerHTML = '<p>Injected text</p>'")
    confirm_publish(driver)
    error = wait(driver).until(ec.visibility_of_element_located((By.ID, "error")))
    assert error.text == "The article body is empty."
    assert publish(platform, "scripter", "").status == 400
    # typed text stays the published text even if a script rewrites the DOM afterwards
    login(driver, platform, "scripter")
    write(driver, "Typed", "real words")
    driver.execute_script("document.getElementById('body').textContent = 'fake words'")
    confirm_publish(driver)
    published_id(driver)
    assert [a["content"] for a in articles(platform, "scripter")] == ["real words"]


@pytest.mark.browser
def test_client_side_validation_and_cancel(platform: Platform, driver: webdriver.Chrome) -> None:
    login(driver, platform, "validator")
    driver.find_element(By.ID, "publish").click()
    assert wait(driver).until(ec.visibility_of_element_located((By.ID, "error"))).text
    assert not driver.find_element(By.ID, "confirm").is_displayed()
    write(driver, "T", "B")
    driver.find_element(By.ID, "publish").click()
    wait(driver).until(ec.visibility_of_element_located((By.ID, "confirm")))
    assert not driver.find_elements(By.ID, "error")
    driver.find_element(By.ID, "cancel-publish").click()
    wait(driver).until(ec.invisibility_of_element_located((By.ID, "confirm")))
    assert articles(platform, "validator") == []


@pytest.mark.browser
def test_me_lists_only_own_articles_newest_first(platform: Platform, driver: webdriver.Chrome) -> None:
    with platform.db.write() as session:
        for author, title in (("me-a", "a1"), ("me-b", "b1"), ("me-a", "a2")):
            session.add(DemoArticle(author=author, title=title, content=f"{title} body\nline 2"))
    login(driver, platform, "me-a")
    driver.get(platform.base + "/demo/me")
    items = wait(driver).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "li.my-article")))
    assert [i.find_element(By.CLASS_NAME, "article-link").text for i in items] == ["a2", "a1"]
    ids = [a["id"] for a in articles(platform, "me-a")]
    assert [int(i.get_attribute("data-id")) for i in items] == ids[::-1]
    assert items[0].find_element(By.CLASS_NAME, "article-content").text == "a2 body\nline 2"
    assert http(platform, "GET", "/demo/me").headers["Location"].endswith("/demo/login?next=/demo/me")


def test_fail_and_delay_knobs_on_the_editor(platform: Platform) -> None:
    platform.knobs.update(fail_next=2)
    for _ in range(2):
        answer = http(platform, "GET", "/demo/write", "f")
        assert answer.status == 503
        assert answer.element_text("unavailable") == "The editor is temporarily unavailable"
    assert http(platform, "GET", "/demo/write", "f").status == 200
    assert http(platform, "POST", "/demo/api/knobs", raw='{"fail_rate": 1}').status == 200
    assert http(platform, "GET", "/demo/write", "f").status == 503
    platform.knobs.update(fail_rate=0.0, delay_ms=300)
    started = time.monotonic()
    assert http(platform, "GET", "/demo/write", "d").status == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.browser
def test_captcha_next_redirects_without_storing(platform: Platform, driver: webdriver.Chrome) -> None:
    platform.knobs.update(captcha_next=1)
    login(driver, platform, "captcha")
    write(driver, "Caught", "by risk control")
    confirm_publish(driver)
    box = wait(driver).until(ec.visibility_of_element_located((By.ID, "captcha")))
    assert "Verify that you are human" in box.text and driver.current_url.endswith("/demo/captcha")
    assert articles(platform, "captcha") == []
    assert publish(platform, "captcha", "c").status == 303
    assert len(articles(platform, "captcha")) == 1


def test_reject_drop_and_mangle(platform: Platform) -> None:
    platform.knobs.update(reject_next=1, drop_next=1, publish_hang_ms=200, mangle_next=1)
    answer = publish(platform, "rdm", "abc✅")
    assert answer.status == 422 and answer.element_text("error") == "The platform rejected this article"
    started = time.monotonic()
    assert publish(platform, "rdm", "abc✅").status == 502
    assert time.monotonic() - started >= 0.2
    assert articles(platform, "rdm") == []
    assert publish(platform, "rdm", "abc✅").status == 303
    assert publish(platform, "rdm", "abc✅").status == 303
    assert [a["content"] for a in articles(platform, "rdm")] == ["abc", "abc✅"]


def test_publish_hang_stores_before_answering(platform: Platform) -> None:
    platform.knobs.update(publish_hang_ms=1500)
    result: list[Answer] = []
    worker = threading.Thread(target=lambda: result.append(publish(platform, "hang", "stored first")))
    worker.start()
    stored = wait(platform, 5).until(lambda p: articles(p, "hang"))
    assert worker.is_alive(), "the article must exist while the publish is still hanging"
    worker.join(timeout=10)
    assert result[0].status == 303 and result[0].headers["Location"] == f"/demo/p/{stored[0]['id']}"


def test_me_unavailable_and_logout_all(platform: Platform) -> None:
    platform.knobs.update(me_unavailable=True)
    assert http(platform, "GET", "/demo/me", "x").status == 503
    platform.knobs.update(me_unavailable=False, logout_all=True)
    assert http(platform, "GET", "/demo/write", "x").headers["Location"].startswith("/demo/login")
    assert http(platform, "GET", "/demo/me", "x").status == 302
    assert publish(platform, "x", "c").status == 303
    assert articles(platform, "x") == []
    platform.knobs.update(logout_all=False)
    assert http(platform, "GET", "/demo/me", "x").status == 200


@pytest.mark.parametrize("bad", BAD_KNOBS)
def test_bad_knob_input_is_400(platform: Platform, bad: Any) -> None:
    before = http(platform, "GET", "/demo/api/knobs").text
    raw = bad if isinstance(bad, bytes) else json.dumps(bad).encode()
    assert http(platform, "POST", "/demo/api/knobs", raw=raw).status == 400
    assert http(platform, "GET", "/demo/api/knobs").text == before


def test_knobs_api_merge_reset_and_env_defaults(platform: Platform) -> None:
    answer = http(platform, "POST", "/demo/api/knobs", raw='{"fail_next": 3, "fail_rate": 0.5}')
    merged = json.loads(answer.text)
    assert merged["fail_next"] == 3 and merged["fail_rate"] == 0.5 and merged["delay_ms"] == 0
    assert json.loads(http(platform, "POST", "/demo/api/knobs/reset").text)["fail_next"] == 0
    knobs = DemoKnobs.from_env({"DEMO_DELAY_MS": "150", "DEMO_FAIL_RATE": "0.25"})
    knobs.update(delay_ms=5, captcha_next=10)
    assert knobs.reset()["delay_ms"] == 150 and knobs.as_dict()["fail_rate"] == 0.25
    with pytest.raises(ValueError):
        DemoKnobs.from_env({"DEMO_FAIL_RATE": "often"})
    knobs.update(fail_next=10)
    with ThreadPoolExecutor(max_workers=8) as pool:
        fired = list(pool.map(lambda _: knobs.take("fail_next"), range(40)))
    assert fired.count(True) == 10 and knobs.as_dict()["fail_next"] == 0


@pytest.mark.browser
def test_the_module_reads_a_publish_back_from_the_look_that_saw_it_settle(
    platform: Platform, driver: webdriver.Chrome
) -> None:
    demo = DemoPlatform(platform.base)
    demo.with_cookies(driver, [{"name": "demo_user", "value": "reader"}])
    assert demo.open_editor(driver) == "reader"
    demo.fill(driver, "Read back 读回", "Line one\n第二行 ✅")
    demo.submit(driver)
    published = demo.confirm(driver, 20)
    assert published.shown is not None
    assert tuple(map(normalize, published.shown)) == (normalize("Read back 读回"), normalize("Line one\n第二行 ✅"))

    looks: list[tuple[Any, ...]] = []
    real = driver.execute_script

    def counted(*args: Any) -> Any:
        looks.append(args)
        return real(*args)

    driver.execute_script = counted  # type: ignore[method-assign]
    try:
        assert demo.read_back(driver, published) == published.shown
        assert looks == []  # no second look at the page it was just read from
        # an article known only by its address (a reconciling lookup) is still looked at on the page
        assert demo.read_back(driver, Published(published.url, published.article_id)) == published.shown
        assert len(looks) == 1
    finally:
        del driver.execute_script
