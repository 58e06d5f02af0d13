"""The WebDriver pool with real Chromium: lending, recycling, reaping, replacing, sweeping."""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

import psutil
import pytest
from support import browser_pids, wait_until

from app.engine.browser_factory import BrowserFactory
from app.engine.pool import DriverPool, PoolTimeout

pytestmark = pytest.mark.browser


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def factory(tmp_path: Path) -> BrowserFactory:
    return BrowserFactory(tmp_path / "browsers", "/usr/bin/chromium", "/usr/bin/chromedriver")


def test_a_released_browser_is_reused_then_recycled_after_max_uses(factory: BrowserFactory) -> None:
    pool = DriverPool(factory.create, size=1, max_uses=2)
    try:
        first = pool.acquire()
        pool.release(first)
        again = pool.acquire()
        assert again is first and again.uses == 2
        pool.release(again)  # worn out: quit on a thread of its own, counted against the size until gone
        assert pool.stats().recycled == 1
        fresh = pool.acquire()  # size 1: waits until the worn one is gone
        assert pool.alive() == 1
        assert fresh is not first and pool.stats().created == 2
        pool.release(fresh)
    finally:
        pool.close()
    assert not browser_pids(factory.profile_root.parent)


def test_the_pool_never_lends_more_than_its_size(factory: BrowserFactory) -> None:
    pool = DriverPool(factory.create, size=1)
    try:
        held = pool.acquire()
        with pytest.raises(PoolTimeout):
            pool.acquire(timeout=0.5)
        got: list[object] = []
        waiter = threading.Thread(target=lambda: got.append(pool.acquire(timeout=30)))
        waiter.start()
        pool.release(held)
        waiter.join(30)
        assert got == [held]
        pool.release(held)
    finally:
        pool.close()


def test_a_killed_browser_fails_its_health_check_and_is_replaced(factory: BrowserFactory) -> None:
    pool = DriverPool(factory.create, size=1)
    try:
        browser = pool.acquire()
        pool.release(browser)
        for proc in psutil.Process(browser.pgid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):  # a renderer may exit with its parent first
                proc.kill()  # Chromium dies behind the pool's back
        replacement = pool.acquire()
        assert replacement is not browser and replacement.healthy()
        assert pool.stats().recycled == 1
        pool.release(replacement)
    finally:
        pool.close()


def test_idle_browsers_are_reaped(factory: BrowserFactory) -> None:
    clock = Clock()
    pool = DriverPool(factory.create, size=2, idle_timeout=300, clock=clock)
    try:
        browser = pool.acquire()
        pool.release(browser)
        clock.now += 299
        assert pool.reap_idle() == 0
        clock.now += 2
        assert pool.reap_idle() == 1 and pool.alive() == 0
        wait_until(lambda: not browser_pids(factory.profile_root.parent), 10, "the reaped browser to exit")
    finally:
        pool.close()


def test_browsers_left_by_a_killed_run_are_swept_at_start(factory: BrowserFactory) -> None:
    orphan = factory.create()  # a browser whose server "died": nobody will quit it
    assert browser_pids(factory.profile_root.parent)
    swept = BrowserFactory(factory.profile_root, "/usr/bin/chromium", "/usr/bin/chromedriver").sweep_leftovers()
    assert swept >= 1
    wait_until(
        lambda: not psutil.pid_exists(orphan.pgid) or psutil.Process(orphan.pgid).status() == "zombie",
        10,
        "chromedriver gone",
    )
    wait_until(lambda: not browser_pids(factory.profile_root.parent), 10, "Chromium gone")
    assert not any(factory.profile_root.iterdir())


def test_a_chromedriver_whose_server_died_while_chromium_started_is_swept_too(tmp_path: Path) -> None:
    """chromedriver's pid is on disk before Chromium starts: a kill -9 of the server at that moment
    leaves a chromedriver that the next start's sweep still finds (Chromium here never comes up)."""
    hanging = tmp_path / "chromium-that-hangs"
    hanging.write_text("#!/bin/sh\nexec sleep 120\n")
    hanging.chmod(0o755)
    starting = BrowserFactory(tmp_path / "browsers", str(hanging), "/usr/bin/chromedriver")
    failed: list[BaseException] = []

    def start() -> None:
        try:
            starting.create()
        except BaseException as exc:  # noqa: BLE001 - the sweep below ends the start
            failed.append(exc)

    thread = threading.Thread(target=start, name="test-start", daemon=True)
    thread.start()
    wait_until(lambda: any(starting.profile_root.glob("*.json")), 20, "chromedriver's record")
    record = next(starting.profile_root.glob("*.json"))
    driver_pid = json.loads(record.read_text())["pid"]
    wait_until(lambda: psutil.Process(driver_pid).children(), 20, "chromedriver starting Chromium")
    assert thread.is_alive()  # the session is not there yet: this is the window a kill -9 can hit

    swept = BrowserFactory(tmp_path / "browsers", "/usr/bin/chromium", "/usr/bin/chromedriver").sweep_leftovers()
    assert swept >= 1
    wait_until(
        lambda: not psutil.pid_exists(driver_pid) or psutil.Process(driver_pid).status() == "zombie",
        10,
        "chromedriver gone",
    )
    thread.join(30)
    assert failed  # the start it served failed, as it would have in the killed server


def test_prewarm_starts_browsers_up_to_the_asked_count_and_they_are_lent_healthy(factory: BrowserFactory) -> None:
    pool = DriverPool(factory.create, size=3)
    try:
        assert pool.prewarm(2) == 2 and pool.stats().idle == 2
        assert pool.prewarm(2) == 0  # already there
        browser = pool.acquire()
        assert browser.uses == 1 and browser.driver.execute_script("return 1") == 1
        pool.release(browser)
    finally:
        pool.close()
