"""``jobs``, ``requeue``, ``cancel``, ``resolve`` and ``status``: the queue from the shell."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import jobs as store
from app.cli.shell import Shell, fail, table
from app.engine.outside import nudge
from app.models import ACTIVE_STATUSES, FINAL_STATUSES, Job, JobStatus, QueueStats, User
from app.timefmt import iso

pass_shell = click.pass_obj


@click.command("jobs")
@click.option("--status", "statuses", help="comma-separated statuses, e.g. failed,needs_review")
@click.option("--user", "username", help="only this user's jobs")
@click.option("--kind", help="comma-separated kinds, e.g. publish")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@pass_shell
def jobs_command(
    shell: Shell, statuses: str | None, username: str | None, kind: str | None, limit: int, as_json: bool
) -> None:
    """List jobs, newest first."""
    wanted = [s.strip() for s in (statuses or "").split(",") if s.strip()]
    unknown = [s for s in wanted if s not in set(JobStatus)]
    if unknown:
        fail(f"unknown status {unknown[0]!r}; one of: {', '.join(JobStatus)}", 2)
    with shell.db.read() as s:
        q = select(Job, User.username).join(User, User.id == Job.user_id)
        if wanted:
            q = q.where(Job.status.in_(wanted))
        if username:
            q = q.where(User.username == username)
        if kind:
            q = q.where(Job.kind.in_(kind.split(",")))
        rows = s.execute(q.order_by(Job.seq.desc()).limit(limit)).all()
    if as_json:
        for job, name in rows:
            click.echo(json.dumps(_job_doc(job, name), ensure_ascii=False))
        return
    table(
        [
            (j.id, name, j.kind, j.status, _where(j), (j.title or "")[:40], j.error_code, iso(j.updated_at))
            for j, name in rows
        ],
        ["JOB", "USER", "KIND", "STATUS", "ACCOUNT", "TITLE", "ERROR", "UPDATED"],
    )


def _each_job(shell: Shell, job_ids: tuple[str, ...], act: Callable[[Session, Job], str | None], rule: str) -> None:
    """Apply ``act`` to each job in its own transaction; ``act`` says what it did, or None when the job's
    state does not allow it (``rule`` says which do). Exits 1 if any job was missing or refused."""
    failures = 0
    for job_id in job_ids:
        with shell.db.write() as s:
            job = store.get(s, job_id)
            done = act(s, job) if job is not None else None
            if done is not None:
                click.echo(f"{job_id}: {done}")
            else:
                failures += 1
                why = "no such job" if job is None else f"it is {job.status}; {rule}"
                click.echo(f"{job_id}: {why}", err=True)
    nudge(shell.config.instance_path)
    if failures:
        raise SystemExit(1)


@click.command("requeue")
@click.argument("job_ids", nargs=-1, required=True)
@pass_shell
def requeue_command(shell: Shell, job_ids: tuple[str, ...]) -> None:
    """Queue failed, cancelled or needs_review jobs again, with a fresh set of attempts."""

    def requeue(s: Session, job: Job) -> str | None:
        return "queued again" if store.reset_for_retry(s, job.id, shell.config.max_retries + 1) else None

    _each_job(shell, job_ids, requeue, "only failed, cancelled or needs_review jobs")


@click.command("cancel")
@click.argument("job_ids", nargs=-1, required=True)
@pass_shell
def cancel_command(shell: Shell, job_ids: tuple[str, ...]) -> None:
    """Cancel waiting jobs at once; ask running ones to stop (the server stops them within seconds)."""

    def cancel(s: Session, job: Job) -> str | None:
        if store.cancel_waiting(s, job.id):
            return "cancelled"
        if store.request_cancel(s, job.id):
            return "running; the server stops it within a few seconds"
        return None

    _each_job(shell, job_ids, cancel, "only an unfinished job can be cancelled")


@click.command("resolve")
@click.argument("job_id")
@click.option("--url", "result_url", help="it was published, at this URL")
@click.option("--failed", is_flag=True, help="it was not published")
@pass_shell
def resolve_command(shell: Shell, job_id: str, result_url: str | None, failed: bool) -> None:
    """Settle a needs_review job: published (--url) or not (--failed)."""
    if bool(result_url) == failed:
        fail("give exactly one of --url URL or --failed", 2)
    if result_url and not result_url.startswith(("http://", "https://")):
        fail("--url must be an http(s) URL", 2)
    with shell.db.write() as s:
        job = store.get(s, job_id)
        if job is None:
            fail(f"{job_id}: no such job")
        elif not store.resolve(s, job_id, result_url, failed):
            fail(f"{job_id}: it is {job.status}; only a needs_review job can be resolved")
    click.echo(f"{job_id}: resolved as {'failed' if failed else 'published'}")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="the figures as one JSON object")
@pass_shell
def status_command(shell: Shell, as_json: bool) -> None:
    """The queue's figures from the database: waiting, running, per user, totals and peaks."""
    doc = queue_figures(shell)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False))
        return
    c = doc["by_status"]
    click.echo(
        f"Queue size: {c.get('queued', 0) + c.get('retrying', 0)} "
        f"(queued {c.get('queued', 0)}, retrying {c.get('retrying', 0)}), "
        f"processing: {c.get('running', 0)}/{doc['max_concurrent']}, scheduled: {c.get('scheduled', 0)}"
    )
    click.echo(f"Needs review: {c.get('needs_review', 0)}")
    click.echo(
        f"Total processed: {doc['total_processed']}, failed: {doc['total_failed']} (since {doc['since'] or '-'})"
    )
    click.echo(
        f"Peak queue: {doc['max_queue_size']} at {doc['max_queue_size_at'] or '-'}, "
        f"peak processing: {doc['max_processing']} at {doc['max_processing_at'] or '-'}"
    )
    if doc["users"]:
        table(
            [(name, u["queued"], u["running"], u["scheduled"]) for name, u in sorted(doc["users"].items())],
            ["USER", "QUEUED", "RUNNING", "SCHEDULED"],
        )


def queue_figures(shell: Shell) -> dict[str, Any]:
    """The /queue/status figures the database holds (the live estimates need the server)."""
    with shell.db.read() as s:
        by_status = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        per_user = s.execute(
            select(User.username, Job.status, func.count())
            .join(User, User.id == Job.user_id)
            .where(Job.status.in_([*ACTIVE_STATUSES, JobStatus.SCHEDULED]))
            .group_by(User.username, Job.status)
        ).all()
        stats = s.get(QueueStats, 1)
    users: dict[str, dict[str, int]] = {}
    for name, status, count in per_user:
        entry = users.setdefault(name, {"queued": 0, "running": 0, "scheduled": 0})
        key = "queued" if status in (JobStatus.QUEUED, JobStatus.RETRYING, JobStatus.PENDING) else status
        entry[key] = entry.get(key, 0) + count
    return {
        "by_status": by_status,
        "max_concurrent": shell.config.max_concurrent_jobs,
        "total_processed": stats.total_processed if stats else 0,
        "total_failed": stats.total_failed if stats else 0,
        "since": iso(stats.since) if stats else None,
        "max_queue_size": stats.max_queue_size if stats else 0,
        "max_queue_size_at": iso(stats.max_queue_size_at) if stats else None,
        "max_processing": stats.max_processing if stats else 0,
        "max_processing_at": iso(stats.max_processing_at) if stats else None,
        "users": users,
    }


def _where(job: Job) -> str:
    return f"{job.platform}/{job.account_name}" if job.platform and job.account_name else (job.platform or "")


def _job_doc(job: Job, username: str) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "user": username,
        "kind": job.kind,
        "status": job.status,
        "final": job.status in FINAL_STATUSES,
        "platform": job.platform,
        "account": job.account_name,
        "title": job.title,
        "phase": job.phase,
        "error_code": job.error_code,
        "error": job.error,
        "result_url": job.result_url,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


def attach(group: click.Group) -> None:
    """Add these commands to ``group``."""
    for command in (jobs_command, requeue_command, cancel_command, resolve_command, status_command):
        group.add_command(command)
