"""How jobs and the queue look from outside: job dicts with position and ETA, queue status."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.accounts import state_counts
from app.engine.estimates import ANYBODY
from app.engine.evidence import evidence_dir
from app.jobs import count_active
from app.models import Job, JobStatus, User, utcnow
from app.timefmt import iso

if TYPE_CHECKING:
    from app.engine.admission import Admission
    from app.engine.grid import GridStatus
    from app.engine.server import JobServer


class JobViews:
    """Builds the JSON shapes of SPEC.md from rows and the engine's live state."""

    def __init__(self, server: JobServer, admission: Admission) -> None:
        self.server = server
        self.admission = admission

    def many(self, jobs: Sequence[Job], names: dict[int, str]) -> list[dict[str, Any]]:
        """Job dicts for ``jobs``: positions in O(users) each, and one forecast for all of them."""
        queued = [j.id for j in jobs if j.status == JobStatus.QUEUED]
        positions = self.server.positions_of(queued) if queued else {}
        etas: dict[str, float] = {}
        if queued or any(j.status == JobStatus.SCHEDULED for j in jobs):
            forecast = self.server.forecast_now()
            for job in jobs:
                if job.status in (JobStatus.QUEUED, JobStatus.SCHEDULED):
                    due = (job.publish_at - utcnow()).total_seconds() if job.publish_at else None
                    eta = self.server.eta(forecast, job.id, positions.get(job.id), due)
                    if eta is not None:
                        etas[job.id] = eta
        out = [self._dict(j, names.get(j.user_id, ""), positions, etas) for j in jobs]
        for shown in out:
            if shown["status"] == JobStatus.RUNNING and (live := self.server.live_progress(shown["job_id"])):
                shown["progress"], shown["phase"] = live  # kept in memory while it runs
        return out

    def one(self, job: Job, names: dict[int, str]) -> dict[str, Any]:
        """One job dict."""
        return self.many([job], names)[0]

    def _dict(self, job: Job, username: str, positions: dict[str, int], etas: dict[str, float]) -> dict[str, Any]:
        position = positions.get(job.id) if job.status == JobStatus.QUEUED else None
        eta: float | None = None
        if job.status in (JobStatus.QUEUED, JobStatus.SCHEDULED) and job.id in etas:
            eta = round(etas[job.id], 1)
        elif job.status == JobStatus.RETRYING and job.next_attempt_at:
            eta = round(max(0.0, (job.next_attempt_at - utcnow()).total_seconds()), 1)
        payload = job.payload or {}
        evidence = job.evidence or {}
        return {
            "job_id": job.id,
            "kind": job.kind,
            "status": job.status,
            "progress": job.progress,
            "phase": job.phase,
            "priority": job.priority,
            "title": job.title,
            "platform": job.platform,
            "account": job.account_name,
            "article_id": job.article_id,
            "result_url": job.result_url,
            "error": job.error,
            "error_code": job.error_code,
            "attempts": job.attempts,
            "max_attempts": job.max_attempts,
            "position": position,
            "estimated_start_seconds": eta,
            "created_at": iso(job.created_at),
            "started_at": iso(job.started_at),
            "finished_at": iso(job.finished_at),
            "updated_at": iso(job.updated_at),
            "username": username,
            "publish_at": iso(job.publish_at),
            "cancel_requested": bool(job.cancel_requested),
            "has_screenshot": self._screenshot_kept(job),
            "error_page_url": evidence.get("url"),
            "has_result": job.status == JobStatus.SUCCESS and _file_kept(job.result_path),
            "questions": payload.get("questions"),
            "source": payload.get("filename"),  # the uploaded file an exam comes from
        }

    def _screenshot_kept(self, job: Job) -> bool:
        """The job has a screenshot and retention has not removed it yet."""
        name = (job.evidence or {}).get("screenshot")
        return bool(name) and (evidence_dir(self.server.work_root, job.id) / str(name)).is_file()

    def _can_submit(self, user: User) -> int:
        """Jobs the user may submit now: room under the active cap, 0 while the rate window is full."""
        srv = self.server
        with srv.db.read() as s:
            active = count_active(s, user.id)
        if self.admission.remaining(user.username) <= 0:
            return 0
        return max(0, srv.config.user_max_active - active)

    def queue_status(self, user: User) -> dict[str, Any]:
        """The ``/queue/status`` document for ``user`` (admins also get every user's figures)."""
        snap = self.server.snapshot()
        forecast = self.server.forecast_now()
        new_job_eta = self.server.next_start(forecast, ANYBODY)
        user_eta = self.server.next_start(forecast, user.username)
        peaks, pool = snap.peaks, snap.pool
        doc: dict[str, Any] = {
            "queue_size": snap.queue_size,
            "max_queue_size": peaks.max_queue_size,
            "max_queue_size_at": iso(peaks.max_queue_size_at),
            "processing": snap.processing,
            "scheduled": snap.scheduled,
            "max_processing": peaks.max_processing,
            "max_processing_at": iso(peaks.max_processing_at),
            "max_concurrent": snap.max_concurrent,
            "total_processed": snap.total_processed,
            "total_failed": snap.total_failed,
            "estimated_wait_time": round(new_job_eta, 1),
            "avg_job_seconds": round(snap.avg_job_seconds, 2),
            "since": iso(snap.since),
            "uptime_seconds": round(snap.uptime_seconds),
            "shutting_down": snap.shutting_down,
            "pool": {
                "size": pool.size,
                "in_use": pool.in_use,
                "idle": pool.idle,
                "created": pool.created,
                "recycled": pool.recycled,
            },
            "grid": grid_doc(snap.grid),
            "user": {
                "queued": snap.queued_by_user.get(user.username, 0),
                "scheduled": snap.scheduled_by_user.get(user.username, 0),
                "running": snap.running_by_user.get(user.username, 0),
                "estimated_wait_time": round(user_eta, 1),
                "can_submit": self._can_submit(user),
            },
        }
        if user.is_admin:
            users: dict[str, dict[str, int]] = {}
            for field, counts in (
                ("queued", snap.queued_by_user),
                ("scheduled", snap.scheduled_by_user),
                ("running", snap.running_by_user),
            ):
                for name, count in counts.items():
                    users.setdefault(name, {"queued": 0, "running": 0, "scheduled": 0})[field] = count
            doc["users"] = users
            with self.server.db.read() as s:
                doc["accounts"] = state_counts(s)  # ok, expired, cooling_down, unknown
        return doc


def _file_kept(path: str | None) -> bool:
    """A result file was written and retention has not removed it yet."""
    return bool(path) and Path(str(path)).is_file()


def grid_doc(grid: GridStatus | None) -> dict[str, Any] | None:
    """A remote Grid's nodes and slots as ``/queue/status`` shows them (None in local mode)."""
    if grid is None:
        return None
    return {
        "ready": grid.ready,
        "total_slots": grid.total_slots,
        "free_slots": grid.free_slots,
        "nodes": [{"uri": n.uri, "availability": n.availability, "slots": n.slots, "free": n.free} for n in grid.nodes],
    }
