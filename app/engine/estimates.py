"""Estimates: how long a job runs, and when each waiting job starts (a simulation of the engine)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.engine.dispatcher import Dispatcher
from app.engine.forecast import LaneState, Outcome, Setup, run
from app.engine.forecast import RunningJob as ForecastRunning
from app.engine.lanes import Lanes
from app.engine.queue import FairQueue, QueueItem
from app.engine.schedule import Schedule
from app.engine.stats import DEFAULT_JOB_SECONDS, QueueFigures
from app.models import utcnow
from app.platforms import Platform

SIMULATED = 500  # starts a forecast simulates; later ones follow at its pace (flat cost, deep queues)
NEW_JOB_PRIORITY = 5  # the priority a job submitted without one gets
ANYBODY = "\0anybody"  # a user with nothing queued: where a newcomer's job would start


class Estimator:
    """Reads the engine's live state and simulates it forward; owns nothing."""

    def __init__(
        self,
        platforms: dict[str, Platform],
        figures: QueueFigures,
        lanes: Lanes,
        dispatcher: Dispatcher,
        queue: FairQueue,
        schedule: Schedule,
    ) -> None:
        self.platforms = platforms
        self.figures = figures
        self.lanes = lanes
        self.dispatcher = dispatcher
        self.queue = queue
        self.schedule = schedule
        self.slots: Callable[[], int] = lambda: dispatcher.max_concurrent  # a smaller Grid runs fewer
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int, frozenset[str]], Forecast] | None = None
        queue.snapshot_budget = SIMULATED  # its snapshot_version then says when what is copied here changed

    def expected_seconds(self, group: str) -> float:
        """How long a job of ``group`` (a platform, or a kind) is expected to run."""
        measured = self.figures.avg_for(group)
        if measured is not None:
            return measured
        platform = self.platforms.get(group)
        if platform is not None and platform.pacing.typical_seconds > 0:
            return platform.pacing.typical_seconds
        return self.figures.avg_job_seconds if self.figures.measured else DEFAULT_JOB_SECONDS

    def current(self) -> Forecast:
        """The forecast of now: reused while what it reads of the queue, the schedule and the running jobs
        are unchanged (for at most a second), so a poll costs a lookup; a deep queue is simulated for
        ``SIMULATED`` starts only."""
        running = frozenset(h.job_id for h in self.dispatcher.running())
        key = (self.queue.snapshot_version, self.schedule.version, running)
        with self._lock:
            cached = self._cached
            if cached is not None and cached[0] == key and time.monotonic() - cached[1].at < 1.0:
                return cached[1]
        levels, cut = self.queue.snapshot(budget=self.queue.snapshot_budget)
        users = {u for level in levels.values() for u, _ in level} | {h.username for h in self.dispatcher.running()}
        ghosts = [QueueItem(_ghost(u), u, NEW_JOB_PRIORITY, 2**62) for u in sorted(users - cut)]
        ghosts.append(QueueItem(_ghost(ANYBODY), ANYBODY, NEW_JOB_PRIORITY, 2**62))
        outcome = run(self._setup(ghosts, levels, cut))
        pace = outcome.ended_at / outcome.started if outcome.started else 0.0
        fresh = Forecast(outcome, pace or self.figures.avg_job_seconds / max(1, self.slots()), time.monotonic())
        with self._lock:
            self._cached = (key, fresh)
        return fresh

    def eta(self, forecast: Forecast, job_id: str, position: int | None, due_in: float | None = None) -> float | None:
        """Seconds until a waiting job starts: simulated, or extrapolated from its queue position (or, for
        a scheduled job past the simulated starts, its due time)."""
        simulated = forecast.outcome.starts.get(job_id)
        if simulated is None and position is None and due_in is not None and not forecast.outcome.complete:
            return due_in
        return forecast.at_now(simulated, position)

    def next_start(self, forecast: Forecast, user: str) -> float:
        """Seconds until a job ``user`` submitted now would start (any user new to the queue: ANYBODY)."""
        simulated = forecast.outcome.starts.get(_ghost(user))
        if simulated is None and user != ANYBODY and user not in self.queue.counts_by_user():
            simulated = forecast.outcome.starts.get(_ghost(ANYBODY))
        position = self.queue.position_after(user, NEW_JOB_PRIORITY)
        return forecast.at_now(simulated, position) or 0.0

    def _setup(
        self,
        ghosts: Sequence[QueueItem],
        levels: dict[int, list[tuple[str, list[QueueItem]]]],
        cut: set[str] | None = None,
    ) -> Setup:
        now = time.monotonic()
        running = [
            ForecastRunning(h.username, h.lane, max(exp - (now - h.started), exp / 2, 0.5))
            for h in self.dispatcher.running()
            for exp in [self.expected_seconds(h.platform or h.kind)]
        ]
        paced = self.lanes.pacer.snapshot()
        lanes = {
            lane: LaneState(p.concurrency, p.min_interval + p.jitter / 2, *paced.get(lane, (0, 0.0)))
            for lane, p in self.lanes.pacing().items()
        }
        wall = utcnow()
        arrivals = [(max(0.0, (due - wall).total_seconds()), item) for due, item in self.schedule.items()]
        return Setup(
            slots=self.slots(),
            levels=levels,
            duration=lambda item: self.expected_seconds(item.group),
            user_cap=self.dispatcher.user_max_running,
            running=running,
            lanes=lanes,
            arrivals=arrivals,
            ghosts=ghosts,
            limit=SIMULATED if cut else 0,
            cut=frozenset(cut or ()),
        )


@dataclass(frozen=True)
class Forecast:
    """One simulation's outcome, the pace of starts it ended at, and when it was made (monotonic)."""

    outcome: Outcome
    pace: float
    at: float

    def at_now(self, simulated: float | None, position: int | None) -> float | None:
        """A simulated start (or, past the simulated ones, one extrapolated from ``position``), from now."""
        if simulated is None:
            if self.outcome.complete or position is None:
                return None  # the whole queue was simulated: this one never starts
            simulated = self.outcome.ended_at + max(0, position - self.outcome.started) * self.pace
        return max(0.0, simulated - (time.monotonic() - self.at))


def _ghost(user: str) -> str:
    return f"\0next\0{user}"
