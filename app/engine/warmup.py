"""Warm-up after start: the first jobs' browsers side by side, then (once idle) the exam dictionaries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.engine.pool import DriverPool

log = logging.getLogger("examgen")


def warm_up(
    pool: DriverPool, browsers: int, busy: Callable[[], bool], stop: threading.Event, ready: threading.Event
) -> None:
    """Start ``browsers`` pooled browsers at once (then set ``ready``), and load the dictionaries when
    ``busy()`` is False."""
    try:
        # a browser start mostly waits on its own processes: start them side by side, so a
        # batch submitted right after start finds every slot's browser ready (not one by one)
        results: list[int] = []
        starters = [
            threading.Thread(target=lambda: results.append(pool.prewarm(browsers)), name=f"warmup-{i}")
            for i in range(browsers)
        ]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        log.info("Warm-up: %d browsers ready", sum(results))
        ready.set()
        # jieba's and wordfreq's tables take seconds of GIL-holding Python: load them while the
        # engine is idle, never beside the first jobs (a generate job that comes first loads them)
        while busy():
            if stop.wait(1.0):
                return
        from app.exam.lexicon import warm_up as load_dictionaries

        load_dictionaries()
        log.info("Warm-up done: exam dictionaries loaded")
    except Exception:  # a slow first job is the only cost of failing here
        log.exception("Warm-up failed")
    finally:
        ready.set()
