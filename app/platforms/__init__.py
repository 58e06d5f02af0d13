"""Publishing platforms behind one interface: adding a platform is one module plus one line here."""

from __future__ import annotations

from typing import Any

from app.platforms.base import Lookup, LookupResult, Pacing, Platform, Published

__all__ = ["Lookup", "LookupResult", "Pacing", "Platform", "Published", "build_platforms"]


def build_platforms(config: Any) -> dict[str, Platform]:
    """Every shipped platform, configured from ``config``; the demo when mounted here or at DEMO_URL."""
    from app.platforms.demo import DemoPlatform
    from app.platforms.zhihu import ZhihuPlatform

    platforms: list[Platform] = [
        ZhihuPlatform(config.zhihu_base_url, config.zhihu_api_url, min_interval=config.zhihu_min_interval)
    ]
    if config.demo_platform or config.demo_url:
        platforms.append(DemoPlatform(config.demo_url or config.public_url, delay_ms=config.demo_delay_ms))
    for platform in platforms:  # <PLATFORM>_ACCOUNT_CONCURRENCY / <PLATFORM>_MIN_INTERVAL
        policy = getattr(config, "account_policy", {}).get(platform.name, {})
        platform.pacing = platform.pacing.overridden(policy.get("concurrency"), policy.get("min_interval"))
    return {p.name: p for p in platforms}
