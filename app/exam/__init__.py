"""Exam generation from course PDFs: upload checks, layout-aware extraction, key terms, items, HTML and Word."""

from .document import Document, read_document
from .extract import extract_text
from .questions import DEFAULT_POINTS, MAX_QUESTIONS, TYPES, Exam, NotEnoughText, Question, generate_exam
from .render import render_html
from .sentences import detect_language, split_sentences
from .upload import UploadError, check_pdf_bytes, check_text_supports
from .word import render_docx

__all__ = [
    "DEFAULT_POINTS",
    "MAX_QUESTIONS",
    "TYPES",
    "Document",
    "Exam",
    "NotEnoughText",
    "Question",
    "UploadError",
    "check_pdf_bytes",
    "check_text_supports",
    "detect_language",
    "extract_text",
    "generate_exam",
    "read_document",
    "render_docx",
    "render_html",
    "split_sentences",
]
