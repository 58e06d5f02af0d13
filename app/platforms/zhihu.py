"""Zhihu (知乎专栏): the column editor at ``/write``, driven like a person, checked through the site's own API."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote, urlparse

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from app.errors import JobFailure, PermanentFailure, TransientFailure
from app.platforms.base import Lookup, LookupResult, Pacing, Platform, Published
from app.platforms.browsing import insert_text, normalize, page_path, paste_text, same_site, set_cookies, wait_for
from app.platforms.matching import excerpt_of, same_body, same_title

_ARTICLE = re.compile(r"^/p/(\d+)$")  # /p/<id>/edit is a draft: never a success
_TITLE = 'textarea[placeholder*="请输入标题"]'
_BODY = ".public-DraftEditor-content"
_H1 = "h1.Post-Title"  # on a published article's page
_PUBLISH = "//button[normalize-space(.)='发布']"
_GONE = ("/signin", "/account/unhuman")  # logged out; risk control
_MAX_TITLE = 100
_MAX_PAGES = 25  # 500 articles, newest first: an article from a recent attempt is on the first page
_RECORD = "examgen.zhihu.publish"

# fetch() from inside the page, so the browser sends the account's cookies (and CORS applies) like
# the site's own scripts. The body comes back as raw text: ids above 2^53 must never become JS numbers.
_FETCH_JS = """
const url = arguments[0], done = arguments[arguments.length - 1];
const ctl = new AbortController(); setTimeout(() => ctl.abort(), 15000);
fetch(url, {credentials: 'include', signal: ctl.signal, headers: {accept: 'application/json'}})
  .then(r => r.text().then(body => done({status: r.status, body})))
  .catch(e => done({status: 0, body: String(e)}));
"""

# Records the raw answer of the publish API in sessionStorage before the page sees it: the page then
# navigates to the article, and sessionStorage (same origin, same tab) survives that navigation.
_HOOK_JS = """
const KEY = arguments[0];
sessionStorage.removeItem(KEY);
if (window.__examgenHooked) return;
window.__examgenHooked = true;
const keep = (url, status, body) => String(url).includes('/api/v4/content/publish')
  && sessionStorage.setItem(KEY, JSON.stringify({status, body}));
const origFetch = window.fetch;
window.fetch = async function (input) {
  const r = await origFetch.apply(this, arguments);
  try { keep(r.url || input, r.status, await r.clone().text()); } catch (e) {}
  return r;
};
const origOpen = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (method, url) {
  this.addEventListener('readystatechange', () => { try { if (this.readyState === 4) keep(url, this.status,
    ['', 'text'].includes(this.responseType) ? this.responseText : JSON.stringify(this.response)); } catch (e) {} });
  return origOpen.apply(this, arguments);
};
"""

# window.__lastPublish: pages that expose their own answer (the test replica does; Zhihu does not)
_RECORD_JS = """const v = window.__lastPublish; return sessionStorage.getItem(arguments[0])
  || (v ? JSON.stringify({status: 200, body: typeof v === 'string' ? v : JSON.stringify(v)}) : null);"""


class ZhihuPlatform(Platform):
    """Zhihu columns: editor on ``base_url`` (zhuanlan.zhihu.com), JSON API on ``api_url`` (www.zhihu.com)."""

    name = "zhihu"
    label = "知乎专栏"

    def __init__(self, base_url: str, api_url: str, min_interval: float = 30, wait_timeout: float = 20) -> None:
        self.base = base_url.rstrip("/")
        self.api = api_url.rstrip("/")
        self.cookie_url = self.base + "/"
        self.wait_timeout = wait_timeout
        # public code reports that bursts get accounts flagged: pace per account, long cool-down on captcha
        self.pacing = Pacing(
            concurrency=1, min_interval=min_interval, jitter=min_interval / 2, cooldown=1800, typical_seconds=15
        )

    def with_cookies(self, driver: Any, cookies: list[dict[str, Any]]) -> None:
        """Set the cookies for the editor's host and the API's host (they differ on the real site)."""
        for url in dict.fromkeys((self.base + "/", self.api + "/")):
            host = urlparse(url).hostname or ""
            local = not same_site("zhihu.com", host)  # a replica or proxy: exported .zhihu.com cookies apply here
            fitted = []
            for cookie in cookies:
                c = dict(cookie)
                if local:
                    c.pop("domain", None)  # host-only on each configured host (a domain cookie on an IP is refused)
                    if url.startswith("http://"):
                        c.pop("secure", None)  # Chrome refuses Secure cookies on plain http
                        if c.get("sameSite") == "None":
                            c.pop("sameSite")  # SameSite=None requires Secure
                elif c.get("domain") and not same_site(c["domain"], host):
                    continue  # e.g. a host-only cookie of zhuanlan.zhihu.com, not meant for www
                fitted.append(c)
            set_cookies(driver, url, fitted)

    def open_editor(self, driver: Any) -> str:
        """Open ``/write``; the identity is the ``url_token`` of ``/api/v4/me`` (stable, unlike the name)."""
        driver.get(self.base + "/write")

        def ready(d: Any) -> bool:
            return page_path(d).startswith(_GONE) or bool(d.find_elements(By.CSS_SELECTOR, _TITLE))

        wait_for(driver, ready, self.wait_timeout, "the Zhihu editor")
        _raise_for_path(page_path(driver))
        me = self._api_json(driver, "/api/v4/me")
        if not (token := me.get("url_token")):
            raise TransientFailure("platform_error", "Zhihu's /api/v4/me answered without a url_token")
        return str(token)

    def fill(self, driver: Any, title: str, content: str) -> None:
        """Title by one text insertion, body by a paste event that the Draft.js editor handles itself."""
        if len(title) > _MAX_TITLE:  # checked before typing: the editor would cut it silently
            raise PermanentFailure("title_too_long", f"Zhihu titles have at most {_MAX_TITLE} characters")
        title_el, body_el = (driver.find_elements(By.CSS_SELECTOR, css) for css in (_TITLE, _BODY))
        if not (title_el and body_el):
            raise TransientFailure("editor_error", "The Zhihu editor has no title field or body: the page changed")
        shown = insert_text(driver, title_el[0], title)
        if normalize(shown) != normalize(title):
            raise TransientFailure("editor_error", "The Zhihu title field did not take the title")
        paste_text(driver, body_el[0], content, _paragraphs_html(content))
        want = normalize(content)
        try:  # Draft.js re-renders from its own state after the paste: wait for it
            wait_for(driver, lambda d: normalize(d.find_element(By.CSS_SELECTOR, _BODY).text) == want, 5, "the body")
        except TransientFailure:
            raise TransientFailure("editor_error", "The Zhihu editor did not take the article body") from None

    def submit(self, driver: Any) -> None:
        """Click 发布, then the 发布 of the settings panel that it opens (buttons found by their text)."""
        driver.execute_script(_HOOK_JS, _RECORD)
        trigger = wait_for(driver, lambda d: _visible(d), self.wait_timeout, "the 发布 button")[0]
        trigger.click()  # a native click: pages may ignore untrusted (script) clicks
        panel = wait_for(driver, lambda d: [b for b in _visible(d) if b != trigger], self.wait_timeout, "the panel")
        panel[0].click()

    def confirm(self, driver: Any, timeout: float) -> Published:
        """Success is ``/p/<digits>`` showing its title and, when observable, the API's ``code == 0`` for that id."""

        def settled(d: Any) -> tuple[str, Any] | None:
            path = page_path(d)
            if path.startswith(_GONE):
                return ("path", path)
            try:  # the page may be navigating away under us: look again at the next poll
                answer = _publish_answer(d)
                if answer is not None and answer[0] != 0:
                    return ("answer", answer)
                m = _ARTICLE.match(path)
                if m and any(h.text.strip() for h in d.find_elements(By.CSS_SELECTOR, _H1)):
                    return ("article", (m.group(1), answer))
            except WebDriverException:
                pass
            return None

        try:
            kind, value = wait_for(driver, settled, timeout, "the published Zhihu article")
        except TransientFailure:
            if re.match(r"^/p/\d+/edit$", page_path(driver)):
                raise TransientFailure("timeout", "Zhihu kept the article as a draft: it was not published") from None
            raise
        if kind == "path":
            _raise_for_path(value)
        if kind == "answer":
            _raise_for_answer(value[0], value[1])
        article_id, answer = value
        if answer is not None and answer[2] and answer[2] != article_id:
            raise TransientFailure("platform_error", f"Zhihu published {answer[2]} but showed {article_id}")
        return Published(url=f"{self.base}/p/{article_id}", article_id=article_id)

    def read_back(self, driver: Any, published: Published) -> tuple[str, str]:
        """The title and body text of the article page."""
        if page_path(driver) != f"/p/{published.article_id}":
            driver.get(f"{self.base}/p/{published.article_id}")
        title = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, _H1), self.wait_timeout, "the article")
        body = driver.find_elements(By.CSS_SELECTOR, ".Post-RichText, .RichText")
        return title[0].text, body[0].text if body else ""

    def find(self, driver: Any, title: str, content: str) -> LookupResult:
        """Search the member's own articles (newest first) through the API; any doubt is UNKNOWN."""
        want = title, content
        unsure = False
        try:
            if not str(driver.current_url).startswith(self.base + "/"):
                driver.get(self.base + "/write")  # fetch from the site's own origin, with its cookies
            token = quote(str(self._api_json(driver, "/api/v4/me")["url_token"]), safe="")
            for page in range(_MAX_PAGES):
                answer = self._api_json(driver, f"/api/v4/members/{token}/articles?limit=20&offset={page * 20}")
                for item in answer["data"]:
                    verdict = _same_article(item, *want)
                    if verdict:
                        article_id = str(item["id"])  # parsed by Python: exact even if sent as a number
                        return LookupResult(Lookup.FOUND, Published(f"{self.base}/p/{article_id}", article_id))
                    unsure = unsure or verdict is None
                if answer.get("paging", {}).get("is_end", True) or not answer["data"]:
                    if unsure:
                        return LookupResult(Lookup.UNKNOWN, reason="an article of this title shows no text to compare")
                    return LookupResult(Lookup.ABSENT)
        except (JobFailure, WebDriverException, KeyError, TypeError, AttributeError) as exc:
            why = getattr(exc, "message", None) or getattr(exc, "msg", None) or repr(exc)
            return LookupResult(Lookup.UNKNOWN, reason=f"Zhihu's article list could not be read: {why}")
        return LookupResult(Lookup.UNKNOWN, reason=f"more than {_MAX_PAGES * 20} articles: the list was not read fully")

    def _api_json(self, driver: Any, path: str) -> Any:
        """GET an API path from inside the page; login and risk answers become permanent failures."""
        answer = driver.execute_async_script(_FETCH_JS, self.api + path) or {}
        status, body = int(answer.get("status") or 0), str(answer.get("body") or "")
        if status == 0:
            raise TransientFailure("network", f"Zhihu's API could not be reached: {body[:200]}")
        parsed = _loads(body)
        if status != 200:
            code, message, _ = _code_of(status, parsed)
            _raise_for_answer(40353 if status == 401 else code, message)  # 401 is "log in" whatever the code
        if not isinstance(parsed, dict):
            raise TransientFailure("platform_error", f"Zhihu's API answered {path.split('?')[0]} with no JSON object")
        return parsed


def _raise_for_path(path: str) -> None:
    if path.startswith("/signin"):
        raise PermanentFailure("not_logged_in", "The Zhihu account is not logged in: its cookies expired")
    if path.startswith("/account/unhuman"):
        raise PermanentFailure("captcha", "Zhihu's risk control asks to verify that you are human")


def _raise_for_answer(code: int, message: str) -> None:
    """Classify a non-zero answer of Zhihu's API (HTTP 200 with ``code`` is how it reports failures)."""
    if code == 40352:
        raise PermanentFailure("captcha", f"Zhihu's risk control asks to verify that you are human ({message})")
    if code in (401, 40353, 100):
        raise PermanentFailure("not_logged_in", f"The Zhihu account is not logged in ({message})")
    if 40000 <= code < 50000:
        raise PermanentFailure("content_rejected", message or f"Zhihu rejected the article (code {code})")
    raise TransientFailure("platform_error", f"Zhihu answered code {code}: {message}")


def _publish_answer(driver: Any) -> tuple[int, str, str | None] | None:
    """(code, message, article id) of the recorded publish API answer, or None when none was seen."""
    raw = driver.execute_script(_RECORD_JS, _RECORD)
    if not raw:
        return None
    record = _loads(raw) or {}
    return _code_of(int(record.get("status") or 0), _loads(str(record.get("body") or "")))


def _code_of(status: int, body: Any) -> tuple[int, str, str | None]:
    """(code, message, id) of an API answer: ``{"code", "message", "data"}`` or ``{"error": {...}}``."""
    body = body if isinstance(body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = body.get("code", error.get("code"))
    if not isinstance(code, int):
        code = 0 if status == 200 and body else (status or -1)
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    result = _loads(data["result"]) if isinstance(data.get("result"), str) else data.get("result")
    publish = result.get("publish") if isinstance(result, dict) else None
    found = publish.get("id") if isinstance(publish, dict) else data.get("id")
    return code, str(body.get("message") or error.get("message") or ""), str(found) if found is not None else None


def _same_article(item: dict[str, Any], title: str, body: str) -> bool | None:
    """True/False for a list item; None when the title matches but the text cannot settle it."""
    if not same_title(title, str(item.get("title", ""))):
        return False
    content = _plain(item.get("content") or "")
    if content:
        return same_body(body, content)
    raw = str(item.get("excerpt") or "")  # plain text or HTML: unverified, so try both readings
    excerpts = {e.rstrip("…. ") for e in (normalize(raw), _plain(raw))} - {""}
    # only an excerpt that differs (or none): Zhihu may have reworded it, so never guess "absent"
    return True if any(excerpt_of(body, e) for e in excerpts) else None


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def _plain(markup: str) -> str:
    """Text of an HTML fragment, blocks separated by spaces, normalized."""
    spaced = re.sub(r"(?i)<br\s*/?>|</(p|div|h\d|li|blockquote|pre)>", " ", str(markup))
    return normalize(html.unescape(re.sub(r"<[^>]+>", "", spaced)))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _visible(driver: Any) -> list[Any]:
    """The 发布 buttons a person could click now, in page order."""
    try:
        return [el for el in driver.find_elements(By.XPATH, _PUBLISH) if el.is_displayed() and el.is_enabled()]
    except WebDriverException:  # re-rendered while we looked
        return []
