"""Regenerating one question: same type, another sentence, terms not yet asked first; none when nothing is left."""

from __future__ import annotations

import pdf_factory
import pytest

from app.exam import read_document
from app.exam.questions import generate_exam
from app.exam.regenerate import alternative_question
from app.exam.sentences import document_sentences


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("handouts")
    return {lang: read_document(str(pdf_factory.handout_pdf(d / f"{lang}.pdf", lang))) for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_another_question_of_each_type_from_an_unused_sentence(docs: dict, lang: str) -> None:
    doc = docs[lang]
    exam = generate_exam(doc, types={"cloze": 1, "choice": 1, "short": 1})
    used = {q.source for q in exam.questions}
    for kind, tries in (("cloze", 2), ("choice", 2), ("short", 1)):  # the English handout has 4 definitions
        seen: set[str] = set()
        for seed in range(1, tries + 1):
            new = alternative_question(doc, exam, kind, seed, avoid=seen)
            assert new is not None and new.type == kind, (lang, kind)
            assert new.source not in used and new.source not in seen
            assert new.prompt not in {q.prompt for q in exam.questions}
            seen.add(new.source)
    asked = {q.term for q in exam.questions}
    fresh = alternative_question(doc, exam, "cloze", 7)
    assert fresh is not None and fresh.term not in asked  # a term the exam does not ask yet comes first


def test_nothing_left_and_unknown_type(docs: dict) -> None:
    doc = docs["en"]
    exam = generate_exam(doc, types={"cloze": 1})
    every = [s.text for s in document_sentences(doc)]
    assert alternative_question(doc, exam, "cloze", 3, avoid=every) is None
    with pytest.raises(ValueError):
        alternative_question(doc, exam, "essay", 3)
