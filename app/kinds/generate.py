"""The generate kind: an exam from an uploaded course PDF, printed by a pooled browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.errors import PermanentFailure, TransientFailure
from app.exam import Document, NotEnoughText, generate_exam
from app.exam.sandbox import ExtractFailed, ExtractLimits, read_document_limited
from app.kinds.base import JobContext, JobResult
from app.kinds.exam_output import results_dir, write_atomically, write_outputs
from app.models import Job

__all__ = ["GenerateKind", "results_dir", "uploads_dir", "write_atomically"]


def uploads_dir(work_root: Path) -> Path:
    """Where uploaded course PDFs are kept (names chosen by the server)."""
    return Path(work_root) / "uploads"


class GenerateKind:
    """extract → analyse → build → render; a rerun after a crash simply writes the result again."""

    name = "generate"
    needs_browser = True

    def __init__(self, limits: ExtractLimits | None = None) -> None:
        self.limits = limits or ExtractLimits()

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """Exams need no pacing."""
        return ""

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """No effects beyond the result files."""

    def run(self, ctx: JobContext) -> JobResult:
        """Generate the exam of ``ctx.payload`` and print it to PDF (student, key, both) and .docx."""
        upload = uploads_dir(ctx.work_dir) / ctx.payload["upload"]
        if not upload.is_file():
            raise PermanentFailure("upload_missing", "The uploaded PDF is no longer on the server; upload it again")
        ctx.report(5, "Extracting the text")
        pages = set(ctx.payload["pages"]) if ctx.payload.get("pages") else None
        try:
            # the whole file is read in a limited child process: a crafted PDF cannot stall the server
            doc = Document.from_dict(read_document_limited(upload, pages, self.limits, ctx.cancelled))
        except ExtractFailed as exc:
            if exc.code == "interrupted":
                raise TransientFailure(exc.code, exc.message) from None
            raise PermanentFailure(exc.code, exc.message) from None
        self._check_cancel(ctx)

        def stage(name: str, percent: int) -> None:
            base, span = {"analyse": (15, 20), "build": (35, 30)}.get(name, (15, 20))
            ctx.report(
                base + span * percent // 100, "Analysing the text" if name == "analyse" else "Building questions"
            )

        try:
            exam = generate_exam(
                doc,
                questions=int(ctx.payload.get("questions", 10)),
                title=ctx.payload.get("title") or "",
                progress=stage,
                types=ctx.payload.get("types") or None,
                points=ctx.payload.get("points") or None,
                seed=int(ctx.payload.get("seed") or 0),
                subject=ctx.payload.get("subject") or "",
            )
        except NotEnoughText as exc:
            raise PermanentFailure(exc.code, exc.message) from None
        self._check_cancel(ctx)
        ctx.report(70, "Rendering the PDF")
        result = write_outputs(ctx.driver, ctx.work_dir, ctx.job_id, exam, doc.to_dict())
        ctx.report(95, "Saving the exam")
        return JobResult(result_path=str(result))

    @staticmethod
    def _check_cancel(ctx: JobContext) -> None:
        if ctx.cancelled.is_set():
            raise TransientFailure("interrupted", "Cancelled")
