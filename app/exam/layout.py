"""Lines of a PDF page with what they are: prose, heading, caption, code, formula, header or script."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pypdf import PageObject

from .normalise import normalise_text

FORMULA_MARK = "\ue000"  # where a sub- or superscript was dropped from a prose line
_MONO = re.compile(r"mono|courier|consol|code|menlo|typewriter", re.IGNORECASE)
_STYLED = re.compile(r"italic|oblique|bold", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_MATH = set("=+<>∈∉ℝℕℤσπμλθ∑∏√≤≥≈≠→←∂∫∞×·±∇⊙⊕^_\\$|")
_PAGE_NUMBER = re.compile(r"^(?:[-–—\s]*\d+(?:\s*/\s*\d+)?[-–—\s]*|page\s+\d+(?:\s+of\s+\d+)?|第\s*\d+\s*页)$", re.I)
_CAPTION = re.compile(r"^(?:fig(?:ure)?\.?|table|listing|图|表)\s*\d", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[•·\-–*]|\d{1,2}[.)、]|[a-z][.)])\s*")


@dataclass
class Chunk:
    x: float
    y: float
    size: float
    font: str
    text: str


@dataclass
class Line:
    page: int  # 1-based
    y: float
    x: float
    size: float
    text: str
    kind: str = "prose"  # prose, heading, caption, code, formula, header, script
    mono: float = 0.0  # share of characters in a monospaced font
    emphasis: list[str] = field(default_factory=list)  # italic or bold runs inside the line
    inline_code: list[str] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list, repr=False)


def _chunks(page: PageObject) -> list[Chunk]:
    found: list[Chunk] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if not text.strip():
            return
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str((font or {}).get("/BaseFont", "")) if font else ""
        found.append(Chunk(x, y, round(size * scale, 1), name, normalise_text(text.replace("\n", " "))))

    page.extract_text(visitor_text=visit)
    return found


def _width(text: str, size: float) -> float:
    return sum(size if _CJK.match(ch) else 0.5 * size for ch in text)


def _join_chunks(chunks: list[Chunk]) -> str:
    out = ""
    end = None
    for c in sorted(chunks, key=lambda c: c.x):
        gap = c.x - end if end is not None else 0
        # Separate runs printed apart (a font change often drops the space: "functionσ").
        apart = out and gap > 0.2 * c.size and not out.endswith(" ") and not c.text.startswith(" ")
        if apart and not (_CJK.match(out[-1]) or _CJK.match(c.text[0])):
            out += " "
        out += c.text
        end = c.x + _width(c.text, c.size)
    return re.sub(r"\s+", " ", out).strip()


def page_lines(page: PageObject, number: int) -> list[Line]:
    """Group a page's text runs into lines, top to bottom, and mark dropped sub/superscripts."""
    chunks = sorted(_chunks(page), key=lambda c: (-c.y, c.x))
    groups: list[list[Chunk]] = []
    for c in chunks:
        if groups and abs(groups[-1][0].y - c.y) <= 1.5:
            groups[-1].append(c)
        else:
            groups.append([c])
    lines = []
    for group in groups:
        text = _join_chunks(group)
        if not text:
            continue
        chars: Counter[float] = Counter()
        for c in group:
            chars[c.size] += len(c.text)
        mono = sum(len(c.text) for c in group if _MONO.search(c.font)) / max(1, sum(chars.values()))
        line = Line(number, group[0].y, min(c.x for c in group), chars.most_common(1)[0][0], text, mono=mono)
        line.chunks = group
        if mono < 0.5:
            line.emphasis = [c.text.strip() for c in group if _STYLED.search(c.font) and not _MONO.search(c.font)]
            line.inline_code = [c.text.strip() for c in group if _MONO.search(c.font)]
        lines.append(line)
    return lines


def _math_share(text: str) -> float:
    letters = [ch for ch in text if not ch.isspace()]
    math = sum(ch in _MATH or "\u0370" <= ch <= "\u03ff" or "\u2100" <= ch <= "\u22ff" for ch in letters)
    singles = len(re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", text))
    return (math + 0.5 * singles) / max(1, len(letters))


def classify(pages: list[list[Line]]) -> None:
    """Set `kind` on every line from font sizes, positions, fonts and repetition across pages."""
    every = [line for lines in pages for line in lines]
    sizes: Counter[float] = Counter()
    for line in every:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 11.0
    lefts = Counter(round(line.x) for line in every if line.size == body)
    left = lefts.most_common(1)[0][0] if lefts else 0
    repeated = Counter(re.sub(r"\d+", "#", line.text) for line in every)
    for lines in pages:
        for i, line in enumerate(lines):
            text = line.text
            if _PAGE_NUMBER.match(text) or (len(pages) > 2 and repeated[re.sub(r"\d+", "#", text)] > len(pages) / 2):
                line.kind = "header"
            elif line.mono >= 0.5:
                line.kind = "code"
            elif line.size < 0.93 * body and len(text) <= 40 and _script_like(text):
                line.kind = "script"
            elif line.size >= 1.1 * body and len(text) <= 120:
                line.kind = "heading"
            elif line.size < 0.95 * body and i == 0 and len(lines) > 1 and line.y - lines[1].y > 2.5 * body:
                line.kind = "header"
            elif _CAPTION.match(text) or (line.size < 0.95 * body and line.x > left + 20):
                line.kind = "caption"
            elif (
                text.startswith("$")
                or _math_share(text) > 0.3
                or (line.x > left + 25 and not _LIST_ITEM.match(text) and ("=" in text or _math_share(text) > 0.1))
            ):
                line.kind = "formula"
        _code_blocks(lines)
        _mark_scripts(lines)


def _script_like(text: str) -> bool:
    return not _CJK.search(text) and not re.search(r"[A-Za-z]{3,}", text)


def _code_blocks(lines: list[Line]) -> None:
    """A line set like its code neighbours (same size and indent, no gap) is code too: "# 注释"."""
    for _ in range(2):
        for i, line in enumerate(lines):
            if line.kind in ("code", "heading", "header"):
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and lines[j].kind == "code":
                    other = lines[j]
                    if other.size == line.size and abs(other.x - line.x) < 2 and abs(other.y - line.y) < 2 * line.size:
                        line.kind = "code"


def _mark_scripts(lines: list[Line]) -> None:
    """Put FORMULA_MARK into the prose line a dropped sub/superscript belonged to."""
    for script in (line for line in lines if line.kind == "script"):
        near = [
            line for line in lines if line.kind in ("prose", "formula") and abs(line.y - script.y) <= 0.8 * line.size
        ]
        if near:
            target = min(near, key=lambda line: abs(line.y - script.y))
            target.chunks.append(Chunk(script.x, target.y, target.size, "", FORMULA_MARK))
            target.text = _join_chunks(target.chunks)
