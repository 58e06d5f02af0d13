"""Merging the cookies a platform rotated into the stored ones."""

from __future__ import annotations

from app.platforms.browsing import merge_cookies


def test_the_browsers_copy_replaces_a_pasted_cookie_without_a_domain() -> None:
    stored = [{"name": "sid", "value": "old", "path": "/"}]
    fresh = [{"name": "sid", "value": "new", "domain": "127.0.0.1", "path": "/", "expiry": None}]
    assert merge_cookies(stored, fresh) == [{"name": "sid", "value": "new", "domain": "127.0.0.1", "path": "/"}]


def test_cookies_of_other_hosts_are_kept_and_new_ones_added() -> None:
    stored = [
        {"name": "z_c0", "value": "auth", "domain": ".zhihu.com"},
        {"name": "api_only", "value": "x", "domain": "www.zhihu.com"},
    ]
    fresh = [{"name": "z_c0", "value": "rotated", "domain": "zhuanlan.zhihu.com"}, {"name": "new", "value": "y"}]
    merged = merge_cookies(stored, fresh)
    assert {c["name"]: c["value"] for c in merged} == {"z_c0": "rotated", "api_only": "x", "new": "y"}
    assert len(merged) == 3
