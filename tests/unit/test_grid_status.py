"""A Grid's /status read as capacity: only live nodes count, sessions map to their node."""

from __future__ import annotations

from app.engine.grid import GridStatus


def slot(session: str | None) -> dict[str, object]:
    return {"id": {}, "session": {"sessionId": session} if session else None, "stereotype": {}}


STATUS = {
    "ready": True,
    "message": "Selenium Grid ready.",
    "nodes": [
        {"uri": "http://a:5555", "availability": "UP", "slots": [slot("s1"), slot(None)]},
        {"uri": "http://b:5555", "availability": "UP", "slots": [slot(None), slot(None)]},
        {"uri": "http://c:5555", "availability": "DOWN", "slots": [slot("s2"), slot(None)]},
    ],
}


def test_capacity_counts_live_nodes_only() -> None:
    status = GridStatus.parse(STATUS)
    assert status.ready and len(status.nodes) == 3
    assert (status.total_slots, status.free_slots) == (4, 3)
    assert status.sessions == {"s1": "http://a:5555", "s2": "http://c:5555"}


def test_an_empty_or_odd_document_is_no_capacity() -> None:
    status = GridStatus.parse({"ready": False, "nodes": None})
    assert (status.ready, status.total_slots, status.free_slots, status.sessions) == (False, 0, 0, {})
