"""Sentence splitting, TF-IDF key-term extraction and sentence scoring for course text."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from .wordclass import chinese_preference, chinese_words, english_preference, english_roles

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "dr", "mr", "mrs", "ms", "prof", "fig", "al", "no"}
_EN_STOP_WORDS = """
    a about above after again against also although among an and any are around as at be because been
    before being below between both but by can cannot could did do does doing done down during each either
    even every few for from further had has have having he her here hers him his how however if in into is
    it its itself just least less like made make makes many may might more most much must near neither no
    nor not now of off often on once one only onto or other others our out over own per perhaps rather same
    several shall she should since so some such than that the their them then there these they this those
    though through thus to together too toward towards under until up upon us use used uses using very via
    was we were what when where whether which while who whom whose why will with within without would yet
    you your called known include includes including become becomes became across along another based
    first second third given therefore usually whereas still sometimes important
    chapter unit section lesson page figure table example give gives help helps allow allows produce produces
    contain contains provide provides carry carries keep keeps need needs start starts lets read join build
    store stores release releases enter leave return break reach passes learns looks looking single different
    quickly common large small high long good great certain various able"""
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_ZH_STOP_WORDS = """
    的 了 是 在 和 与 及 等 也 都 而 但 或 被 把 对 从 向 以 为 于 其 之 这 那 这些 那些 一个 一种 一些
    我们 他们 它们 可以 通过 进行 使用 由于 因此 所以 因为 如果 就是 还是 并且 以及 其中 主要 重要 不同 不仅
    而且 已经 成为 具有 没有 可能 能够 需要 之间 之后 以后 以前 同时 其他 各种 这样 那样 什么 如何 为了 对于
    关于 例如 比如 包括 开始 出现 形成 发展 认为 称为 作为 方面 问题 方式 情况 时候 之一 非常 更加 逐渐 进一步
    一定 当时 所有 许多 很多 每个 这种 那种 它的 他的 并不 不是 也是 就会 可能会 就能"""
_ZH_STOP = frozenset(_ZH_STOP_WORDS.split())


@dataclass(frozen=True)
class Term:
    key: str  # lower-cased identity used for counting
    surface: str  # usual spelling; a capital only at the start of sentences does not count
    weight: float  # TF-IDF x part-of-speech preference, normalised to max 1.0
    script: str  # "zh" or "en"
    noun: bool = False  # used as a noun in the document (jieba flag n*, or English noun cues)


@dataclass(frozen=True)
class Sentence:
    index: int  # position among all sentences of the document
    text: str
    terms: tuple[str, ...]  # keys of key terms found in the sentence, best blank first
    score: float


@dataclass(frozen=True)
class Analysis:
    language: str
    terms: list[Term]
    sentences: list[Sentence]  # eligible, de-duplicated, in document order


def cjk_count(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


def detect_language(text: str) -> str:
    """Return "zh", "en" or "mixed" from the share of CJK characters among all letters."""
    cjk = cjk_count(text)
    latin = len(re.findall(r"[A-Za-z]", text))
    # A Chinese character carries about as much as a 3-letter English word, so weight it up.
    ratio = 3 * cjk / (3 * cjk + latin) if cjk or latin else 0.0
    return "zh" if ratio >= 0.85 else "en" if ratio <= 0.15 else "mixed"


def _english_boundary(text: str, i: int, j: int) -> bool:
    """Whether the English terminator at text[i], ending its run at j, really ends a sentence."""
    if j >= len(text):
        return True
    if text[i] == "." and i and text[i - 1].isdigit() and text[j].isdigit():
        return False  # decimal such as 3.14
    if not text[j].isspace() and not _CJK_CHAR.match(text[j]):
        return False
    word = re.search(r"([A-Za-z.]+)$", text[:i])
    if text[i] == "." and word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
        return False  # "e.g.", "Dr.", initials
    nxt = text[j:].lstrip()
    return not nxt[:1].islower()


def split_sentences(text: str) -> list[str]:
    """Split text on Chinese and English sentence punctuation and on paragraph breaks."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = re.sub(r"(?<=[\u3000-\u9fff])\n(?=[\u3000-\u9fff])", "", para)
        para = re.sub(r"\s+", " ", para).strip()
        start = i = 0
        while i < len(para):
            ch = para[i]
            if ch in "。！？；.!?":
                j = i + 1
                while j < len(para) and para[j] in "。！？；.!?\"'”’」』）)":
                    j += 1
                if ch in "。！？；" or _english_boundary(para, i, j):
                    out.append(para[start:j].strip())
                    start = j
                i = j
            else:
                i += 1
        out.append(para[start:].strip())
    return [s for s in out if s]


def tag_words(sentence: str) -> list[tuple[str, str]]:
    """(word, class) pairs: jieba.posseg flags for Chinese, "n"/"v"/"a"/"" cues for English."""
    roles = iter(english_roles(sentence))
    tagged: list[tuple[str, str]] = []
    for run in _TOKEN.findall(sentence):
        if _CJK_CHAR.match(run):
            tagged.extend(chinese_words(run))
        else:
            _, cue = next(roles, ("", ""))
            tagged.append((re.sub(r"['’]s$", "", run), cue))  # "cell's" counts as "cell"
    return tagged


def tokenize(sentence: str) -> list[str]:
    """Words of a sentence: jieba for CJK runs, a regex for Latin words; punctuation dropped."""
    return [word for word, _ in tag_words(sentence)]


def _preference(token: str, classes: set[str]) -> float:
    """How suitable a token is as a key term (0 = never); favours nouns over verbs and adjectives."""
    if _CJK_CHAR.match(token):
        if len(token) < 2 or token in _ZH_STOP or cjk_count(token) != len(token):
            return 0.0
        return max((chinese_preference(flag) for flag in classes), default=0.0)
    low = token.lower()
    if sum(c.isalpha() for c in token) < 4 or low in _EN_STOP:
        return 0.0
    return english_preference(classes) * (0.3 if low.endswith("ly") else 1.0)  # adverbs rarely make good blanks


def _natural(token: str, first: bool) -> str:
    # A capital at the start of a sentence says nothing about the word: "Osmosis" is "osmosis".
    return token[:1].lower() + token[1:] if first and token[1:].islower() else token


def sentence_is_usable(sentence: str) -> bool:
    """Long enough to give context, short enough to read: 8-60 words or 10-120 CJK-text chars."""
    cjk, words = cjk_count(sentence), len(_EN_WORD.findall(sentence))
    if cjk >= words:
        return cjk >= 10 and len(sentence) <= 120
    return 8 <= words <= 60


def analyse(text: str, max_terms: int = 120) -> Analysis:
    """TF-IDF key terms (sentences as documents) and scored, usable sentences of `text`."""
    sentences = split_sentences(text)
    tagged = [tag_words(s) for s in sentences]
    classes: dict[str, set[str]] = {}
    surfaces: dict[str, Counter[str]] = {}
    for words in tagged:
        for i, (tok, cls) in enumerate(words):
            classes.setdefault(tok.lower(), set()).add(cls)
            # Mid-sentence spellings count double: they show the real case ("DNS", "Internet").
            surfaces.setdefault(tok.lower(), Counter())[_natural(tok, i == 0)] += 1 if i == 0 else 2
    prefs = {key: _preference(max(surfaces[key], key=len), cls) for key, cls in classes.items()}
    counts: Counter[str] = Counter()
    doc_freq: Counter[str] = Counter()
    for words in tagged:
        keys = [tok.lower() for tok, _ in words if prefs[tok.lower()]]
        counts.update(keys)
        doc_freq.update(set(keys))
    n_docs = len(sentences)
    idf = {k: math.log((1 + n_docs) / (1 + doc_freq[k])) + 1 for k in counts}
    raw = {k: c * idf[k] * prefs[k] for k, c in counts.items()}
    top = sorted(raw, key=lambda k: (-raw[k], k))[:max_terms]
    peak = raw[top[0]] if top else 1.0
    terms = [
        Term(
            k,
            sorted(surfaces[k].items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
            raw[k] / peak,
            "zh" if _CJK_CHAR.match(k) else "en",
            any(cls.startswith("n") for cls in classes[k]),
        )
        for k in top
    ]
    weights = {t.key: t.weight for t in terms}
    # Best blank first: a noun used in more than one sentence (a concept the course returns to),
    # then the most specific one; a term of a single sentence is often an incidental detail.
    blank = {k: idf[k] * prefs[k] * (1.0 if doc_freq[k] >= 2 else 0.7) for k in weights}
    scored: list[Sentence] = []
    seen_text: set[str] = set()
    for idx, (sent, words) in enumerate(zip(sentences, tagged, strict=True)):
        norm = sent.lower()
        if norm in seen_text or not sentence_is_usable(sent):
            continue
        seen_text.add(norm)
        keys = sorted({t.lower() for t, _ in words} & weights.keys(), key=lambda k: (-blank[k], k))
        if keys:
            # sqrt, not plain length: dividing by length would always favour the shortest sentences.
            score = sum(weights[k] for k in keys) / math.sqrt(len(words))
            scored.append(Sentence(idx, sent, tuple(keys), score))
    return Analysis(detect_language(text), terms, scored)
