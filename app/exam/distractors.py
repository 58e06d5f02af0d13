"""Wrong answers that look like the right one: multiple-choice options and true/false swaps."""

from __future__ import annotations

import random
import re

from .analyse import Analysis, Sentence, Term, cjk_count, split_sentences
from .wordclass import singular

_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")


def term_pattern(term: Term) -> re.Pattern[str]:
    """Where `term` occurs in a text; English matches whole words only ("cell" not in "cellular")."""
    if term.script == "en":
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term.key)}(?![A-Za-z0-9])", re.IGNORECASE)
    return re.compile(re.escape(term.key))


def case_style(word: str) -> str:
    """Case style of a word: "zh", "upper" (acronyms), "title" (names) or "lower"."""
    if cjk_count(word):
        return "zh"
    if sum(c.isupper() for c in word) >= 2:
        return "upper"
    return "title" if word[:1].isupper() else "lower"


def too_similar(a: str, b: str) -> bool:
    """Whether two terms mean the same in a blank: "cell"/"cells", "网络"/"网络层", "concentrat-ed/-ion"."""
    if a in b or b in a:
        return True
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return not cjk_count(a) and prefix >= max(4, min(len(a), len(b)) - 2)


def _is_plural(term: Term) -> bool:
    return term.script == "en" and singular(term.key) != term.key


class Distractors:
    """Distractors for one document: same script, word class and case as the answer, never a right one."""

    def __init__(self, analysis: Analysis, text: str) -> None:
        self.terms = analysis.terms
        self.text = text.lower()
        self.statements = {s.lower() for s in split_sentences(text)}
        self.positions: dict[str, list[int]] = {}
        for sent in analysis.sentences:
            for key in sent.terms:
                self.positions.setdefault(key, []).append(sent.index)
        self._neighbours: dict[str, tuple[set[str], set[str]]] = {}

    def neighbours(self, term: Term) -> tuple[set[str], set[str]]:
        """What stands right before and after `term` anywhere in the document (cached).

        English: the adjacent words; Chinese: the two adjacent characters.
        """
        if term.key not in self._neighbours:
            left: set[str] = set()
            right: set[str] = set()
            for m in term_pattern(term).finditer(self.text):
                before, after = self.text[max(0, m.start() - 40) : m.start()], self.text[m.end() : m.end() + 40]
                if term.script == "zh":
                    left.add(before[-2:])
                    right.add(after[:2])
                else:
                    left.update(_WORD.findall(before)[-1:])
                    right.update(_WORD.findall(after)[:1])
            self._neighbours[term.key] = (left, right)
        return self._neighbours[term.key]

    def fits(self, cand: Term, term: Term, sentence: str) -> bool:
        """Whether `cand` in the blank makes a statement the document itself makes, so it is right too."""
        filled = term_pattern(term).sub(lambda _m: cand.surface, sentence).lower()
        if filled in self.statements:
            return True
        # Or at least a phrase it uses: "public address" fits "a single ______ address" as well.
        ctx_left, ctx_right = self._context(term, sentence)
        left, right = self.neighbours(cand)
        return bool(ctx_left and ctx_left in left) or bool(ctx_right and ctx_right in right)

    @staticmethod
    def _context(term: Term, sentence: str) -> tuple[str, str]:
        """What precedes and follows the blank; function words ("the", "of") say nothing about fit."""
        low = sentence.lower()
        m = term_pattern(term).search(low)
        if m is None:
            return "", ""
        before, after = low[: m.start()], low[m.end() :]
        if term.script == "zh":
            left, right = before[-2:], after[:2]
            return (left if cjk_count(left) == 2 else ""), (right if cjk_count(right) == 2 else "")
        words_before, words_after = _WORD.findall(before)[-1:], _WORD.findall(after)[:1]
        left = words_before[0] if words_before and len(words_before[0]) > 3 else ""
        right = words_after[0] if words_after and len(words_after[0]) > 3 else ""
        return left, right

    def _nearness(self, term: Term, sent: Sentence) -> int:
        """0 when `term` is used within a few sentences of `sent`, 1 in the same part, 2 elsewhere."""
        gap = min((abs(i - sent.index) for i in self.positions.get(term.key, ())), default=10**6)
        return 0 if gap <= 6 else 1 if gap <= 20 else 2

    def alternatives(self, term: Term, sent: Sentence) -> list[Term]:
        """Terms that could stand in for `term` in `sent` but are wrong, most plausible first."""
        low = sent.text.lower()
        cands = [
            t
            for t in self.terms
            if t.script == term.script
            and t.noun == term.noun
            and not too_similar(t.key, term.key)
            and t.key not in low
            and 0.5 <= len(t.key) / len(term.key) <= 2
            and not self.fits(t, term, sent.text)
        ]
        # Plausible means: same number, same topic (used nearby), similar length, then most central.
        return sorted(
            cands,
            key=lambda t: (
                _is_plural(t) != _is_plural(term),
                self._nearness(t, sent),
                abs(len(t.key) - len(term.key)) // (1 if term.script == "zh" else 3),
                -t.weight,
                t.key,
            ),
        )

    def options(self, term: Term, answer: str, sent: Sentence, rng: random.Random) -> list[str]:
        """Three wrong options in the case style of `answer`, or [] when the document has too few."""
        # At the start of a sentence every word is capitalised; then the term's usual spelling decides.
        style = case_style(term.surface if sent.text.startswith(answer) else answer)
        pool = [t for t in self.alternatives(term, sent) if case_style(t.surface) == style][:6]
        if len(pool) < 3:
            return []
        return [t.surface for t in sorted(rng.sample(pool, 3), key=lambda t: t.key)]
