"""How times are written in every JSON answer and log line: ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(dt: datetime | None) -> str | None:
    """``2026-11-22T08:00:00Z`` (or None)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
