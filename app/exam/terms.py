"""Key terms of a course text: defined, emphasised and repeated noun phrases, ranked by how special they are.

Specialness comes from general-language frequency (wordfreq), not from the chapter itself, so
"learning rate" outranks "problems" even when both are frequent in the chapter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from .lexicon import (
    EN_GENERIC,
    EN_STOP,
    ZH_BREAK_FLAGS,
    ZH_GENERIC,
    ZH_NOUN_SUFFIX,
    ZH_PREFIX,
    ZH_STOP,
    ZH_VERB_START,
    singular,
    zh_words,
)
from .sentences import CJK_CHAR, Sentence

_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|[^\sA-Za-z]")
_CODE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DETERMINERS = {"the", "a", "an", "this", "these", "its", "their", "of", "and", "or", "our", "each", "every"}
_EN_DEFINE = re.compile(
    r"\b(?:is|are|was|were)\s+(?:commonly\s+|often\s+|usually\s+|also\s+|sometimes\s+|typically\s+)?"
    r"(?:called|known\s+as|termed|referred\s+to\s+as|dubbed|named)\s+(?:an?\s+|the\s+)?"
    r"((?:[A-Za-z][A-Za-z0-9-]*\s?){1,4}?)(?=\s*(?:[,.;:()]|\bor\b|\band\b|\bthat\b|\bwhich\b|\bfor\b|\bin\b|$))"
    r"|\bwe\s+call\s+(?:this|these|it|them|such\s+\w+)?\s*(?:an?\s+|the\s+)?"
    r"((?:[A-Za-z][A-Za-z0-9-]*\s?){1,4}?)(?=\s*(?:[,.;:()]|\bor\b|\band\b|$))"
    r"|^(?:an?\s+|the\s+)?((?:[A-Za-z][A-Za-z0-9-]*\s){0,3}[A-Za-z][A-Za-z0-9-]*)\s+(?:is|are)\s+defined\s+as\b",
    re.IGNORECASE,
)
_EN_ACRONYM = re.compile(
    r"((?:[A-Za-z][a-z-]+\s){1,4})\(([A-Z][A-Za-z]*[A-Z]s?)\s*\)|\b([A-Z][A-Za-z]*[A-Z])\s*\(([a-z][a-z -]+)\)"
)
_ZH_DEFINE = re.compile(
    r"(?:称为|称作|叫做|叫作|简称为?|定义为|也称|又称|被称作|称之为|记作)“?([\u4e00-\u9fffA-Za-z]{2,12})"
)
_ZH_IS = re.compile(r"(?:^|[，。；：])([\u4e00-\u9fffA-Za-z]{2,10})(?:是指|指的是|就是指)")
_ZH_GLOSS = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,16})（([A-Za-z][A-Za-z -]{2,50})(?:[，,]\s*[A-Za-z]+)?）")


@dataclass
class Term:
    text: str  # as printed, e.g. "ReLU", "learning rate", "学习率"
    lang: str  # "zh" or "en"
    score: float = 0.0
    count: int = 0
    defined: bool = False
    emphasised: bool = False
    head: str = ""  # the kind of thing it is: "function" for "activation function", "层" for 隐藏层
    aliases: set[str] = field(default_factory=set)
    key: str = ""  # identity: lower case, English plural folded ("hidden unit")

    def __post_init__(self) -> None:
        self.key = self.key or self.text.lower()

    def pattern(self) -> re.Pattern[str]:
        """Where the term occurs in a sentence: whole words, any plural, case-blind unless an acronym."""
        if self.lang == "zh":
            return re.compile(re.escape(self.text))
        words = self.key.split()
        body = r"[\s-]+".join(re.escape(w) for w in words) + r"(?:s|es)?"
        acronym = sum(ch.isupper() for ch in self.text) >= 2 and " " not in self.text
        return re.compile(rf"(?<![A-Za-z0-9-]){body}(?![A-Za-z0-9-])", 0 if acronym else re.IGNORECASE)


def _zipf(text: str, lang: str) -> float:
    return zipf_frequency(text, lang)


def _zh_phrases(sentences: list[Sentence]) -> Counter[str]:
    """Runs of 1-4 jieba words that look nominal: "学习率" (学习+率), "超参数" (超+参数), "多层感知机"."""
    counts: Counter[str] = Counter()
    compounds: Counter[str] = Counter()
    for sent in sentences:
        segment: list[tuple[str, str]] = []
        for word, flag in [*zh_words(sent.text), ("。", "x")]:
            breaker = flag in ZH_BREAK_FLAGS or word in ZH_STOP or not (CJK_CHAR.match(word) or word.isalpha())
            breaker = breaker and word not in ZH_NOUN_SUFFIX and word not in ZH_PREFIX
            if flag == "m" and not re.fullmatch(r"[多单双]\w+", word):
                breaker = True
            if not breaker:
                segment.append((word, flag))
                continue
            for i in range(len(segment)):
                for j in range(i + 1, min(len(segment), i + 4) + 1):
                    span = segment[i:j]
                    if _zh_span_is_term(span):
                        counts["".join(w for w, _ in span)] += 1
                    elif j - i == 2 and span[0][1][:1] == "n" and span[1][1] == "v" and len(span[1][0]) == 2:
                        compounds["".join(w for w, _ in span)] += 1  # 梯度下降, 机器学习: kept if they stick
            segment = []
    text = "".join(s.text for s in sentences)
    for phrase, n in compounds.items():
        first = zh_words(phrase)[0][0]
        if n >= 2 and n >= 0.6 * text.count(first):
            counts[phrase] += n
    return counts


def _zh_span_is_term(span: list[tuple[str, str]]) -> bool:
    """Whether jieba words make one nominal term: nominal end, no verb or suffix at the start."""
    text = "".join(w for w, _ in span)
    if not 2 <= len(text) <= 10 or not CJK_CHAR.search(text):
        return False
    last_word, last_flag = span[-1]
    if not (last_flag[:1] == "n" or last_flag in ("vn", "eng", "j", "l") or last_word in ZH_NOUN_SUFFIX):
        return False
    if len(span) == 1:
        return len(text) >= 2 and (last_flag[:1] == "n" or last_flag in ("l", "j"))
    if len(span) == 2 and last_word in ZH_NOUN_SUFFIX and span[0][0] not in ZH_NOUN_SUFFIX:
        return True  # 学习率, 训练集: jieba splits them and tags the first part as a verb
    if span[0][0] in ZH_NOUN_SUFFIX or span[0][0] in ZH_VERB_START:
        return False
    for k, (word, flag) in enumerate(span[:-1]):
        after_prefix = k > 0 and span[k - 1][0] in ZH_PREFIX  # 全连接层
        if flag[:1] == "v" and flag != "vn" and word not in ZH_PREFIX and not after_prefix:
            return False  # "函数接近线性变换": a verb inside is a clause
    return True


def _en_key(words: list[str]) -> str:
    return " ".join([w.lower() for w in words[:-1]] + [singular(words[-1].lower())])


def _en_phrases(sentences: list[Sentence]) -> tuple[Counter[str], dict[str, Counter[str]], Counter[str], Counter[str]]:
    """1-3 word noun phrases (no stop words, plural folded): counts, spellings, noun cues, modifier uses."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    cue: Counter[str] = Counter()  # the phrase came right after "the", "a", "of", ...: it is nominal
    modifier: Counter[str] = Counter()  # a single word followed by another content word: "affine function"
    for sent in sentences:
        tokens = _EN_TOKEN.findall(sent.text)
        segment: list[str] = []
        before = ""
        prev = ""
        for k, tok in enumerate([*tokens, "."]):
            low = tok.lower()
            if re.match(r"[A-Za-z]", tok) and len(tok) > 1 and low not in EN_STOP and not low.endswith("ly"):
                if not segment:
                    before = prev
                segment.append(tok)
                prev = low
                continue
            prev = low
            for i in range(len(segment)):
                for j in range(i + 1, min(len(segment), i + 3) + 1):
                    words = segment[i:j]
                    if words[-1].lower().endswith(("ing", "ed", "ive", "ous", "ful", "able", "al", "ic")):
                        continue
                    if len(words) > 1 and any(
                        singular(w.lower()) != w.lower() or w.lower().endswith("ed") for w in words[:-1]
                    ):
                        continue  # "temperatures indicate": a plural inside a phrase is followed by its verb
                    key = _en_key(words)
                    counts[key] += 1
                    if i == 0 and (before in _DETERMINERS or before == ""):
                        cue[key] += 1
                    nxt = segment[j].lower() if j < len(segment) else ""
                    if nxt and len(words) == 1 and singular(nxt) == nxt:  # "affine function", not "osmosis converts"
                        modifier[key] += 1
                    surface = " ".join(words)
                    if k - len(segment) + i == 0 and surface[1:2].islower():
                        surface = surface[0].lower() + surface[1:]  # a capital at the start of a sentence says nothing
                    spellings.setdefault(key, Counter())[surface] += 1
            segment = []
    return counts, spellings, cue, modifier


def _definitions(sentences: list[Sentence], lang: str) -> tuple[set[str], dict[str, str]]:
    """Terms a sentence defines ("X 称为 Y", "is called X", "X (ACR)") and glossed/abbreviated pairs."""
    defined: set[str] = set()
    gloss: dict[str, str] = {}
    for sent in sentences:
        text = sent.text
        if lang == "zh":
            for m in _ZH_DEFINE.finditer(text):
                defined.add(_zh_cut(m.group(1), from_left=True))
            for m in _ZH_IS.finditer(text):
                defined.add(_zh_cut(m.group(1), from_left=False))
            for m in _ZH_GLOSS.finditer(text):
                term = _zh_cut(m.group(1), from_left=False, words_hint=len(m.group(2).split()))
                if term:
                    defined.add(term)
                    gloss[term] = m.group(2).strip()
        else:
            for m in _EN_DEFINE.finditer(text):
                phrase = next(g for g in m.groups() if g)
                words = [w for w in phrase.split() if w.lower() not in EN_STOP]
                if words:
                    defined.add(_en_key(words))
            for m in _EN_ACRONYM.finditer(text):
                if m.group(1):
                    expansion, acronym = m.group(1).split(), m.group(2)
                    n = sum(ch.isupper() for ch in acronym.rstrip("s"))
                    initials = "".join(w[0] for w in expansion[-n:]).upper()
                    if initials != "".join(ch for ch in acronym if ch.isupper()):
                        continue  # "the nucleus (CPU)" is an analogy, not an expansion
                    phrase = _en_key(expansion[-n:])
                else:
                    acronym, phrase = m.group(3), _en_key(m.group(4).split())
                defined.update({phrase, acronym.lower()})
                gloss[phrase] = acronym
    defined.discard("")
    return defined, gloss


def _zh_cut(run: str, from_left: bool, words_hint: int = 0) -> str:
    """The term inside a run of Chinese text: the nominal words at its start (after 称为) or end (before （gloss）)."""
    words = zh_words(run)
    picked: list[tuple[str, str]] = []
    seq = words if from_left else list(reversed(words))
    for word, flag in seq:
        if (flag in ZH_BREAK_FLAGS and word not in ZH_NOUN_SUFFIX and word not in ZH_PREFIX) or word in ZH_STOP:
            break
        if not from_left and picked and word in ZH_VERB_START:
            break
        if not from_left and picked and flag[:1] == "v" and word not in ZH_PREFIX and len(picked) >= max(2, words_hint):
            break
        picked.append((word, flag))
        if sum(len(w) for w, _ in picked) >= 8:
            break
    if not from_left:
        picked.reverse()
    term = "".join(w for w, _ in picked)
    return term if len(term) >= 2 else ""


def _head(text: str, lang: str) -> str:
    if lang == "en":
        return singular(text.split()[-1].lower())
    words = zh_words(text)
    return words[-1][0] if len(words) > 1 else text


def _aliases(text: str, terms: list[Term]) -> None:
    """Terms named as alternatives of each other ("A（a）或B", "A, also called B") are never distractors."""
    plain = re.sub(r"（[^）]{0,60}）|\([^)]{0,60}\)", "", text).lower()
    for m in re.finditer(
        r"或者?|也称为?|又称|简称|缩写为|即|\bor\b|also called|also known as|abbreviated as|i\.e\.", plain
    ):
        before = re.sub(
            r"\b(?:often|commonly|usually|also|sometimes)\s*$", "", plain[max(0, m.start() - 30) : m.start()].rstrip()
        )
        before = before.rstrip(" ,，、")
        after = plain[m.end() : m.end() + 16].lstrip(" ,，、")
        left = [t for t in terms if before.endswith(t.key)]
        right = [t for t in terms if after.startswith(t.key) or after.startswith(("a " + t.key, "an " + t.key))]
        for a in left:
            for b in right:
                if a is not b:
                    a.aliases.add(b.key)
                    b.aliases.add(a.key)


def extract_terms(
    sentences: list[Sentence], lang: str, emphasis: list[str], code: list[str], limit: int = 80
) -> list[Term]:
    """Key terms of the document, best first."""
    text = "\n".join(s.text for s in sentences)
    low = text.lower()
    defined, gloss = _definitions(sentences, lang)
    code_ids = {t.lower() for tok in code for t in _CODE_ID.findall(tok)}
    emph = {re.sub(r"[^\w\s-]", "", e).strip().lower() for e in emphasis}
    emph = {" ".join(w for w in e.split() if w not in ("the", "a", "an")) for e in emph}
    emph = {
        _en_key(e.split()) for e in emph if len(e) >= 3 and re.fullmatch(r"[a-z][a-z -]+", e) and len(e.split()) <= 4
    }
    candidates: dict[str, Term] = {}
    if lang == "zh":
        counts = _zh_phrases(sentences)
        for phrase in set(counts) | defined:
            n = text.count(phrase)
            candidates[phrase.lower()] = Term(phrase, "zh", count=n, defined=phrase in defined)
    else:
        counts, spellings, cue, modifier = _en_phrases(sentences)
        for key in set(counts) | {d for d in defined if d in counts or d in low}:
            surface = spellings[key].most_common(1)[0][0] if key in spellings else key
            n = max(counts.get(key, 0), low.count(key))
            candidates[key] = Term(surface, "en", count=n, defined=key in defined, emphasised=key in emph, key=key)
            nominal = cue[key] > 0 and modifier[key] <= 0.34 * n
            candidates[key].head = "noun" if nominal or key.upper() == surface else ""
    out: list[Term] = []
    for key, term in candidates.items():
        words = key.split() if lang == "en" else [key]
        single = (lang == "en" and len(words) == 1) or (lang == "zh" and len(zh_words(term.text)) == 1)
        special = term.defined or term.emphasised
        if key in (EN_GENERIC if lang == "en" else ZH_GENERIC):
            continue
        if lang == "en" and any(w in EN_GENERIC for w in words[-1:]) and not special:
            continue
        if lang == "en" and single and len(key) < 4 and key.upper() != term.text:
            continue  # "ith", "nth": formula residue, not a term
        if single and key in code_ids and not term.defined:
            continue  # `self`, `timer`: identifiers of the chapter's code
        zipf = _zipf(term.text, lang)
        # Ordinary course nouns sit at zipf 3-3.8 ("enzyme", "bandwidth"); one mention suffices when rarer.
        if single and not special and (zipf > 3.8 or (term.count < 2 and zipf > 3.4)):
            continue
        if not single and not special and term.count < 2 and (zipf > 3.5 or (lang == "en" and not term.head)):
            continue
        plural_end = singular(words[-1]) != term.text.split()[-1].lower()
        if lang == "en" and not special and not single and term.count <= 2 and plural_end:
            continue  # "input nears": a rare phrase ending in an -s word is more often a verb than a plural
        if lang == "en" and not term.defined and not term.head:
            continue  # never seen after "the"/"a"/"of": a verb or an adjective ("consists")
        spec = max(0.3, 6.5 - zipf) + (0.0 if single else 1.0)
        evidence = (
            1 + 2.5 * term.defined + 1.5 * term.emphasised + (0.5 if key in gloss or key.upper() == term.text else 0)
        )
        term.score = math.log2(1 + term.count) * evidence * spec * (0.5 if term.count == 1 and not special else 1.0)
        term.head = _head(term.text, lang)
        out.append(term)
    out = _drop_fragments(out)
    out.sort(key=lambda t: (-t.score, t.key))
    out = out[:limit]
    _aliases(text, out)
    for phrase, acronym in gloss.items():
        for t in out:
            if t.key == phrase.lower():
                t.aliases.add(acronym.lower())
    return out


def _drop_fragments(terms: list[Term]) -> list[Term]:
    """Drop a term that (almost) only occurs inside a longer one ("感知机" in "多层感知机"), and joins of two terms."""
    by_key = {t.key: t for t in terms}
    keep = []
    for t in terms:
        longer = [o for o in terms if o is not t and t.key in o.key]
        if not t.defined and any(o.count >= 0.7 * t.count for o in longer):
            continue
        parts = _split_pair(t.key, by_key)
        if parts and not t.defined and min(by_key[p].count for p in parts) >= 2 * t.count:
            continue
        keep.append(t)
    return keep


def _split_pair(key: str, by_key: dict[str, Term]) -> tuple[str, str] | None:
    for i in range(1, len(key)):
        a, b = key[:i].strip(), key[i:].strip()
        if a in by_key and b in by_key:
            return a, b
    return None
