"""Builds browsers for the pool: local Chromium in its own process group, or a remote WebDriver on a
Selenium Grid (recorded in the session ledger); sweeps what a killed earlier run left behind."""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

import psutil
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.client_config import ClientConfig

from app.engine.browser import Browser, RemoteDriver, kill_process_group, kill_profile_processes, remove_tree
from app.engine.grid import GridClient, RemoteSession, SessionLedger
from app.engine.isolation import BrowserDevTools, IsolationUnavailable, JobContexts

log = logging.getLogger("examgen.browser")

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
    # compositing and raster on the CPU without SwiftShader's emulated GPU: measured 1.42 -> 1.00
    # CPU-seconds of Chromium per demo publish on 2 cores; screenshots and PDFs are unchanged
    "--disable-gpu-compositing",
    "--disable-software-rasterizer",
    # memory (bench/memory.py): headless Chromium also builds the omnibox popup's WebUI page in every
    # browser context, one more renderer process per context (~45 MB PSS, and its start-up CPU on
    # every fresh context) for a window nobody sees; a spare renderer waits for a new site; the
    # back-forward cache keeps left pages alive. Network service inside the browser process: ~17 MB
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,BackForwardCache",
    "--enable-features=NetworkServiceInProcess2",
)


class RecordedService(Service):
    """chromedriver in a session of its own, its pid on disk (``record``) from the moment it starts.

    Chromium starts a second later; a server killed meanwhile (kill -9) would otherwise leave a
    chromedriver no record names, which the next start's sweep (by record, and by profile for
    Chromium) could not find: the acceptance check's recovery run caught two such.
    """

    def __init__(self, record: Path, executable_path: str) -> None:
        super().__init__(executable_path=executable_path, popen_kw={"start_new_session": True})
        self.record = record

    def _start_process(self, path: str) -> None:
        """Start chromedriver (Selenium's own step), then write its record before anything else."""
        super()._start_process(path)
        pid = self.process.pid
        self.record.write_text(json.dumps({"pid": pid, "create_time": psutil.Process(pid).create_time()}))


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
        ledger: SessionLedger | None = None,
        kept_contexts: int = 1,
    ) -> None:
        self.profile_root = Path(profile_root)
        self.chrome_binary = chrome_binary
        self.chromedriver = chromedriver
        self.remote_url = remote_url
        self.kept_contexts = kept_contexts  # per browser: owners whose context waits for their next job
        self.page_load_timeout = page_load_timeout
        self.script_timeout = script_timeout
        self.ledger = ledger  # remote sessions are recorded here, so a crash cannot leak them
        self.grid = GridClient(remote_url) if remote_url else None

    def missing(self) -> str | None:
        """What is missing to start a local browser, with how to install it; None when nothing is."""
        if self.remote_url:
            return None
        gone = [
            f"{what} ({path or 'not found on PATH'})"
            for what, path in (("Chromium", self.chrome_binary), ("chromedriver", self.chromedriver))
            if not path or not os.access(path, os.X_OK)
        ]
        if not gone:
            return None
        return (
            f"{' and '.join(gone)} missing: install with `apt-get install chromium chromium-driver` "
            "(or `make run`), or set CHROME_BINARY / CHROMEDRIVER"
        )

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
            browser = self._create_remote()
        else:
            if not self.chromedriver:
                raise RuntimeError("chromedriver not found: install chromium-driver or set CHROMEDRIVER")
            profile = self.profile_root / uuid.uuid4().hex
            profile.mkdir(parents=True, exist_ok=True)
            # own session: discarding the browser can kill chromedriver and Chromium as one group
            service = RecordedService(profile.with_suffix(".json"), self.chromedriver)
            try:
                driver = webdriver.Chrome(service=service, options=self.options(profile))
            except Exception:
                if service.process is not None:
                    kill_process_group(service.process.pid)
                kill_profile_processes(profile)
                remove_tree(profile)
                profile.with_suffix(".json").unlink(missing_ok=True)
                raise
            browser = Browser(driver, profile, service.process.pid, service.process)
        try:
            browser.driver.set_page_load_timeout(self.page_load_timeout)
            browser.driver.set_script_timeout(self.script_timeout)
            # the first tab opens on the New Tab Page, a WebUI renderer of ~60 MB PSS; blank, it is ~20 MB
            browser.driver.get("about:blank")
        except Exception:
            browser.quit()
            raise
        try:
            devtools = BrowserDevTools.of(browser.driver, remote=browser.remote is not None)
            browser.contexts = JobContexts(browser.driver, devtools, keep=self.kept_contexts)
        except IsolationUnavailable as exc:
            log.warning("Browser %s: no per-job contexts (%s); it will be recycled after every job", browser.id, exc)
        return browser

    def _create_remote(self) -> Browser:
        """A session on the remote WebDriver, recorded (with its node) before any job uses it."""
        assert self.grid is not None
        # no silent retries: a command resent after its browser was closed can hang on the node; and a
        # read timeout, so no command outlives the page-load and script timeouts by much
        client = ClientConfig(
            remote_server_addr=self.remote_url,
            timeout=int(max(self.page_load_timeout, self.script_timeout) + 60),
            init_args_for_pool_manager={"init_args_for_pool_manager": {"retries": False}},
        )
        driver = RemoteDriver(command_executor=self.remote_url, options=self.options(None), client_config=client)
        session_id = str(driver.session_id)
        try:
            node_uri = self.grid.status().sessions.get(session_id)
        except (OSError, ValueError) as exc:  # a plain chromedriver server has no Grid /status
            log.debug("No Grid status at %s: %s", self.remote_url, exc)
            node_uri = None
        cdp_url = (driver.capabilities or {}).get("se:cdp")
        ledger = self.ledger
        remote = RemoteSession(self.grid, session_id, node_uri, cdp_url, ledger.forget if ledger else _nothing)
        browser = Browser(driver, None, None, remote=remote)
        if ledger is not None:
            try:
                ledger.record(session_id, self.remote_url, node_uri)
            except Exception:
                browser.quit()  # a session nobody recorded could outlive a crash unnoticed
                raise
        return browser

    def sweep_leftovers(self) -> int:
        """Kill browsers and delete profiles (local), or end sessions (remote) an earlier run left."""
        swept = 0
        if self.ledger is not None:
            swept = self.ledger.sweep()
            if swept:
                log.info("Ended %d remote browser sessions an earlier run left", swept)
        if not self.profile_root.exists():
            return swept
        for record in self.profile_root.glob("*.json"):
            try:
                info = json.loads(record.read_text())
                proc = psutil.Process(int(info["pid"]))
                # the pid may belong to somebody else by now: check it is the same process
                if abs(proc.create_time() - float(info["create_time"])) < 1:
                    kill_process_group(proc.pid)
                    swept += 1
            except (OSError, ValueError, KeyError, psutil.Error):
                pass
            record.unlink(missing_ok=True)
        for profile in self.profile_root.iterdir():
            if profile.is_dir():
                swept += kill_profile_processes(profile)
                remove_tree(profile)
        return swept


def _nothing(session_id: str) -> None:
    """No ledger: nothing to strike off."""
