"""The files of a finished exam: combined, student and key PDFs (printed by the browser), .docx and JSON."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from selenium.webdriver.common.print_page_options import PrintOptions

from app.errors import TransientFailure
from app.exam import Exam, render_docx, render_html

VARIANTS = ("combined", "student", "key")


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


def exam_file(result_path: str | Path, variant: str = "combined", fmt: str = "pdf") -> Path:
    """Where one output of the exam whose combined PDF is ``result_path`` lives."""
    base = Path(result_path)
    if fmt == "docx":
        return base.with_suffix(".docx")
    if fmt == "json":
        return base.with_suffix(".json")
    return base if variant == "combined" else base.with_name(f"{base.stem}-{variant}.pdf")


def load_exam(result_path: str | Path) -> Exam:
    """The questions of a finished exam, as stored next to its PDFs."""
    return Exam.from_dict(json.loads(exam_file(result_path, fmt="json").read_text(encoding="utf-8")))


def load_document(result_path: str | Path) -> dict[str, Any] | None:
    """The course document the exam was built from (kept for regenerating single questions), if stored."""
    try:
        data = json.loads(exam_file(result_path, fmt="json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    doc = data.get("document") if isinstance(data, dict) else None
    return doc if isinstance(doc, dict) else None


def _print(driver: Any, html_path: Path) -> bytes:
    driver.get(html_path.resolve().as_uri())
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in cm
    options.margin_top = options.margin_bottom = 1.5
    options.margin_left = options.margin_right = 1.5
    options.background = True
    options.display_header_footer = False  # type: ignore[attr-defined]  # not in selenium's stubs, honoured by print
    pdf = base64.b64decode(driver.print_page(options))
    if not pdf.startswith(b"%PDF"):
        raise TransientFailure("render_failed", "The browser did not produce a PDF")
    return pdf


def write_outputs(
    driver: Any, work_root: Path, job_id: str, exam: Exam, document: dict[str, Any] | None = None
) -> Path:
    """Print the three PDFs, write the .docx and the questions (with the course document, so a single
    question can be built again later); return the combined PDF's path."""
    out = results_dir(work_root)
    out.mkdir(parents=True, exist_ok=True)
    combined = out / f"{job_id}.pdf"
    for variant in VARIANTS:
        page = out / f"{job_id}-{variant}.html"
        page.write_text(render_html(exam, variant), encoding="utf-8")
        try:
            pdf = _print(driver, page)
        finally:
            page.unlink(missing_ok=True)
        write_atomically(exam_file(combined, variant), pdf)
    write_atomically(exam_file(combined, fmt="docx"), render_docx(exam))
    stored = {**exam.to_dict(), "document": document} if document else exam.to_dict()
    data = json.dumps(stored, ensure_ascii=False, indent=1).encode()
    write_atomically(exam_file(combined, fmt="json"), data)
    return combined
