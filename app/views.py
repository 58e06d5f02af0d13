"""How jobs and the queue look from outside: job dicts with position and ETA, queue status."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.jobs import count_active
from app.models import Job, JobStatus, User, utcnow
from app.stats import estimate_starts

if TYPE_CHECKING:
    from app.runtime import JobServer


def iso(dt: datetime | None) -> str | None:
    """``2026-11-22T08:00:00Z`` (or None)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JobViews:
    """Builds the JSON shapes of SPEC.md from rows and the engine's live state."""

    def __init__(self, server: JobServer) -> None:
        self.server = server

    def _etas(self, positions: dict[str, int], wanted: Sequence[Job]) -> list[float]:
        srv = self.server
        deepest = max((positions.get(j.id, 0) for j in wanted), default=0)
        if not deepest:
            return []
        now = time.monotonic()
        elapsed = [now - h.started for h in srv.dispatcher.running()]
        return estimate_starts(deepest, elapsed, srv.config.max_concurrent_jobs, srv.figures.avg_job_seconds)

    def many(self, jobs: Sequence[Job], names: dict[int, str]) -> list[dict[str, Any]]:
        """Job dicts for ``jobs``, computing the queue order once for all of them."""
        positions = self.server.queue.positions() if any(j.status == JobStatus.QUEUED for j in jobs) else {}
        etas = self._etas(positions, jobs)
        out = [self._dict(j, names.get(j.user_id, ""), positions, etas) for j in jobs]
        for job in out:
            if job["status"] == JobStatus.RUNNING and (handle := self.server.dispatcher.handle(job["job_id"])):
                job["progress"], job["phase"] = handle.progress, handle.phase  # live, kept in memory
        return out

    def one(self, job: Job, names: dict[int, str]) -> dict[str, Any]:
        """One job dict."""
        return self.many([job], names)[0]

    def _dict(self, job: Job, username: str, positions: dict[str, int], etas: list[float]) -> dict[str, Any]:
        position = positions.get(job.id) if job.status == JobStatus.QUEUED else None
        eta: float | None = None
        if position is not None and position <= len(etas):
            eta = etas[position - 1]
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
            "cancel_requested": bool(job.cancel_requested),
            "has_screenshot": bool(evidence.get("screenshot")),
            "error_page_url": evidence.get("url"),
            "has_result": bool(job.result_path) and job.status == JobStatus.SUCCESS,
            "questions": payload.get("questions"),
        }

    def _can_submit(self, user: User) -> int:
        """Jobs the user may submit now: the tighter of the rate window and the active cap."""
        srv = self.server
        with srv.db.read() as s:
            active = count_active(s, user.id)
        return max(0, min(srv.admission.remaining(user.username), srv.config.user_max_active - active))

    def queue_status(self, user: User) -> dict[str, Any]:
        """The ``/queue/status`` document for ``user`` (admins also get every user's figures)."""
        srv = self.server
        running = srv.dispatcher.running()
        waiting = srv.waiting()
        processed, failed = srv.figures.totals()
        peaks = srv.figures.peaks
        avg = srv.figures.avg_job_seconds
        now = time.monotonic()
        elapsed = [now - h.started for h in running]
        slots = srv.config.max_concurrent_jobs
        order = srv.queue.order_items()
        new_job_eta = estimate_starts(len(order) + 1, elapsed, slots, avg)[-1]
        mine = [i for i, item in enumerate(order) if item.user == user.username]
        user_eta = estimate_starts(mine[-1] + 1, elapsed, slots, avg)[-1] if mine else 0.0
        pool = srv.pool.stats()
        doc: dict[str, Any] = {
            "queue_size": waiting,
            "max_queue_size": peaks.max_queue_size,
            "max_queue_size_at": iso(peaks.max_queue_size_at),
            "processing": len(running),
            "max_processing": peaks.max_processing,
            "max_processing_at": iso(peaks.max_processing_at),
            "max_concurrent": slots,
            "total_processed": processed,
            "total_failed": failed,
            "estimated_wait_time": round(new_job_eta, 1),
            "avg_job_seconds": round(avg, 2),
            "since": iso(srv.figures.since),
            "uptime_seconds": round(time.time() - srv.started_at),
            "shutting_down": srv.shutting_down,
            "pool": {
                "size": pool.size,
                "in_use": pool.in_use,
                "idle": pool.idle,
                "created": pool.created,
                "recycled": pool.recycled,
            },
            "user": {
                "queued": len(mine),
                "running": sum(1 for h in running if h.username == user.username),
                "estimated_wait_time": round(user_eta, 1),
                "can_submit": self._can_submit(user),
            },
        }
        if user.is_admin:
            users: dict[str, dict[str, int]] = {}
            for name, count in srv.queue.counts_by_user().items():
                users.setdefault(name, {"queued": 0, "running": 0})["queued"] = count
            for h in running:
                users.setdefault(h.username, {"queued": 0, "running": 0})["running"] += 1
            doc["users"] = users
        return doc
