"""Web sessions end on a new epoch, after the idle timeout and the lifetime; the login throttle's delays."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.auth import create_user, end_sessions
from app.db import Database
from app.login_throttle import LoginThrottle, Rule
from app.sessions import SEEN_EVERY, session_user, start_session

HOUR, DAY = 3600, 86400


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 't.db'}")
    database.upgrade()
    return database


def test_idle_timeout_and_absolute_lifetime(db: Database) -> None:
    user = create_user(db, "ivy", "ivy-password").user
    idle, lifetime, t0 = 12 * HOUR, 7 * DAY, 1_000_000.0
    cookie: dict = {}
    start_session(cookie, user, now=t0)
    assert session_user(db, cookie, idle, lifetime, now=t0 + 11 * HOUR).username == "ivy"
    assert cookie["seen"] == int(t0 + 11 * HOUR)  # use is recorded (at most once a minute)
    # used every 11 hours, it lives until the absolute lifetime, then ends
    now = t0 + 11 * HOUR
    while now + 11 * HOUR <= t0 + lifetime:
        now += 11 * HOUR
        assert session_user(db, cookie, idle, lifetime, now=now) is not None
    assert session_user(db, cookie, idle, lifetime, now=t0 + lifetime + 1) is None
    assert cookie == {}  # cleared

    fresh: dict = {}
    start_session(fresh, user, now=t0)
    assert session_user(db, fresh, idle, lifetime, now=t0 + idle + 1) is None  # idle too long


def test_a_new_epoch_ends_every_session_and_old_cookies_stay_invalid(db: Database) -> None:
    user = create_user(db, "jon", "jon-password").user
    a: dict = {}
    b: dict = {}
    start_session(a, user, now=0)
    start_session(b, user, now=0)
    assert session_user(db, a, HOUR, DAY, now=SEEN_EVERY - 1) is not None
    end_sessions(db, user.id)
    assert session_user(db, a, HOUR, DAY, now=10) is None
    assert session_user(db, b, HOUR, DAY, now=10) is None
    legacy = {"uid": user.id, "csrf": "x"}  # a cookie from before sessions carried an epoch
    assert session_user(db, legacy, HOUR, DAY, now=10) is None


def test_throttle_delays_double_up_to_the_cap_and_known_pairs_pass() -> None:
    rule = Rule(free=5, base=1, cap=60)
    assert [rule.delay(n) for n in (1, 5, 6, 7, 8, 12, 13, 40)] == [0, 0, 1, 2, 4, 60, 60, 60]
    throttle = LoginThrottle()
    throttle.succeeded("owner", "10.0.0.1")
    for i in range(30):
        throttle.failed("owner", f"192.0.2.{i}")
    assert throttle.wait("owner", "192.0.2.99") > 0  # the username is slowed from anywhere new
    assert throttle.wait("owner", "10.0.0.1") == 0  # but not from where its owner logged in before
    for _ in range(30):
        throttle.failed("someone", "198.51.100.1")
    assert 0 < throttle.wait("anybody", "198.51.100.1") <= 60  # the address, across usernames
