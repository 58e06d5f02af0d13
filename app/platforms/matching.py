"""Is an article on the platform the one we sent? Tolerant of what platforms do to text.

Platforms re-wrap whitespace and line breaks, render markdown (``**bold**`` shows as ``bold``),
swap or drop emoji, turn quotes typographic, and trim characters (a title cut at its limit, the
last character of a body lost). Exact comparison then says "absent" for an article that is there,
and a retry publishes it a second time. So both sides are reduced to a canonical form and the
bodies compared with difflib's ratio; the title must match too (equal, or one cut from the other).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

BODY_THRESHOLD = 0.9  # a few characters changed in a short text; a different article scores far lower
TITLE_THRESHOLD = 0.9
_MIN_PREFIX = 8  # a cut title or excerpt must keep at least this many characters to count
_NUMBER = re.compile(r"\d+")

_MARKDOWN = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|>+|[-*+]|\d+[.)])\s+"), ""),  # headings, quotes, list markers
    (re.compile(r"(\*\*|__|~~|`+|\*|_)"), ""),  # emphasis and code marks
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


def canonical(text: str) -> str:
    """Text reduced to what survives any platform: no markup, emoji, case or whitespace differences."""
    text = unicodedata.normalize("NFKC", text or "")
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    text = text.translate(_QUOTES)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cf", "Cs", "Co") or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue  # emoji, modifiers, joiners, variation selectors: often replaced by images
        kept.append(" " if cat.startswith("Z") or ch.isspace() else ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip().casefold()


def similarity(a: str, b: str) -> float:
    """0–1: how alike two texts are once both are canonical."""
    ca, cb = canonical(a), canonical(b)
    if ca == cb:
        return 1.0
    matcher = SequenceMatcher(None, ca, cb, autojunk=False)
    if matcher.real_quick_ratio() < BODY_THRESHOLD - 0.2:
        return matcher.real_quick_ratio()  # far apart in length: skip the quadratic part
    return matcher.ratio()


def _cut_from(short: str, long: str) -> bool:
    return len(short) >= _MIN_PREFIX and long.startswith(short)


def same_title(sent: str, shown: str) -> bool:
    """The title shown is the one sent: equal once canonical, cut at a limit, or nearly equal.

    Numbers must agree: "Week 3" and "Week 4" (or "Week 1", a cut of "Week 10"?) differ by one
    character and are different articles of a series; a platform does not change a title's numbers.
    """
    a, b = canonical(sent), canonical(shown.rstrip("…").rstrip("."))
    if a == b:
        return True
    if _cut_from(b, a):
        return not (b[-1].isdigit() and a[len(b)].isdigit())  # a cut inside a number is another number
    near = bool(a and b) and SequenceMatcher(None, a, b, autojunk=False).ratio() >= TITLE_THRESHOLD
    return near and _NUMBER.findall(a) == _NUMBER.findall(b)


def same_body(sent: str, shown: str) -> bool:
    """The body shown is the one sent, allowing small changes (ratio ≥ BODY_THRESHOLD)."""
    return similarity(sent, shown) >= BODY_THRESHOLD


def same_article(title: str, body: str, shown_title: str, shown_body: str) -> bool:
    """Both the title and the body match."""
    return same_title(title, shown_title) and same_body(body, shown_body)


def excerpt_of(body: str, excerpt: str) -> bool:
    """An excerpt (the start of the text, maybe ending in "…") is taken from ``body``."""
    cut = canonical(excerpt.rstrip("… ").rstrip("."))
    return _cut_from(cut, canonical(body))
