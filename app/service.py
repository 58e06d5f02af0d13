"""What users can do with jobs: submit, look, cancel, retry, resolve, delete."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app import jobs as store
from app.auth import normal_username
from app.engine.admission import Admission
from app.engine.retention import remove_job_files
from app.engine.server import JobServer
from app.errors import CONTENT_ERROR_CODES, Conflict, NotFound
from app.job_query import JobQuery
from app.jobs import NewJob
from app.models import FINAL_STATUSES, Account, IdempotencyRecord, Job, JobStatus, User, utcnow
from app.presenter import JobViews
from app.timefmt import iso

log = logging.getLogger("examgen")


class JobDesk:
    """The use cases behind the API and the web UI (submit, cancel, retry…); every one checks who may see the job."""

    def __init__(self, server: JobServer) -> None:
        self.server = server
        self.db = server.db
        cfg = server.config
        self.admission = Admission(cfg.user_max_active, cfg.rate_limit, cfg.max_queue_size)
        self.submit_lock = threading.Lock()  # admission, insert and enqueue as one step: counts stay exact
        server.use_submit_lock(self.submit_lock)
        self.views = JobViews(server, self.admission)

    # -- creating --------------------------------------------------------------------------

    def submit(
        self, user: User, new_jobs: Sequence[NewJob], priority: int, idempotency_key: str | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """Create jobs all-or-nothing after admission control; (jobs, created) — a repeat is not created."""
        srv = self.server
        with self.submit_lock:
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
                now = utcnow()
                # a scheduled job counts against the limits when it becomes due, not before
                self._admit(s, user, sum(1 for j in new_jobs if not (j.publish_at and j.publish_at > now)))
                jobs = store.create_jobs(s, user.id, new_jobs, priority, srv.config.max_retries + 1, idempotency_key)
                if idempotency_key:
                    s.add(IdempotencyRecord(user_id=user.id, key=idempotency_key, job_ids=[j.id for j in jobs]))
            for job in jobs:
                srv.enqueue(job, user.username)
        srv.note_peaks()
        summary = srv.summary()
        for job in jobs:
            when = f"scheduled for {iso(job.publish_at)}" if job.status == JobStatus.SCHEDULED else "queued"
            log.info("Job %s %s (user=%s kind=%s) — %s", job.id, when, user.username, job.kind, summary)
        return self.views.many(jobs, {user.id: user.username}), True

    def precheck(self, user: User, n: int = 1) -> None:
        """Raise the limit ``n`` more jobs would break now, counting nothing: refuses an upload
        before its body is parsed (``submit`` checks again, atomically)."""
        with self.db.read() as s:
            self._admit(s, user, n)

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
        query: JobQuery | None = None,
        page: int = 1,
        limit: int = 20,
        username: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of jobs (newest first unless ``query`` asks otherwise): the user's own, or (admins)
        everybody's or one user's."""
        query = query or JobQuery()
        with self.db.read() as s:
            q = select(Job)
            if not user.is_admin:
                q = q.where(Job.user_id == user.id)
            elif username:
                q = q.join(User, User.id == Job.user_id).where(User.username == normal_username(username))
            q = query.filter(q)
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            jobs = list(s.scalars(query.order(q).offset((page - 1) * limit).limit(limit)))
            return self.views.many(jobs, self._names(s, jobs)), total

    # -- changing --------------------------------------------------------------------------

    def cancel(self, user: User, job_id: str, wait: float = 5.0) -> dict[str, Any]:
        """Cancel a waiting job at once, or stop a running one (its browser is killed)."""
        srv = self.server
        with self.db.write() as s:
            job = self._visible(s, user, job_id, admin_ok=True)
            if store.cancel_waiting(s, job_id):
                srv.forget(job_id)
                running = False
            elif store.request_cancel(s, job_id):
                running = True
            else:
                raise Conflict(f"The job is {job.status}; only an unfinished job can be cancelled")
        if running:
            srv.interrupt(job_id, wait)
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
        with self.submit_lock, self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.NEEDS_REVIEW):
                raise Conflict(f"The job is {job.status}; only failed, cancelled or needs_review jobs can be retried")
            if job.status == JobStatus.FAILED and job.error_code in CONTENT_ERROR_CODES:
                raise Conflict(
                    f"The job failed because of its PDF ({job.error_code}); the same file would fail again: "
                    "upload a different PDF instead",
                    code="not_retryable",
                )
            self._admit(s, user, 1, rate=False)
            store.reset_for_retry(s, job_id, srv.config.max_retries + 1)
            if job.account_id is not None:
                # the user says the login is fixed: the account's paused jobs get to try again
                s.execute(
                    update(Account)
                    .where(Account.id == job.account_id, Account.login_ok.is_(False))
                    .values(login_ok=None)
                )
            s.refresh(job)
            srv.enqueue(job, user.username)
        if job.account_id is not None and job.platform:
            srv.account_changed(job.user_id, job.platform, job.account_id)
        log.info("Job %s queued again by %s — %s", job_id, user.username, srv.summary())
        return self.get(user, job_id)

    def reschedule(self, user: User, job_id: str, at: datetime) -> dict[str, Any]:
        """Move a scheduled (or still queued) job to ``at``; a time already past queues it now."""
        srv = self.server
        with self.submit_lock, self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status not in (JobStatus.SCHEDULED, JobStatus.QUEUED):
                raise Conflict(f"The job is {job.status}; only a scheduled or queued job can be moved")
            if job.status == JobStatus.SCHEDULED and at <= utcnow():
                self._admit(s, user, 1, rate=False)  # due now: it counts from now on
            if not store.reschedule(s, job_id, at):
                raise Conflict("The job started meanwhile; it can no longer be moved")
            s.refresh(job)
            srv.enqueue(job, user.username)
        log.info("Job %s moved to %s by %s — %s", job_id, iso(at), user.username, srv.summary())
        return self.get(user, job_id)

    def resolve(self, user: User, job_id: str, result_url: str | None, failed: bool) -> dict[str, Any]:
        """Settle a needs-review job: it did publish (at ``result_url``) or it did not."""
        with self.db.write() as s:
            job = self._visible(s, user, job_id)
            if job.status != JobStatus.NEEDS_REVIEW:
                raise Conflict(f"The job is {job.status}; only a needs_review job can be resolved")
            if not store.resolve(s, job_id, result_url, failed):
                raise Conflict("The job changed meanwhile; it is no longer needs_review")
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
        remove_job_files(self.server.work_root, job_id, result_path)

    # -- helpers ---------------------------------------------------------------------------

    def _admit(self, s: Session, user: User, n: int, rate: bool = True) -> None:
        """Admission control for ``n`` more jobs of ``user``, counted in the caller's transaction."""
        srv = self.server
        self.admission.check(
            user.username,
            n,
            user_active=store.count_active(s, user.id),
            total_active=store.count_active(s),
            shutting_down=srv.shutting_down,
            avg_job_seconds=srv.avg_job_seconds(),
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
