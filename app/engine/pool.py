"""The WebDriver pool: lend warm browsers, check them, recycle, reap and replace them."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.engine.browser import Browser, HelperThread
from app.engine.grid import wait_until_sessions_end

log = logging.getLogger("examgen.pool")


class PoolTimeout(Exception):
    """No browser became free in time."""


class PoolClosed(Exception):
    """The pool is shutting down."""


class BrowserStartFailed(Exception):
    """No browser could be started (Chromium or chromedriver missing or broken)."""


@dataclass
class PoolStats:
    size: int
    in_use: int
    idle: int
    created: int
    recycled: int
    failed_starts: int
    contexts_kept: int = 0  # jobs that began in the context their owner's last job kept
    contexts_fresh: int = 0  # jobs that began in a new context


class DriverPool:
    """At most ``size`` browsers alive; idle ones are reused most-recently-used first."""

    def __init__(
        self,
        create: Callable[[], Browser],
        size: int,
        idle_timeout: float = 300,
        max_uses: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._create = create
        self.size = size
        self.configured_size = size  # what DRIVER_POOL_SIZE asked for; ``size`` may follow a Grid's capacity
        self.idle_timeout = idle_timeout
        self.max_uses = max_uses
        self._clock = clock
        self._cond = threading.Condition()
        self._idle: list[Browser] = []
        self._in_use: set[Browser] = set()
        self._starting = 0
        self._retiring: set[Browser] = set()  # being quit off the job's thread: counted until gone
        self._closed = False
        self.created = 0
        self.recycled = 0
        self.failed_starts = 0
        self._context_counts: Counter[str] = Counter()
        self.start_error: str | None = None  # why the last start failed; None once one succeeds
        self._preparer = HelperThread("browser-prep")  # creates browsers' next contexts ahead of time

    def acquire(self, timeout: float = 60, owner: str = "") -> Browser:
        """Lend a healthy browser, starting one if there is room; raise PoolTimeout otherwise.

        ``owner`` (a user and account) prefers a browser that kept that owner's context.
        """
        deadline = self._clock() + timeout
        while True:
            browser = self._take_or_reserve(deadline, owner)
            if browser is None:  # a slot was reserved for a new browser
                browser = self._start()
            elif browser.contexts is None and not browser.healthy():
                # with contexts, opening the job's one below talks to the browser: that is the check
                log.warning("Browser %s failed its health check; replacing it", browser.id)
                self._retire(browser)
                continue
            kept = bool(owner) and owner in browser.kept_owners
            if not browser.begin_job(owner):
                log.warning("Browser %s did not answer or could not open the job's context; replacing it", browser.id)
                self._retire(browser)
                continue
            browser.uses += 1
            if browser.contexts is not None:
                self._context_counts["kept" if kept else "fresh"] += 1  # figures only: no lock needed
            self._prepare_later(browser)
            return browser

    def _prepare_later(self, browser: Browser) -> None:
        """Have the ``browser-prep`` thread create the browser's next context while this job runs."""
        if not self._closed and browser.contexts is not None:
            self._preparer.submit(browser.prepare_next_job)

    def _take_or_reserve(self, deadline: float, owner: str = "") -> Browser | None:
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosed("the browser pool is closed")
                if self._idle:
                    mine = [b for b in self._idle if owner and owner in b.kept_owners]
                    browser = mine[-1] if mine else self._idle[-1]
                    self._idle.remove(browser)
                    self._in_use.add(browser)
                    return browser
                if len(self._in_use) + self._starting + len(self._retiring) < self.size:
                    self._starting += 1
                    return None
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise PoolTimeout(f"no browser free within the wait ({self.size} in use)")
                self._cond.wait(min(remaining, 1.0))

    def _start(self) -> Browser:
        try:
            browser = self._create()
        except Exception as exc:
            with self._cond:
                self._starting -= 1
                self.failed_starts += 1
                self.start_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                self._cond.notify()
            raise BrowserStartFailed(self.start_error) from exc
        with self._cond:
            self._starting -= 1
            self.created += 1
            self.start_error = None
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
            self._prepare_later(browser)
            started += 1
        return started

    def probe(self) -> bool:
        """Try to start a browser now (kept idle for the next job); True when browsers can start."""
        with self._cond:
            if self._closed:
                return False
            if len(self._idle) + len(self._in_use) + self._starting >= self.size:
                self.start_error = None  # the pool is full of browsers that did start
                return True
            self._starting += 1
        try:
            browser = self._start()
        except (BrowserStartFailed, PoolClosed):
            return False
        self.release(browser)
        self._prepare_later(browser)
        return True

    def release(self, browser: Browser, reusable: bool = True, keep_for: str = "") -> None:
        """Take a browser back: its job's context destroyed (or kept for ``keep_for``'s next job), or the
        browser discarded when worn or broken."""
        worn = browser.uses >= self.max_uses
        if reusable and not worn and not browser.killed and browser.end_job(keep_for):
            with self._cond:
                if browser in self._in_use and not self._closed:
                    self._in_use.discard(browser)
                    browser.last_used = self._clock()
                    self._idle.append(browser)
                    self._cond.notify()
                    return
        reason = "worn out" if worn else "not reusable"
        log.info("Browser %s recycled (%s, %d uses)", browser.id, reason, browser.uses)
        self._retire(browser)

    def _retire(self, browser: Browser) -> None:
        """Quit a worn or broken browser on a thread of its own: quitting takes seconds, which
        neither the job that used it last (its outcome unwritten) nor the next one should wait."""
        with self._cond:
            self._forget(browser, recycled=True)
            self._retiring.add(browser)
        threading.Thread(target=self._quit_retired, args=(browser,), name=f"browser-quit-{browser.id}").start()

    def _quit_retired(self, browser: Browser) -> None:
        try:
            browser.quit()
        except Exception:  # quit kills what does not answer; anything else must not kill this thread
            log.exception("Browser %s: quitting failed", browser.id)
        finally:
            with self._cond:
                self._retiring.discard(browser)
                self._cond.notify_all()

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

    def resize(self, size: int) -> None:
        """Lend at most ``size`` browsers from now on (a remote Grid with fewer free slots)."""
        with self._cond:
            if size != self.size:
                log.info("Browser pool size %d -> %d", self.size, size)
            self.size = size
            self._cond.notify_all()

    def remote_sessions(self) -> tuple[set[str], int]:
        """Ids of the remote sessions alive in the pool, and how many browsers are starting."""
        with self._cond:
            ids = {b.remote.session_id for b in (*self._idle, *self._in_use) if b.remote is not None}
            return ids, self._starting

    def idle_kept_owners(self) -> frozenset[str]:
        """Owners whose kept context an idle browser has: their next job would start without a new one."""
        with self._cond:
            return frozenset().union(*(b.kept_owners for b in self._idle))

    def alive(self) -> int:
        """Browsers alive now (idle, lent, and being quit)."""
        with self._cond:
            return len(self._idle) + len(self._in_use) + len(self._retiring)

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
                contexts_kept=self._context_counts["kept"],
                contexts_fresh=self._context_counts["fresh"],
            )

    def close(self) -> None:
        """Refuse new loans and quit every browser, lent ones included."""
        with self._cond:
            self._closed = True
            browsers = self._idle + list(self._in_use)
            self._idle, self._in_use = [], set()
            self._cond.notify_all()
        self._preparer.close()
        for browser in browsers:
            browser.quit(timeout=3)
        with self._cond:  # "no Chromium outlives the server" includes the ones being recycled
            self._cond.wait_for(lambda: not self._retiring, timeout=20)
        remote = [b.remote for b in browsers if b.remote is not None]
        if remote:
            wait_until_sessions_end(remote, timeout=10)
        if browsers:
            log.info("Browser pool closed (%d browsers quit)", len(browsers))
