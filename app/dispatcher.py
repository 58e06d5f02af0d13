"""The dispatcher: takes a slot, then a job, claims it, and runs it on a named thread."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable

from app import jobs as store
from app.db import Database
from app.pacing import Pacer
from app.queue import FairQueue, QueueItem
from app.runner import JobRunner, RunningJob

log = logging.getLogger("examgen.dispatcher")


class Dispatcher:
    """At most ``max_concurrent`` jobs run at once; each on its own thread ``job-N``."""

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
        # taken before a job is claimed, so a claimed job always has a slot to run in
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.paused = threading.Event()
        self.heartbeat = time.monotonic()
        self._lock = threading.Lock()
        self._running: dict[str, RunningJob] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._numbers = itertools.count(1)

    def loop(self) -> None:
        """The thread body: dispatch until stopped; an error is logged and the loop goes on."""
        log.info("Dispatcher started (max %d jobs at once)", self.max_concurrent)
        while not self.stop.is_set():
            self.heartbeat = time.monotonic()
            try:
                self.run_once(wait=0.5)
            except Exception:
                log.exception("Dispatcher error; carrying on")
                self.stop.wait(1)
        log.info("Dispatcher stopped")

    def run_once(self, wait: float = 0.5) -> bool:
        """Start at most one job; True if one was started."""
        if self.paused.is_set():
            self.stop.wait(wait)
            return False
        if not self.slots.acquire(timeout=wait):
            return False
        started = False
        try:
            item = self.queue.pop(self.pacer.ready)
            if item is None:
                self.slots.release()
                started = True  # the slot is already given back
                self.queue.wait(wait)
                return False
            started = self._start(item)
            return started
        finally:
            if not started:
                self.slots.release()

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
        with self.db.write() as s:
            job = store.claim(s, item.job_id)
            if job is not None:
                handle.kind, handle.platform, handle.account_id = job.kind, job.platform, job.account_id
        if job is None:
            with self._lock:
                self._running.pop(item.job_id, None)
            return False
        self.pacer.start(item.lane)
        name = f"job-{next(self._numbers)}"
        thread = threading.Thread(target=self._job_thread, args=(handle,), name=name, daemon=True)
        with self._lock:
            self._threads[item.job_id] = thread
        self.on_started(handle)
        thread.start()
        return True

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
        thread.join(timeout)
        return not thread.is_alive()

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
            threads[0].join(min(remaining, 0.5))
