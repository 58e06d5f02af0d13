"""Unit tests for app.engine.retention: old uploads, results and evidence go; new ones and other files stay."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.engine.retention import SWEPT, remove_expired

NOW = 1_900_000_000.0  # a fixed "now", so the test does not depend on the clock
DAY = 86400


def _file(path: Path, age_days: float, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = NOW - age_days * DAY
    os.utime(path, (stamp, stamp))
    return path


def _evidence(root: Path, job: str, age_days: float) -> Path:
    """An evidence folder with a screenshot; the folder's own mtime is what retention looks at."""
    folder = root / "evidence" / job
    _file(folder / "attempt-1.png", age_days)
    stamp = NOW - age_days * DAY
    os.utime(folder, (stamp, stamp))
    return folder


@pytest.fixture
def work(tmp_path: Path) -> dict[str, Path]:
    return {
        "old_upload": _file(tmp_path / "uploads" / "old.pdf", 10),
        "new_upload": _file(tmp_path / "uploads" / "new.pdf", 1),
        "old_result": _file(tmp_path / "results" / "old.pdf", 8),
        "new_result": _file(tmp_path / "results" / "new.pdf", 6.9),
        "old_evidence": _evidence(tmp_path, "job-old", 30),
        "new_evidence": _evidence(tmp_path, "job-new", 0.5),
        # Not one of the swept folders: the database and browser profiles are never touched.
        "database": _file(tmp_path / "examgen.db", 365),
        "profile": _file(tmp_path / "browsers" / "profile" / "Cookies", 365),
    }


def test_swept_folders() -> None:
    assert set(SWEPT) == {"uploads", "results", "evidence"}


def test_removes_old_entries_and_keeps_new_ones(tmp_path: Path, work: dict[str, Path]) -> None:
    assert remove_expired(tmp_path, days=7, now=NOW) == 3
    gone = {"old_upload", "old_result", "old_evidence"}
    for name, path in work.items():
        assert path.exists() == (name not in gone), name
    assert not (tmp_path / "evidence" / "job-old" / "attempt-1.png").exists()  # the whole folder went


def test_second_sweep_finds_nothing(tmp_path: Path, work: dict[str, Path]) -> None:
    remove_expired(tmp_path, days=7, now=NOW)
    assert remove_expired(tmp_path, days=7, now=NOW) == 0
    assert work["new_upload"].exists() and work["new_evidence"].exists()


def test_fractional_days(tmp_path: Path) -> None:
    old = _file(tmp_path / "results" / "a.pdf", 0.75)
    new = _file(tmp_path / "results" / "b.pdf", 0.25)
    assert remove_expired(tmp_path, days=0.5, now=NOW) == 1
    assert not old.exists() and new.exists()


def test_exactly_at_the_cutoff_is_kept(tmp_path: Path) -> None:
    edge = _file(tmp_path / "uploads" / "edge.pdf", 7)
    assert remove_expired(tmp_path, days=7, now=NOW) == 0 and edge.exists()


@pytest.mark.parametrize("days", [0, -1, -0.5])
def test_non_positive_days_keeps_everything(tmp_path: Path, work: dict[str, Path], days: float) -> None:
    assert remove_expired(tmp_path, days=days, now=NOW) == 0
    assert all(path.exists() for path in work.values())


def test_missing_folders_are_fine(tmp_path: Path) -> None:
    assert remove_expired(tmp_path / "nothing-here", days=1, now=NOW) == 0
    assert remove_expired(tmp_path, days=1, now=NOW) == 0


def test_default_now_is_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "uploads" / "x.pdf"
    path.parent.mkdir()
    path.write_bytes(b"x")
    stamp = time.time() - 3 * DAY
    os.utime(path, (stamp, stamp))
    assert remove_expired(tmp_path, days=2) == 1 and not path.exists()


def test_old_finished_rows_and_keys_are_purged_needs_review_and_unfinished_stay(tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from app import jobs as store
    from app.db import Database
    from app.engine.retention import purge_rows
    from app.jobs import NewJob
    from app.models import IdempotencyRecord, Job, JobStatus, User, utcnow

    db = Database(f"sqlite:///{tmp_path}/rows.db")
    db.upgrade()
    now = utcnow()
    with db.write() as s:
        s.add(User(id=1, username="alice"))
        store.ensure_stats_row(s)
        jobs = store.create_jobs(s, 1, [NewJob(kind="publish", payload={"i": i}) for i in range(5)], 5, 4)
        ids = [j.id for j in jobs]
        s.add(IdempotencyRecord(user_id=1, key="old", job_ids=ids[:1], created_at=now - timedelta(days=100)))
        s.add(IdempotencyRecord(user_id=1, key="new", job_ids=ids[1:2], created_at=now))
    result = _file(tmp_path / "results" / f"{ids[0]}.pdf", 0)
    _file(tmp_path / "evidence" / ids[1] / "attempt-1.png", 0)
    finished = {ids[0]: JobStatus.SUCCESS, ids[1]: JobStatus.FAILED, ids[2]: JobStatus.NEEDS_REVIEW, ids[3]: None}
    with db.write() as s:
        for job_id, status in finished.items():
            age = now - timedelta(days=100 if job_id != ids[3] else 1)
            values = {"finished_at": age, "status": status or JobStatus.SUCCESS}
            if job_id == ids[0]:
                values["result_path"] = str(result)
            s.execute(update(Job).where(Job.id == job_id).values(**values))
    with db.write() as s:
        assert purge_rows(s, tmp_path, 90, now=now) == (2, 1)
    with db.read() as s:
        left = set(s.scalars(select(Job.id)))
        assert left == {ids[2], ids[3], ids[4]}  # needs_review, recent, queued stay
        assert s.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1
    assert not result.exists() and not (tmp_path / "evidence" / ids[1]).exists()
    with db.write() as s:
        assert purge_rows(s, tmp_path, 0, now=now) == (0, 0)  # 0 keeps everything
    db.dispose()
