"""Validation of uploaded course-material PDFs before a generate job is queued."""

from __future__ import annotations

import io

from pypdf import PdfReader

from .document import read_document
from .questions import NotEnoughText, check_enough_text
from .quickcheck import FIRST_PAGES, declared_pages, first_pages, first_pages_have_text, page_is_cheap

MAX_PAGES = 500


class UploadError(ValueError):
    """An upload the server cannot use; `code` is stable for clients, `message` is for people."""

    def __init__(self, code: str, message: str, **details: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details  # figures a client may put into its own sentence

    def __str__(self) -> str:
        return self.message


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_pdf_bytes(data: bytes, max_bytes: int, max_pages: int = MAX_PAGES) -> None:
    """Raise UploadError unless `data` is a readable, unencrypted PDF of at most `max_bytes` and
    `max_pages` whose first pages have text; cheap enough for a request (full extraction is the job's)."""
    if len(data) > max_bytes:
        raise UploadError(
            "file_too_large",
            f"The file is {_mb(len(data))}, larger than the {_mb(max_bytes)} limit; upload a smaller PDF.",
        )
    # The spec allows leading junk before the header; readers accept it within the first 1024 bytes.
    if b"%PDF-" not in data[:1024]:
        raise UploadError("not_a_pdf", "The file is not a PDF; upload a document saved as PDF.")
    # A complete PDF ends with %%EOF; without it the upload was cut short, even if pypdf could
    # rebuild part of it, so questions would silently miss the lost pages.
    if b"%%EOF" not in data[-2048:]:
        raise UploadError("unreadable_pdf", "The PDF is incomplete or damaged; upload the file again.")
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many unrelated types for malformed files
        raise UploadError("unreadable_pdf", "The PDF could not be read; it may be damaged.") from exc
    if encrypted:
        # Rejected even when an empty password opens it: such files often forbid text copying.
        raise UploadError("encrypted_pdf", "The PDF is encrypted; upload an unprotected copy.")
    try:
        # the declared count: walking a whole page tree is itself costly (the job counts them all)
        pages = declared_pages(reader)
    except Exception as exc:
        raise UploadError("unreadable_pdf", "The PDF could not be read; it may be damaged.") from exc
    if pages > max_pages:
        raise UploadError("too_many_pages", f"The PDF has {pages} pages; at most {max_pages} are accepted.")
    if pages == 0:
        raise UploadError("unreadable_pdf", "The PDF has no pages.")
    try:
        has_text = first_pages_have_text(reader)
    except Exception as exc:
        raise UploadError("unreadable_pdf", "The PDF could not be read; it may be damaged.") from exc
    if has_text is False:
        raise UploadError(
            "no_text",
            "The PDF contains no selectable text (it may be a scan); upload a PDF with real text.",
        )


def check_text_supports(data: bytes, questions: int, pages: list[int] | None = None) -> None:
    """Raise UploadError("not_enough_text") when a small, cheap PDF cannot give ``questions`` questions.

    Only documents of at most FIRST_PAGES cheap pages are read here, as the job reads them; larger
    ones are left to the job, whose extraction runs in a limited child process."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if declared_pages(reader) > FIRST_PAGES:
            return
        # one page more than allowed: a tree that holds more pages than it declares is left to the job
        found = first_pages(reader, FIRST_PAGES + 1)
        if len(found) > FIRST_PAGES or not all(page_is_cheap(page) for page in found):
            return
        doc = read_document(data, set(pages) if pages else None)
    except Exception:  # noqa: BLE001 - a file pypdf chokes on here is the job's to judge
        return
    try:
        check_enough_text(doc, questions)
    except NotEnoughText as exc:
        raise UploadError(exc.code, exc.message, supported=exc.supported, requested=exc.requested) from None
