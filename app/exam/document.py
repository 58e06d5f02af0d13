"""A course PDF as explanatory prose: paragraphs with their pages, emphasised terms and code tokens.

Headings, captions, code, formulas, running headers, page numbers and the exercise, summary and
reference sections are recognised from the layout and kept out of the prose.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pypdf import PdfReader

from .layout import Line, classify, page_lines
from .normalise import normalise_text

_EXCLUDED = re.compile(
    r"^(?:\d+(?:\.\d+)*\s*)?(?:exercises?|problems|questions|summary|key\s+takeaways|references|bibliography|"
    r"further\s+reading|discussions?|练习|习题|思考题|小结|本章小结|总结|参考文献|讨论|延伸阅读)\b",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_TERMINAL = tuple(".!?:;。！？；：”’)）")
_LIST_ITEM = re.compile(r"^(?:[•·\-–*]|\d{1,2}[.)、]|[a-z][.)])\s+")


@dataclass
class Paragraph:
    text: str
    pages: list[tuple[int, int]]  # (character offset, page) where each page's part starts
    heading: str = ""

    def page_at(self, offset: int) -> int:
        """The page the character at `offset` was printed on."""
        page = self.pages[0][1]
        for start, number in self.pages:
            if start <= offset:
                page = number
        return page


@dataclass
class Document:
    page_count: int
    paragraphs: list[Paragraph]
    emphasis: list[str] = field(default_factory=list)
    code_tokens: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a worker process or a JSON file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        paragraphs = [
            Paragraph(p["text"], [tuple(x) for x in p["pages"]], p.get("heading", "")) for p in data["paragraphs"]
        ]
        return cls(data["page_count"], paragraphs, data["emphasis"], data["code_tokens"], data["headings"])


def _join(prev: str, line: str) -> str:
    """Join a wrapped line without breaking words or putting spaces into Chinese text."""
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line[:1].islower():
        return prev[:-1] + line
    if _CJK.match(prev[-1]) or _CJK.match(line[0]):
        return prev + line
    return prev + " " + line


class _Builder:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.text = ""
        self.pages: list[tuple[int, int]] = []
        self.heading = ""

    def add(self, line: Line) -> None:
        if not self.text:
            self.pages = [(0, line.page)]
            self.text = line.text
            return
        if self.pages[-1][1] != line.page:
            self.pages.append((len(self.text) + 1, line.page))
        self.text = _join(self.text, line.text)

    def close(self) -> None:
        if self.text:
            self.paragraphs.append(Paragraph(self.text, self.pages, self.heading))
        self.text, self.pages = "", []


def build_document(pages: list[list[Line]], chosen: set[int] | None = None) -> Document:
    """Explanatory prose of the chosen pages (1-based; None = all), in reading order."""
    classify(pages)
    out = _Builder()
    emphasis: list[str] = []
    code: list[str] = []
    headings: list[str] = []
    skip_below: float | None = None  # inside an exercise/summary section of this heading size
    prev: Line | None = None
    for lines in pages:
        for line in lines:
            if line.kind in ("header", "script"):
                continue
            if line.kind == "heading":
                out.close()
                if skip_below is not None and line.size >= skip_below - 0.1:
                    skip_below = None
                if _EXCLUDED.match(line.text):
                    skip_below = line.size
                headings.append(line.text)
                out.heading = line.text
                prev = None
                continue
            if line.kind == "code":
                code.extend(line.text.split())
            if line.kind != "prose" or skip_below is not None or (chosen is not None and line.page not in chosen):
                out.close()
                prev = None
                continue
            code.extend(line.inline_code)
            emphasis.extend(line.emphasis)
            if prev is not None and (
                (prev.page == line.page and prev.y - line.y > 1.9 * line.size)
                or (prev.page != line.page and out.text.endswith(_TERMINAL))
                or _LIST_ITEM.match(line.text)
            ):
                out.close()
            out.add(line)
            prev = line
    out.close()
    return Document(len(pages), out.paragraphs, emphasis, sorted(set(code)), headings)


def read_document(source: str | bytes, pages: set[int] | None = None) -> Document:
    """Read a PDF (path or bytes) into a Document of its explanatory prose."""
    reader = PdfReader(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    return build_document([page_lines(page, i + 1) for i, page in enumerate(reader.pages)], pages)


__all__ = ["Document", "Paragraph", "build_document", "normalise_text", "read_document"]
