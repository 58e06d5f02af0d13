"""Managing existing users: a new password chosen by the server, and deleting a user with all they own.

Shared by the admin page and the CLI; each passes its own way of stopping the user's unfinished jobs.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update

from app.auth import check_new_password, hash_password, normal_username
from app.db import Database, rowcount
from app.engine.retention import remove_job_files
from app.errors import Conflict, NotFound
from app.models import (
    FINAL_STATUSES,
    Account,
    ApiToken,
    IdempotencyRecord,
    Job,
    JobStatus,
    OutboxMessage,
    User,
    Webhook,
)

log = logging.getLogger("examgen")


def generated_password() -> str:
    """A strong random password (16 URL-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def set_password(db: Database, username: str, password: str) -> None:
    """Store ``password`` for ``username`` as user creation does and end every session; NotFound if none."""
    check_new_password(password)
    with db.write() as s:
        changed = s.execute(
            update(User)
            .where(User.username == normal_username(username))
            .values(password_hash=hash_password(password), session_epoch=User.session_epoch + 1)
        )
    if rowcount(changed) != 1:
        raise NotFound("No such user")


@dataclass
class Deleted:
    username: str
    jobs: int
    cancelled: int


def delete_user(
    db: Database,
    work_root: Path,
    username: str,
    actor: str | None,
    stop_jobs: Callable[[Sequence[str]], None],
) -> Deleted:
    """Delete a user: unfinished jobs are stopped first (``stop_jobs``), then their jobs with their files,
    accounts, tokens, webhooks and the user row. Refuses ``actor``'s own account and the last admin (409).

    Rows are deleted child-first, so nothing relies on the database's ON DELETE CASCADE."""
    name = normal_username(username)
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == name))
        if user is None:
            raise NotFound("No such user")
        if actor is not None and name == normal_username(actor):
            raise Conflict("You cannot delete your own account", code="self_delete")
        if user.is_admin:
            others = select(func.count()).select_from(User)
            others = others.where(User.is_admin.is_(True), User.disabled.is_(False), User.id != user.id)
            if not s.scalar(others):
                raise Conflict(f"{name} is the last admin; make another user an admin first", code="last_admin")
        user_id = user.id
        # disabled at once: no login, token or new job while the rest is undone
        s.execute(update(User).where(User.id == user_id).values(disabled=True, session_epoch=User.session_epoch + 1))
        unfinished = list(s.scalars(select(Job.id).where(Job.user_id == user_id, Job.status.not_in(FINAL_STATUSES))))
    if unfinished:
        stop_jobs(unfinished)
    with db.write() as s:
        running = s.scalar(
            select(func.count()).select_from(Job).where(Job.user_id == user_id, Job.status == JobStatus.RUNNING)
        )
        if running:
            raise Conflict(
                f"{running} of {name}'s jobs are still stopping; the user is disabled, try again in a few seconds",
                code="jobs_still_running",
            )
        jobs = s.execute(select(Job.id, Job.result_path, Job.payload).where(Job.user_id == user_id)).all()
        hooks = select(Webhook.id).where(Webhook.user_id == user_id)
        s.execute(delete(OutboxMessage).where(OutboxMessage.webhook_id.in_(hooks)))
        s.execute(delete(Webhook).where(Webhook.user_id == user_id))
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id))
        s.execute(delete(Job).where(Job.user_id == user_id))
        s.execute(delete(Account).where(Account.user_id == user_id))
        s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        s.execute(delete(User).where(User.id == user_id))
    for job_id, result_path, payload in jobs:
        upload = (payload or {}).get("upload")
        remove_job_files(work_root, job_id, result_path, upload if isinstance(upload, str) else None)
    log.info("User %s deleted by %s: %d jobs (%d stopped first)", name, actor or "the CLI", len(jobs), len(unfinished))
    return Deleted(name, len(jobs), len(unfinished))
