"""Retention: uploads, results and evidence older than RESULT_RETENTION_DAYS are removed; finished
job rows and idempotency keys older than JOB_RETENTION_DAYS are deleted."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import rowcount
from app.models import IdempotencyRecord, Job, JobStatus, utcnow

# needs_review rows stay until a person settles them, however old
PURGED_STATUSES = (JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.CANCELLED)

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


def purge_rows(session: Session, work_root: Path, days: float, now: datetime | None = None) -> tuple[int, int]:
    """Delete finished jobs (and their files) and idempotency keys older than ``days``; (jobs, keys)."""
    if days <= 0:
        return 0, 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = Job.status.in_(PURGED_STATUSES), Job.finished_at < cutoff
    doomed = session.execute(select(Job.id, Job.result_path).where(*old)).all()
    jobs = rowcount(session.execute(delete(Job).where(*old)))
    keys = rowcount(session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)))
    for job_id, result_path in doomed:
        shutil.rmtree(Path(work_root) / "evidence" / job_id, ignore_errors=True)
        if result_path:
            Path(result_path).unlink(missing_ok=True)
    return jobs, keys
