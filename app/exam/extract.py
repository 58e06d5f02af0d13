"""Text extraction from PDFs with pypdf, normalised for keyword analysis."""

from __future__ import annotations

import io
import os
import re
from typing import IO

from pypdf import PdfReader

from .normalise import normalise_text

PdfSource = str | os.PathLike[str] | bytes | IO[bytes]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"
# A line that is only a page number, optionally decorated ("- 3 -", "Page 3", "第 3 页").
_PAGE_NUMBER = re.compile(r"^(?:[-–—\s]*\d+[-–—\s]*|page\s+\d+(?:\s+of\s+\d+)?|第\s*\d+\s*页)$", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\ufeff\u00ad]")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}{_CJK_PUNCT}]) (?=[{_CJK}{_CJK_PUNCT}])")
_TERMINAL = tuple('.!?:;。！？；："”’)）')


def _is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}{_CJK_PUNCT}]", ch))


def _width(line: str) -> int:
    # CJK glyphs are about twice as wide as Latin ones; count them so on mixed pages.
    return sum(2 if _is_cjk(ch) else 1 for ch in line)


def _join(prev: str, line: str) -> str:
    """Join a wrapped line onto the text before it without breaking words or CJK runs."""
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line[:1].islower():
        return prev[:-1] + line  # "mito-" + "chondria": hyphen was only a line-wrap artefact
    if _is_cjk(prev[-1]) or _is_cjk(line[0]):
        return prev + line  # Chinese has no spaces between words, so wrapping must not add one
    return prev + " " + line


def _is_heading(line: str, nxt: str, width: int) -> bool:
    # Short lines without closing punctuation are titles; keep them out of the next sentence.
    # A line ending in a hyphen or followed by a lower-case word is a wrapped sentence instead.
    if line.endswith((*_TERMINAL, "-", ",", "，", "、")) or nxt[:1].islower():
        return False
    return _width(line) < 0.5 * width


def normalise_page(raw: str) -> str:
    """Turn one page of raw extracted text into paragraphs separated by blank lines."""
    raw = normalise_text(_ZERO_WIDTH.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    width = max((_width(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if _is_heading(line, lines[i + 1] if i + 1 < len(lines) else "", width):
            if current:
                paragraphs.append(current)
            paragraphs.append(line)
            current = ""
            continue
        current = _join(current, line) if current else line
        # A sentence that ends well short of the right margin closes its paragraph.
        if line.endswith(_TERMINAL) and _width(line) < 0.7 * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(_SPACE_BETWEEN_CJK.sub("", p) for p in paragraphs)


def extract_reader_text(reader: PdfReader) -> str:
    """Extract and normalise the text of every page of an opened PDF."""
    pages = (normalise_page(page.extract_text() or "") for page in reader.pages)
    return "\n\n".join(p for p in pages if p)


def extract_text(path_or_bytes: PdfSource) -> str:
    """Return the normalised text of a PDF given as a path, raw bytes or a binary file object."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        path_or_bytes = io.BytesIO(bytes(path_or_bytes))
    if isinstance(path_or_bytes, os.PathLike):
        path_or_bytes = os.fspath(path_or_bytes)
    return extract_reader_text(PdfReader(path_or_bytes))
