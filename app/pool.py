"""The WebDriver pool: lend warm browsers, check them, recycle, reap and replace them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.browser import Browser

log = logging.getLogger("examgen.pool")


class PoolTimeout(Exception):
    """No browser became free in time."""


class PoolClosed(Exception):
    """The pool is shutting down."""


@dataclass
class PoolStats:
    size: int
    in_use: int
    idle: int
    created: int
    recycled: int
    failed_starts: int


class DriverPool:
    """At most ``size`` browsers alive; idle ones are reused most-recently-used first."""

    def __init__(
        self,
        create: Callable[[], Browser],
        size: int,
        idle_timeout: float = 300,
        max_uses: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._create = create
        self.size = size
        self.idle_timeout = idle_timeout
        self.max_uses = max_uses
        self._clock = clock
        self._cond = threading.Condition()
        self._idle: list[Browser] = []
        self._in_use: set[Browser] = set()
        self._starting = 0
        self._closed = False
        self.created = 0
        self.recycled = 0
        self.failed_starts = 0

    def acquire(self, timeout: float = 60) -> Browser:
        """Lend a healthy browser, starting one if there is room; raise PoolTimeout otherwise."""
        deadline = self._clock() + timeout
        while True:
            browser = self._take_or_reserve(deadline)
            if browser is None:  # a slot was reserved for a new browser
                browser = self._start()
            elif not browser.healthy():
                log.warning("Browser %s failed its health check; replacing it", browser.id)
                self._forget(browser, recycled=True)
                browser.quit()
                continue
            browser.uses += 1
            return browser

    def _take_or_reserve(self, deadline: float) -> Browser | None:
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosed("the browser pool is closed")
                if self._idle:
                    browser = self._idle.pop()
                    self._in_use.add(browser)
                    return browser
                if len(self._in_use) + self._starting < self.size:
                    self._starting += 1
                    return None
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise PoolTimeout(f"no browser free within the wait ({self.size} in use)")
                self._cond.wait(min(remaining, 1.0))

    def _start(self) -> Browser:
        try:
            browser = self._create()
        except Exception:
            with self._cond:
                self._starting -= 1
                self.failed_starts += 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self.created += 1
            if self._closed:
                closed = True
            else:
                closed = False
                self._in_use.add(browser)
        if closed:
            browser.quit()
            raise PoolClosed("the browser pool is closed")
        log.info("Browser %s started (%d alive)", browser.id, self.alive())
        return browser

    def prewarm(self, count: int) -> int:
        """Start up to ``count`` idle browsers now, so the first jobs do not wait for one."""
        started = 0
        for _ in range(count):
            with self._cond:
                if self._closed or len(self._idle) + len(self._in_use) + self._starting >= min(count, self.size):
                    break
                self._starting += 1
            try:
                browser = self._start()
            except Exception:
                log.exception("Could not pre-start a browser")
                break
            self.release(browser)
            started += 1
        return started

    def release(self, browser: Browser, reusable: bool = True) -> None:
        """Take a browser back: cleared for the next user, or discarded when worn or broken."""
        worn = browser.uses >= self.max_uses
        if reusable and not worn and not browser.killed and browser.clear_state():
            with self._cond:
                if browser in self._in_use and not self._closed:
                    self._in_use.discard(browser)
                    browser.last_used = self._clock()
                    self._idle.append(browser)
                    self._cond.notify()
                    return
        reason = "worn out" if worn else "not reusable"
        log.info("Browser %s recycled (%s, %d uses)", browser.id, reason, browser.uses)
        self._forget(browser, recycled=True)
        browser.quit()

    def kill(self, browser: Browser) -> None:
        """Kill a lent browser from the control side (timeout, cancel); its job sees errors."""
        log.info("Browser %s killed", browser.id)
        browser.kill()

    def reap_idle(self) -> int:
        """Quit browsers idle longer than the idle timeout."""
        now = self._clock()
        with self._cond:
            old = [b for b in self._idle if now - b.last_used >= self.idle_timeout]
            self._idle = [b for b in self._idle if b not in old]
            self.recycled += len(old)
        for browser in old:
            log.info("Browser %s reaped after %.0f s idle", browser.id, now - browser.last_used)
            browser.quit()
        return len(old)

    def _forget(self, browser: Browser, recycled: bool) -> None:
        with self._cond:
            self._in_use.discard(browser)
            if browser in self._idle:
                self._idle.remove(browser)
            if recycled:
                self.recycled += 1
            self._cond.notify()

    def alive(self) -> int:
        """Browsers alive now (idle and lent)."""
        with self._cond:
            return len(self._idle) + len(self._in_use)

    def stats(self) -> PoolStats:
        """The figures ``/queue/status`` shows."""
        with self._cond:
            return PoolStats(
                size=self.size,
                in_use=len(self._in_use),
                idle=len(self._idle),
                created=self.created,
                recycled=self.recycled,
                failed_starts=self.failed_starts,
            )

    def close(self) -> None:
        """Refuse new loans and quit every browser, lent ones included."""
        with self._cond:
            self._closed = True
            browsers = self._idle + list(self._in_use)
            self._idle, self._in_use = [], set()
            self._cond.notify_all()
        for browser in browsers:
            browser.quit(timeout=3)
        if browsers:
            log.info("Browser pool closed (%d browsers quit)", len(browsers))
