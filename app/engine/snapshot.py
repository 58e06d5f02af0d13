"""What the engine shows outside: frozen figures read in one go (status page, metrics, health)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from app.engine.grid import GridStatus
from app.engine.pool import PoolStats
from app.engine.runner import RunningJob
from app.engine.stats import Peaks, QueueFigures

if TYPE_CHECKING:  # the waiting room imports the job store; the snapshot only reads it
    from app.engine.waiting import WaitingRoom


@dataclass(frozen=True)
class EngineSnapshot:
    """The live figures of the job server at one moment."""

    queue_size: int  # waiting to run: queued plus backing off
    processing: int
    scheduled: int  # waiting for their publish_at
    max_concurrent: int
    queued_by_user: dict[str, int]
    scheduled_by_user: dict[str, int]
    running_by_user: dict[str, int]
    pool: PoolStats
    peaks: Peaks
    total_processed: int
    total_failed: int
    avg_job_seconds: float
    since: datetime
    uptime_seconds: float
    shutting_down: bool
    grid: GridStatus | None = None  # the remote Grid's last /status (remote mode only)


@dataclass(frozen=True)
class Health:
    """Whether the engine's own parts work (the database is checked by whoever asks)."""

    dispatcher_ok: bool
    dispatcher_silent_seconds: float
    browser_error: str | None
    shutting_down: bool
    starting: bool = False  # the warm-up's browsers are still starting (at most a minute after start)

    @property
    def healthy(self) -> bool:
        """The dispatcher runs and a browser can start."""
        return self.dispatcher_ok and self.browser_error is None


def take_snapshot(
    running: Sequence[RunningJob],
    waiting: WaitingRoom,
    pool: PoolStats,
    grid: GridStatus | None,
    figures: QueueFigures,
    max_concurrent: int,
    uptime: float,
    shutting_down: bool,
) -> EngineSnapshot:
    """Read the live figures once, for the status page and the metrics."""
    by_user: dict[str, int] = {}
    for handle in running:
        by_user[handle.username] = by_user.get(handle.username, 0) + 1
    processed, failed = figures.totals()
    return EngineSnapshot(
        queue_size=waiting.count(),
        processing=len(running),
        scheduled=len(waiting.schedule),
        max_concurrent=max_concurrent,
        queued_by_user=waiting.queue.counts_by_user(),
        scheduled_by_user=waiting.schedule.counts_by_user(),
        running_by_user=by_user,
        pool=pool,
        grid=grid,
        peaks=replace(figures.peaks),  # a copy: the snapshot stays as it was
        total_processed=processed,
        total_failed=failed,
        avg_job_seconds=figures.avg_job_seconds,
        since=figures.since,
        uptime_seconds=uptime,
        shutting_down=shutting_down,
    )
