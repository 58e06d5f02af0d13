"""Fixtures of the core unit tests: one migrated schema per session, a fresh unstarted engine per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from core_harness import Core, migrated_schema


@pytest.fixture(scope="session")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated SQLite file that each test copies (a migration per test costs seconds)."""
    return migrated_schema(tmp_path_factory.mktemp("schema"))


@pytest.fixture
def core(tmp_path: Path, schema: Path, request: pytest.FixtureRequest) -> Iterator[Core]:
    """The engine of one test, built but not started; settings via ``@pytest.mark.server(...)``."""
    marker = request.node.get_closest_marker("server")
    c = Core(tmp_path, schema, **(marker.kwargs if marker else {}))
    yield c
    c.close()
