"""Sentence splitting, TF-IDF key-term extraction and sentence scoring for course text."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass

import jieba

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
# English has no POS table here, so a word after a determiner or with a noun suffix counts as a noun.
_DETERMINERS = {"the", "a", "an", "this", "these", "that", "each", "every", "its", "their", "of"}
_NOUN_SUFFIXES = (
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ism",
    "ogy",
    "ance",
    "ence",
    "sis",
    "ure",
    "or",
    "er",
)
# POS tags from jieba's dictionary: nouns are what exam blanks should test; function words never.
_NOUN_TAGS = ("n", "vn", "an", "nz", "nr", "ns", "nt", "eng")
_SKIP_TAGS = {"r", "p", "c", "u", "d", "m", "q", "f", "y", "e", "o", "ad", "z", "t", "uj", "ul", "mq"}

_jieba_lock = threading.Lock()
_jieba_tags: dict[str, str] | None = None


def _tags() -> dict[str, str]:
    """Initialise jieba once (thread-safe) and return its word -> part-of-speech table."""
    global _jieba_tags
    if _jieba_tags is None:
        with _jieba_lock:
            if _jieba_tags is None:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                from jieba import posseg  # loads the POS table from the same dictionary (~0.3 s)

                _jieba_tags = posseg.dt.word_tag_tab
    return _jieba_tags


@dataclass(frozen=True)
class Term:
    key: str  # lower-cased identity used for counting
    surface: str  # most frequent spelling in the document
    weight: float  # TF-IDF x part-of-speech preference, normalised to max 1.0
    script: str  # "zh" or "en"


@dataclass(frozen=True)
class Sentence:
    index: int  # position among all sentences of the document
    text: str
    terms: tuple[str, ...]  # keys of key terms found in the sentence, most specific first
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


def tokenize(sentence: str) -> list[str]:
    """Words of a sentence: jieba for CJK runs, a regex for Latin words; punctuation dropped."""
    tokens: list[str] = []
    for run in _TOKEN.findall(sentence):
        if _CJK_CHAR.match(run):
            _tags()
            tokens.extend(w for w in jieba.lcut(run) if w.strip())
        else:
            tokens.append(re.sub(r"['’]s$", "", run))  # "cell's" counts as "cell"
    return tokens


def _preference(token: str) -> float:
    """How suitable a token is as a key term (0 = never); favours noun-like multi-character words."""
    if _CJK_CHAR.match(token):
        if len(token) < 2 or token in _ZH_STOP or cjk_count(token) != len(token):
            return 0.0
        tag = _tags().get(token, "x")  # "x": found by jieba's HMM, usually a name or compound noun
        if tag in _SKIP_TAGS:
            return 0.0
        return 1.0 if tag.startswith(_NOUN_TAGS) else 0.7 if tag == "x" else 0.4
    low = token.lower()
    if sum(c.isalpha() for c in token) < 4 or low in _EN_STOP:
        return 0.0
    return 0.3 if low.endswith("ly") else 1.0  # adverbs rarely make good blanks


def _english_nouns(tokenised: list[list[str]]) -> set[str]:
    """English words that look like nouns in context: after a determiner, noun suffix, or capitalised."""
    nouns: set[str] = set()
    for tokens in tokenised:
        for i, tok in enumerate(tokens):
            low = tok.lower()
            if (
                (i and tokens[i - 1].lower() in _DETERMINERS)
                or low.endswith(_NOUN_SUFFIXES)
                or (i and tok[:1].isupper())  # a capital mid-sentence marks a name or acronym
            ):
                nouns.add(low)
    return nouns


def sentence_is_usable(sentence: str) -> bool:
    """Long enough to give context, short enough to read: 8-60 words or 10-120 CJK-text chars."""
    cjk, words = cjk_count(sentence), len(_EN_WORD.findall(sentence))
    if cjk >= words:
        return cjk >= 10 and len(sentence) <= 120
    return 8 <= words <= 60


def analyse(text: str, max_terms: int = 120) -> Analysis:
    """TF-IDF key terms (sentences as documents) and scored, usable sentences of `text`."""
    sentences = split_sentences(text)
    tokenised = [tokenize(s) for s in sentences]
    nouns = _english_nouns(tokenised)
    counts: Counter[str] = Counter()
    doc_freq: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    prefs: dict[str, float] = {}
    for tokens in tokenised:
        seen: set[str] = set()
        for tok in tokens:
            key = tok.lower()
            if key not in prefs:
                # English words never seen in a noun position are likely verbs or adjectives.
                en_verbish = not _CJK_CHAR.match(key) and key not in nouns
                prefs[key] = _preference(tok) * (0.5 if en_verbish else 1.0)
            pref = prefs[key]
            if pref:
                counts[key] += 1
                surfaces.setdefault(key, Counter())[tok] += 1
                seen.add(key)
        doc_freq.update(seen)
    n_docs = len(sentences)
    idf = {k: math.log((1 + n_docs) / (1 + doc_freq[k])) + 1 for k in counts}
    raw = {k: c * idf[k] * prefs[k] for k, c in counts.items()}
    top = sorted(raw, key=lambda k: (-raw[k], k))[:max_terms]
    peak = raw[top[0]] if top else 1.0
    terms = [
        Term(k, surfaces[k].most_common(1)[0][0], raw[k] / peak, "zh" if _CJK_CHAR.match(k) else "en") for k in top
    ]
    weights = {t.key: t.weight for t in terms}
    scored: list[Sentence] = []
    seen_text: set[str] = set()
    for idx, (sent, tokens) in enumerate(zip(sentences, tokenised, strict=True)):
        norm = sent.lower()
        if norm in seen_text or not sentence_is_usable(sent):
            continue
        seen_text.add(norm)
        # Best blank first: the most specific (rarest, noun-like) key term, not the most frequent one.
        keys = sorted({t.lower() for t in tokens} & weights.keys(), key=lambda k: (-idf[k] * prefs[k], k))
        if keys:
            # sqrt, not plain length: dividing by length would always favour the shortest sentences.
            score = sum(weights[k] for k in keys) / math.sqrt(len(tokens))
            scored.append(Sentence(idx, sent, tuple(keys), score))
    return Analysis(detect_language(text), terms, scored)
