"""What users can do with jobs: submit, look, cancel, retry, resolve, delete."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import jobs as store
from app.errors import Conflict, NotFound
from app.evidence import evidence_dir
from app.jobs import NewJob
from app.models import FINAL_STATUSES, IdempotencyRecord, Job, JobStatus, User, utcnow
from app.runtime import JobServer
from app.views import JobViews

log = logging.getLogger("examgen")


class JobService:
    """The operations behind the API and the web UI; every one checks who may see the job."""

    def __init__(self, server: JobServer) -> None:
        self.server = server
        self.db = server.db
        self.views = JobViews(server)

    # -- creating --------------------------------------------------------------------------

    def submit(
        self, user: User, new_jobs: Sequence[NewJob], priority: int, idempotency_key: str | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """Create jobs all-or-nothing after admission control; (jobs, created) — a repeat is not created."""
        srv = self.server
        with srv.submit_lock:
            with self.db.write() as s:
                if idempotency_key:
                    earlier = s.scalar(
                        select(IdempotencyRecord).where(
                            IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == idempotency_key
                        )
                    )
                    if earlier is not None:
                        jobs = list(s.scalars(select(Job).where(Job.id.in_(earlier.job_ids)).order_by(Job.seq)))
                        return self.views.many(jobs, {user.id: user.username}), False
                self._admit(s, user, len(new_jobs))
                jobs = store.create_jobs(s, user.id, new_jobs, priority, srv.config.max_retries + 1, idempotency_key)
                if idempotency_key:
                    s.add(IdempotencyRecord(user_id=user.id, key=idempotency_key, job_ids=[j.id for j in jobs]))
            srv.admission.commit(user.username, len(jobs))
            for job in jobs:
                srv.queue.push(srv.queue_item(job, user.username))
        srv.figures.observe(srv.waiting(), len(srv.dispatcher.running()))
        summary = srv.summary()
        for job in jobs:
            log.info("Job %s queued (user=%s kind=%s) — %s", job.id, user.username, job.kind, summary)
        return self.views.many(jobs, {user.id: user.username}), True

    # -- reading ---------------------------------------------------------------------------

    def get(self, user: User, job_id: str) -> dict[str, Any]:
        """One job as the API shows it."""
        with self.db.read() as s:
            job = self._visible(s, user, job_id, admin_ok=True)
            return self.views.one(job, self._names(s, [job]))

    def get_row(self, user: User, job_id: str) -> Job:
        """The job row itself (for files: result, screenshot)."""
        with self.db.read() as s:
            return self._visible(s, user, job_id, admin_ok=True)

    def statuses(self, user: User, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The jobs among ``ids`` that ``user`` may see."""
        with self.db.read() as s:
            q = select(Job).where(Job.id.in_(list(ids)))
            if not user.is_admin:
                q = q.where(Job.user_id == user.id)
            jobs = list(s.scalars(q.order_by(Job.seq)))
            return self.views.many(jobs, self._names(s, jobs))

    def list(
        self,
        user: User,
        statuses: Sequence[str] = (),
        kind: str | None = None,
        page: int = 1,
        limit: int = 20,
        username: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of jobs, newest first: the user's own, or (admins) everybody's or one user's."""
        with self.db.read() as s:
            q = select(Job)
            if not user.is_admin:
                q = q.where(Job.user_id == user.id)
            elif username:
                q = q.join(User, User.id == Job.user_id).where(User.username == username)
            if statuses:
                q = q.where(Job.status.in_(list(statuses)))
            if kind:
                q = q.where(Job.kind == kind)
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            jobs = list(s.scalars(q.order_by(Job.seq.desc()).offset((page - 1) * limit).limit(limit)))
            return self.views.many(jobs, self._names(s, jobs)), total

    # -- changing --------------------------------------------------------------------------

    def cancel(self, user: User, job_id: str, wait: float = 5.0) -> dict[str, Any]:
        """Cancel a waiting job at once, or stop a running one (its browser is killed)."""
        srv = self.server
        with self.db.write() as s:
            job = self._visible(s, user, job_id, admin_ok=True)
            if store.cancel_waiting(s, job_id):
                srv.queue.remove(job_id)
                srv.retries.forget(job_id)
                running = False
            elif store.request_cancel(s, job_id):
                running = True
            else:
                raise Conflict(f"The job is {job.status}; only an unfinished job can be cancelled")
        if running:
            handle = srv.dispatcher.handle(job_id)
            if handle is not None:
                handle.cancel.set()
                if handle.browser is not None:
                    srv.pool.kill(handle.browser)
                srv.dispatcher.join_job(job_id, wait)
        log.info(
            "Job %s cancel asked by %s (%s) — %s",
            job_id,
            user.username,
            "running" if running else "waiting",
            srv.summary(),
        )
        return self.get(user, job_id)

    def retry(self, user: User, job_id: str) -> dict[str, Any]:
        """Queue a failed, cancelled or needs-review job again with a fresh set of attempts."""
        srv = self.server
        with srv.submit_lock, self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.NEEDS_REVIEW):
                raise Conflict(f"The job is {job.status}; only failed, cancelled or needs_review jobs can be retried")
            self._admit(s, user, 1, rate=False)
            store.reset_for_retry(s, job_id, srv.config.max_retries + 1)
            s.refresh(job)
            srv.queue.push(srv.queue_item(job, user.username))
        log.info("Job %s queued again by %s — %s", job_id, user.username, srv.summary())
        return self.get(user, job_id)

    def resolve(self, user: User, job_id: str, result_url: str | None, failed: bool) -> dict[str, Any]:
        """Settle a needs-review job: it did publish (at ``result_url``) or it did not."""
        with self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status != JobStatus.NEEDS_REVIEW:
                raise Conflict(f"The job is {job.status}; only a needs_review job can be resolved")
            if failed:
                job.status, job.error_code, job.phase = JobStatus.FAILED, "resolved_failed", "Resolved: not published"
                store.count_failed_only(s)
            else:
                job.status, job.result_url, job.phase = JobStatus.SUCCESS, result_url, "Resolved: published"
                job.progress, job.error, job.error_code = 100, None, None
            job.updated_at = utcnow()
        log.info("Job %s resolved by %s as %s", job_id, user.username, "failed" if failed else "success")
        return self.get(user, job_id)

    def delete(self, user: User, job_id: str) -> None:
        """Delete a finished job and its files."""
        with self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status not in FINAL_STATUSES:
                raise Conflict(f"The job is {job.status}; cancel it before deleting it")
            result_path = job.result_path
            s.execute(delete(Job).where(Job.id == job_id))
        shutil.rmtree(evidence_dir(self.server.work_root, job_id), ignore_errors=True)
        if result_path:
            Path(result_path).unlink(missing_ok=True)

    # -- helpers ---------------------------------------------------------------------------

    def _admit(self, s: Session, user: User, n: int, rate: bool = True) -> None:
        """Admission control for ``n`` more jobs of ``user``, counted in the caller's transaction."""
        srv = self.server
        srv.admission.check(
            user.username,
            n,
            user_active=store.count_active(s, user.id),
            total_active=store.count_active(s),
            shutting_down=srv.shutting_down,
            avg_job_seconds=srv.figures.avg_job_seconds,
            rate=rate,
        )

    @staticmethod
    def _visible(s: Session, user: User, job_id: str, admin_ok: bool = False) -> Job:
        job = store.get(s, job_id)
        if job is None or (job.user_id != user.id and not (admin_ok and user.is_admin)):
            raise NotFound("No such job")
        return job

    @staticmethod
    def _names(s: Session, jobs: Sequence[Job]) -> dict[int, str]:
        return store.usernames(s, (j.user_id for j in jobs))
