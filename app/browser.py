"""One headless Chromium under Selenium, started and killed with its whole process group."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psutil
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

log = logging.getLogger("examgen.browser")

STORAGE_TYPES = "local_storage,session_storage,indexeddb,websql,cache_storage,service_workers,file_systems"

CHROME_FLAGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
    "--window-size=1366,900",
)


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


class Browser:
    """A WebDriver plus what is needed to get rid of it for sure."""

    def __init__(
        self, driver: Any, profile_dir: Path | None, pgid: int | None, process: subprocess.Popen | None = None
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

    def healthy(self, timeout: float = 5.0) -> bool:
        """The browser answers a trivial script quickly."""
        if self.killed:
            return False
        ok, value = call_with_timeout(lambda: self.driver.execute_script("return 1"), timeout)
        return ok and value == 1

    def clear_state(self, timeout: float = 10.0) -> bool:
        """Forget every cookie, and the current site's storage, so the next user starts clean.

        Cookies go browser-wide; storage is per origin, and a job works on one site, so clearing
        the current page's origin is enough. No navigation to about:blank: the next job navigates
        anyway, and it costs ~100 ms on every job.
        """

        def clear() -> None:
            try:
                self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
                origin = _origin(self.driver.current_url)
                if origin:
                    self.driver.execute_cdp_cmd(
                        "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": STORAGE_TYPES}
                    )
            except AttributeError:  # a remote driver without CDP
                self.driver.delete_all_cookies()
                self.driver.execute_script("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")

        ok, _ = call_with_timeout(clear, timeout)
        return ok

    def kill(self) -> None:
        """Kill chromedriver and every Chromium it started; safe from any thread, idempotent."""
        self.killed = True
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


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


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


class BrowserFactory:
    """Builds browsers for the pool: local Chromium (own process group) or a remote WebDriver."""

    def __init__(
        self,
        profile_root: Path,
        chrome_binary: str = "",
        chromedriver: str = "",
        remote_url: str = "",
        page_load_timeout: float = 30,
        script_timeout: float = 30,
    ) -> None:
        self.profile_root = Path(profile_root)
        self.chrome_binary = chrome_binary
        self.chromedriver = chromedriver
        self.remote_url = remote_url
        self.page_load_timeout = page_load_timeout
        self.script_timeout = script_timeout

    def options(self, profile: Path | None) -> Options:
        """Chrome options for a headless, quiet, offline-friendly browser."""
        opts = Options()
        for flag in CHROME_FLAGS:
            opts.add_argument(flag)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            opts.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        if profile is not None:
            opts.add_argument(f"--user-data-dir={profile}")
        if self.chrome_binary:
            opts.binary_location = self.chrome_binary
        return opts

    def create(self) -> Browser:
        """Start one browser; raises on failure (the pool counts and logs it)."""
        if self.remote_url:
            driver = webdriver.Remote(command_executor=self.remote_url, options=self.options(None))
            browser = Browser(driver, None, None)
        else:
            if not self.chromedriver:
                raise RuntimeError("chromedriver not found: install chromium-driver or set CHROMEDRIVER")
            profile = self.profile_root / uuid.uuid4().hex
            profile.mkdir(parents=True, exist_ok=True)
            # own session: discarding the browser can kill chromedriver and Chromium as one group
            service = Service(executable_path=self.chromedriver, popen_kw={"start_new_session": True})
            try:
                driver = webdriver.Chrome(service=service, options=self.options(profile))
            except Exception:
                if service.process is not None:
                    _killpg(service.process.pid)
                kill_profile_processes(profile)
                remove_tree(profile)
                raise
            pid = service.process.pid
            record = {"pid": pid, "create_time": psutil.Process(pid).create_time()}
            profile.with_suffix(".json").write_text(json.dumps(record))
            browser = Browser(driver, profile, pid, service.process)
        browser.driver.set_page_load_timeout(self.page_load_timeout)
        browser.driver.set_script_timeout(self.script_timeout)
        return browser

    def sweep_leftovers(self) -> int:
        """Kill browsers and delete profiles that a killed earlier run of this instance left."""
        if not self.profile_root.exists():
            return 0
        swept = 0
        for record in self.profile_root.glob("*.json"):
            try:
                info = json.loads(record.read_text())
                proc = psutil.Process(int(info["pid"]))
                # the pid may belong to somebody else by now: check it is the same process
                if abs(proc.create_time() - float(info["create_time"])) < 1:
                    _killpg(proc.pid)
                    swept += 1
            except (OSError, ValueError, KeyError, psutil.Error):
                pass
            record.unlink(missing_ok=True)
        for profile in self.profile_root.iterdir():
            if profile.is_dir():
                swept += kill_profile_processes(profile)
                remove_tree(profile)
        return swept


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
