"""The jobs endpoints of the JSON API."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path, PurePath
from typing import NoReturn
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request, send_file

from app.engine.evidence import evidence_dir
from app.errors import Conflict, Gone, NotFound, ValidationError
from app.exam import Exam, Question
from app.http.api.exam_schemas import ExamEditIn
from app.http.api.schemas import PublishIn, RescheduleIn, ResolveIn, spread_seconds, when
from app.http.common import components, current_user, int_arg, login_required, parse
from app.job_query import DEFAULT_SORT, MAX_SEARCH, JobQuery, sort_names
from app.jobs import NewJob
from app.kinds.exam_output import exam_file, load_exam
from app.models import JobStatus, utcnow

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
    parts = components()
    body = parse(PublishIn)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_RE.match(key):
        raise ValidationError(
            "Idempotency-Key must be 1–255 printable ASCII characters", fields={"Idempotency-Key": "invalid"}
        )
    if body.platform not in parts.server.platforms:
        raise ValidationError(
            f"Unknown platform {body.platform!r}; available: {', '.join(sorted(parts.server.platforms))}",
            fields={"platform": "unknown platform"},
        )
    account = parts.accounts.find(user, body.platform, body.account)
    start, every = when(body.publish_at), spread_seconds(body.spread)
    if start is None and every:
        start = utcnow()
    new_jobs = [
        NewJob(
            kind="publish",
            payload={"platform": body.platform, "title": a.title, "content": a.content},
            title=a.title,
            platform=body.platform,
            account_id=account.id,
            account_name=account.name,
            article_id=a.article_id,
            publish_at=when(a.publish_at) or (start + timedelta(seconds=i * every) if start else None),
        )
        for i, a in enumerate(body.articles)
    ]
    jobs, created = parts.desk.submit(user, new_jobs, body.priority, key)
    return jsonify({"success": True, "job_ids": [j["job_id"] for j in jobs], "jobs": jobs}), 202 if created else 200


@bp.get("")
@login_required
def list_jobs() -> Response:
    """The caller's jobs, newest first (or ``sort``), filtered by status, kind and ``q``, paged."""
    user = current_user()
    statuses = [s for s in (request.args.get("status") or "").split(",") if s]
    unknown = [s for s in statuses if s not in _STATUSES]
    if unknown:
        raise ValidationError(f"Unknown status {unknown[0]!r}", fields={"status": "unknown status"})
    kind = request.args.get("kind") or None
    for one in (kind or "").split(","):
        if kind is not None and one not in components().server.kinds:
            raise ValidationError(f"Unknown kind {one!r}", fields={"kind": "unknown kind"})
    search = (request.args.get("q") or "").strip()
    if len(search) > MAX_SEARCH:
        raise ValidationError(f"q must be at most {MAX_SEARCH} characters", fields={"q": "too long"})
    sort = request.args.get("sort") or DEFAULT_SORT
    if sort not in sort_names():
        choices = ", ".join(sort_names())
        raise ValidationError(f"Unknown sort {sort!r}; use one of: {choices}", fields={"sort": "unknown"})
    page = int_arg("page", 1, 1, 1_000_000)
    limit = int_arg("limit", 20, 1, 100)
    query = JobQuery(statuses, kind.split(",") if kind else (), search, sort)
    jobs, total = components().desk.list(user, query, page, limit, request.args.get("user") or None)
    return jsonify({"jobs": jobs, "total": total, "page": page, "limit": limit, "sort": sort})


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
    return jsonify({"jobs": components().desk.statuses(current_user(), ids) if ids else []})


@bp.get("/<job_id>")
@login_required
def get_job(job_id: str) -> Response:
    return jsonify({"job": components().desk.get(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/cancel")
@login_required
def cancel(job_id: str) -> Response:
    return jsonify({"success": True, "job": components().desk.cancel(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/retry")
@login_required
def retry(job_id: str) -> Response:
    return jsonify({"success": True, "job": components().desk.retry(current_user(), _job_id(job_id))})


@bp.post("/<job_id>/reschedule")
@login_required
def reschedule(job_id: str) -> Response:
    """Move a scheduled job: ``{"publish_at": "2026-12-24T09:00:00+08:00"}`` (a past time: now)."""
    body = parse(RescheduleIn)
    at = when(body.publish_at)
    assert at is not None
    return jsonify({"success": True, "job": components().desk.reschedule(current_user(), _job_id(job_id), at)})


@bp.post("/<job_id>/resolve")
@login_required
def resolve(job_id: str) -> Response:
    body = parse(ResolveIn)
    if body.failed == bool(body.result_url):
        raise ValidationError('Send either {"result_url": "…"} or {"failed": true}', fields={"result_url": "required"})
    if body.result_url and not body.result_url.startswith(("http://", "https://")):
        raise ValidationError("result_url must be an http(s) URL", fields={"result_url": "not a URL"})
    job = components().desk.resolve(current_user(), _job_id(job_id), body.result_url, body.failed)
    return jsonify({"success": True, "job": job})


@bp.delete("/<job_id>")
@login_required
def delete_job(job_id: str) -> tuple[str, int]:
    components().desk.delete(current_user(), _job_id(job_id))
    return "", 204


_EXAM_KINDS = ("generate", "render_exam")
_MEDIA = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _exam_job(job_id: str):
    """A successful exam job of the caller (404 for anybody else's, like an unknown one)."""
    job = components().desk.get_row(current_user(), _job_id(job_id))
    if job.kind not in _EXAM_KINDS or job.status != JobStatus.SUCCESS or not job.result_path:
        raise NotFound("This job has no result file")
    return job


def _gone_or_missing(result_path: str) -> NoReturn:
    """410 once retention removed the exam's files (the combined PDF is gone too), else 404."""
    if not Path(result_path).is_file():
        days = components().server.config.result_retention_days
        raise Gone(f"The exam was removed after {days:g} days (RESULT_RETENTION_DAYS); generate it again")
    raise NotFound("This job has no result file of that kind")


def _disposition(name: str) -> str:
    """attachment; an ASCII fallback name and the real one as RFC 5987 filename* (Chinese titles)."""
    path = PurePath(name)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem).strip("_-")
    if stem != path.stem:  # a Chinese title ("试卷-key") keeps what is ASCII behind "exam" ("exam-key")
        stem = f"exam-{stem}" if stem else "exam"
    ascii_name = stem + re.sub(r"[^A-Za-z0-9.]+", "", path.suffix)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _safe_title(title: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", title).strip(" ._") or "exam"


@bp.get("/<job_id>/result")
@login_required
def result(job_id: str) -> Response:
    """The exam: combined PDF by default; ?variant=student|key, ?format=docx."""
    variant = request.args.get("variant") or "combined"
    fmt = request.args.get("format") or "pdf"
    if variant not in ("combined", "student", "key"):
        raise ValidationError("variant is student, key or combined", fields={"variant": "unknown variant"})
    if fmt not in _MEDIA:
        raise ValidationError("format is pdf or docx", fields={"format": "unknown format"})
    job = _exam_job(job_id)
    path = exam_file(job.result_path, variant, fmt)
    if not path.is_file():
        _gone_or_missing(job.result_path)
    try:
        title = _safe_title(load_exam(job.result_path).title)
    except (OSError, ValueError, KeyError):
        title = _safe_title(job.title or "exam")
    name = f"{title}.docx" if fmt == "docx" else f"{title}{'' if variant == 'combined' else '-' + variant}.pdf"
    resp = send_file(path, mimetype=_MEDIA[fmt])
    resp.headers["Content-Disposition"] = _disposition(name)
    return resp


def _question_out(q: Question) -> dict:
    return {
        "id": q.id or f"q{q.number}",
        "type": q.type,
        "stem": q.prompt,
        "options": q.options,
        "answer": q.answer,
        "points": q.points,
        "page": q.page,
        "source": q.source,
    }


@bp.get("/<job_id>/questions")
@login_required
def questions(job_id: str) -> Response:
    """The questions of a finished exam, to edit before printing."""
    job = _exam_job(job_id)
    try:
        exam = load_exam(job.result_path)
    except FileNotFoundError:
        _gone_or_missing(job.result_path)
    return jsonify(
        {
            "job_id": job.id,
            "title": exam.title,
            "subject": exam.subject,
            "language": exam.language,
            "questions": [_question_out(q) for q in exam.questions],
        }
    )


@bp.put("/<job_id>/questions")
@login_required
def edit_questions(job_id: str) -> tuple[Response, int]:
    """Save an edited question list: a quick render_exam job prints it again (202 with the new job)."""
    user = current_user()
    body = parse(ExamEditIn)
    job = _exam_job(job_id)
    if job.user_id != user.id:
        raise NotFound("No such job")  # only the owner edits, even an admin sees it as absent
    try:
        old = load_exam(job.result_path)
    except FileNotFoundError:
        raise Conflict("The questions of this exam are no longer on the server") from None
    edited = Exam(
        body.title or old.title,
        [
            Question(
                i,
                q.type,
                q.stem,
                list(q.options),
                q.answer,
                q.source,
                q.page,
                q.points,
                q.id or f"q{i}",
            )
            for i, q in enumerate(body.questions, start=1)
        ],
        old.language,
        old.subject if body.subject is None else body.subject,
    )
    new = NewJob(kind="render_exam", payload={"source": job.id, "exam": edited.to_dict()}, title=edited.title)
    jobs, _ = components().desk.submit(user, [new], priority=3)
    return jsonify({"success": True, "job_id": jobs[0]["job_id"], "job": jobs[0]}), 202


@bp.get("/<job_id>/screenshot")
@login_required
def screenshot(job_id: str) -> Response:
    """What the browser showed when the last failed attempt ended."""
    job = components().desk.get_row(current_user(), _job_id(job_id))
    name = (job.evidence or {}).get("screenshot")
    path = evidence_dir(components().server.work_root, job.id) / name if name else None
    if path is None:
        raise NotFound("This job has no screenshot")
    if not path.is_file():
        days = components().server.config.result_retention_days
        raise Gone(f"The screenshot was removed after {days:g} days (RESULT_RETENTION_DAYS)")
    return send_file(path, mimetype="image/png")
