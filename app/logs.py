"""Logging to stdout, one line per event, readable in journalctl."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging(level: str = "INFO") -> None:
    """Send every log line to stdout; journald stamps the time itself, a terminal gets one."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s [%(threadName)s] %(name)s: %(message)s"
    if not under_journald:
        fmt = "%(asctime)s " + fmt
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(fmt, datefmt="%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # chatty libraries: their debug lines would drown the job events
    for name in ("selenium", "urllib3", "jieba", "alembic", "PIL"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
