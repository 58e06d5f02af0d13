"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import LiveServer


@pytest.fixture(scope="module")
def exam_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per module for the exam tests: two teachers, alice and bob, two jobs at once."""
    srv = LiveServer(tmp_path_factory.mktemp("exams") / "instance", max_concurrent_jobs=2).start()
    srv.tokens = {name: srv.make_user(name, demo_account=False) for name in ("alice", "bob")}
    try:
        yield srv
    finally:
        srv.stop()
