"""Watching a remote Selenium Grid: its /status, the pool sized to its capacity, leftover sessions ended."""

from __future__ import annotations

import logging

from app.engine.browser_factory import BrowserFactory
from app.engine.grid import GridStatus
from app.engine.pool import DriverPool

log = logging.getLogger("examgen")


class GridWatch:
    """What the engine knows of the Grid it borrows browsers from (nothing in local mode)."""

    def __init__(self, factory: BrowserFactory, pool: DriverPool) -> None:
        self.factory = factory
        self.pool = pool
        self.status: GridStatus | None = None  # the Grid's last /status (remote mode only)
        self.error: str | None = None

    def watch(self) -> None:
        """Read the remote Grid's /status; the pool follows its capacity when that is below DRIVER_POOL_SIZE.

        Capacity is what this server may hold: the free slots plus the sessions it holds or starts
        (other clients of a shared Grid keep theirs).
        """
        grid = self.factory.grid
        if grid is None:
            return
        try:
            status = grid.status()
        except (OSError, ValueError) as exc:
            if self.error is None:
                log.warning("Grid status unreadable at %s: %s", grid.url, exc)
            self.error = f"{type(exc).__name__}: {exc}"[:300]
            return
        if self.error is not None:
            log.info("Grid status readable again at %s", grid.url)
        self.status, self.error = status, None
        ours, starting = self.pool.remote_sessions()
        held = sum(1 for session_id in status.sessions if session_id in ours)
        capacity = min(status.total_slots, status.free_slots + held + starting)
        self.pool.resize(min(self.pool.configured_size, capacity))

    def sweep_sessions(self) -> int:
        """Try again to end recorded remote sessions no browser of the pool holds (their end failed)."""
        ledger = self.factory.ledger
        if ledger is None or self.factory.grid is None:
            return 0
        ours, _ = self.pool.remote_sessions()
        # a session being started is recorded before the pool holds it: leave young rows alone
        return ledger.sweep(keep=frozenset(ours), older_than=120, timeout=3)

    def sweep_at_stop(self) -> None:
        """At shutdown: end the sessions whose end failed earlier (a node that died)."""
        if self.factory.ledger is not None and self.factory.grid is not None:
            self.factory.ledger.sweep(timeout=3)

    def problem(self) -> str | None:
        """Why the remote Grid can run no browser now (unreachable, or no node up); None when it can."""
        grid = self.factory.grid
        if grid is None:
            return None
        if self.error is not None:
            return f"the Selenium Grid at {grid.url} does not answer: {self.error}"
        if self.status is not None and self.status.total_slots == 0:
            return f"the Selenium Grid at {grid.url} has no node up"
        return None
