"""The built-in demo platform, driven like a person would: the reference platform module."""

from __future__ import annotations

import re
from typing import Any

from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By

from app.errors import PermanentFailure, TransientFailure
from app.platforms.base import Lookup, LookupResult, Pacing, Platform, Published
from app.platforms.browsing import insert_text, normalize, page_path, paste_text, wait_for
from app.platforms.matching import same_article

_ARTICLE_PATH = re.compile(r"^/demo/p/(\d+)$")

_MY_ARTICLES_JS = """
return Array.from(document.querySelectorAll('#my-articles .my-article')).map(li => ({
  id: li.dataset.id,
  href: li.querySelector('.article-link').href,
  title: li.querySelector('.article-link').textContent,
  content: li.querySelector('.article-content').textContent,
}));
"""


class DemoPlatform(Platform):
    """examgen's own stand-in platform, mounted at ``/demo`` of this server."""

    name = "demo"
    label = "Demo platform"
    pacing = Pacing(concurrency=0, min_interval=0, jitter=0, cooldown=60)

    def __init__(self, server_url: str, wait_timeout: float = 20, delay_ms: int = 0) -> None:
        self.base = server_url.rstrip("/") + "/demo"
        # no per-account limit beyond the server's; a publish loads the editor and posts: two delays
        self.pacing = Pacing(concurrency=0, min_interval=0, jitter=0, cooldown=60, typical_seconds=1.5 + delay_ms / 500)
        self.cookie_url = self.base + "/"
        self.wait_timeout = wait_timeout

    def open_editor(self, driver: Any) -> str:
        driver.get(self.base + "/write")
        path = page_path(driver)
        if path == "/demo/login":
            raise PermanentFailure("not_logged_in", "The demo account is not logged in: its cookies expired")
        if _find(driver, "#unavailable") is not None:
            raise TransientFailure("platform_unavailable", "The demo editor is temporarily unavailable")
        who = wait_for(driver, lambda d: _find(d, "#whoami"), self.wait_timeout, "the demo editor")
        return who.text.strip()

    def fill(self, driver: Any, title: str, content: str) -> None:
        title_el = driver.find_element(By.ID, "title")
        shown = insert_text(driver, title_el, title)
        if normalize(shown) != normalize(title):
            raise TransientFailure("editor_error", "The title field did not take the title")
        body = driver.find_element(By.ID, "body")
        paste_text(driver, body, content)
        if normalize(body.text) != normalize(content):
            raise TransientFailure("editor_error", "The editor did not take the article body")

    def submit(self, driver: Any) -> None:
        driver.find_element(By.ID, "publish").click()
        button = wait_for(
            driver,
            lambda d: (el := _find(d, "#confirm-publish")) is not None and el.is_displayed() and el,
            self.wait_timeout,
            "the confirm step",
        )
        button.click()

    def confirm(self, driver: Any, timeout: float) -> Published:
        def settled(d: Any) -> str | None:
            path = page_path(d)
            if _ARTICLE_PATH.match(path) or path in ("/demo/captcha", "/demo/login"):
                return path
            if path == "/demo/publish" and (_find(d, "#error") or _find(d, "h1")):
                return path
            return None

        path = wait_for(driver, settled, timeout, "the published article page")
        if m := _ARTICLE_PATH.match(path):
            return Published(url=self.base + f"/p/{m.group(1)}", article_id=m.group(1))
        if path == "/demo/captcha":
            raise PermanentFailure("captcha", "The platform asked to verify that you are human")
        if path == "/demo/login":
            raise PermanentFailure("not_logged_in", "The demo account was logged out while publishing")
        error = _find(driver, "#error")
        if error is not None and "rejected" in error.text.lower():
            raise PermanentFailure("content_rejected", error.text.strip())
        raise TransientFailure("platform_error", "The platform answered the publish with an error page")

    def read_back(self, driver: Any, published: Published) -> tuple[str, str]:
        if page_path(driver) != f"/demo/p/{published.article_id}":
            driver.get(published.url)
        wait_for(driver, lambda d: _find(d, "#article-title"), self.wait_timeout, "the article")
        shown = driver.execute_script(
            "return [document.getElementById('article-title').innerText,"
            " document.getElementById('article-content').innerText];"
        )
        return shown[0], shown[1]

    def find(self, driver: Any, title: str, content: str) -> LookupResult:
        try:
            driver.get(self.base + "/me")
        except WebDriverException as exc:
            return LookupResult(Lookup.UNKNOWN, reason=f"the article list did not load: {exc.msg}")
        if page_path(driver) != "/demo/me" or _find(driver, "#my-articles") is None:
            return LookupResult(Lookup.UNKNOWN, reason="the account's article list could not be read")
        for item in driver.execute_script(_MY_ARTICLES_JS):
            if same_article(title, content, item["title"], item["content"]):
                return LookupResult(Lookup.FOUND, Published(url=item["href"], article_id=str(item["id"])))
        return LookupResult(Lookup.ABSENT)


def _find(driver: Any, css: str) -> Any:
    try:
        return driver.find_element(By.CSS_SELECTOR, css)
    except (NoSuchElementException, WebDriverException):
        return None
