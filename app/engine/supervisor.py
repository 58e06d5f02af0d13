"""The engine's long-lived threads: started by name, restarted (and logged) when one dies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("examgen")


class Supervisor:
    """Owns named threads that share one stop event; ``ensure()`` (re)starts the ones not alive."""

    def __init__(self, targets: dict[str, Callable[[], None]], stop: threading.Event) -> None:
        self.targets = targets
        self.stop = stop
        self.threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def ensure(self) -> list[str]:
        """Start every thread that is not alive; return the names of those that had died."""
        restarted = []
        with self._lock:
            for name, target in self.targets.items():
                thread = self.threads.get(name)
                if (thread is not None and thread.is_alive()) or self.stop.is_set():
                    continue
                if thread is not None:
                    restarted.append(name)
                    log.error("Thread %s died; restarting it", name)
                self.threads[name] = threading.Thread(target=target, name=name, daemon=True)
                self.threads[name].start()
        return restarted

    def join(self, timeout: float) -> None:
        """Wait for every thread (after the stop event was set)."""
        for thread in list(self.threads.values()):
            thread.join(timeout)
