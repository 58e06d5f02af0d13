"""One more question of a given type from the same course document, unlike those already in the exam."""

from __future__ import annotations

import random
from collections.abc import Iterable

from .document import Document
from .items import ItemBuilder
from .questions import TYPES, Exam, Question, _language
from .sentences import document_sentences, is_chinese, rejection
from .terms import extract_terms


def alternative_question(doc: Document, exam: Exam, kind: str, seed: int, avoid: Iterable[str] = ()) -> Question | None:
    """A new ``kind`` question built from a sentence no question of ``exam`` (nor ``avoid``) uses.

    Terms the exam does not ask yet come first; None when the document has nothing left of that kind.
    """
    if kind not in TYPES:
        raise ValueError(f"unknown question type {kind!r}")
    every = document_sentences(doc)
    lang = _language(every)
    terms = extract_terms(every, lang, doc.emphasis, doc.code_tokens, limit=max(60, len(exam.questions) * 3))
    taken = {q.source for q in exam.questions} | {q.prompt for q in exam.questions} | set(avoid)
    usable = [
        s for s in every if rejection(s.text) is None and is_chinese(s.text) == (lang == "zh") and s.text not in taken
    ]
    rng = random.Random(seed)
    builder = ItemBuilder(lang, terms, usable, every, rng)
    asked = {q.term.lower() for q in exam.questions if q.term}
    cands = builder.candidates()
    for fresh_only in (True, False):
        for _, sent, term, matches in cands:
            if fresh_only and term.text.lower() in asked:
                continue
            if kind == "truefalse":
                false = rng.random() < 0.5
                q = builder.truefalse(sent, term, matches, false) or builder.truefalse(sent, term, matches, not false)
            else:
                q = getattr(builder, kind)(sent, term, matches)
            if q is not None and q.prompt not in taken:
                return q
    return None
