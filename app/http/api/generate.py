"""POST /api/jobs/generate and POST /generate: an exam from an uploaded course PDF."""

from __future__ import annotations

import io
import uuid

from flask import Blueprint, Response, jsonify, request
from pypdf import PdfReader

from app.errors import ExamgenError, ValidationError, invalid
from app.exam import UploadError, check_pdf_bytes, check_text_supports
from app.http.api import exam_controls as controls
from app.http.common import components, current_user, login_required
from app.http.web.i18n import current_lang
from app.jobs import NewJob
from app.kinds.generate import uploads_dir, write_atomically

bp = Blueprint("api_generate", __name__)

MAX_QUESTIONS = 50


def _questions() -> int | None:
    raw = (request.form.get("questions") or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise invalid("questions", "int_parsing", "questions must be a whole number from 1 to 50") from None
    if value < 1:
        raise invalid("questions", "greater_than_equal", "questions must be from 1 to 50", ge=1)
    if value > MAX_QUESTIONS:
        raise invalid("questions", "less_than_equal", "questions must be from 1 to 50", le=MAX_QUESTIONS)
    return value


def _session_language() -> str | None:
    """The web UI's language when the request comes from it (a cookie session), else None."""
    if request.headers.get("Authorization"):
        return None
    return "zh" if current_lang().startswith("zh") else "en"


@bp.post("/api/jobs/generate")
@bp.post("/generate")
@login_required
def generate() -> tuple[Response, int]:
    """Admission first, then cheap checks of the upload and the teacher's controls; store the PDF under
    a server name and queue the job (202). The full text extraction is the job's, in a limited child."""
    user = current_user()
    parts = components()
    if request.mimetype != "multipart/form-data":
        raise ExamgenError(
            "Upload the PDF as multipart/form-data with a 'file' field (curl -F file=@course.pdf)",
            code="unsupported_media_type",
            status=415,
        )
    parts.desk.precheck(user)  # before the body is parsed: a refused upload costs nothing
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("Attach the course PDF as the 'file' field", fields={"file": "missing"})
    form = request.form
    questions = _questions()
    types = controls.question_types(form, questions)
    points, seed = controls.points(form), controls.seed(form)
    lang = controls.ui_language(form, _session_language())
    title = controls.text_field(form, "title", controls.DEFAULT_TITLES[lang] if lang else "")
    subject = controls.text_field(form, "subject", "")
    max_bytes = parts.config.max_upload_mb * 1024 * 1024
    data = upload.stream.read(max_bytes + 1)
    try:
        check_pdf_bytes(data, max_bytes, parts.config.max_pdf_pages)
        pages = controls.pages(form, len(PdfReader(io.BytesIO(data)).pages)) if form.get("pages") else None
        count = sum(types.values()) if types else questions or 10
        check_text_supports(data, count, pages)  # a short PDF is refused now, not by a failed job
    except UploadError as exc:
        status = 413 if exc.code == "file_too_large" else 400
        raise ExamgenError(
            exc.message, code=exc.code, status=status, fields={"file": exc.code}, extra=exc.details
        ) from None
    name = f"{uuid.uuid4().hex}.pdf"
    path = uploads_dir(parts.server.work_root) / name
    write_atomically(path, data)
    filename = (upload.filename or "course.pdf")[-200:]
    payload = {
        "upload": name,
        "questions": count,
        "title": title,
        "filename": filename,
        "types": types,
        "points": points,
        "pages": pages,
        "seed": seed,
        "subject": subject,
    }
    job = NewJob(kind="generate", payload=payload, title=title or filename)
    try:
        jobs, _ = parts.desk.submit(user, [job], priority=5)
    except Exception:
        path.unlink(missing_ok=True)  # a refused job keeps nothing
        raise
    return jsonify({"success": True, "job_id": jobs[0]["job_id"], "job": jobs[0]}), 202
