"""JobServer: owns the queue, the pool, the dispatcher and every thread; start, recover, stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.crypto import CookieBox
from app.db import Database
from app.engine.browser_factory import BrowserFactory
from app.engine.dispatcher import Dispatcher
from app.engine.estimates import Estimator
from app.engine.grid_watch import GridWatch
from app.engine.lanes import Lanes
from app.engine.pool import DriverPool
from app.engine.reconciler import Reconciler
from app.engine.recovery import recover
from app.engine.runner import JobRunner, RunnerSettings, RunningJob
from app.engine.snapshot import EngineSnapshot, Health, take_snapshot
from app.engine.stats import QueueFigures
from app.engine.supervisor import Supervisor
from app.engine.upkeep import Maintenance
from app.engine.waiting import WaitingRoom
from app.engine.warmup import warm_up
from app.kinds import JobKind
from app.models import JobStatus
from app.platforms import Pacing, Platform
from config import Config

log = logging.getLogger("examgen")


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
        self._ready = threading.Event()  # the warm-up's browsers are up: /healthz says "ok" from then on
        self._lanes = Lanes(db, kinds, platforms)
        self._waiting = WaitingRoom(db, self._lanes)
        self._waiting.summary = self.summary
        self._queue, self._retries, self._schedule = self._waiting.queue, self._waiting.retries, self._waiting.schedule
        self._lanes.on_change = self._queue.wake
        # the waiting verbs, as the HTTP layer and the chores call them
        w = self._waiting
        self.enqueue, self.forget, self.requeue_ids, self.holds = w.enqueue, w.forget, w.requeue_ids, w.holds
        self.promote_scheduled, self.waiting = w.promote_scheduled, w.count
        self.is_waiting, self.positions = w.is_waiting, w.positions
        self.positions_of = self._queue.positions_of
        self._figures = QueueFigures(db)
        self._pool = DriverPool(
            factory.create, config.driver_pool_size, config.driver_idle_timeout, config.driver_max_uses
        )
        self.work_root = Path(config.instance_path)
        self._runner = JobRunner(
            db,
            self._pool,
            kinds,
            cookies,
            RunnerSettings(config.job_timeout, config.retry_base_delay, config.retry_max_delay, self.work_root),
        )
        self._runner.on_retry = lambda job_id, at: self._retries.add(at, job_id)
        self._runner.on_account_failure = self._lanes.account_failed
        self._dispatcher = Dispatcher(
            db,
            self._queue,
            self._runner,
            self._lanes.pacer,
            config.max_concurrent_jobs,
            config.job_timeout,
            self.stop_event,
            on_started=self._on_started,
            on_finished=self._on_finished,
            user_max_running=config.user_max_running,
        )
        self._dispatcher.kept_owners = self._pool.idle_kept_owners
        self._maintenance = Maintenance(self, self._dispatcher, self._pool, self._retries)
        self._reconciler = Reconciler(self, self._dispatcher, self._queue, self._retries)
        self.db.on_error = self._dispatcher.on_db_error = self._runner.on_lost = self._reconciler.trigger
        parts = (self._figures, self._lanes, self._dispatcher, self._queue, self._schedule)
        self._estimator = Estimator(platforms, *parts)
        self._estimator.slots = lambda: max(1, min(config.max_concurrent_jobs, self._pool.size))
        self.expected_seconds = self._estimator.expected_seconds
        e = self._estimator
        self.forecast_now, self.eta, self.next_start = e.current, e.eta, e.next_start
        self.account_changed = self._lanes.account_changed
        loops = {"dispatcher": self._dispatcher.loop, "maintenance": self._maintenance.loop}
        self._threads = Supervisor({**loops, "reconciler": self._reconciler.loop}, self.stop_event)
        # no browser can start, or a remote Grid has fewer free slots than jobs running: jobs wait
        self._dispatcher.blocked = lambda: (
            self._pool.start_error is not None or len(self._dispatcher.running()) >= self._pool.size
        )
        self._grid = GridWatch(factory, self._pool)
        self.watch_grid, self.sweep_grid_sessions = self._grid.watch, self._grid.sweep_sessions
        # called with (handle, seconds) after every attempt ends: metrics and the like subscribe here
        self.finished_listeners: list[Callable[[RunningJob, float], None]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Sweep leftovers, recover unfinished jobs in their original order, start the threads."""
        swept = self.factory.sweep_leftovers()
        if swept:
            log.info("Swept %d browser processes left behind by an earlier run", swept)
        self.watch_grid()  # before the warm-up: never more browsers than the Grid has slots
        self._figures.load()
        recovered, clicked = recover(self.db, self._queue, self._retries, self._schedule, self._lanes.item)
        if recovered:
            what = "Recovered %d unfinished jobs (%d to check on their platform first) — %s"
            log.info(what, recovered, clicked, self.summary())
        self._lanes.restore_cool_downs()
        self._lanes.restore_pauses()
        missing = self.factory.missing()
        if missing:
            self._pool.start_error = missing
            log.error("No browser can be started: %s. Jobs wait in the queue until one can.", missing)
        self.ensure_threads()
        if not missing:
            browsers = self.config.max_concurrent_jobs if self.config.driver_prewarm else 0
            busy = lambda: bool(self._dispatcher.running() or self.waiting())  # noqa: E731
            args = (self._pool, browsers, busy, self.stop_event, self._ready)
            threading.Thread(target=warm_up, args=args, name="warmup", daemon=True).start()
        else:
            self._ready.set()  # nothing to warm up: ready as it is
        log.info("Job server started: %s", self.summary())

    def add_thread(self, name: str, target: Callable[[], None]) -> None:
        """Another long-lived thread owned (started, restarted, stopped) with the engine's own; before start()."""
        self._threads.targets[name] = target

    def ensure_threads(self) -> list[str]:
        """Start every supervised thread that is not alive (at start, or after one died)."""
        return self._threads.ensure()

    def probe_browsers(self) -> bool:
        """While no browser could start: try one again; jobs resume once it works."""
        if self._pool.probe():
            log.info("Browsers start again; jobs resume — %s", self.summary())
            return True
        log.warning("Still no browser can be started: %s", self._pool.start_error)
        return False

    def hurry(self) -> None:
        """A second stop signal: stop waiting for running jobs, hand them back now."""
        self._hurry.set()

    def stop(self, grace: float | None = None) -> None:
        """Drain: refuse new work, let running jobs finish within the grace, hand the rest back."""
        if self.stop_event.is_set():
            return
        grace = self.config.shutdown_grace if grace is None else grace
        self.shutting_down = True
        self._dispatcher.drain(grace, self._hurry, self._kill_browser)
        self.stop_event.set()
        self._queue.wake()
        self._threads.join(5)
        self._pool.close()
        self._grid.sweep_at_stop()
        log.info("Shutdown complete: %s", self.summary())
        self.db.dispose()

    def _kill_browser(self, handle: RunningJob) -> None:
        if handle.browser is not None:
            self._pool.kill(handle.browser)

    # -- events ----------------------------------------------------------------------------

    def _on_started(self, handle: RunningJob) -> None:
        processing = len(self._dispatcher.running())
        self._figures.observe(self.waiting(), processing)
        log.info("Job %s started (user=%s kind=%s) — %s", handle.job_id, handle.username, handle.kind, self.summary())

    def _on_finished(self, handle: RunningJob) -> None:
        duration = time.monotonic() - handle.started
        self._figures.record_duration(duration, handle.platform or handle.kind)
        self._lanes.finished(handle)
        if handle.outcome == JobStatus.QUEUED:
            self.requeue_ids([handle.job_id])
        elif handle.outcome == "unrecorded":
            self._reconciler.trigger()  # its thread is gone now: the pass can requeue the row
        for listener in self.finished_listeners:
            try:
                listener(handle, duration)
            except Exception:
                log.exception("Job %s: a finished-job listener failed", handle.job_id)
        code = f" ({handle.error_code})" if handle.error_code and handle.outcome != JobStatus.SUCCESS else ""
        log.info(
            "Job %s %s%s after %.1f s (user=%s kind=%s) — %s",
            *(handle.job_id, handle.outcome or "ended", code, duration, handle.username, handle.kind, self.summary()),
        )

    # -- figures and verbs -----------------------------------------------------------------

    def history(self) -> list[dict[str, object]]:
        """The last hour, a point per 10 s: each its interval's highest queue size and processing; oldest first."""
        return self._figures.history()

    def sample(self) -> None:
        """Record one point of the queue history."""
        self._figures.sample(self.waiting(), len(self._dispatcher.running()))

    def interrupt(self, job_id: str, wait: float) -> bool:
        """Stop a running job: raise its cancel flag, kill its browser, wait up to ``wait`` s for it."""
        handle = self._dispatcher.handle(job_id)
        if handle is None:
            return False
        handle.cancel.set()
        self._kill_browser(handle)
        self._dispatcher.join_job(job_id, wait)
        return True

    def pause(self) -> None:
        """Start no more jobs (running ones go on); what a drain does first."""
        self._dispatcher.paused.set()

    def resume(self) -> None:
        """Start jobs again after a pause (not after a shutdown has begun)."""
        if not self.shutting_down:
            self._dispatcher.paused.clear()
            self._queue.wake()

    def note_peaks(self) -> None:
        """Record the queue and processing peaks now (after jobs were added)."""
        self._figures.observe(self.waiting(), len(self._dispatcher.running()))

    def avg_job_seconds(self) -> float:
        """Mean running time of the recent attempts (the admission's wait estimate)."""
        return self._figures.avg_job_seconds

    def use_submit_lock(self, lock: threading.Lock) -> None:
        """The lock the submitters hold from insert to enqueue: the reconciler waits on it too."""
        self._reconciler.submit_lock = lock

    def submit_lock(self) -> threading.Lock:
        """The lock submitters hold from insert to enqueue (shared with the reconciler)."""
        return self._reconciler.submit_lock

    def live_progress(self, job_id: str) -> tuple[int, str] | None:
        """(progress, phase) of a running job, kept in memory; None when it is not running here."""
        handle = self._dispatcher.handle(job_id)
        return (handle.progress, handle.phase) if handle is not None else None

    def snapshot(self) -> EngineSnapshot:
        """The live figures, read once for the status page and the metrics."""
        return take_snapshot(
            self._dispatcher.running(),
            self._waiting,
            self._pool.stats(),
            self._grid.status,
            self._figures,
            self.config.max_concurrent_jobs,
            time.time() - self.started_at,
            self.shutting_down,
        )

    def health(self) -> Health:
        """Whether the dispatcher beats and a browser can start."""
        silent = time.monotonic() - self._dispatcher.heartbeat
        return Health(
            dispatcher_ok=silent < 10 and not self.stop_event.is_set(),
            dispatcher_silent_seconds=silent,
            browser_error=self._pool.start_error or self._grid.problem(),
            shutting_down=self.shutting_down,
            starting=not self._ready.is_set() and time.time() - self.started_at < 60,
        )

    def healthy(self) -> bool:
        """True while the engine can run jobs."""
        return self.health().healthy

    def lane_pacing(self) -> dict[str, Pacing]:
        """Every known lane's pacing (for the forecast)."""
        return self._lanes.pacing()

    def summary(self) -> str:
        """The figures every job log line ends with."""
        running = len(self._dispatcher.running())
        return f"Queue size: {self.waiting()}, processing: {running}/{self.config.max_concurrent_jobs}"
