"""Fixtures shared by the suite: a temporary instance folder and live servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import LiveServer, ServerProcess, free_port_block, release_postgres


@pytest.fixture(autouse=True)
def _postgres_released() -> Iterator[None]:
    """A test that took the shared PostgreSQL database (support.postgres_url) gives it back at its end."""
    yield
    release_postgres()


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


@pytest.fixture(scope="session")
def selenium_grid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A local Selenium Grid 4 (a hub and two nodes of 2 sessions, on 127.0.0.1), started once.

    Skipped only when Java or the Selenium server jar is absent (`make grid-jar` installs both).
    """
    from scripts.grid import LocalGrid, missing

    problem = missing()
    if problem:
        pytest.skip(f"no local Selenium Grid: {problem}")
    for attempt in range(3):  # a port taken by another process between the check and the bind
        grid = LocalGrid(tmp_path_factory.mktemp("grid"), port=free_port_block(5) + 2, nodes=2, sessions=2)
        try:
            grid.start(timeout=120)
            break
        except RuntimeError:
            grid.stop()
            if attempt == 2:
                raise
    yield grid
    grid.stop()


@pytest.fixture
def grid(selenium_grid: object) -> Iterator[object]:
    """The session's Grid with both nodes up; the test must leave no session behind on it."""
    from scripts.grid import LocalGrid

    assert isinstance(selenium_grid, LocalGrid)
    for index in range(len(selenium_grid.node_ports)):
        proc = selenium_grid.procs.get(f"node{index + 1}")
        if proc is None or proc.poll() is not None:  # a test killed it: a fresh one takes its port
            selenium_grid.start_node(index, wait=60)
    selenium_grid.wait_ready(len(selenium_grid.node_ports), 60)
    yield selenium_grid
