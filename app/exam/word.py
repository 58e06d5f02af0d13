"""The exam as a Word document (python-docx): the student copy, then the key on a new page."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

from .questions import Exam
from .render import instructions, labels, sections


def _font(doc: DocxDocument, language: str) -> None:
    style = doc.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(11)
    # East Asian text takes its own font slot in Word; without it Chinese falls back to a serif font.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC" if language == "zh" else "Liberation Sans")


def render_docx(exam: Exam) -> bytes:
    """The exam as .docx bytes: title, name line, sections with points and answer lines, then the key."""
    lab = labels(exam.language)
    colon = lab["colon"]
    doc = WordDocument()
    _font(doc, exam.language)
    doc.core_properties.title = exam.title
    heading = doc.add_heading(exam.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if exam.subject:
        doc.add_paragraph(exam.subject).alignment = WD_ALIGN_PARAGRAPH.CENTER
    total = sum(q.points for q in exam.questions)
    total_text = lab["total"].format(t=int(total) if float(total).is_integer() else total)
    doc.add_paragraph(f"{instructions(exam)} {total_text}")
    doc.add_paragraph(
        f"{lab['name']}{colon}________________   {lab['class']}{colon}____________   {lab['score']}{colon}________"
    )
    paren = "（    ）" if exam.language == "zh" else "(    )"
    for kind, title, qs in sections(exam):
        doc.add_heading(title, level=2)
        for q in qs:
            line = f"{q.number}. {q.prompt}"
            if kind in ("choice", "truefalse"):
                line += f" {paren}"
            doc.add_paragraph(line)
            if kind == "choice":
                doc.add_paragraph(
                    "    ".join(f"{'ABCD'[i]}. {o}" for i, o in enumerate(q.options))
                ).paragraph_format.left_indent = Pt(18)
            elif kind == "truefalse" and exam.language != "zh":
                doc.add_paragraph("    ".join(f"○ {o}" for o in q.options)).paragraph_format.left_indent = Pt(18)
            elif kind == "short":
                for _ in range(4):
                    doc.add_paragraph("_" * 70).paragraph_format.left_indent = Pt(18)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(f"{lab['key']} — {exam.title}", level=1)
    for _, title, qs in sections(exam):
        doc.add_heading(title, level=2)
        for q in qs:
            doc.add_paragraph(f"{q.number}. {q.answer} {lab['source'].format(n=q.page)}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
