"""Exam generation from course PDFs: upload checks, text extraction, analysis, questions and HTML."""

from .analyse import Analysis, analyse, detect_language, split_sentences
from .extract import extract_text
from .questions import Exam, NotEnoughText, Question, generate_exam
from .render import render_html
from .upload import UploadError, check_pdf_bytes

__all__ = [
    "Analysis",
    "Exam",
    "NotEnoughText",
    "Question",
    "UploadError",
    "analyse",
    "check_pdf_bytes",
    "detect_language",
    "extract_text",
    "generate_exam",
    "render_html",
    "split_sentences",
]
