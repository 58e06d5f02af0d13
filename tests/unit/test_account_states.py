"""Account states, paused lanes and when a scheduled login check is due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from app import create_app
from app.accounts import account_state
from app.engine.login_checks import is_due, jitter_fraction, queue_due_checks
from app.engine.pacing import Pacer
from app.engine.queue import QueueItem
from app.models import Account, Job, User, utcnow
from config import TestConfig


def test_an_accounts_state_follows_its_login_and_cool_down() -> None:
    now = utcnow()
    account = Account(id=1, login_ok=None)
    assert account_state(account, now) == "unknown"
    account.login_ok = True
    assert account_state(account, now) == "ok"
    account.login_ok = False
    assert account_state(account, now) == "expired"
    account.cooldown_until = now + timedelta(minutes=5)
    assert account_state(account, now) == "cooling_down"
    account.cooldown_until = now - timedelta(minutes=5)
    assert account_state(account, now) == "expired"


def test_a_held_lane_starts_only_login_checks_until_released() -> None:
    pacer = Pacer()
    publish = QueueItem("p", "u", 5, 1, lane="1/demo/1")
    check = QueueItem("c", "u", 9, 2, lane="1/demo/1", probe=True)
    other = QueueItem("o", "u", 5, 3, lane="1/demo/2")
    pacer.hold("1/demo/1")
    assert (pacer.ready(publish), pacer.ready(check), pacer.ready(other)) == (False, True, True)
    assert pacer.release("1/demo/1") is True and pacer.release("1/demo/1") is False
    assert pacer.ready(publish)


def test_a_check_is_due_after_the_interval_plus_the_accounts_own_jitter() -> None:
    now = utcnow()
    account = Account(id=7, login_ok=True, created_at=now - timedelta(hours=10), checked_at=now - timedelta(hours=5))
    assert not is_due(account, 6, now)
    account.checked_at = now - timedelta(hours=6 * 1.1)
    assert is_due(account, 6, now)
    account.checked_at = None  # never checked: counted from its creation
    assert is_due(account, 6, now)
    assert not is_due(account, 0, now)  # LOGIN_CHECK_HOURS=0: never
    account.login_ok = False  # logged out: it waits for fresh cookies, not for checks
    assert not is_due(account, 6, now)
    fractions = {jitter_fraction(i) for i in range(1, 50)}
    assert all(0 <= f < 0.1 for f in fractions) and len(fractions) == 49


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    flask_app = create_app(TestConfig.for_dir(tmp_path / "instance", admin_token="t" * 20), start=False)
    yield flask_app
    flask_app.extensions["examgen"].db.dispose()


def test_due_accounts_get_one_queued_check_each(app: Flask) -> None:
    eng = app.extensions["examgen"]
    with eng.db.read() as s:
        owner = s.query(User).filter_by(username="admin").one()
    for name in ("due", "fresh", "gone"):
        eng.accounts.save(owner, "demo", name, [{"name": "demo_user", "value": name}])
    old = utcnow() - timedelta(hours=7)
    with eng.db.write() as s:
        s.execute(update(Account).where(Account.name.in_(["due", "gone"])).values(checked_at=old, login_ok=True))
        s.execute(update(Account).where(Account.name == "gone").values(login_ok=False))
    (job_id,) = queue_due_checks(eng.server, 6)
    with eng.db.read() as s:
        job = s.get(Job, s.query(Job.seq).filter_by(id=job_id).scalar())
        assert (job.kind, job.account_name, job.status, job.priority) == ("check_login", "due", "queued", 9)
    assert eng.server.is_waiting(job_id)
    assert queue_due_checks(eng.server, 6) == []  # one is waiting already
    assert queue_due_checks(eng.server, 0) == []


def test_a_paused_lanes_jobs_get_no_start_estimate_and_do_not_delay_others() -> None:
    from app.engine.forecast import LaneState, Setup, rotation, simulate

    pacer = Pacer()
    pacer.hold("1/demo/1")
    paused = QueueItem("p", "ann", 5, 1, lane="1/demo/1")
    other = QueueItem("o", "bob", 5, 2, lane="2/demo/1")
    snap = pacer.snapshot()
    lanes = {lane: LaneState(1, 0.0, *snap.get(lane, (0, 0.0))) for lane in ("1/demo/1", "2/demo/1")}
    setup = Setup(
        slots=1,
        levels=rotation([paused, other]),
        duration=lambda item: 10.0,
        user_cap=0,
        running=[],
        lanes=lanes,
        arrivals=[],
    )
    assert simulate(setup) == {"o": 0.0}


def test_the_engine_follows_outside_changes_only_for_a_while_after_the_cli_says_so(tmp_path: Path) -> None:
    from app.engine.outside import FOLLOW_FOR, OutsideWatch, nudge

    watch = OutsideWatch(tmp_path)
    assert not watch.due(100.0)  # nothing changed from outside: no database pass at all
    nudge(tmp_path)
    assert watch.due(101.0) and watch.due(101.0 + FOLLOW_FOR)
    assert not watch.due(102.0 + FOLLOW_FOR)
