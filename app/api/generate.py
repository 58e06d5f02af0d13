"""POST /api/jobs/generate and POST /generate: an exam from an uploaded course PDF."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, jsonify, request

from app.api.common import current_user, engine, login_required
from app.errors import ExamgenError, ValidationError
from app.exam import UploadError, check_pdf_bytes
from app.jobs import NewJob
from app.kinds.generate import uploads_dir, write_atomically

bp = Blueprint("api_generate", __name__)

MAX_QUESTIONS = 50


def _questions() -> int:
    raw = (request.form.get("questions") or "").strip()
    if not raw:
        return 10
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(
            "questions must be a whole number from 1 to 50", fields={"questions": "not a number"}
        ) from None
    if not 1 <= value <= MAX_QUESTIONS:
        raise ValidationError("questions must be from 1 to 50", fields={"questions": "out of range"})
    return value


def _title() -> str:
    title = (request.form.get("title") or "").strip() or "Exam"
    if len(title) > 200 or "\x00" in title:
        raise ValidationError("title has at most 200 characters and no NUL", fields={"title": "invalid"})
    return title


@bp.post("/api/jobs/generate")
@bp.post("/generate")
@login_required
def generate() -> tuple[Response, int]:
    """Check the upload, store it under a name the server chooses, queue the job (202)."""
    user = current_user()
    eng = engine()
    if request.mimetype != "multipart/form-data":
        raise ExamgenError(
            "Upload the PDF as multipart/form-data with a 'file' field (curl -F file=@course.pdf)",
            code="unsupported_media_type",
            status=415,
        )
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("Attach the course PDF as the 'file' field", fields={"file": "missing"})
    questions, title = _questions(), _title()
    max_bytes = eng.config.max_upload_mb * 1024 * 1024
    data = upload.stream.read(max_bytes + 1)
    try:
        check_pdf_bytes(data, max_bytes)
    except UploadError as exc:
        status = 413 if exc.code == "file_too_large" else 400
        raise ExamgenError(exc.message, code=exc.code, status=status, fields={"file": exc.code}) from None
    name = f"{uuid.uuid4().hex}.pdf"
    path = uploads_dir(eng.server.work_root) / name
    write_atomically(path, data)
    filename = (upload.filename or "course.pdf")[-200:]
    job = NewJob(
        kind="generate",
        payload={"upload": name, "questions": questions, "title": title, "filename": filename},
        title=title,
    )
    try:
        jobs, _ = eng.service.submit(user, [job], priority=5)
    except Exception:
        path.unlink(missing_ok=True)  # a refused job keeps nothing
        raise
    return jsonify({"success": True, "job_id": jobs[0]["job_id"], "job": jobs[0]}), 202
