"""Account lanes: which lane a job runs in, each lane's pacing, and what a finished job does to it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from app.db import Database
from app.engine.pacing import Pacer
from app.engine.queue import QueueItem
from app.engine.runner import RunningJob
from app.kinds import JobKind
from app.kinds.base import account_lane
from app.models import Account, Job, JobStatus, utcnow
from app.platforms import Pacing, Platform

log = logging.getLogger("examgen")

COOLDOWN_CODES = frozenset({"captcha", "risk_control"})
EXPIRED_CODE = "not_logged_in"
PAUSED_PHASE = "Paused: the account is logged out; save fresh cookies to continue"


class Lanes:
    """Owns the pacer and every known lane's pacing (its platform's, with the account's overrides)."""

    def __init__(self, db: Database, kinds: dict[str, JobKind], platforms: dict[str, Platform]) -> None:
        self.db = db
        self.kinds = kinds
        self.platforms = platforms
        self.pacer = Pacer()
        self._pacing: dict[str, Pacing] = {}
        self._lock = threading.Lock()
        self.on_change: Callable[[], None] = lambda: None  # the queue's wake-up: a lane's capacity may have grown

    def item(self, job: Job, username: str) -> QueueItem:
        """How the in-memory queue sees ``job`` (its account lane included)."""
        kind = self.kinds.get(job.kind)
        lane = kind.lane(job.payload or {}, job.user_id, job.account_id) if kind else ""
        if lane and lane not in self._pacing:
            self.learn(lane, job.platform or "", job.account_id)
        probe = job.kind == "check_login"
        return QueueItem(job.id, username, job.priority, job.seq, lane, job.platform or job.kind, probe)

    def learn(self, lane: str, platform: str, account_id: int | None) -> Pacing:
        """Read ``lane``'s pacing: its platform's, with the account's own concurrency and interval."""
        found = self.platforms.get(platform)
        pacing = found.pacing if found is not None else Pacing()
        if account_id is not None:
            with self.db.read() as s:
                account = s.get(Account, account_id)
                if account is not None:
                    pacing = pacing.overridden(account.concurrency, account.min_interval)
        with self._lock:
            self._pacing[lane] = pacing
        self.pacer.set_capacity(lane, pacing.concurrency)
        self.on_change()
        return pacing

    def account_changed(self, user_id: int, platform: str, account_id: int) -> None:
        """An account's pacing or cookies may have changed: its lane takes them from now on."""
        lane = account_lane(user_id, platform, account_id)
        self.learn(lane, platform, account_id)
        self._resume_if_logged_in(lane, account_id)

    def pacing(self) -> dict[str, Pacing]:
        """Every known lane's pacing."""
        with self._lock:
            return dict(self._pacing)

    def finished(self, handle: RunningJob) -> None:
        """Free the job's lane: after a publish it waits its interval; after a captcha, a cool-down."""
        platform = self.platforms.get(handle.platform or "")
        pacing = self._pacing.get(handle.lane) or (platform.pacing if platform is not None else None)
        interval = jitter = 0.0
        if pacing is not None and handle.clicked:
            interval, jitter = pacing.min_interval, pacing.jitter
        self.pacer.finish(handle.lane, interval, jitter)
        checked_ok = handle.kind == "check_login" and handle.outcome == "success"
        if checked_ok and handle.account_id is not None and handle.lane:
            self._resume_if_logged_in(handle.lane, handle.account_id)

    def account_failed(self, handle: RunningJob, code: str) -> str | None:
        """A job is about to fail for its account: a captcha cools the lane down; a logged-out account
        pauses it (its waiting jobs stay queued until new cookies). Before the failure is recorded.
        Returns the phase the job itself should wait under instead of failing (a logged-out publish)."""
        if not handle.lane or handle.account_id is None:
            return None
        if code in COOLDOWN_CODES:
            platform = self.platforms.get(handle.platform or "")
            pacing = self._pacing.get(handle.lane) or (platform.pacing if platform is not None else None)
            if pacing is not None:
                self._cool_down(handle, pacing.cooldown, code)
        elif code == EXPIRED_CODE:
            self._pause(handle.lane, handle.account_id)
            # a login check's answer is its outcome; any other job waits with the rest of the lane
            return PAUSED_PHASE if handle.kind != "check_login" else None
        return None

    def _pause(self, lane: str, account_id: int) -> None:
        self.pacer.hold(lane)
        with self.db.write() as s:
            s.execute(update(Account).where(Account.id == account_id).values(login_ok=False, checked_at=utcnow()))
            s.execute(
                update(Job)
                .where(Job.account_id == account_id, Job.status == JobStatus.QUEUED, Job.kind != "check_login")
                .values(phase=PAUSED_PHASE, updated_at=utcnow())
            )
        log.warning("Account lane %s paused: the account is logged out; its jobs wait for fresh cookies", lane)

    def _resume_if_logged_in(self, lane: str, account_id: int) -> None:
        """New cookies (not known to fail yet) or a successful check: the paused lane runs again."""
        with self.db.read() as s:
            login_ok = s.scalar(select(Account.login_ok).where(Account.id == account_id))
        if login_ok is False or not self.pacer.release(lane):
            return
        with self.db.write() as s:
            s.execute(
                update(Job)
                .where(Job.account_id == account_id, Job.status == JobStatus.QUEUED, Job.phase == PAUSED_PHASE)
                .values(phase=None, updated_at=utcnow())
            )
        log.info("Account lane %s resumed", lane)
        self.on_change()

    def restore_pauses(self) -> None:
        """At start: accounts known to be logged out hold their lanes again."""
        with self.db.read() as s:
            for account in s.scalars(select(Account).where(Account.login_ok.is_(False))):
                self.pacer.hold(account_lane(account.user_id, account.platform, account.id))

    def _cool_down(self, handle: RunningJob, seconds: float, code: str) -> None:
        """Hold this account's queue after a captcha/risk signal; other lanes keep running."""
        self.pacer.cool_down(handle.lane, seconds)
        until = utcnow() + timedelta(seconds=seconds)
        with self.db.write() as s:
            s.execute(
                update(Account)
                .where(Account.id == handle.account_id)
                .values(cooldown_until=until, cooldown_reason=code)
            )
        log.warning("Account lane %s cooled down for %.0f s (%s)", handle.lane, seconds, code)

    def restore_cool_downs(self) -> None:
        """At start: accounts still cooling down (the database keeps when) hold their lanes again."""
        with self.db.read() as s:
            cooling = list(s.scalars(select(Account).where(Account.cooldown_until > utcnow())))
            for account in cooling:
                remaining = ((account.cooldown_until or utcnow()) - utcnow()).total_seconds()
                self.pacer.cool_down(account_lane(account.user_id, account.platform, account.id), remaining)
