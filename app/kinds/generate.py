"""The generate kind: an exam PDF from an uploaded course PDF, printed by a pooled browser."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from selenium.webdriver.common.print_page_options import PrintOptions

from app.errors import PermanentFailure, TransientFailure
from app.exam import NotEnoughText, UploadError, extract_text, generate_exam, render_html
from app.kinds.base import JobContext, JobResult


def uploads_dir(work_root: Path) -> Path:
    """Where uploaded course PDFs are kept (names chosen by the server)."""
    return Path(work_root) / "uploads"


def results_dir(work_root: Path) -> Path:
    """Where generated exams are written."""
    return Path(work_root) / "results"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class GenerateKind:
    """extract → analyse → build → render; a rerun after a crash simply writes the result again."""

    name = "generate"
    needs_browser = True

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """Exams need no pacing."""
        return ""

    def run(self, ctx: JobContext) -> JobResult:
        """Generate the exam of ``ctx.payload`` and print it to PDF."""
        upload = uploads_dir(ctx.work_dir) / ctx.payload["upload"]
        if not upload.is_file():
            raise PermanentFailure("upload_missing", "The uploaded PDF is no longer on the server; upload it again")
        ctx.report(5, "Extracting the text")
        try:
            text = extract_text(upload)
        except UploadError as exc:
            raise PermanentFailure(exc.code, exc.message) from None
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types; rereading will not help
            raise PermanentFailure("unreadable_pdf", f"The PDF could not be read: {exc}"[:300]) from None
        self._check_cancel(ctx)

        def stage(name: str, percent: int) -> None:
            base, span = {"analyse": (15, 20), "build": (35, 30)}.get(name, (15, 20))
            ctx.report(
                base + span * percent // 100, "Analysing the text" if name == "analyse" else "Building questions"
            )

        try:
            exam = generate_exam(
                text,
                questions=int(ctx.payload.get("questions", 10)),
                title=ctx.payload.get("title") or "Exam",
                progress=stage,
            )
        except NotEnoughText as exc:
            raise PermanentFailure(exc.code, exc.message) from None
        self._check_cancel(ctx)

        ctx.report(70, "Rendering the PDF")
        page = results_dir(ctx.work_dir) / f"{ctx.job_id}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(render_html(exam), encoding="utf-8")
        try:
            ctx.driver.get(page.resolve().as_uri())
            options = PrintOptions()
            options.page_width, options.page_height = 21.0, 29.7  # A4, in cm
            options.margin_top = options.margin_bottom = 1.5
            options.margin_left = options.margin_right = 1.5
            options.background = True
            pdf = base64.b64decode(ctx.driver.print_page(options))
        finally:
            page.unlink(missing_ok=True)
        if not pdf.startswith(b"%PDF"):
            raise TransientFailure("render_failed", "The browser did not produce a PDF")
        ctx.report(95, "Saving the exam")
        result = results_dir(ctx.work_dir) / f"{ctx.job_id}.pdf"
        write_atomically(result, pdf)
        return JobResult(result_path=str(result))

    @staticmethod
    def _check_cancel(ctx: JobContext) -> None:
        if ctx.cancelled.is_set():
            raise TransientFailure("interrupted", "Cancelled")
