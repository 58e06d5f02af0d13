"""Fixtures of the browser tests: a headless Chromium on the live server, users with passwords."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_browser import UI, make_driver
from support import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def ui(live_server: LiveServer, tmp_path: Path) -> Iterator[UI]:
    """A desktop-sized headless Chromium pointed at the live server (not logged in)."""
    driver = make_driver(tmp_path / "profile")
    try:
        yield UI(driver, live_server.base)
    finally:
        driver.quit()


def password(name: str) -> str:
    """The password ``Http.make_user`` gives ``name``."""
    return "pw-" + name + "-123"
