"""Publishing platforms behind one interface: adding a platform is one module plus one line here."""

from __future__ import annotations

from app.platforms.base import Lookup, LookupResult, Pacing, Platform, Published

__all__ = ["Lookup", "LookupResult", "Pacing", "Platform", "Published", "build_platforms"]


def build_platforms(public_url: str, demo: bool = True) -> dict[str, Platform]:
    """Every shipped platform; ``demo`` mounts examgen's own stand-in platform."""
    from app.platforms.demo import DemoPlatform

    platforms: list[Platform] = []
    if demo:
        platforms.append(DemoPlatform(public_url))
    return {p.name: p for p in platforms}
