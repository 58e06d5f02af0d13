"""The built-in demo platform, driven like a person would: the reference platform module."""

from __future__ import annotations

import re
from typing import Any

from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By

from app.errors import PermanentFailure, TransientFailure
from app.platforms.base import Lookup, LookupResult, Pacing, Platform, Published
from app.platforms.browsing import fill_fields, normalize, page_path, wait_for
from app.platforms.matching import same_article

_ARTICLE_PATH = re.compile(r"^/demo/p/(\d+)$")

# One WebDriver call per look at a page: each call is a round trip through chromedriver and the
# renderer, and on a busy 2-core machine those add up to a good part of a publish.
_EDITOR_JS = """
const who = document.querySelector('#whoami');
return [location.pathname, document.querySelector('#unavailable') !== null, who && who.innerText];
"""
_CONFIRM_BUTTON_JS = """
const el = document.querySelector('#confirm-publish');
return el !== null && el.getClientRects().length > 0 && !el.disabled ? el : null;
"""
# an article page's title and body, once the page is parsed whole (a long body may still be arriving)
_SHOWN_JS = """
const title = document.getElementById('article-title'), content = document.getElementById('article-content');
const parsed = document.readyState !== 'loading';
const shown = parsed && title && content ? [title.innerText, content.innerText] : null;
"""
# settled: a page of the platform's (it has a heading), or any other answer loaded whole (a proxy's or
# a server's bare error body has none, and must not be waited on until the confirm timeout)
_SETTLED_JS = (
    _SHOWN_JS
    + """
const error = document.querySelector('#error');
const whole = document.querySelector('h1') !== null || document.readyState === 'complete';
return [location.pathname, error && error.innerText, whole, shown];
"""
)
_ARTICLE_JS = _SHOWN_JS + "return location.pathname === arguments[0] ? shown : null;"
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
    renews_cookies = False  # its one cookie is set at sign-in and never changes

    def __init__(self, server_url: str, wait_timeout: float = 20, delay_ms: int = 0) -> None:
        self.base = server_url.rstrip("/") + "/demo"
        # no per-account limit beyond the server's; a publish loads the editor and posts: two delays
        self.pacing = Pacing(concurrency=0, min_interval=0, jitter=0, cooldown=60, typical_seconds=1.5 + delay_ms / 500)
        self.cookie_url = self.base + "/"
        self.wait_timeout = wait_timeout

    def open_editor(self, driver: Any) -> str:
        driver.get(self.base + "/write")

        def shown(d: Any) -> tuple[str, bool, str | None] | None:
            path, unavailable, who = d.execute_script(_EDITOR_JS)
            return (path, unavailable, who) if path == "/demo/login" or unavailable or who is not None else None

        path, unavailable, who = wait_for(driver, shown, self.wait_timeout, "the demo editor")
        if path == "/demo/login":
            raise PermanentFailure("not_logged_in", "The demo account is not logged in: its cookies expired")
        if unavailable:
            raise TransientFailure("platform_unavailable", "The demo editor is temporarily unavailable")
        return str(who).strip()

    def fill(self, driver: Any, title: str, content: str) -> None:
        shown_title, shown_body = fill_fields(driver, [("#title", title, "insert"), ("#body", content, "paste")])
        if shown_title is None or normalize(shown_title) != normalize(title):
            raise TransientFailure("editor_error", "The title field did not take the title")
        if shown_body is None or normalize(shown_body) != normalize(content):
            raise TransientFailure("editor_error", "The editor did not take the article body")

    def submit(self, driver: Any) -> None:
        driver.find_element(By.ID, "publish").click()
        button = wait_for(driver, lambda d: d.execute_script(_CONFIRM_BUTTON_JS), self.wait_timeout, "the confirm step")
        button.click()

    def confirm(self, driver: Any, timeout: float) -> Published:
        def settled(d: Any) -> tuple[str, str | None, list[str] | None] | None:
            try:
                path, error, whole, shown = d.execute_script(_SETTLED_JS)
            except WebDriverException:
                return None  # the page is being replaced by the next one
            if _ARTICLE_PATH.match(path) or path in ("/demo/captcha", "/demo/login"):
                return path, error, shown
            if path == "/demo/publish" and (error is not None or whole):
                return path, error, shown
            return None

        path, error, shown = wait_for(driver, settled, timeout, "the published article page")
        if m := _ARTICLE_PATH.match(path):
            return Published(
                url=self.base + f"/p/{m.group(1)}",
                article_id=m.group(1),
                shown=(shown[0], shown[1]) if shown else None,
            )
        if path == "/demo/captcha":
            raise PermanentFailure("captcha", "The platform asked to verify that you are human")
        if path == "/demo/login":
            raise PermanentFailure("not_logged_in", "The demo account was logged out while publishing")
        if error is not None and "rejected" in error.lower():
            raise PermanentFailure("content_rejected", error.strip())
        raise TransientFailure("platform_error", "The platform answered the publish with an error page")

    def read_back(self, driver: Any, published: Published) -> tuple[str, str]:
        if published.shown is not None:
            return published.shown  # read from the article's page in the look that saw the publish settle
        path = f"/demo/p/{published.article_id}"
        shown = driver.execute_script(_ARTICLE_JS, path)
        if shown is None:
            driver.get(published.url)
            shown = wait_for(driver, lambda d: d.execute_script(_ARTICLE_JS, path), self.wait_timeout, "the article")
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
