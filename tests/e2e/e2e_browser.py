"""Headless Chromium for the UI tests and the screenshot script: Debian's browser and driver, never Selenium Manager."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from app.engine.browser_factory import BrowserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP = (1366, 768)
A11Y_SCRIPT = (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8")
PHONE = (375, 812)


def make_driver(profile: Path, size: tuple[int, int] = DESKTOP) -> webdriver.Chrome:
    """A headless Chromium with its own profile folder and the given window size."""
    # the product's own flags (headless, offline-friendly, --no-sandbox as root), then the test's
    options = BrowserFactory(profile.parent, CHROMIUM, CHROMEDRIVER).options(profile)
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.add_argument("--lang=en-US")  # the UI must still default to Chinese
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class UI:
    """A logged-in (or not) browser on the app at ``base``: small helpers that always wait with a timeout."""

    def __init__(self, driver: webdriver.Chrome, base: str) -> None:
        self.driver = driver
        self.base = base

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.wait(lambda: self.js("return document.readyState") == "complete", 15, f"{path} to load")

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, predicate: Callable[[], Any], timeout: float = 20, what: str = "a condition") -> Any:
        """Poll ``predicate`` (stale elements count as 'not yet') until truthy, else fail naming ``what``."""

        def check(_: Any) -> Any:
            try:
                return predicate()
            except StaleElementReferenceException:
                return False

        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            check, message=f"timed out after {timeout} s waiting for {what}"
        )

    def find(self, css: str) -> WebElement:
        return self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, css), 10, f"element {css}")

    def finds(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def texts(self, css: str) -> list[str]:
        """The visible text of every element ``css`` matches, read in one step (a live list may re-render
        between finding an element and reading it)."""
        return self.js("return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());", css)

    def text(self, css: str) -> str:
        return self.find(css).text

    def click(self, css: str) -> None:
        """Click like a person: the element scrolled to the middle, clear of the sticky top bar."""
        for attempt in range(3):
            try:
                element = self.find(css)
                self.js("arguments[0].scrollIntoView({block: 'center'});", element)
                element.click()
                return
            except StaleElementReferenceException:  # a live list re-rendered between find and click
                if attempt == 2:
                    raise

    def fill(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def fill_articles(self, articles: list[tuple[str, str]]) -> None:
        """Type ``(title, body)`` articles into the publish form, adding a row for each after the first."""
        for i, (title, body) in enumerate(articles):
            if i:
                self.click("#add-article")
            self.fill(f"#articles li:nth-child({i + 1}) .a-title", title)
            self.fill(f"#articles li:nth-child({i + 1}) .a-body", body)

    def login(self, username: str, password: str, view: str | None = "cards") -> None:
        """Log in through the form and wait for the page it leads to; the jobs page shows ``view``
        ("cards" or "table"; None: the page's own choice for the window's width)."""
        self.open("/login")
        if view:
            self.js("localStorage.setItem('examgen.jobsView', arguments[0])", view)
        else:
            self.js("localStorage.removeItem('examgen.jobsView')")
        self.fill("#username", username)
        self.fill("#password", password)
        self.find("#login-submit").click()
        self.wait(lambda: "/login" not in self.driver.current_url, 15, "the login to finish")

    def statuses(self, list_css: str = "#job-list") -> dict[str, str]:
        """Job id -> status of the rows the page shows in ``list_css``."""
        rows = self.js(
            "return Array.from(document.querySelectorAll(arguments[0] + ' li[data-id]'))"
            ".map(li => [li.dataset.id, li.dataset.status]);",
            list_css,
        )
        return dict(rows)

    def mark_page(self) -> None:
        """Set a marker on window: it only survives while the page is never reloaded."""
        self.js("window.__egMarker = 'same-page';")

    def same_page(self) -> bool:
        return self.js(
            "return window.__egMarker === 'same-page' && performance.getEntriesByType('navigation').length === 1;"
        )

    def stub_notifications(self) -> None:
        """Replace the Notification API with a recorder (headless Chromium shows none)."""
        self.js(
            """
            window.__notes = [];
            window.Notification = class {
              static permission = 'granted';
              static requestPermission() { return Promise.resolve('granted'); }
              constructor(title, opts) { window.__notes.push([title, (opts || {}).body]); }
            };"""
        )

    def fetch_bytes(self, url: str, count: int = 5) -> str:
        """The first ``count`` bytes of ``url`` fetched by the page (with its session cookie), as latin-1."""
        return self.driver.execute_async_script(
            """
            const [url, count, done] = arguments;
            fetch(url, {credentials: 'same-origin'})
              .then(r => r.arrayBuffer())
              .then(b => done(String.fromCharCode(...new Uint8Array(b).slice(0, count))))
              .catch(e => done('error: ' + e));""",
            url,
            count,
        )

    def a11y_problems(self) -> list[str]:
        """Form fields without a label, and visible text below WCAG AA contrast (4.5:1, 3:1 when large)."""
        return self.js(A11Y_SCRIPT)

    def no_horizontal_overflow(self) -> bool:
        return self.js("return document.documentElement.scrollWidth <= window.innerWidth + 1;")


def settle(seconds: float) -> None:
    """Let time pass on purpose (never to wait for something: use UI.wait for that)."""
    time.sleep(seconds)
