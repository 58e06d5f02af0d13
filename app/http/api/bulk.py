"""``POST /api/jobs/bulk``: cancel, retry or delete many jobs in one request, each judged on its own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, Field

from app.errors import ExamgenError
from app.http.api.schemas import JobOut, Out, Strict
from app.http.common import components, current_user, login_required, parse
from app.models import User
from app.service import JobDesk

bp = Blueprint("api_jobs_bulk", __name__, url_prefix="/api/jobs")
log = logging.getLogger("examgen")

MAX_BULK = 100  # a page of the table at its largest


class BulkIn(Strict):
    action: Literal["cancel", "retry", "delete"]
    job_ids: Annotated[list[UUID], Field(min_length=1, max_length=MAX_BULK)]


class BulkItem(Out):
    job_id: UUID
    ok: bool
    job: JobOut | None = Field(None, description="The job after the action (not for delete)")
    code: str | None = Field(None, description="Why this one was refused: not_found, conflict, not_retryable, …")
    message: str | None = None


class BulkOut(Out):
    action: str
    succeeded: Annotated[int, Field(ge=0)]
    failed: Annotated[int, Field(ge=0)]
    results: list[BulkItem]


BULK_REQUEST_MODELS: tuple[type[BaseModel], ...] = (BulkIn,)
BULK_RESPONSE_MODELS: tuple[type[BaseModel], ...] = (BulkOut,)


def _actions(desk: JobDesk) -> dict[str, Callable[[User, str], dict[str, Any] | None]]:
    return {
        # a running job gets its cancel flag and its browser killed; nobody waits for it to stop
        "cancel": lambda user, job_id: desk.cancel(user, job_id, wait=0.0),
        "retry": desk.retry,
        "delete": desk.delete,
    }


@bp.post("/bulk")
@login_required
def bulk() -> Response:
    """Apply one action to up to 100 jobs; one job's refusal (not yours, wrong state, a limit) stops no other."""
    body = parse(BulkIn)
    user = current_user()
    act = _actions(components().desk)[body.action]
    results: list[dict[str, Any]] = []
    for job_id in dict.fromkeys(str(i) for i in body.job_ids):  # each id once, in the order sent
        try:
            results.append({"job_id": job_id, "ok": True, "job": act(user, job_id), "code": None, "message": None})
        except ExamgenError as exc:
            results.append({"job_id": job_id, "ok": False, "job": None, "code": exc.code, "message": exc.message})
    done = sum(1 for r in results if r["ok"])
    log.info("Bulk %s by %s: %d done, %d refused", body.action, user.username, done, len(results) - done)
    return jsonify({"action": body.action, "succeeded": done, "failed": len(results) - done, "results": results})
