"""No job sees, captures or inherits anything of an earlier job on a shared browser (real Chromium)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdf_factory
import pytest
from support import LiveServer, article

from app.engine.browser_factory import BrowserFactory
from app.engine.evidence import capture_evidence, evidence_dir
from app.engine.pool import DriverPool

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def upload_pdf(server: LiveServer, token: str, data: bytes) -> str:
    body, ctype = pdf_factory.multipart({"questions": "10"}, {"file": ("course.pdf", data)})
    status, payload, _ = server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    assert status == 202, payload
    return payload["job_id"]


@pytest.mark.server(max_concurrent_jobs=1, driver_pool_size=1)
def test_a_user_never_gets_evidence_of_another_users_page(live_server: LiveServer, tmp_path: Path) -> None:
    alice = live_server.make_user("alice")
    bob = live_server.make_user("bob")
    secret = {"title": "Alice's private draft", "content": "alice-only text: the exam answers are 42"}
    (published,) = live_server.publish(alice, [secret])
    assert live_server.wait_final(alice, [published])[published]["status"] == "success"
    assert live_server.engine.server.snapshot().pool.created == 1  # one browser: Bob gets Alice's

    # a failure before the browser is used: nothing to capture, and above all not Alice's page
    short = pdf_factory.sparse_course_pdf(tmp_path / "short.pdf").read_bytes()  # past the upload check
    early = upload_pdf(live_server, bob, short)
    job = live_server.wait_final(bob, [early])[early]
    assert (job["status"], job["error_code"]) == ("failed", "not_enough_text")
    assert job["has_screenshot"] is False and job["error_page_url"] is None
    assert live_server.call("GET", f"/api/jobs/{early}/screenshot", token=bob)[0] == 404
    assert not evidence_dir(live_server.config.instance_path, early).exists()

    # a failure after navigation: evidence of Bob's own page only
    live_server.knobs(reject_next=1)
    (late,) = live_server.publish(bob, [article("[bob]", 0)])
    job = live_server.wait_final(bob, [late])[late]
    assert (job["status"], job["error_code"]) == ("failed", "content_rejected")
    assert job["has_screenshot"] and "/demo/publish" in job["error_page_url"]
    html = next(evidence_dir(live_server.config.instance_path, late).glob("*.html")).read_text()
    assert "Signed in as bob" in html or "bob" in html
    assert "alice" not in html.lower() and secret["content"] not in html
    assert live_server.engine.server.snapshot().pool.created == 1  # still the one shared browser


class TwoOrigins(http.server.BaseHTTPRequestHandler):
    """A page that stores something everywhere a site can, and a cacheable script that counts its fetches."""

    script_fetches = 0
    PAGE = b"""<!doctype html><title>store</title><script src="/cached.js"></script><script>
    window.stored = new Promise(done => {
      localStorage.setItem('k', 'secret'); sessionStorage.setItem('k', 'secret');
      document.cookie = 'c=secret; max-age=3600';
      const req = indexedDB.open('secrets', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('s');
      req.onsuccess = () => { req.result.close(); done(true); };
    });
    </script>"""

    def do_GET(self) -> None:
        if self.path == "/cached.js":
            TwoOrigins.script_fetches += 1
            body, ctype, extra = b"window.cachedLoaded = true;", "text/javascript", {"Cache-Control": "max-age=3600"}
        elif self.path == "/probe":  # stores nothing itself
            body, ctype, extra = (
                b'<!doctype html><title>probe</title><script src="/cached.js"></script>',
                "text/html",
                {},
            )
        else:
            body, ctype, extra = self.PAGE, "text/html", {}
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TwoOrigins)
    thread = threading.Thread(target=server.serve_forever, name="test-site", daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    thread.join(5)


LEFTOVERS_JS = """
const done = arguments[arguments.length - 1];
const dbs = indexedDB.databases ? indexedDB.databases() : Promise.resolve([]);
dbs.then(list => done({local: localStorage.getItem('k'), session: sessionStorage.getItem('k'),
                       cookie: document.cookie, idb: list.map(d => d.name), history: history.length}));
"""


def test_storage_of_every_origin_and_the_http_cache_do_not_reach_the_next_job(tmp_path: Path, site: int) -> None:
    origins = [f"http://127.0.0.1:{site}/", f"http://localhost:{site}/"]
    factory = BrowserFactory(tmp_path / "browsers", "/usr/bin/chromium", "/usr/bin/chromedriver")
    pool = DriverPool(factory.create, size=1)
    try:
        first = pool.acquire()
        for url in origins:
            first.driver.get(url)
            first.driver.execute_async_script("window.stored.then(arguments[arguments.length - 1]);")
            seen = first.driver.execute_async_script(LEFTOVERS_JS)
            assert seen["local"] == "secret" and "secrets" in seen["idb"] and "c=secret" in seen["cookie"]
        fetched = TwoOrigins.script_fetches
        first.driver.get(origins[0])  # the script now comes from the HTTP cache
        assert TwoOrigins.script_fetches == fetched
        pool.release(first)

        second = pool.acquire()
        assert second is first  # the very same Chromium
        assert second.driver.current_url == "about:blank"  # no page of the earlier job
        assert second.driver.execute_script("return history.length") == 1  # and no history
        assert capture_evidence(second, tmp_path, "next-job", 1) is None  # nothing to capture
        assert not any(c["name"] == "c" for c in second.driver.execute_cdp_cmd("Storage.getCookies", {})["cookies"])
        fetched = TwoOrigins.script_fetches
        for url in origins:
            second.driver.get(url + "probe")
            seen = second.driver.execute_async_script(LEFTOVERS_JS)
            assert {k: v for k, v in seen.items() if k != "history"} == {
                "local": None,
                "session": None,
                "cookie": "",
                "idb": [],
            }, url
        assert TwoOrigins.script_fetches == fetched + 2  # fetched again on both origins: no cache left
        pool.release(second)
    finally:
        pool.close()


def test_a_context_is_kept_only_for_the_same_owners_next_job(tmp_path: Path, site: int) -> None:
    """After a success, the next job of the same user and account may reuse the context (no new
    renderer), even after other owners' jobs ran on the browser, for up to ``keep`` owners (least
    recently used dropped first); any other job, or any job after a failure, gets a fresh one."""
    page = f"http://127.0.0.1:{site}/"
    factory = BrowserFactory(tmp_path / "browsers", "/usr/bin/chromium", "/usr/bin/chromedriver", kept_contexts=2)
    pool = DriverPool(factory.create, size=1)

    def stored(browser: Any) -> str | None:
        browser.driver.get(page + "probe")
        return browser.driver.execute_async_script(LEFTOVERS_JS)["local"]

    def store_and_keep(owner: str) -> Any:
        browser = pool.acquire(owner=owner)
        browser.driver.get(page)
        browser.driver.execute_async_script("window.stored.then(arguments[arguments.length - 1]);")
        pool.release(browser, keep_for=owner)
        return browser

    alice, bob, carol = "alice|alice/demo/1", "bob|bob/demo/2", "carol|carol/demo/4"
    try:
        first = store_and_keep(alice)
        assert first.kept_owners == {alice}

        again = pool.acquire(owner=alice)
        assert again is first and again.driver.current_url == page  # the page the last job left
        assert capture_evidence(again, tmp_path, "alice-next", 1) is None  # not this job's: not evidence
        again.driver.get(page + "own")
        assert capture_evidence(again, tmp_path, "alice-next", 1)["url"] == page + "own"
        assert stored(again) == "secret"  # alice's own storage: the same context
        pool.release(again)  # a failure, say: nothing kept
        assert first.kept_owners == set()

        fresh = pool.acquire(owner=bob)
        assert fresh is first and stored(fresh) is None  # a fresh context for anybody else
        pool.release(fresh)
        store_and_keep(alice)
        store_and_keep(bob)
        assert first.kept_owners == {alice, bob}

        other_account = pool.acquire(owner="bob|bob/demo/3")
        assert stored(other_account) is None  # another account of the same user: fresh too
        pool.release(other_account)
        back = pool.acquire(owner=alice)  # bob's job in between: alice's context waited all the same
        assert back.driver.current_url == page
        assert capture_evidence(back, tmp_path, "alice-later", 1) is None  # still marked as not this job's
        assert stored(back) == "secret"
        pool.release(back, keep_for=alice)

        store_and_keep(carol)  # a third owner: bob's, the least recently used, goes
        assert first.kept_owners == {alice, carol}
        gone = pool.acquire(owner=bob)
        assert stored(gone) is None
        pool.release(gone)
    finally:
        pool.close()


def test_a_browser_runs_no_page_nobody_asked_for(tmp_path: Path, site: int) -> None:
    """Each context is one renderer process for the job's own page: no New Tab Page on the home tab,
    no omnibox-popup WebUI page per context (headless Chromium builds one unless told not to)."""
    factory = BrowserFactory(tmp_path / "browsers", "/usr/bin/chromium", "/usr/bin/chromedriver", kept_contexts=2)
    pool = DriverPool(factory.create, size=1)
    try:
        for owner in ("alice|alice/demo/1", "bob|bob/demo/2"):
            browser = pool.acquire(owner=owner)
            browser.driver.get(f"http://127.0.0.1:{site}/")
            pool.release(browser, keep_for=owner)
        assert browser.contexts is not None
        browser.contexts.prepare()
        targets = browser.contexts.devtools.call("Target.getTargets")["targetInfos"]
        pages = sorted(t["url"] for t in targets if t["type"] == "page")
        # the blank home tab, the spare context's blank tab, and the two kept owners' pages
        assert pages == ["about:blank", "about:blank", f"http://127.0.0.1:{site}/", f"http://127.0.0.1:{site}/"]
        assert [t["url"] for t in targets if t["type"] != "page"] == []  # no browser_ui page of any context
    finally:
        pool.close()
