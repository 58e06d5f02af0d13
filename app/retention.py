"""Retention: uploads, results and evidence older than RESULT_RETENTION_DAYS are removed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

SWEPT = ("uploads", "results", "evidence")


def remove_expired(work_root: Path, days: float, now: float | None = None) -> int:
    """Delete files (and evidence folders) older than ``days``; how many entries went."""
    if days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - days * 86400
    removed = 0
    for name in SWEPT:
        folder = Path(work_root) / name
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime >= cutoff:
                    continue
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
            except OSError:
                continue  # gone meanwhile, or not ours to delete: next time
    return removed
