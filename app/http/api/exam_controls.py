"""Teacher controls of an exam request: question types and counts, pages, points, seed, title, subject."""

from __future__ import annotations

import re
from typing import Any

from app.errors import ValidationError
from app.exam import DEFAULT_POINTS, MAX_QUESTIONS, TYPES

DEFAULT_TITLES = {"zh": "试卷", "en": "Exam"}
_PAIR = re.compile(r"^\s*([a-z_]+)\s*[:=]\s*([0-9]+(?:\.[0-9]+)?)\s*$")
_RANGE = re.compile(r"^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$")


def _bad(field: str, message: str, problem: str = "invalid") -> ValidationError:
    err = ValidationError(message, fields={field: problem})
    err.extra["problems"] = [{"field": field, "type": problem.replace(" ", "_"), "ctx": {}}]  # the UI words it
    return err


def _pairs(field: str, raw: str, integer: bool, high: float) -> dict[str, float]:
    """Parse "cloze:5,choice:5" into {"cloze": 5, "choice": 5}; unknown types and bad numbers are 400s."""
    out: dict[str, float] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if not m:
            raise _bad(field, f"{field} is a list like cloze:5,choice:5,truefalse:3,short:2")
        kind, value = m.group(1), float(m.group(2))
        if kind not in TYPES:
            raise _bad(field, f"Unknown question type {kind!r} in {field}; use {', '.join(TYPES)}", "unknown type")
        if (integer and not value.is_integer()) or not 0 <= value <= high:
            raise _bad(
                field,
                f"{field}: {kind} must be {'a whole number ' if integer else ''}from 0 to {high:g}",
                "out of range",
            )
        out[kind] = int(value) if integer else value
    return out


def question_types(form: Any, questions: int | None) -> dict[str, int] | None:
    """How many questions of each type: `types` ("cloze:5,…") or one field per type; None = default mix."""
    raw = (form.get("types") or "").strip()
    counts = {k: int(v) for k, v in _pairs("types", raw, True, MAX_QUESTIONS).items()} if raw else {}
    for kind in TYPES:
        value = (form.get(kind) or "").strip()
        if value:
            if not value.isdigit() or int(value) > MAX_QUESTIONS:
                raise _bad(kind, f"{kind} must be a whole number from 0 to {MAX_QUESTIONS}", "out of range")
            counts[kind] = int(value)
    if not counts:
        return None
    total = sum(counts.values())
    if not 1 <= total <= MAX_QUESTIONS:
        raise _bad("types", f"Ask for 1 to {MAX_QUESTIONS} questions in all (got {total})", "out of range")
    if questions is not None and questions != total:
        raise _bad(
            "questions",
            f"questions ({questions}) differs from the sum of the types ({total}); send one or the other",
            "mismatch",
        )
    return {kind: counts.get(kind, 0) for kind in TYPES}


def points(form: Any) -> dict[str, float] | None:
    """Points per question type ("cloze:2,short:5"); the rest keep their defaults."""
    raw = (form.get("points") or "").strip()
    return {**DEFAULT_POINTS, **_pairs("points", raw, False, 100)} if raw else None


def pages(form: Any, page_count: int) -> list[int] | None:
    """Pages to use ("3-12", "1,4-6"), checked against the document; None = every page."""
    raw = (form.get("pages") or "").strip()
    if not raw:
        return None
    chosen: set[int] = set()
    for part in raw.split(","):
        m = _RANGE.match(part)
        if not m:
            raise _bad("pages", "pages is a list of pages or ranges such as 3-12 or 1,4-6")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if first < 1 or last < first:
            raise _bad("pages", f"The page range {part.strip()} is empty or starts before page 1", "out of range")
        if last > page_count:
            raise _bad("pages", f"The PDF has {page_count} pages; {part.strip()} is outside it", "out of range")
        chosen.update(range(first, last + 1))
    return sorted(chosen)


def seed(form: Any) -> int:
    """The version of the exam: the same seed gives the same exam; "another version" is another seed."""
    raw = (form.get("seed") or "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        raise _bad("seed", "seed must be a whole number from 0 to 2147483647", "out of range")
    return int(raw)


def text_field(form: Any, name: str, default: str) -> str:
    value = (form.get(name) or "").strip() or default
    if len(value) > 200 or "\x00" in value or any(ord(ch) < 32 for ch in value):
        raise _bad(name, f"{name} has at most 200 characters and no control characters")
    return value


def ui_language(form: Any, fallback: str | None) -> str | None:
    """The teacher's language for defaults: the `lang` field, else the web UI's language."""
    raw = (form.get("lang") or "").strip().lower()
    if raw:
        if raw.split("-")[0] not in DEFAULT_TITLES:
            raise _bad("lang", "lang is zh or en", "unknown language")
        return raw.split("-")[0]
    return fallback
