"""``POST /api/jobs/<id>/questions/<qid>/regenerate``: another question of the same type, same course."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, jsonify, request

from app.errors import Conflict, NotFound
from app.exam import Document
from app.exam.regenerate import alternative_question
from app.http.api.exam_schemas import RegenerateIn
from app.http.api.jobs import _exam_job, _gone_or_missing, _question_out
from app.http.common import current_user, login_required, parse
from app.kinds.exam_output import load_document, load_exam

bp = Blueprint("api_exam_regenerate", __name__, url_prefix="/api/jobs")
log = logging.getLogger("examgen.http")


@bp.post("/<job_id>/questions/<qid>/regenerate")
@login_required
def regenerate(job_id: str, qid: str) -> Response:
    """A different question of the same type from the exam's course document (not saved: the editor keeps it)."""
    user = current_user()
    body = parse(RegenerateIn) if request.get_data(cache=True) else RegenerateIn()
    job = _exam_job(job_id)
    if job.user_id != user.id:
        raise NotFound("No such job")  # only the owner edits, even an admin sees it as absent
    try:
        exam = load_exam(job.result_path)
    except FileNotFoundError:
        _gone_or_missing(job.result_path)
    old = next((q for q in exam.questions if (q.id or f"q{q.number}") == qid), None)
    if old is None:
        raise NotFound("This exam has no question with that id")
    stored = load_document(job.result_path)
    if stored is None:
        raise Conflict("This exam was made before its course text was kept; generate it again to regenerate questions")
    new = alternative_question(Document.from_dict(stored), exam, old.type, secrets.randbits(32), body.avoid)
    if new is None:
        raise Conflict(f"The course material has no other {old.type} question to offer")
    new.number, new.id, new.points = old.number, old.id or f"q{old.number}", old.points
    log.info("Question %s of job %s regenerated (user=%s type=%s)", qid, job.id, user.username, old.type)
    return jsonify({"question": _question_out(new)})
