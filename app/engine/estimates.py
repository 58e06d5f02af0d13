"""Estimates: how long a job runs, and when each waiting job starts (a simulation of the engine)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from app.engine.dispatcher import Dispatcher
from app.engine.forecast import LaneState, Setup, simulate
from app.engine.forecast import RunningJob as ForecastRunning
from app.engine.lanes import Lanes
from app.engine.queue import FairQueue, QueueItem
from app.engine.schedule import Schedule
from app.engine.stats import DEFAULT_JOB_SECONDS, QueueFigures
from app.models import utcnow
from app.platforms import Platform


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

    def expected_seconds(self, group: str) -> float:
        """How long a job of ``group`` (a platform, or a kind) is expected to run."""
        measured = self.figures.avg_for(group)
        if measured is not None:
            return measured
        platform = self.platforms.get(group)
        if platform is not None and platform.pacing.typical_seconds > 0:
            return platform.pacing.typical_seconds
        return self.figures.avg_job_seconds if self.figures.measured else DEFAULT_JOB_SECONDS

    def forecast(self, extra: Sequence[QueueItem] = ()) -> dict[str, float]:
        """Seconds until each waiting job (and each ``extra`` job, submitted now) starts."""
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
        arrivals += [(0.0, item) for item in extra]
        setup = Setup(
            slots=self.slots(),
            levels=self.queue.snapshot(),
            duration=lambda item: self.expected_seconds(item.group),
            user_cap=self.dispatcher.user_max_running,
            running=running,
            lanes=lanes,
            arrivals=arrivals,
        )
        return simulate(setup)
