"""A fresh browser context per job: nothing of one job (page, cookies, storage of any origin,
HTTP cache, history, service workers, permissions) exists for the next one.

Chosen on measurements with Chromium 156 on the shared 2-core machine (load average 12–16, so
absolute figures are high; medians per job, all in the same runs): the old partial clear
(cookies + the current origin's storage) 219 ms; a full wipe (Network.clearBrowserCache,
clearBrowserCookies, Storage.clearDataForOrigin "all" per visited origin, about:blank,
Page.resetNavigationHistory) 596 ms, and it still misses origins nobody recorded; recycling the
browser 4 s; a context created on the spot 900 ms, but one created ahead of time (``prepare``,
on the ``browser-prep`` thread while the previous job runs) costs only the switch, first call and
dispose: 21 + 22 + 31 ms. That is latency; the CPU is still spent, off the job's path: a context's
renderer process makes a demo publish cost ~0.75 CPU-seconds against ~0.43 in one reused tab and
~0.46 in a kept context (quiet, one browser; 1.5 s before each context's omnibox-popup page was
turned off, see browser_factory.CHROME_FLAGS), so ``close(keep_for=...)`` keeps a context for the same
owner's next job, for up to ``BROWSER_KEPT_CONTEXTS`` owners per browser (least recently used
dropped first). A kept tab is not navigated to about:blank: that browser-initiated navigation swaps
the renderer process twice (to blank and back to the site), ~250 ms of CPU per job; the page it
keeps is marked instead, after the job (a navigation makes a new document, without the mark), so
evidence is still only ever of the job's own pages. Other Chromium flags tried against it (no site isolation,
jitless V8) changed nothing measurable. A context is isolation by construction: Chromium keeps each context's
cookies, storage, cache, service workers and permissions apart, and disposing it drops them all.

Browser contexts are a browser-level DevTools feature ("Not allowed" from a page session, which
is all chromedriver's execute_cdp_cmd reaches), so this module speaks to the browser target over
its own DevTools WebSocket (websocket-client, which Selenium itself depends on). Through a
Selenium Grid that socket is the hub's ``se:cdp`` relay to the same browser target, so a remote
browser gets the same per-job contexts.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import urllib.request
from collections import OrderedDict
from typing import Any

import websocket

log = logging.getLogger("examgen.browser")


# a variable of the page's own window: any navigation to another document drops it
_MARK_INHERITED = "window.__examgenInherited = true;"
_IS_INHERITED = "return window.__examgenInherited === true;"


def context_owner(user: str, lane: str, kind: str) -> str:
    """Whose jobs may share a kept context: one user's jobs on one account (or of one kind without one)."""
    return f"{user}|{lane or kind}"


class IsolationUnavailable(Exception):
    """The browser's DevTools endpoint cannot be reached (a remote WebDriver without ``se:cdp``, say)."""


class BrowserDevTools:
    """One DevTools connection to the browser target; calls are serialised by a lock."""

    def __init__(self, ws_url: str, timeout: float = 10.0) -> None:
        try:
            self._ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        except (OSError, ValueError, websocket.WebSocketException) as exc:
            raise IsolationUnavailable(f"no DevTools connection at {ws_url}: {exc}") from exc
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @classmethod
    def of(cls, driver: Any, remote: bool = False, timeout: float = 10.0) -> BrowserDevTools:
        """The browser-level connection of a WebDriver session.

        A Selenium Grid relays the browser target at ``se:cdp``; a local chromedriver names the
        browser's own DevTools address (which, on another machine, would not be ours to reach).
        """
        caps = getattr(driver, "capabilities", None) or {}
        if caps.get("se:cdp"):
            return cls(caps["se:cdp"], timeout)
        if remote:
            raise IsolationUnavailable("the remote WebDriver relays no DevTools connection (se:cdp)")
        address = caps.get("goog:chromeOptions", {}).get("debuggerAddress")
        if not address:
            raise IsolationUnavailable("the WebDriver reports no DevTools address")
        try:
            with urllib.request.urlopen(f"http://{address}/json/version", timeout=timeout) as r:
                ws_url = json.load(r)["webSocketDebuggerUrl"]
        except (OSError, ValueError, KeyError) as exc:
            raise IsolationUnavailable(f"no DevTools endpoint at {address}: {exc}") from exc
        return cls(ws_url, timeout)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events are not subscribed to)."""
        with self._lock:
            msg_id = next(self._ids)
            self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                answer = json.loads(self._ws.recv())
                if answer.get("id") == msg_id:
                    break
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error'].get('message')}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def close(self) -> None:
        """Close the connection (the browser itself is not affected)."""
        try:
            self._ws.close()
        except Exception:  # noqa: BLE001 - closing a dead socket
            pass


class JobContexts:
    """Opens a fresh context with one tab for a job, and disposes of it when the job ends.

    The driver's first tab (in the default context) is never given to a job: it stays blank,
    keeps the WebDriver session alive between jobs, and is where the driver waits once a job's
    context is disposed (after a kept one, the driver stays on the kept tab until the next job). The next
    job's context is created ahead of time (``prepare``, off the job's path): switching to a
    tab whose renderer already runs costs ~20 ms, creating one on the spot ~300 ms.
    """

    def __init__(self, driver: Any, devtools: BrowserDevTools, keep: int = 1) -> None:
        self.driver = driver
        self.devtools = devtools
        self.home = driver.current_window_handle
        self.context_id: str | None = None
        self._target: str | None = None  # the job's tab
        self._inherited = False  # the job began on a kept tab's page (marked, so a new page is told apart)
        self._spare: tuple[str, str] | None = None  # (context, tab) no job has touched yet
        # owner -> (context, tab), kept after a success for that owner's next job only, least recently
        # used first: a new context costs a renderer process, which on 2 cores is most of a publish's
        # CPU, and the fair queue alternates users, so one kept context would rarely be the one needed
        self._kept: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.keep = max(0, keep)
        self._spare_lock = threading.Lock()

    def _create(self) -> tuple[str, str]:
        context = self.devtools.call("Target.createBrowserContext", disposeOnDetach=False)["browserContextId"]
        # in the background: a tab brought to the front would push the running job's tab behind it,
        # where Chromium throttles its timers (a page waiting on setTimeout then crawls)
        target = self.devtools.call("Target.createTarget", url="about:blank", browserContextId=context, background=True)
        return context, target["targetId"]

    def prepare(self) -> None:
        """Create the next job's context and tab now, unless one is ready."""
        with self._spare_lock:
            if self._spare is None:
                self._spare = self._create()

    @property
    def kept_owners(self) -> frozenset[str]:
        """Whose contexts this browser keeps for their next job."""
        return frozenset(self._kept)

    def open(self, owner: str = "") -> None:
        """The job's context and tab, made the driver's current window: the one kept for ``owner``
        (same user and account, after a success), or else a new one. Other owners' kept contexts stay."""
        self.close()
        kept = self._kept.pop(owner, None) if owner else None
        if kept is not None:
            self.context_id, target = kept
        else:
            with self._spare_lock:  # waits for a prepare under way
                spare, self._spare = self._spare, None
            self.context_id, target = spare or self._create()
        self._target = target
        self.devtools.call("Target.activateTarget", targetId=target)  # the job's tab in front
        self.driver.switch_to.window(target)
        # a kept tab shows the page the owner's last job ended on, marked when it was kept: not this job's
        self._inherited = kept is not None

    def mark_kept_page(self) -> None:
        """Mark the page of the tab just kept (the driver's current window) as no later job's own.

        Called once the job has ended, before the browser is lent again (the browser's helper thread
        runs it while the next job is claimed), so the next job does not wait for it. A page that
        navigates on its own after this (a redirect) is unmarked; it is still the same owner's.
        """
        self.driver.execute_script(_MARK_INHERITED)

    def showing_own_page(self) -> bool:
        """The job's tab shows a page the job navigated to (not about:blank, not a kept tab's last page)."""
        if self.context_id is None:
            return False
        return not self._inherited or not self.driver.execute_script(_IS_INHERITED)

    def close(self, keep_for: str = "") -> None:
        """The job's context (and every tab in it) destroyed, the driver back on the blank home tab;
        or, with ``keep_for``, the context kept as it is for that owner's next job only (the least
        recently used kept context goes when more than ``keep`` are kept)."""
        if self.context_id is None:
            return
        keeping = bool(keep_for) and self.will_keep
        context, self.context_id = self.context_id, None
        target, self._target = self._target, None
        self._inherited = False
        if keeping and target is not None:
            # the page stays, and so does the driver (no switch to home: the next job switches to its own
            # tab anyway, and eviction below never drops the context just kept)
            self._kept[keep_for] = (context, target)
            self._kept.move_to_end(keep_for)
            while len(self._kept) > self.keep:
                _, (oldest, _tab) = self._kept.popitem(last=False)
                self.devtools.call("Target.disposeBrowserContext", browserContextId=oldest)
            return
        self.driver.switch_to.window(self.home)
        self.devtools.call("Target.disposeBrowserContext", browserContextId=context)

    @property
    def will_keep(self) -> bool:
        """``close(keep_for=...)`` would keep the job's context (so it calls nothing on the driver)."""
        return self.keep > 0 and self.context_id is not None and self._target is not None

    @property
    def is_open(self) -> bool:
        """A job's context is the driver's current window."""
        return self.context_id is not None
