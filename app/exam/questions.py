"""Exam building: cloze, multiple-choice, true/false and short-answer items about the course's key terms."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .document import Document, Paragraph
from .items import BLANK, ItemBuilder, Question
from .sentences import Sentence, document_sentences, is_chinese, rejection
from .terms import extract_terms

TYPES = ("cloze", "choice", "truefalse", "short")
DEFAULT_POINTS = {"cloze": 2, "choice": 2, "truefalse": 1, "short": 5}
MAX_QUESTIONS = 50

__all__ = [
    "BLANK",
    "DEFAULT_POINTS",
    "MAX_QUESTIONS",
    "TYPES",
    "Exam",
    "NotEnoughText",
    "Question",
    "check_enough_text",
    "generate_exam",
    "usable_sentences",
]


@dataclass
class Exam:
    title: str
    questions: list[Question]
    language: str  # "en" or "zh"
    subject: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subject": self.subject,
            "language": self.language,
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exam:
        fields = Question.__dataclass_fields__
        questions = [Question(**{k: v for k, v in q.items() if k in fields}) for q in data["questions"]]
        return cls(data["title"], questions, data.get("language", "en"), data.get("subject", ""))


class NotEnoughText(ValueError):
    """The document cannot support the requested number of distinct questions."""

    code = "not_enough_text"

    def __init__(self, supported: int, requested: int) -> None:
        self.supported = supported
        self.requested = requested
        if supported == 0:
            msg = "The document has no sentences usable for questions; upload material with full sentences."
        else:
            msg = (
                f"The document supports at most {supported} question{'s' if supported != 1 else ''}, "
                f"but {requested} were requested; ask for {supported} or fewer, or upload more material."
            )
        super().__init__(msg)
        self.message = msg


def default_mix(total: int) -> dict[str, int]:
    """How a plain question count is split: about 40% cloze, 40% choice, 20% true/false."""
    choice = round(total * 0.4)
    truefalse = total // 5
    return {"cloze": total - choice - truefalse, "choice": choice, "truefalse": truefalse, "short": 0}


def text_document(text: str) -> Document:
    """A Document from plain text (paragraphs separated by blank lines, all on page 1)."""
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return Document(1, [Paragraph(p, [(0, 1)]) for p in paras if p])


def _language(sentences: list[Sentence]) -> str:
    zh = sum(is_chinese(s.text) for s in sentences)
    return "zh" if zh * 2 >= len(sentences) and zh else "en"


def usable_sentences(every: list[Sentence]) -> tuple[str, list[Sentence]]:
    """The document's language and the sentences a question may be built on; each question needs its own."""
    lang = _language(every)
    return lang, [s for s in every if rejection(s.text) is None and is_chinese(s.text) == (lang == "zh")]


def check_enough_text(doc: Document, requested: int) -> None:
    """Raise NotEnoughText when ``doc`` has fewer usable sentences than ``requested`` questions."""
    supported = len(usable_sentences(document_sentences(doc))[1])
    if supported < requested:
        raise NotEnoughText(supported, requested)


def generate_exam(
    source: str | Document,
    questions: int = 10,
    title: str = "",
    progress: Callable[[str, int], None] | None = None,
    types: dict[str, int] | None = None,
    points: dict[str, float] | None = None,
    seed: int = 0,
    subject: str = "",
) -> Exam:
    """Build the requested questions (1-50 in all) from a document; same input and seed, same exam.

    `types` maps each of TYPES to a count (default: a mix of `questions`); a type that cannot be
    made well from this text is filled with cloze and choice items instead.
    """
    mix = dict(types) if types else default_mix(questions)
    total = sum(mix.values())
    if not 1 <= total <= MAX_QUESTIONS or any(k not in TYPES or v < 0 for k, v in mix.items()):
        raise ValueError(f"questions must be an integer from 1 to {MAX_QUESTIONS}")
    report = progress or (lambda stage, percent: None)
    report("analyse", 0)
    doc = text_document(source) if isinstance(source, str) else source
    every = document_sentences(doc)
    lang, usable = usable_sentences(every)
    terms = extract_terms(every, lang, doc.emphasis, doc.code_tokens, limit=max(60, total * 3))
    report("analyse", 100)
    digest = hashlib.sha256(f"{seed}\x1f{doc.text()}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    builder = ItemBuilder(lang, terms, usable, every, rng)
    built = builder.build(mix, report)
    if len(built) < total:
        raise NotEnoughText(len(built), total)
    chosen_points = {**DEFAULT_POINTS, **(points or {})}
    order = {t: i for i, t in enumerate(TYPES)}
    built.sort(key=lambda q: (order[q.type], q.page, q.number))
    for i, q in enumerate(built, start=1):
        q.number = i
        q.id = f"q{i}"
        q.points = chosen_points[q.type]
    default_title = "试卷" if lang == "zh" else "Exam"
    return Exam(title or default_title, built, lang, subject)
