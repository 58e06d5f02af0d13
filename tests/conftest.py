"""Fixtures shared by the suite: a temporary instance folder and live servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import LiveServer, ServerProcess


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """A fresh instance folder (database, keys, browsers, results) for one test."""
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def live_server(instance: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """The app served by waitress in this process; settings via ``@pytest.mark.server(...)``."""
    marker = request.node.get_closest_marker("server")
    overrides = dict(marker.kwargs) if marker else {}
    overrides.setdefault("max_concurrent_jobs", 2)
    server = LiveServer(instance, **overrides).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_process(instance: Path) -> Iterator[type[ServerProcess]]:
    """A factory for ``python run.py`` children; every child is killed at teardown."""
    started: list[ServerProcess] = []

    class Tracked(ServerProcess):
        def start(self, timeout: float = 60) -> ServerProcess:
            started.append(self)
            return super().start(timeout)

    yield Tracked
    for proc in started:
        proc.cleanup()
