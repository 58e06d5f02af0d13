"""The render_exam kind: print an edited exam again (a quick job; the exam it came from stays as it was)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.exam import Exam
from app.kinds.base import JobContext, JobResult
from app.kinds.exam_output import load_document, results_dir, write_outputs
from app.models import Job


class RenderExamKind:
    """Render the questions in the payload (edited by the teacher) to PDFs and .docx."""

    name = "render_exam"
    needs_browser = True

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        return ""

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """No effects beyond the result files."""

    def run(self, ctx: JobContext) -> JobResult:
        """Print the edited exam of ``ctx.payload["exam"]``."""
        exam = Exam.from_dict(ctx.payload["exam"])
        ctx.report(30, "Rendering the PDF")
        # the course document travels with each edited version, so its questions can be regenerated too
        source = str(ctx.payload.get("source") or "")
        document = load_document(results_dir(ctx.work_dir) / f"{source}.pdf") if source else None
        result = write_outputs(ctx.driver, ctx.work_dir, ctx.job_id, exam, document)
        ctx.report(95, "Saving the exam")
        return JobResult(result_path=str(result))
