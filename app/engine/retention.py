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
from app.engine.evidence import evidence_dir
from app.models import IdempotencyRecord, Job, JobStatus, utcnow

# needs_review rows stay until a person settles them, however old
PURGED_STATUSES = (JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.CANCELLED)

SWEPT = ("uploads", "results", "evidence")


def remove_job_files(work_root: Path, job_id: str, result_path: str | None, upload: str | None = None) -> None:
    """Delete a job's evidence, its result with the variants printed beside it and, when given, its upload."""
    shutil.rmtree(evidence_dir(work_root, job_id), ignore_errors=True)
    if result_path:
        base = Path(result_path)
        variants = [*base.parent.glob(f"{base.stem}-*.pdf"), base.with_suffix(".docx"), base.with_suffix(".json")]
        for path in [base, *variants]:
            path.unlink(missing_ok=True)
    if upload and Path(upload).name == upload:  # a server-chosen name, never a path
        (Path(work_root) / "uploads" / upload).unlink(missing_ok=True)


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
        remove_job_files(work_root, job_id, result_path)
    return jobs, keys
