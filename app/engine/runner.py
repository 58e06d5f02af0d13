"""Runs one claimed job: lends it a browser, calls its kind, records what came of it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException

from app import jobs as store
from app.crypto import CookieBox
from app.db import Database
from app.engine.browser import Browser
from app.engine.evidence import capture_evidence
from app.engine.isolation import context_owner
from app.engine.pool import BrowserStartFailed, DriverPool, PoolClosed, PoolTimeout
from app.engine.retry import backoff_delay, final_status
from app.errors import JobFailure, OutcomeUnknown, PermanentFailure, TransientFailure
from app.kinds.base import AccountInfo, JobContext, JobKind, JobResult
from app.models import Account, ClickState, Job, JobStatus, utcnow

log = logging.getLogger("examgen.jobs")


@dataclass
class RunningJob:
    """The control side's handle on a running job: how to stop it and when it must end."""

    job_id: str
    username: str
    kind: str
    lane: str
    deadline: float
    platform: str | None = None
    account_id: int | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    timed_out: bool = False
    shutdown: bool = False  # interrupted by a server stop: back to the queue, attempt not counted
    retry_at: datetime | None = None
    browser: Browser | None = None
    started: float = field(default_factory=time.monotonic)
    click_state: ClickState = ClickState.NONE
    outcome: str = ""
    error_code: str | None = None
    clicked: bool = False  # this run reached the irreversible step (pacing counts it)
    no_browser: bool = False  # no browser could be started: the job waits, its attempt not counted
    claimed: tuple[Job, Account | None] | None = None  # the rows as claimed (no second read to start)
    # live progress stays in memory: it only matters while the job runs, and a crash resets it
    progress: int = 0
    phase: str = "Starting"

    def report(self, progress: int, phase: str) -> None:
        """A kind's progress report (0–100 and a phase text)."""
        self.progress, self.phase = max(0, min(100, progress)), phase[:255]


@dataclass
class RunnerSettings:
    job_timeout: float
    retry_base_delay: float
    retry_max_delay: float
    work_root: Path


class JobRunner:
    """Turns one claimed job into a final status, a scheduled retry, or a verified success."""

    def __init__(
        self, db: Database, pool: DriverPool, kinds: dict[str, JobKind], cookies: CookieBox, settings: RunnerSettings
    ) -> None:
        self.db = db
        self.pool = pool
        self.kinds = kinds
        self.cookies = cookies
        self.settings = settings
        self.on_retry: Callable[[str, datetime], None] = lambda job_id, at: None
        self.on_lost: Callable[[], None] = lambda: None  # an outcome could not be written
        # a failure that says something about the account (logged out, captcha): called before the
        # failure is recorded, so no job of that account starts before its lane is paused or cooled
        self.on_account_failure: Callable[[RunningJob, str], str | None] = lambda handle, code: None

    def run(self, handle: RunningJob) -> None:
        """Run the job behind ``handle`` to its next resting state; never raises.

        If even the retried write of the outcome fails, the row stays ``running`` with no thread:
        the reconciler, called at once, puts it back in the queue (a publish through its click state).
        """
        try:
            self._run(handle)
        except Exception:
            log.exception("Job %s: its outcome could not be recorded; the reconciler takes over", handle.job_id)
            handle.outcome = handle.outcome or "unrecorded"
            self.on_lost()

    def claimed(self, session: Any, job: Job) -> tuple[Job, Account | None]:
        """What the job needs to start, read in the transaction that claims it (the dispatcher's)."""
        return job, session.get(Account, job.account_id) if job.account_id else None

    def _run(self, handle: RunningJob) -> None:
        def load(s: Any) -> tuple[Job, Account | None] | None:
            job = store.get(s, handle.job_id)
            return self.claimed(s, job) if job is not None else None

        # read with the claim as a rule; on its own only when the job was claimed elsewhere
        rows = handle.claimed or self.db.write_retrying(load, f"loading job {handle.job_id}", write=False)
        handle.claimed = None
        if rows is None:
            return
        snapshot, info = _Snapshot.of(rows[0]), self._account_info(rows[1])  # decrypted on the job's thread
        handle.click_state = ClickState(snapshot.click_state)
        kind = self.kinds[snapshot.kind]
        ctx = JobContext(
            job_id=handle.job_id,
            username=handle.username,
            payload=snapshot.payload,
            attempt=snapshot.attempts,
            click_state=handle.click_state,
            account=info,
            work_dir=self.settings.work_root,
            cancelled=handle.cancel,
            report=handle.report,
            set_click_state=lambda state: self._click(handle, state),
        )
        reusable = True
        result: JobResult | None = None
        owner = context_owner(handle.username, handle.lane, handle.kind)  # who may inherit this job's context
        try:
            if kind.needs_browser:
                ctx.browser = handle.browser = self.pool.acquire(min(60.0, self.settings.job_timeout), owner)
                if handle.cancel.is_set() or handle.timed_out:
                    raise TransientFailure("interrupted", "Stopped before it began")
            done = kind.run(ctx)
            if handle.cancel.is_set() and handle.click_state == ClickState.NONE:
                raise TransientFailure("interrupted", "Cancelled")
            result = done
        except Exception as exc:  # noqa: BLE001 - every failure is classified below
            failure = self._classify(handle, exc)
            handle.no_browser = isinstance(exc, BrowserStartFailed)
            reusable = not isinstance(exc, WebDriverException) and failure.code not in ("timeout", "browser_error")
            evidence = capture_evidence(ctx.browser, self.settings.work_root, handle.job_id, snapshot.attempts)
            self._fail(handle, snapshot, failure, evidence)
        finally:
            if handle.browser is not None:
                # after a success, this user's next job on the same account may keep the context
                keep_for = owner if result is not None else ""
                self.pool.release(handle.browser, reusable and not handle.browser.killed, keep_for)
        if result is not None:
            # outside the try: a success that cannot be written is not a failure of the job; the row
            # stays running and the reconciler re-runs it, which finds the work done (a publish on the
            # platform through its click state; an exam is simply written again)
            self._succeed(handle, snapshot, result)

    def _classify(self, handle: RunningJob, exc: Exception) -> JobFailure:
        if handle.shutdown:
            return TransientFailure("shutting_down", "Interrupted by a server stop")
        if isinstance(exc, BrowserStartFailed):
            return TransientFailure("no_browser", f"No browser could be started: {exc}")
        if handle.cancel.is_set():
            return PermanentFailure("cancelled", "Cancelled by the user")
        if handle.timed_out:
            limit = self.settings.job_timeout
            return TransientFailure("timeout", f"The attempt ran over JOB_TIMEOUT ({limit:.0f} s)")
        if isinstance(exc, JobFailure):
            return exc
        if isinstance(exc, PoolTimeout):
            return TransientFailure("no_browser", str(exc))
        if isinstance(exc, PoolClosed):
            return TransientFailure("shutting_down", "The server is shutting down")
        if isinstance(exc, WebDriverException):
            msg = (exc.msg or type(exc).__name__).splitlines()[0][:300]
            return TransientFailure("browser_error", f"The browser failed: {msg}")
        log.exception("Job %s failed with an unexpected error", handle.job_id, exc_info=exc)
        return TransientFailure("internal_error", f"{type(exc).__name__}: {exc}"[:300])

    def _succeed(self, handle: RunningJob, snap: _Snapshot, result: JobResult) -> None:
        self.db.write_retrying(
            lambda s: self._record_success(s, handle, snap, result), f"recording job {handle.job_id}"
        )
        handle.outcome = JobStatus.SUCCESS

    def _record_success(self, s: Any, handle: RunningJob, snap: _Snapshot, result: JobResult) -> None:
        store.finish(
            s,
            handle.job_id,
            JobStatus.SUCCESS,
            result_url=result.result_url,
            result_path=result.result_path,
            article_id=result.article_id or snap.article_id,
            phase="Done",
            error=None,
            error_code=None,
        )
        if snap.account_id is not None:
            account = s.get(Account, snap.account_id)
            if account is not None:
                account.login_ok = True
                account.identity = account.identity or result.identity
                if result.cookies and result.cookies != self.cookies.open(account.cookies_encrypted):
                    account.cookies_encrypted = self.cookies.seal(result.cookies)
        job = store.get(s, handle.job_id)
        if job is not None:
            self.kinds[snap.kind].on_success(s, job, result)  # the kind's own effects, in this transaction

    def _fail(self, handle: RunningJob, snap: _Snapshot, failure: JobFailure, evidence: dict[str, Any] | None) -> None:
        clicked = handle.click_state != ClickState.NONE
        wait_phase = None
        if handle.account_id is not None and not (handle.shutdown or handle.no_browser):
            try:
                wait_phase = self.on_account_failure(handle, failure.code)
            except Exception:  # pacing bookkeeping: the job's own outcome is recorded regardless
                log.exception("Job %s: pausing or cooling down its account failed", handle.job_id)
        if handle.shutdown or handle.no_browser or (wait_phase and not clicked):
            # a stop, no browser at all, or an account logged out before the click: not the job's fault,
            # so it waits again (a logged-out one with its lane, for fresh cookies), its attempt not counted
            def back(s: Any) -> None:
                if wait_phase and not clicked:
                    store.park(s, handle.job_id, wait_phase, failure.code, failure.message, evidence)
                else:
                    store.hand_back(s, handle.job_id)

            self.db.write_retrying(back, f"handing back job {handle.job_id}")
            handle.outcome, handle.error_code = JobStatus.QUEUED, failure.code
            return
        cancelled = failure.code == "cancelled"
        status = final_status(
            permanent=failure.permanent,
            unknown=isinstance(failure, OutcomeUnknown) or (cancelled and clicked),
            attempts=snap.attempts,
            max_attempts=snap.max_attempts,
            clicked=clicked,
        )
        if cancelled and not clicked:
            status = JobStatus.CANCELLED
        message = failure.message
        if status == JobStatus.NEEDS_REVIEW and not isinstance(failure, OutcomeUnknown):
            message = f"The publish click may have happened and could not be verified: {message}"
        extra: dict[str, Any] = {"evidence": evidence} if evidence else {}
        if isinstance(failure, OutcomeUnknown) and failure.result_url:
            extra.update(result_url=failure.result_url, article_id=failure.article_id or snap.article_id)
        if status is None:
            delay = backoff_delay(snap.attempts, self.settings.retry_base_delay, self.settings.retry_max_delay)
            handle.retry_at = utcnow() + timedelta(seconds=delay)

        def record(s: Any) -> None:
            if status is None:
                assert handle.retry_at is not None  # set above whenever status is None
                store.schedule_retry(s, handle.job_id, handle.retry_at, failure.code, message, **extra)
            else:
                store.finish(
                    s, handle.job_id, status, error=message, error_code=failure.code, phase=_PHASES[status], **extra
                )

        self.db.write_retrying(record, f"recording job {handle.job_id}")
        if status is None and handle.retry_at is not None:
            self.on_retry(handle.job_id, handle.retry_at)  # at once: the queue size counts it
        handle.outcome = status or JobStatus.RETRYING
        handle.error_code = failure.code

    def _click(self, handle: RunningJob, state: ClickState) -> None:
        # committed before the click happens: a crash after this line is reconciled on restart
        self.db.write_retrying(lambda s: store.set_click_state(s, handle.job_id, state), f"click of {handle.job_id}")
        handle.click_state = state
        handle.clicked = handle.clicked or state != ClickState.NONE

    def _account_info(self, account: Account | None) -> AccountInfo | None:
        if account is None:
            return None
        return AccountInfo(
            id=account.id,
            platform=account.platform,
            name=account.name,
            cookies=self.cookies.open(account.cookies_encrypted),
            identity=account.identity,
        )


_PHASES = {JobStatus.FAILED: "Failed", JobStatus.CANCELLED: "Cancelled", JobStatus.NEEDS_REVIEW: "Needs review"}


@dataclass(frozen=True)
class _Snapshot:
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    click_state: str
    account_id: int | None
    article_id: str | None

    @classmethod
    def of(cls, job: Job) -> _Snapshot:
        payload = dict(job.payload or {})
        return cls(job.kind, payload, job.attempts, job.max_attempts, job.click_state, job.account_id, job.article_id)
