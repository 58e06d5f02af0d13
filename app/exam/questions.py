"""Deterministic exam building: fill-in-the-blank, multiple-choice and true/false questions."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .analyse import Analysis, Sentence, Term, analyse, cjk_count
from .distractors import Distractors, term_pattern

TYPES = ("fill_blank", "multiple_choice", "true_false")
BLANK = "______"
MAX_QUESTIONS = 50
_WORDING = {
    "en": {
        "fill_blank": "Fill in the blank: {}",
        "multiple_choice": "Which term completes the statement: {}",
        "true_false": "True or false: {}",
        "true": "True",
        "false": "False",
    },
    "zh": {
        "fill_blank": "填空：{}",
        "multiple_choice": "选择正确的词语填空：{}",
        "true_false": "判断正误：{}",
        "true": "对",
        "false": "错",
    },
}


@dataclass
class Question:
    number: int
    type: str  # one of TYPES
    prompt: str
    options: list[str] = field(default_factory=list)
    answer: str = ""
    source: str = ""  # the sentence of the document the question was built from


@dataclass
class Exam:
    title: str
    questions: list[Question]
    language: str  # "en", "zh" or "mixed"


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


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() and word[:1].islower() else word


def _plan(analysis: Analysis) -> list[tuple[Sentence, Term]]:
    """Pick a blank term for every usable sentence, best first, skipping duplicate blanked texts."""
    by_key = {t.key: t for t in analysis.terms}
    used: set[str] = set()
    seen: set[str] = set()
    plan = []
    for sent in sorted(analysis.sentences, key=lambda s: (-s.score, s.index)):
        # Prefer a term not yet used as an answer so the exam tests many different terms.
        for key in sorted(sent.terms, key=lambda k: k in used):
            blanked = term_pattern(by_key[key]).sub(BLANK, sent.text).lower()
            if blanked != sent.text.lower() and blanked not in seen:
                seen.add(blanked)
                used.add(key)
                plan.append((sent, by_key[key]))
                break
    return plan


def _build(kind: str, sent: Sentence, term: Term, ctx: dict) -> Question | None:
    """Build one question of `kind`, or None when the sentence cannot support that kind."""
    words = _WORDING["zh" if cjk_count(sent.text) >= len(sent.text) / 3 else "en"]
    pattern, rng = term_pattern(term), ctx["rng"]
    answer = pattern.search(sent.text).group(0)  # spelled as in the source, e.g. capitalised
    blanked = pattern.sub(BLANK, sent.text)
    if kind == "fill_blank":
        return Question(0, kind, words[kind].format(blanked), [], answer, sent.text)
    if kind == "multiple_choice":
        wrong = ctx["wrong"].options(term, answer, sent, rng)
        if not wrong:
            return None
        options = [answer] + [_match_case(w, answer) for w in wrong]
        rng.shuffle(options)
        letter = "ABCD"[options.index(answer)]
        return Question(0, kind, words[kind].format(blanked), options, f"{letter}. {answer}", sent.text)
    ctx["tf"] += 1
    if ctx["tf"] % 2 == ctx["tf_parity"]:
        for alt in ctx["wrong"].alternatives(term, sent)[:3]:
            swapped = pattern.sub(lambda m, a=alt: _match_case(a.surface, m.group(0)), sent.text)
            # A "false" statement that appears in the document would actually be true.
            if swapped.lower() not in ctx["text"]:
                opts = [words["true"], words["false"]]
                return Question(0, kind, words[kind].format(swapped), opts, words["false"], sent.text)
    return Question(0, kind, words[kind].format(sent.text), [words["true"], words["false"]], words["true"], sent.text)


def generate_exam(
    text: str,
    questions: int = 10,
    title: str = "Exam",
    progress: Callable[[str, int], None] | None = None,
) -> Exam:
    """Build exactly `questions` (1-50) distinct questions from `text`; same input, same exam.

    `progress(stage, percent)` reports stages "analyse" and "build", each from 0 to 100.
    """
    if isinstance(questions, bool) or not isinstance(questions, int) or not 1 <= questions <= MAX_QUESTIONS:
        raise ValueError(f"questions must be an integer from 1 to {MAX_QUESTIONS}")
    report = progress or (lambda stage, percent: None)
    report("analyse", 0)
    analysis = analyse(text, max_terms=max(120, questions * 4))
    report("analyse", 100)
    plan = _plan(analysis)
    if len(plan) < questions:
        raise NotEnoughText(len(plan), questions)
    # Seed from the content, not global state, so a retried job produces the identical exam.
    digest = hashlib.sha256(f"{questions}\x1f{title}\x1f{text}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    ctx = {
        "rng": rng,
        "wrong": Distractors(analysis, text),
        "text": text.lower(),
        "tf": 0,
        "tf_parity": rng.randrange(2),
    }
    chosen = sorted(plan[:questions], key=lambda item: item[0].index)  # ask in document order
    built: list[Question] = []
    for i, (sent, term) in enumerate(chosen):
        kind = TYPES[i % len(TYPES)]
        question = _build(kind, sent, term, ctx) or _build("fill_blank", sent, term, ctx)
        question.number = i + 1
        built.append(question)
        report("build", (i + 1) * 100 // len(chosen))
    return Exam(title, built, analysis.language)
