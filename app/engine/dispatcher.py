"""The dispatcher: takes a slot, then a job, claims it, and runs it on a named thread."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from queue import SimpleQueue

from app import jobs as store
from app.db import Database
from app.engine.isolation import context_owner
from app.engine.pacing import Pacer
from app.engine.queue import FairQueue, QueueItem
from app.engine.runner import JobRunner, RunningJob

log = logging.getLogger("examgen.dispatcher")


class Dispatcher:
    """At most ``max_concurrent`` jobs run at once; each on its own thread ``job-N``, started ahead of time."""

    def __init__(
        self,
        db: Database,
        queue: FairQueue,
        runner: JobRunner,
        pacer: Pacer,
        max_concurrent: int,
        job_timeout: float,
        stop: threading.Event,
        on_started: Callable[[RunningJob], None],
        on_finished: Callable[[RunningJob], None],
        user_max_running: int = 0,
    ) -> None:
        self.db = db
        self.queue = queue
        self.runner = runner
        self.pacer = pacer
        self.max_concurrent = max_concurrent
        self.job_timeout = job_timeout
        self.stop = stop
        self.on_started = on_started
        self.on_finished = on_finished
        self.user_max_running = user_max_running  # 0: no per-user cap
        # taken before a job is claimed, so a claimed job always has a slot to run in
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.paused = threading.Event()
        self.blocked: Callable[[], bool] = lambda: False  # True while no browser can be started
        self.on_db_error: Callable[[], None] = lambda: None
        # owners whose context a free browser kept: one of their jobs may go a little ahead (FairQueue.pop)
        self.kept_owners: Callable[[], frozenset[str]] = frozenset
        self.heartbeat = time.monotonic()
        self._lock = threading.Lock()
        self._running: dict[str, RunningJob] = {}
        self._claiming: set[str] = set()
        self._threads: dict[str, threading.Thread] = {}
        self._numbers = itertools.count(1)
        # starts a job's thread; unit tests run the job inline instead with ``threading.Thread.run``
        # (stepping ``run_once`` themselves: only ``loop`` starts a thread ahead)
        self.launch: Callable[[threading.Thread], None] = threading.Thread.start
        # the next job's thread, started ahead of time and waiting for its job: handing a job to a
        # waiting thread costs a wake-up, while a new thread waits its first turn behind every busy
        # process (Thread.start took ~25 ms a job under load on 2 cores, py-spy during make bench)
        self._spare: tuple[threading.Thread, SimpleQueue[RunningJob | None]] | None = None

    def loop(self) -> None:
        """The thread body: dispatch until stopped; an error is logged and the loop goes on."""
        log.info("Dispatcher started (max %d jobs at once)", self.max_concurrent)
        while not self.stop.is_set():
            self.heartbeat = time.monotonic()
            try:
                self.run_once(wait=0.5)
                self._ready_spare()
            except Exception:
                log.exception("Dispatcher error; carrying on")
                self.stop.wait(1)
        self._drop_spare()
        log.info("Dispatcher stopped")

    def run_once(self, wait: float = 0.5) -> bool:
        """Start at most one job; True if one was started."""
        # counted before looking: a job that ends or arrives from here on ends the wait below at once
        mark = self.queue.signals()
        if self.paused.is_set():
            self.stop.wait(wait)
            return False
        if self.blocked():  # jobs wait in the queue instead of burning their retries
            self.queue.wait(wait, since=mark)
            return False
        if not self.slots.acquire(timeout=wait):
            return False
        started = False
        try:
            item = self.queue.pop(self._ready(), self._prefer())
            if item is None:
                self.slots.release()
                started = True  # the slot is already given back
                self.queue.wait(wait, since=mark)
                return False
            started = self._start(item)
            return started
        finally:
            if not started:
                self.slots.release()

    def _ready(self) -> Callable[[QueueItem], bool]:
        """Which queued jobs may start now: their user is under the running cap, their lane is free."""
        per_user: dict[str, int] = {}
        for handle in self.running():
            per_user[handle.username] = per_user.get(handle.username, 0) + 1
        cap = self.user_max_running

        def ready(item: QueueItem) -> bool:
            return (not cap or per_user.get(item.user, 0) < cap) and self.pacer.ready(item)

        return ready

    def _prefer(self) -> Callable[[QueueItem], bool] | None:
        """Jobs a free browser has kept the context of (no new renderer process to start)."""
        kept = self.kept_owners()
        if not kept:
            return None
        return lambda item: context_owner(item.user, item.lane, item.group) in kept

    def _start(self, item: QueueItem) -> bool:
        handle = RunningJob(
            job_id=item.job_id,
            username=item.user,
            kind="",
            lane=item.lane,
            deadline=time.monotonic() + self.job_timeout,
        )
        with self._lock:  # registered before the claim, so a cancel racing the claim finds it
            self._running[item.job_id] = handle
            self._claiming.add(item.job_id)
        try:
            with self.db.write() as s:
                job = store.claim(s, item.job_id)
                if job is not None:
                    handle.kind, handle.platform, handle.account_id = job.kind, job.platform, job.account_id
                    handle.claimed = self.runner.claimed(s, job)
        except Exception:
            # the claim may or may not have committed: the job goes back to the queue (a second claim
            # of a running row does nothing) and the reconciler checks the row at once
            log.exception("Job %s: claim failed; back to the queue", item.job_id)
            self._forget(item.job_id)
            self.queue.push(item)
            self.on_db_error()
            return False
        if job is None:
            self._forget(item.job_id)
            return False
        self.pacer.start(item.lane)
        spare, self._spare = self._spare, None
        if spare is None:
            name = f"job-{next(self._numbers)}"
            thread = threading.Thread(target=self._job_thread, args=(handle,), name=name, daemon=True)
        else:
            thread = spare[0]
        with self._lock:
            self._threads[item.job_id] = thread
        if spare is None:
            self.launch(thread)
        else:
            spare[1].put(handle)
        with self._lock:
            self._claiming.discard(item.job_id)  # from now on a dead thread means a lost handle
        try:
            self.on_started(handle)
        except Exception:
            log.exception("Job %s: error while announcing its start", handle.job_id)
        return True

    def _ready_spare(self) -> None:
        """Start the next job's thread now, while no job waits for it (none while stopping)."""
        if self._spare is None and not self.stop.is_set() and not self.paused.is_set():
            jobs: SimpleQueue[RunningJob | None] = SimpleQueue()
            thread = threading.Thread(target=self._spare_body, args=(jobs,), name=f"job-{next(self._numbers)}")
            thread.daemon = True
            thread.start()
            self._spare = (thread, jobs)

    def _spare_body(self, jobs: SimpleQueue[RunningJob | None]) -> None:
        handle = jobs.get()
        if handle is not None:  # None: the dispatcher stopped before this thread got a job
            self._job_thread(handle)

    def _drop_spare(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            spare[1].put(None)

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            self._claiming.discard(job_id)

    def prune(self) -> list[str]:
        """Drop handles whose thread is gone (never started, or died): they must not count as running."""
        with self._lock:
            dead = [
                job_id
                for job_id in self._running
                if job_id not in self._claiming and not ((t := self._threads.get(job_id)) and t.is_alive())
            ]
            for job_id in dead:
                self._running.pop(job_id, None)
                self._threads.pop(job_id, None)
        return dead

    def _job_thread(self, handle: RunningJob) -> None:
        try:
            self.runner.run(handle)
        finally:
            with self._lock:
                self._running.pop(handle.job_id, None)
                self._threads.pop(handle.job_id, None)
            self.slots.release()
            try:
                self.on_finished(handle)
            except Exception:
                log.exception("Job %s: error after it finished", handle.job_id)
            self.queue.wake()

    def running(self) -> list[RunningJob]:
        """Handles of the jobs running now."""
        with self._lock:
            return list(self._running.values())

    def handle(self, job_id: str) -> RunningJob | None:
        """The running handle of ``job_id``, if it runs."""
        with self._lock:
            return self._running.get(job_id)

    def join_job(self, job_id: str, timeout: float) -> bool:
        """Wait up to ``timeout`` for one job's thread to end; True if it did (or was not running)."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is None:
            return True
        deadline = time.monotonic() + timeout
        while thread.ident is None and time.monotonic() < deadline:
            time.sleep(0.01)  # registered, about to be started
        _join(thread, max(0.0, deadline - time.monotonic()))
        return thread.ident is not None and not thread.is_alive()

    def join_all(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for every job thread to end; True if they all did."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = list(self._threads.values())
            if not threads:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            _join(threads[0], min(remaining, 0.5))

    def drain(self, grace: float, hurry: threading.Event, kill: Callable[[RunningJob], None]) -> None:
        """Start nothing more; give running jobs ``grace`` s (less if ``hurry`` is set), then hand them back."""
        self.paused.set()
        log.info("Shutting down: no new jobs; %d running get %.0f s to finish", len(self.running()), grace)
        deadline = time.monotonic() + grace
        finished = self.join_all(0)
        while not finished and not hurry.is_set() and time.monotonic() < deadline:
            finished = self.join_all(min(0.5, max(0.0, deadline - time.monotonic())))
        if not finished:
            left = self.running()
            log.info("Grace over: handing %d running jobs back to the queue", len(left))
            for handle in left:
                handle.shutdown = True  # the runner records a hand-back, not a failure
                kill(handle)
            self.join_all(10)


def _join(thread: threading.Thread, timeout: float) -> None:
    """Join ``thread``; one registered but not started yet (a job being launched) is waited for briefly."""
    if thread.ident is None:
        time.sleep(min(timeout, 0.01))
    else:
        thread.join(timeout)
