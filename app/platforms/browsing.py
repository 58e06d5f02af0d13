"""Browser moves shared by platform modules: cookies, emoji-safe text entry, waiting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from app.errors import TransientFailure

# Page-side typing. insertText types into an input or contenteditable as one insertion; pasteText
# fires a paste event carrying text/plain (and text/html): editors such as Draft.js insert it
# themselves, and unlike send_keys it carries characters outside the BMP (emoji). Both return
# what the field then shows.
_TYPING = """
function insertText(el, text) {
  el.focus();
  if (el.select) el.select();
  document.execCommand('insertText', false, text);
  return el.value !== undefined ? el.value : el.innerText;
}
function pasteText(el, text, html) {
  el.focus();
  const dt = new DataTransfer();
  dt.setData('text/plain', text);
  if (html) dt.setData('text/html', html);
  el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
  return el.value !== undefined ? el.value : el.innerText;
}
"""
_INSERT_JS = _TYPING + "return insertText(arguments[0], arguments[1]);"
_PASTE_JS = _TYPING + "pasteText(arguments[0], arguments[1], arguments[2]);"
_FILL_JS = (
    _TYPING
    + """
return arguments[0].map(([css, text, how]) => {
  const el = document.querySelector(css);
  return el === null ? null : how === 'paste' ? pasteText(el, text, '') : insertText(el, text);
});
"""
)


def set_cookies(driver: Any, url: str, cookies: list[dict[str, Any]]) -> None:
    """Set cookies for ``url``'s site without visiting it first (one CDP call), or by visiting it."""
    host = urlparse(url).hostname or ""
    batch = []
    for c in cookies:
        if c.get("domain") and not same_site(c["domain"], host):
            continue  # a cookie of another site would be refused
        params: dict[str, Any] = {"name": c["name"], "value": c["value"], "url": url, "path": c.get("path") or "/"}
        if c.get("domain"):
            params["domain"] = c["domain"]
        for key in ("secure", "httpOnly", "sameSite", "expires"):
            if c.get(key) is not None:
                params[key] = c[key]
        if "expires" not in params and c.get("expiry") is not None:
            params["expires"] = c["expiry"]  # WebDriver's get_cookies() names it "expiry"
        batch.append(params)
    try:
        driver.execute_cdp_cmd("Network.setCookies", {"cookies": batch})
    except AttributeError:  # a remote driver without CDP: visit the site, then add them
        driver.get(url)
        for c in batch:
            driver.add_cookie({"name": c["name"], "value": c["value"], "path": c["path"]})


def merge_cookies(stored: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored cookies updated by the ones a platform rotated; cookies of other hosts are kept.

    A stored cookie without a domain (as pasted by a user) and the browser's copy of it with
    its domain are the same cookie: the fresh one replaces it, so no stale twin survives.
    """
    out = [dict(c) for c in stored]
    for f in fresh:
        f = {k: v for k, v in f.items() if v is not None}
        fd = (f.get("domain") or "").lstrip(".")
        for i, c in enumerate(out):
            cd = (c.get("domain") or "").lstrip(".")
            if c["name"] == f["name"] and (not cd or not fd or same_site(cd, fd) or same_site(fd, cd)):
                out[i] = f
                break
        else:
            out.append(f)
    return out


def same_site(domain: str, host: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (a cookie of ``domain`` applies)."""
    domain = domain.lstrip(".").lower()
    return host == domain or host.endswith("." + domain)


def insert_text(driver: Any, element: Any, text: str) -> str:
    """Type ``text`` into an input or contenteditable as one insertion; return what it shows."""
    return driver.execute_script(_INSERT_JS, element, text)


def paste_text(driver: Any, element: Any, text: str, html: str = "") -> None:
    """Paste ``text`` into an editor through a synthetic paste event."""
    driver.execute_script(_PASTE_JS, element, text, html)


def fill_fields(driver: Any, fields: list[tuple[str, str, str]]) -> list[str | None]:
    """Type into several fields in one WebDriver call: (CSS selector, text, "insert" or "paste") each.

    Returns what each field then shows (None where the page has no such field).
    """
    shown: list[str | None] = driver.execute_script(_FILL_JS, [list(f) for f in fields])
    return shown


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float, what: str) -> Any:
    """Wait for ``condition(driver)`` to be truthy, or fail transiently naming ``what``.

    A browser ended from outside (a cancel, a timeout) ends the wait at once: conditions treat a
    failed lookup as "not yet", which would otherwise poll a dead session until ``timeout``.
    """

    def unless_ended(d: Any) -> Any:
        if getattr(d, "ended", False):
            raise WebDriverException("the browser was ended while waiting for " + what)
        return condition(d)

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.02).until(unless_ended)
    except TimeoutException:
        raise TransientFailure("timeout", f"Timed out after {timeout:.0f} s waiting for {what}") from None


def page_path(driver: Any) -> str:
    """The path of the current page ("" when the browser cannot say)."""
    try:
        return urlparse(driver.current_url).path
    except WebDriverException:
        return ""


def normalize(text: str) -> str:
    """Text as compared between what was sent and what the platform shows."""
    text = unicodedata.normalize("NFC", text or "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()
