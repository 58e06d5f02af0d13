"""The jobs endpoints of the JSON API."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_file

from app.api.common import current_user, engine, int_arg, login_required, parse
from app.api.schemas import PublishIn, ResolveIn
from app.errors import NotFound, ValidationError
from app.evidence import evidence_dir
from app.jobs import NewJob
from app.models import JobStatus

bp = Blueprint("api_jobs", __name__, url_prefix="/api/jobs")

_STATUSES = {s.value for s in JobStatus}
_IDEMPOTENCY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


def _job_id(job_id: str) -> str:
    """A job id is a UUID; anything else cannot exist (404, like an unknown one)."""
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise NotFound("No such job") from None


@bp.post("/publish")
@login_required
def publish() -> tuple[Response, int]:
    """Queue one job per article, all or nothing."""
    user = current_user()
    eng = engine()
    body = parse(PublishIn)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_RE.match(key):
        raise ValidationError(
            "Idempotency-Key must be 1–255 printable ASCII characters", fields={"Idempotency-Key": "invalid"}
        )
    if body.platform not in eng.server.platforms:
        raise ValidationError(
            f"Unknown platform {body.platform!r}; available: {', '.join(sorted(eng.server.platforms))}",
            fields={"platform": "unknown platform"},
        )
    account = eng.accounts.find(user, body.platform, body.account)
    new_jobs = [
        NewJob(
            kind="publish",
            payload={"platform": body.platform, "title": a.title, "content": a.content},
            title=a.title,
            platform=body.platform,
            account_id=account.id,
            account_name=account.name,
            article_id=a.article_id,
        )
        for a in body.articles
    ]
    jobs, created = eng.service.submit(user, new_jobs, body.priority, key)
    return jsonify({"success": True, "job_ids": [j["job_id"] for j in jobs], "jobs": jobs}), 202 if created else 200


@bp.get("")
@login_required
def list_jobs() -> Response:
    """The caller's jobs, newest first, filtered and paged."""
    user = current_user()
    statuses = [s for s in (request.args.get("status") or "").split(",") if s]
    unknown = [s for s in statuses if s not in _STATUSES]
    if unknown:
        raise ValidationError(f"Unknown status {unknown[0]!r}", fields={"status": "unknown status"})
    kind = request.args.get("kind") or None
    if kind is not None and kind not in engine().server.kinds:
        raise ValidationError(f"Unknown kind {kind!r}", fields={"kind": "unknown kind"})
    page = int_arg("page", 1, 1, 1_000_000)
    limit = int_arg("limit", 20, 1, 100)
    jobs, total = engine().service.list(user, statuses, kind, page, limit, request.args.get("user") or None)
    return jsonify({"jobs": jobs, "total": total, "page": page, "limit": limit})


@bp.get("/status")
@login_required
def statuses() -> Response:
    """The jobs among ``ids`` that are the caller's."""
    raw = [i for i in (request.args.get("ids") or "").split(",") if i]
    if len(raw) > 200:
        raise ValidationError("Ask for at most 200 ids at a time", fields={"ids": "too many"})
    ids = []
    for i in raw:
        try:
            ids.append(str(uuid.UUID(i)))
        except ValueError:
            continue  # an id that cannot exist is simply not among the caller's jobs
    return jsonify({"jobs": engine().service.statuses(current_user(), ids) if ids else []})


@bp.get("/<job_id>")
@login_required
def get_job(job_id: str) -> Response:
    return jsonify({"job": engine().service.get(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/cancel")
@login_required
def cancel(job_id: str) -> Response:
    return jsonify({"success": True, "job": engine().service.cancel(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/retry")
@login_required
def retry(job_id: str) -> Response:
    return jsonify({"success": True, "job": engine().service.retry(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/resolve")
@login_required
def resolve(job_id: str) -> Response:
    body = parse(ResolveIn)
    if body.failed == bool(body.result_url):
        raise ValidationError('Send either {"result_url": "…"} or {"failed": true}', fields={"result_url": "required"})
    if body.result_url and not body.result_url.startswith(("http://", "https://")):
        raise ValidationError("result_url must be an http(s) URL", fields={"result_url": "not a URL"})
    job = engine().service.resolve(current_user(), _job_id(job_id), body.result_url, body.failed)
    return jsonify({"success": True, "job": job})


@bp.delete("/<job_id>")
@login_required
def delete_job(job_id: str) -> tuple[str, int]:
    engine().service.delete(current_user(), _job_id(job_id))
    return "", 204


@bp.get("/<job_id>/result")
@login_required
def result(job_id: str) -> Response:
    """The generated exam PDF of a successful generate job."""
    job = engine().service.get_row(current_user(), _job_id(job_id))
    path = Path(job.result_path) if job.result_path else None
    if job.status != JobStatus.SUCCESS or path is None or not path.is_file():
        raise NotFound("This job has no result file")
    return send_file(path, mimetype="application/pdf", download_name=f"exam-{job.id[:8]}.pdf")


@bp.get("/<job_id>/screenshot")
@login_required
def screenshot(job_id: str) -> Response:
    """What the browser showed when the last failed attempt ended."""
    job = engine().service.get_row(current_user(), _job_id(job_id))
    name = (job.evidence or {}).get("screenshot")
    path = evidence_dir(engine().server.work_root, job.id) / name if name else None
    if path is None or not path.is_file():
        raise NotFound("This job has no screenshot")
    return send_file(path, mimetype="image/png")
