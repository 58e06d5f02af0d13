"""One headless Chromium under Selenium: local (started and killed with its whole process group)
or remote on a Selenium Grid (ended by closing the browser and deleting its WebDriver session)."""

from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.command import Command

from app.engine.grid import RemoteSession
from app.engine.isolation import JobContexts

log = logging.getLogger("examgen.browser")


def call_with_timeout(fn: Callable[[], Any], timeout: float) -> tuple[bool, Any]:
    """Run ``fn`` in a helper thread; (finished, result). A hung WebDriver call cannot block us."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            box["error"] = exc

    t = threading.Thread(target=target, name="driver-call", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        return False, None
    if "error" in box:
        return False, box["error"]
    return True, box.get("value")


class HelperThread:
    """One long-lived named thread that runs calls handed to it: a browser's time-limited calls,
    and the pool's context preparation. A thread started per call waits its first turn behind
    every busy process (Linux queues new threads last): ~20 ms, twice a job, on 2 cores busy with
    browsers. A call that hangs leaves the thread stuck; later calls get a thread of their own."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], dict[str, Any], threading.Event] | None]
        self._calls = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stuck = False
        self._closed = False
        self._lock = threading.Lock()

    def call(self, fn: Callable[[], Any], timeout: float) -> tuple[bool, Any]:
        """Run ``fn`` on the helper thread; (finished, result), as ``call_with_timeout``."""
        with self._lock:
            if self._stuck:
                return call_with_timeout(fn, timeout)
            box: dict[str, Any] = {}
            done = threading.Event()
            self._put(fn, box, done)
            if not done.wait(timeout):
                self._stuck = True  # the lock held meanwhile: no call queues behind a hung one
                return False, None
        if "error" in box:
            return False, box["error"]
        return True, box.get("value")

    def submit(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the helper thread later, not waiting for it (its errors are dropped)."""
        with self._lock:
            self._put(fn, {}, threading.Event())

    def close(self) -> None:
        """End the helper thread; calls not started yet are dropped (a stuck one ends with its call)."""
        self._closed = True
        self._calls.put(None)

    def _put(self, fn: Callable[[], Any], box: dict[str, Any], done: threading.Event) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
            self._thread.start()
        self._calls.put((fn, box, done))

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None and not self._closed:
            fn, box, done = call
            try:
                box["value"] = fn()
            except Exception as exc:  # noqa: BLE001 - reported to the caller
                box["error"] = exc
            done.set()


class RemoteDriver(webdriver.Remote):
    """A Grid session that refuses every command once its browser was ended from the control side.

    A command sent to a session the node is tearing down can hang there until the client's read
    timeout; refusing it here makes the job's thread fail at once, as a killed local browser does.
    """

    ended = False

    def execute(self, driver_command: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a WebDriver command, unless the browser was ended."""
        if self.ended and driver_command != Command.QUIT:
            raise WebDriverException("the remote browser was ended (cancel, timeout or stop)")
        result: dict[str, Any] = super().execute(driver_command, params)
        return result


class Browser:
    """A WebDriver plus what is needed to get rid of it for sure."""

    def __init__(
        self,
        driver: Any,
        profile_dir: Path | None,
        pgid: int | None,
        process: subprocess.Popen[bytes] | None = None,
        remote: RemoteSession | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex[:8]
        self.driver = driver
        self.profile_dir = profile_dir
        self.pgid = pgid
        self.process = process
        self.uses = 0
        self.created_at = time.monotonic()
        self.last_used = self.created_at
        self.killed = False
        self.contexts: JobContexts | None = None
        self.remote = remote  # set for a browser on a Selenium Grid
        self.calls = HelperThread(f"browser-{self.id}")

    def healthy(self, timeout: float = 5.0) -> bool:
        """The browser answers a trivial script quickly."""
        if self.killed:
            return False
        ok, value = self.calls.call(lambda: self.driver.execute_script("return 1"), timeout)
        return ok and value == 1

    def begin_job(self, owner: str = "", timeout: float = 15.0) -> bool:
        """Give the next job its browser context (see app.engine.isolation); False when it fails."""
        if self.contexts is None:
            return True  # no contexts here: the pool recycles this browser after every job
        contexts = self.contexts
        ok, _ = self.calls.call(lambda: contexts.open(owner), timeout)
        return ok

    def prepare_next_job(self) -> None:
        """Create the next job's context ahead of time; a failure only means creating it later."""
        if self.contexts is not None and not self.killed:
            try:
                self.contexts.prepare()
            except Exception as exc:  # noqa: BLE001 - open() creates it on the spot instead
                log.debug("Browser %s: could not prepare the next context: %s", self.id, exc)

    def end_job(self, keep_for: str = "", timeout: float = 10.0) -> bool:
        """Destroy the job's context, cookies, storage, cache and tabs (or keep them for ``keep_for``'s
        next job); True if the browser is reusable."""
        if self.contexts is None:
            return False
        contexts = self.contexts
        if keep_for and contexts.will_keep:
            # keeping is bookkeeping, plus at most one DevTools call (disposing the least recently used
            # context) on a socket with its own timeout: no hand-off to the helper thread (~12 ms a job)
            try:
                contexts.close(keep_for)
            except Exception as exc:  # noqa: BLE001 - a browser that fails here is not reused
                log.info("Browser %s: keeping the context failed: %s", self.id, exc)
                return False
            # queued before the browser is lent again, so it runs before the next job's begin_job, on
            # the kept tab, while the next job is claimed (~7 ms a kept job no longer waits for)
            self.calls.submit(self._mark_kept_page)
            return True
        ok, _ = self.calls.call(lambda: contexts.close(keep_for), timeout)
        return ok

    def _mark_kept_page(self) -> None:
        if self.contexts is not None and not self.killed:
            try:
                self.contexts.mark_kept_page()
            except Exception as exc:  # noqa: BLE001 - unmarked, the page is still the same owner's
                log.info("Browser %s: could not mark the kept page: %s", self.id, exc)

    @property
    def kept_owners(self) -> frozenset[str]:
        """Whose next jobs may reuse a context this browser kept for them."""
        return self.contexts.kept_owners if self.contexts is not None else frozenset()

    def kill(self) -> None:
        """Kill chromedriver and every Chromium it started; safe from any thread, idempotent.

        A remote browser is closed through DevTools first: its node would run the session's delete
        only after the command the job is blocked in (a page load, say) returns.
        """
        self.killed = True
        if self.remote is not None:
            if isinstance(self.driver, RemoteDriver):
                self.driver.ended = True
            self.remote.kill()
            return
        if self.pgid:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.profile_dir:
            kill_profile_processes(self.profile_dir)

    def processes(self) -> list[psutil.Process]:
        """chromedriver's process group and every process naming this profile."""
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            try:
                in_group = self.pgid is not None and os.getpgid(proc.pid) == self.pgid
                named = self.profile_dir is not None and any(
                    arg.startswith(f"--user-data-dir={self.profile_dir}") for arg in proc.info["cmdline"] or ()
                )
            except (ProcessLookupError, psutil.Error):
                continue
            if in_group or named:
                found.append(proc)
        return found

    def quit(self, timeout: float = 5.0) -> None:
        """Quit politely for a few seconds, then kill what is left and wait until it is gone."""
        self.calls.close()
        if self.contexts is not None:
            self.contexts.devtools.close()
        if self.remote is not None:
            quit_ok = False
            if not self.killed:
                quit_ok, _ = call_with_timeout(self.driver.quit, timeout)
            if not self.remote.end(timeout, already_gone=quit_ok):
                self.remote.kill(timeout)
            return
        if not self.killed:
            call_with_timeout(self.driver.quit, timeout)
        leftovers = self.processes()
        self.kill()
        for proc in leftovers:
            try:
                proc.kill()
            except psutil.Error:
                pass
        if self.process is not None:
            try:
                self.process.wait(timeout)  # chromedriver is our child: reap it
            except Exception:  # noqa: BLE001 - a stuck zombie must not block shutdown
                log.warning("chromedriver of browser %s did not exit", self.id)
        # SIGKILL is asynchronous: "no Chromium outlives the server" means waiting for it
        _, alive = psutil.wait_procs(leftovers, timeout=timeout)
        if alive:
            log.warning("Browser %s: %d processes still alive after kill", self.id, len(alive))
        if self.profile_dir:
            remove_tree(self.profile_dir)
            self.profile_dir.with_suffix(".json").unlink(missing_ok=True)


def kill_profile_processes(profile: Path) -> int:
    """Kill every process whose command line names this profile directory."""
    needle = f"--user-data-dir={profile}"
    killed = 0
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(arg.startswith(needle) for arg in proc.info["cmdline"] or ()):
                proc.kill()
                killed += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return killed


def remove_tree(path: Path, attempts: int = 5) -> None:
    """Delete a profile directory; Chromium may still be writing into it for a moment."""
    for i in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.1 * (i + 1))
    log.warning("Could not remove profile directory %s", path)


def kill_process_group(pgid: int) -> None:
    """SIGKILL a whole process group (gone already is fine)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
