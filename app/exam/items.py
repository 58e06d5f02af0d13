"""Items about key terms: cloze on a whole term, choice with same-kind distractors, true/false from
definitions (the defined term swapped for another defined term), short answers keyed by the definition."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .lexicon import singular, zh_words
from .sentences import Sentence
from .terms import Term

BLANK = "______"
# A sentence that names a term: swapping the named term for another one makes it surely false.
_NAMING = re.compile(
    r"(?:称为|称作|叫做|叫作|定义为|简称|也称|又称|被称作|称之为)“?$"
    r"|\b(?:is|are)\s+(?:\w+\s+)?(?:called|known as|termed|referred to as|dubbed)\s+(?:an?\s+|the\s+)?$"
    r"|\bwe call\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_WORDS = {
    "en": {
        "true": "True",
        "false": "False",
        "short": "What is meant by “{}”? Explain briefly.",
        "was": " (the source says “{}”)",
    },
    "zh": {"true": "对", "false": "错", "short": "什么是“{}”？请简要说明。", "was": "（原文为“{}”）"},
}


@dataclass
class Question:
    """One exam item, as stored in a generate job's result."""

    number: int
    type: str  # one of TYPES
    prompt: str
    options: list[str] = field(default_factory=list)
    answer: str = ""
    source: str = ""  # the sentence of the document the question was built from
    page: int = 0  # where that sentence is printed (1-based; 0 = unknown)
    points: float = 1
    id: str = ""
    term: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ItemBuilder:
    """Builds every item type from one document's usable sentences and key terms."""

    def __init__(
        self, lang: str, terms: list[Term], usable: list[Sentence], every: list[Sentence], rng: random.Random
    ) -> None:
        self.lang = lang
        self.terms = terms
        self.rng = rng
        self.usable = usable
        self.statements = {s.text.lower() for s in every}
        self.text = "\n".join(s.text for s in every).lower()
        self.patterns = {t.key: t.pattern() for t in terms}
        self.words = _WORDS["zh" if lang == "zh" else "en"]
        self.hits = {s.index: self._hits(s.text) for s in usable}
        # Sentences that name each term: "the sigmoid is often called a squashing function" ties the two.
        self.naming = {t.key: [s.text.lower() for s in every if self._named_in(s.text, t)] for t in terms}

    # --- finding terms ------------------------------------------------------------------------

    def _hits(self, text: str) -> list[tuple[Term, list[re.Match[str]]]]:
        """Terms in a sentence, each with its occurrences, a term inside a longer one not counted."""
        spans: list[tuple[int, int, Term, re.Match[str]]] = []
        bounds = _boundaries(text) if self.lang == "zh" else None
        for term in self.terms:
            for m in self.patterns[term.key].finditer(text):
                if bounds is None or (m.start() in bounds and m.end() in bounds):
                    spans.append((m.start(), m.end(), term, m))
        spans.sort(key=lambda s: (-(s[1] - s[0]), -s[2].score))
        taken: list[tuple[int, int]] = []
        found: dict[str, tuple[Term, list[re.Match[str]]]] = {}
        for start, end, term, m in spans:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.setdefault(term.key, (term, []))[1].append(m)
        return list(found.values())

    def _named_in(self, text: str, term: Term) -> bool:
        return any(
            _NAMING.search(text[max(0, m.start() - 40) : m.start()]) for m in self.patterns[term.key].finditer(text)
        )

    def _related(self, a: Term, b: Term) -> bool:
        """Whether one term is named in a sentence about the other (likely another name for it)."""
        first = (lambda t: t.key.split()[0]) if self.lang == "en" else (lambda t: t.key)
        return any(first(b) in s for s in self.naming[a.key]) or any(first(a) in s for s in self.naming[b.key])

    def names(self, sent: Sentence, m: re.Match[str]) -> bool:
        """Whether the sentence gives the term its name ("… is called X", "…称为X")."""
        return bool(_NAMING.search(sent.text[max(0, m.start() - 40) : m.start()]))

    def defines(self, sent: Sentence, term: Term, m: re.Match[str]) -> bool:
        """Whether the sentence says what the term is: it names it, glosses it, or starts "X is/是 …"."""
        if self.names(sent, m):
            return True
        rest = sent.text[m.end() :]
        lead = sent.text[: m.start()].strip().lower()
        if lead not in ("", "a", "an", "the"):
            return False
        if re.match(r"\s*[（(][A-Za-z][^）)]{1,60}[）)]", rest):
            return True  # the sentence opens with the term and its English name or abbreviation
        return bool(re.match(r"\s*(?:is|are|refers? to|是|指|是指)\b|\s*(?:是|指)", rest))

    # --- stems and options --------------------------------------------------------------------

    def blanked(self, sent: Sentence, term: Term, matches: list[re.Match[str]]) -> str | None:
        """The sentence with the term blanked; its gloss or abbreviation in brackets goes too."""
        if len(matches) > 2:
            return None
        text = sent.text
        for m in sorted(matches, key=lambda m: -m.start()):
            text = text[: m.start()] + BLANK + text[m.end() :]
        text = re.sub(re.escape(BLANK) + r"\s*[（(][^）)]{1,60}[）)]", BLANK, text)
        text = re.sub(r"\b([Aa])n?(\s+)(?=" + re.escape(BLANK) + ")", r"\1(n)\2", text)  # "an ____" tells
        low = text.lower()
        if any(alias and re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", low) for alias in term.aliases):
            return None  # another name of the answer would give it away
        return text

    def _form(self, other: Term, answer: str, term: Term, at_start: bool) -> str:
        """`other` spelled like the answer: plural when it is plural, capitalised at the start of a sentence."""
        if self.lang != "en":
            return other.text
        words = other.text.split()
        if words[-1].islower():
            words[-1] = singular(words[-1])
            last = answer.split()[-1]
            if singular(last.lower()) != last.lower():
                words[-1] += "es" if words[-1].endswith(("s", "x", "ch", "sh")) else "s"
        text = " ".join(words)
        return text[:1].upper() + text[1:] if at_start else text

    def alternatives(self, sent: Sentence, term: Term, defined_only: bool = False) -> list[Term]:
        """Other key terms of the same kind that are wrong in this sentence, most similar first."""
        low = sent.text.lower()
        out = []
        for t in self.terms:
            if t.key == term.key or t.lang != term.lang or (defined_only and not t.defined):
                continue
            if t.key in term.aliases or term.key in t.aliases or t.key in term.key or term.key in t.key:
                continue
            if self._related(t, term):
                continue
            if self.patterns[t.key].search(low) or not 0.4 <= len(t.key) / len(term.key) <= 2.5:
                continue
            filled = self.patterns[term.key].sub(t.text, sent.text).lower()
            if filled in self.statements:
                continue  # the document says that too, so it would be right
            out.append(t)
        return sorted(out, key=lambda t: (t.head != term.head, abs(len(t.key) - len(term.key)) // 4, -t.score, t.key))

    # --- the four item types ------------------------------------------------------------------

    def cloze(self, sent: Sentence, term: Term, matches: list[re.Match[str]]) -> Question | None:
        stem = self.blanked(sent, term, matches)
        if stem is None:
            return None
        return self._q("cloze", stem, [], matches[0].group(0), sent, term)

    def choice(self, sent: Sentence, term: Term, matches: list[re.Match[str]]) -> Question | None:
        stem = self.blanked(sent, term, matches)
        alts = self.alternatives(sent, term)
        if stem is None or len(alts) < 3:
            return None
        answer = matches[0].group(0)
        at_start = matches[0].start() == 0
        plural = self.lang == "en" and singular(answer.split()[-1].lower()) != answer.split()[-1].lower()
        if plural:  # "monotonicitys": uncountable nouns have no plural
            alts = [t for t in alts if not t.key.endswith(("ity", "ism", "ness", "ics", "sis"))]
        if len(alts) < 3:
            return None
        pool = alts[:5]
        wrong = [self._form(t, answer, term, at_start) for t in self.rng.sample(pool, 3)]
        options = [answer, *wrong]
        if len({o.lower() for o in options}) < 4:
            return None
        self.rng.shuffle(options)
        letter = "ABCD"[options.index(answer)]
        return self._q("choice", stem, options, f"{letter}. {answer}", sent, term)

    def truefalse(self, sent: Sentence, term: Term, matches: list[re.Match[str]], false: bool) -> Question | None:
        if len(matches) != 1 or not self.names(sent, matches[0]):
            return None
        options = [self.words["true"], self.words["false"]]
        gloss = re.compile(r"\s*[（(][A-Za-z][^）)]{0,60}[）)]")
        if not false:
            m = matches[0]
            text = (
                sent.text[: m.end()] + gloss.sub("", sent.text[m.end() :], count=1)
                if gloss.match(sent.text[m.end() :])
                else sent.text
            )
            return self._q("truefalse", text, options, self.words["true"], sent, term)
        same_kind = [t for t in self.alternatives(sent, term, defined_only=True) if t.head == term.head]
        alts = same_kind or self.alternatives(sent, term, defined_only=True)
        if not alts:
            return None
        m = matches[0]
        swap = self._form(alts[0], m.group(0), term, m.start() == 0)
        rest = sent.text[m.end() :]
        statement = sent.text[: m.start()] + swap + (gloss.sub("", rest, count=1) if gloss.match(rest) else rest)
        if self.lang == "en":  # keep "a"/"an" right before the swapped term
            statement = re.sub(r"\b([Aa])n?(\s+)(?=" + re.escape(swap) + ")", lambda x: _article(x, swap), statement)
        if statement.lower() in self.statements:
            return None
        answer = self.words["false"] + self.words["was"].format(m.group(0))
        return self._q("truefalse", statement, options, answer, sent, term)

    def short(self, sent: Sentence, term: Term, matches: list[re.Match[str]]) -> Question | None:
        if not self.defines(sent, term, matches[0]):
            return None
        return self._q("short", self.words["short"].format(term.text), [], sent.text, sent, term)

    def _q(self, kind: str, prompt: str, options: list[str], answer: str, sent: Sentence, term: Term) -> Question:
        return Question(sent.index, kind, prompt, options, answer, sent.text, sent.page, term=term.text)

    # --- choosing ---------------------------------------------------------------------------

    def candidates(self) -> list[tuple[float, Sentence, Term, list[re.Match[str]]]]:
        """(score, sentence, term, occurrences), best first; the seed shuffles near-equal ones."""
        out = []
        for sent in self.usable:
            for term, matches in self.hits[sent.index]:
                score = (
                    term.score * (1.4 if self.defines(sent, term, matches[0]) else 1.0) * self.rng.uniform(0.75, 1.25)
                )
                out.append((score, sent, term, matches))
        out.sort(key=lambda c: (-c[0], c[1].index))
        return out

    def build(self, mix: dict[str, int], report: Callable[[str, int], None]) -> list[Question]:
        """Questions for `mix`; scarce types first; one question per sentence and, if possible, per term."""
        cands = self.candidates()
        used_sent: set[int] = set()
        used_term: set[str] = set()
        built: list[Question] = []
        want = dict(mix)
        total = sum(mix.values())
        tf_false = [i % 2 == 1 for i in range(want.get("truefalse", 0))]
        self.rng.shuffle(tf_false)
        for kind in ("short", "truefalse", "choice", "cloze"):
            for strict in (True, False):
                for _, sent, term, matches in cands:
                    if want.get(kind, 0) <= 0:
                        break
                    if sent.index in used_sent or (strict and term.key in used_term):
                        continue
                    if kind == "truefalse":
                        q = self.truefalse(sent, term, matches, tf_false[len(tf_false) - want[kind]])
                    else:
                        q = getattr(self, kind)(sent, term, matches)
                    if q is None:
                        continue
                    built.append(q)
                    used_sent.add(sent.index)
                    used_term.add(term.key)
                    want[kind] -= 1
                    report("build", len(built) * 100 // max(1, total))
            if kind in ("short", "truefalse") and want.get(kind, 0) > 0:
                want["choice"] = want.get("choice", 0) + want[kind]  # left out: cannot be done well here
                want[kind] = 0
            if kind == "choice" and want.get(kind, 0) > 0:
                want["cloze"] = want.get("cloze", 0) + want[kind]
                want[kind] = 0
        return built


def _boundaries(text: str) -> set[int]:
    """Offsets where jieba puts a word boundary: a term must not start inside "非线性"."""
    out = {0}
    pos = 0
    for word, _ in zh_words(text):
        pos = text.find(word, pos) + len(word)
        out.add(pos)
    return out


def _article(m: re.Match[str], word: str) -> str:
    article = "an" if word[:1].lower() in "aeiou" else "a"
    if m.group(1) == "A":
        article = article.capitalize()
    return article + m.group(2)
