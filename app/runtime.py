"""JobServer: owns the queue, the pool, the dispatcher and every thread; start, recover, stop."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from app import jobs as store
from app.admission import Admission
from app.browser import BrowserFactory
from app.crypto import CookieBox
from app.db import Database
from app.dispatcher import Dispatcher
from app.kinds import JobKind
from app.models import Account, ClickState, Job, JobStatus, utcnow
from app.pacing import Pacer
from app.platforms import Platform
from app.pool import DriverPool
from app.queue import FairQueue, QueueItem
from app.retention import remove_expired
from app.retry import RetrySchedule
from app.runner import JobRunner, RunnerSettings, RunningJob
from app.stats import QueueFigures
from app.views import iso
from config import Config

log = logging.getLogger("examgen")

COOLDOWN_CODES = frozenset({"captcha", "risk_control"})


class JobServer:
    """The job engine of one process. Its methods are what the HTTP layer calls."""

    def __init__(
        self,
        config: Config,
        db: Database,
        kinds: dict[str, JobKind],
        platforms: dict[str, Platform],
        cookies: CookieBox,
        factory: BrowserFactory,
    ) -> None:
        self.config = config
        self.db = db
        self.kinds = kinds
        self.platforms = platforms
        self.cookies = cookies
        self.factory = factory
        self.stop_event = threading.Event()
        self._hurry = threading.Event()
        self.shutting_down = False
        self.started_at = time.time()
        self.queue = FairQueue()
        self.pacer = Pacer()
        self.figures = QueueFigures(db)
        self.admission = Admission(config.user_max_active, config.rate_limit, config.max_queue_size)
        self.submit_lock = threading.Lock()  # admission and insert as one step: counts stay exact
        self.pool = DriverPool(
            factory.create, config.driver_pool_size, config.driver_idle_timeout, config.driver_max_uses
        )
        self.work_root = Path(config.instance_path)
        self.runner = JobRunner(
            db,
            self.pool,
            kinds,
            cookies,
            RunnerSettings(config.job_timeout, config.retry_base_delay, config.retry_max_delay, self.work_root),
        )
        self.retries = RetrySchedule()
        self.runner.on_retry = lambda job_id, at: self.retries.add(at, job_id)
        self.dispatcher = Dispatcher(
            db,
            self.queue,
            self.runner,
            self.pacer,
            config.max_concurrent_jobs,
            config.job_timeout,
            self.stop_event,
            on_started=self._on_started,
            on_finished=self._on_finished,
        )
        self._threads: list[threading.Thread] = []
        # called with (handle, seconds) after every attempt ends: metrics and the like subscribe here
        self.finished_listeners: list[Callable[[RunningJob, float], None]] = []
        self._history: deque[dict[str, object]] = deque(maxlen=360)  # 10 s samples: one hour

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Sweep leftovers, recover unfinished jobs in their original order, start the threads."""
        swept = self.factory.sweep_leftovers()
        if swept:
            log.info("Swept %d browser processes left behind by an earlier run", swept)
        self.figures.load()
        with self.db.write() as s:
            recovered = store.recover(s)
            usernames = store.usernames(s, (j.user_id for j in recovered))
            for job in recovered:
                if job.status == JobStatus.RETRYING:
                    self.retries.add(job.next_attempt_at or utcnow(), job.id)
                else:
                    self.queue.push(self.queue_item(job, usernames[job.user_id]))
            for account in s.scalars(select(Account).where(Account.cooldown_until > utcnow())):
                remaining = (account.cooldown_until - utcnow()).total_seconds()
                lane = f"{account.user_id}/{account.platform}/{account.id}"
                self.pacer.cool_down(lane, remaining)
        if recovered:
            clicked = sum(1 for j in recovered if j.click_state != ClickState.NONE)
            log.info(
                "Recovered %d unfinished jobs (%d to check on their platform first) — %s",
                len(recovered),
                clicked,
                self.summary(),
            )
        threads = (
            ("dispatcher", self.dispatcher.loop),
            ("maintenance", self._maintenance_loop),
            ("warmup", self._warm_up),
        )
        for name, target in threads:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("Job server started: %s", self.summary())

    def hurry(self) -> None:
        """A second stop signal: stop waiting for running jobs, hand them back now."""
        self._hurry.set()

    def stop(self, grace: float | None = None) -> None:
        """Drain: refuse new work, let running jobs finish within the grace, hand the rest back."""
        if self.stop_event.is_set():
            return
        grace = self.config.shutdown_grace if grace is None else grace
        self.shutting_down = True
        self.dispatcher.paused.set()
        running = self.dispatcher.running()
        log.info("Shutting down: no new jobs; %d running get %.0f s to finish", len(running), grace)
        deadline = time.monotonic() + grace
        finished = self.dispatcher.join_all(0)
        while not finished and not self._hurry.is_set() and time.monotonic() < deadline:
            finished = self.dispatcher.join_all(min(0.5, max(0.0, deadline - time.monotonic())))
        if not finished:
            left = self.dispatcher.running()
            log.info("Grace over: handing %d running jobs back to the queue", len(left))
            for handle in left:
                handle.shutdown = True
                if handle.browser is not None:
                    self.pool.kill(handle.browser)
            self.dispatcher.join_all(10)
        self.stop_event.set()
        self.queue.wake()
        for thread in self._threads:
            thread.join(5)
        self.pool.close()
        log.info("Shutdown complete: %s", self.summary())
        self.db.dispose()

    # -- events ----------------------------------------------------------------------------

    def _on_started(self, handle: RunningJob) -> None:
        processing = len(self.dispatcher.running())
        self.figures.observe(self.waiting(), processing)
        log.info("Job %s started (user=%s kind=%s) — %s", handle.job_id, handle.username, handle.kind, self.summary())

    def _on_finished(self, handle: RunningJob) -> None:
        duration = time.monotonic() - handle.started
        self.figures.record_duration(duration)
        platform = self.platforms.get(handle.platform or "")
        interval = jitter = 0.0
        if platform is not None and handle.clicked:
            interval, jitter = platform.pacing.min_interval, platform.pacing.jitter
        self.pacer.finish(handle.lane, interval, jitter)
        if platform is not None and handle.error_code in COOLDOWN_CODES:
            self._cool_down(handle, platform.pacing.cooldown)
        if handle.outcome == JobStatus.QUEUED:
            self._requeue_ids([handle.job_id])
        for listener in self.finished_listeners:
            try:
                listener(handle, duration)
            except Exception:
                log.exception("Job %s: a finished-job listener failed", handle.job_id)
        code = f" ({handle.error_code})" if handle.error_code and handle.outcome != JobStatus.SUCCESS else ""
        log.info(
            "Job %s %s%s after %.1f s (user=%s kind=%s) — %s",
            handle.job_id,
            handle.outcome or "ended",
            code,
            duration,
            handle.username,
            handle.kind,
            self.summary(),
        )

    def _cool_down(self, handle: RunningJob, seconds: float) -> None:
        """Hold this account's queue after a captcha/risk signal; other lanes keep running."""
        self.pacer.cool_down(handle.lane, seconds)
        until = utcnow() + timedelta(seconds=seconds)
        with self.db.write() as s:
            s.execute(
                update(Account)
                .where(Account.id == handle.account_id)
                .values(cooldown_until=until, cooldown_reason=handle.error_code)
            )
        log.warning("Account lane %s cooled down for %.0f s (%s)", handle.lane, seconds, handle.error_code)

    def _warm_up(self) -> None:
        """Start the browsers the first jobs will use, and load jieba's dictionary (~1 s each)."""
        try:
            started = self.pool.prewarm(self.config.max_concurrent_jobs) if self.config.driver_prewarm else 0
            from app.exam.analyse import analyse

            analyse("考试 学习 课程 内容。Course material for the exam.")
            log.info("Warm-up done: %d browsers ready", started)
        except Exception:  # a slow first job is the only cost of failing here
            log.exception("Warm-up failed")

    # -- retries and maintenance -----------------------------------------------------------

    def _requeue_ids(self, job_ids: list[str], from_statuses: tuple[str, ...] = (JobStatus.RETRYING,)) -> int:
        with self.db.write() as s:
            jobs = [job for job_id in job_ids if (job := store.get(s, job_id)) is not None]
            jobs = [j for j in jobs if j.status == JobStatus.QUEUED or store.requeue(s, j.id, from_statuses)]
            names = store.usernames(s, (j.user_id for j in jobs))
        for job in jobs:
            self.queue.push(self.queue_item(job, names[job.user_id]))
        return len(jobs)

    def history(self) -> list[dict[str, object]]:
        """Queue size and processing every 10 s over the last hour, oldest first."""
        return list(self._history)

    def _sample(self) -> None:
        self._history.append(
            {"t": iso(utcnow()), "queue_size": self.waiting(), "processing": len(self.dispatcher.running())}
        )

    def _maintenance_loop(self) -> None:
        last_summary = last_reap = time.monotonic()
        last_sample = last_sweep = 0.0
        while not self.stop_event.wait(0.25):
            try:
                now = time.monotonic()
                due = self.retries.pop_due(utcnow())
                if due:
                    self._requeue_ids(due)
                for handle in self.dispatcher.running():
                    if now > handle.deadline and not handle.timed_out:
                        handle.timed_out = True
                        log.warning("Job %s ran over JOB_TIMEOUT; killing its browser", handle.job_id)
                        if handle.browser is not None:
                            self.pool.kill(handle.browser)
                if now - last_summary >= self.config.summary_interval:
                    last_summary = now
                    if self.waiting() or self.dispatcher.running():
                        log.info("%s, peak queue: %d", self.summary(), self.figures.peaks.max_queue_size)
                if now - last_reap >= 5:
                    last_reap = now
                    self.pool.reap_idle()
                if now - last_sample >= 10:
                    last_sample = now
                    self._sample()
                if now - last_sweep >= 3600:
                    last_sweep = now
                    removed = remove_expired(self.work_root, self.config.result_retention_days)
                    if removed:
                        log.info(
                            "Retention: removed %d files older than %g days", removed, self.config.result_retention_days
                        )
            except Exception:
                log.exception("Maintenance error; carrying on")

    # -- helpers ---------------------------------------------------------------------------

    def queue_item(self, job: Job, username: str) -> QueueItem:
        """How the in-memory queue sees ``job`` (its account lane included)."""
        kind = self.kinds.get(job.kind)
        lane = kind.lane(job.payload or {}, job.user_id, job.account_id) if kind else ""
        return QueueItem(job.id, username, job.priority, job.seq, lane)

    def waiting(self) -> int:
        """Jobs waiting to run: queued plus those waiting out a backoff."""
        return len(self.queue) + len(self.retries)

    def summary(self) -> str:
        """The figures every job log line ends with."""
        running = len(self.dispatcher.running())
        return f"Queue size: {self.waiting()}, processing: {running}/{self.config.max_concurrent_jobs}"
