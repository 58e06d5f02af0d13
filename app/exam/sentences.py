"""Sentences of the prose, with their page, and the filter that keeps only self-contained statements."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document
from .layout import FORMULA_MARK

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "dr", "mr", "mrs", "ms", "prof", "fig", "al", "no", "eq", "sec"}
# Openers that lean on the sentence before: the statement cannot stand alone in an exam.
_EN_OPENERS = re.compile(
    r"^(?:then|thus|therefore|hence|so|it|its|this|these|that|those|they|their|such|here|there|moreover|furthermore|"
    r"however|but|and|or|also|consequently|accordingly|as such|as before|as a result|similarly|likewise|"
    r"in addition|in this|in that|in these|in fact|for instance|for example|alas|again|now|finally|instead|"
    r"otherwise|meanwhile|still|yet|after all|above|below|next|informally|formally|to see|to build|say|"
    r"note|recall|let|let's|of course|in other words|that is|namely|besides|nevertheless|nonetheless|much of|"
    r"for that reason|for this reason|to this end|to do so|in summary|to summarize|in short|overall|"
    r"it follows|from this|on the other hand|the former|the latter|the reason|one way|another)\b",
    re.IGNORECASE,
)
_ZH_OPENERS = re.compile(
    r"^(?:然后|然而|因此|所以|但是|但|而且|并且|此外|另外|这|那|其|它|他|该|此|于是|同样|总之|因而|从而|例如|比如|"
    r"不过|接着|最后|首先|其次|再次|另一方面|换句话说|也就是说|即|而|且|再|又|还|就|也|注意|回想|下面|上面|如上|"
    r"如下|综上|事实上|实际上|当然|同时|相反|对此|为此|对于这|在这|在此|由此|可见|我们将|本节|本章|总结|总之|原因|"
    r"函数的|这里|那里|顺便|换言之|反之|结果|中的|的|和|与|及|或|并|以及|等)"
)
_XREF = re.compile(
    r"\b(?:fig(?:ure)?s?\.?|table|section|chapter|eq(?:uation)?\.?|listing|algorithm)\s*\(?\d"
    r"|[图表式]\s*\d+(?:\.\d+)*|\d+(?:\.\d+)+\s*[节章]|第\s*\d+\s*[节章]|:cite|:numref|:label|\[\d+\]"
    r"|如下[图所]|下图|上图|如图|见图|[(（]\s*\d+(?:\.\d+)+\s*[)）]",
    re.IGNORECASE,
)
_MATH = re.compile(r"[=∈∉ℝℕℤσ∑∏√≤≥≈≠→←∂∫∞×±∇⊙⊕^_\\$|]|[\u0370-\u03ff\u2100-\u214f\u2200-\u22ff]")
_CODEISH = re.compile(r"\w\.\w+\(|\w_\w|\(\)|\b\w+\(\w*\)|[{}<>]")
_VAR = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z'’])")  # a lone letter: a variable such as X or h
_DEICTIC = re.compile(
    r"上面|上述|前面|下面|以上|如下|下文|上文|前者|后者|后面|稍后|之后的章节|本节|本章|\b(?:above|below|aforementioned|previously|earlier|later|"
    r"the former|the latter|shown here|as follows)\b",
    re.IGNORECASE,
)
_YOU = re.compile(r"\b(?:you|your|yours|we'll|let's|i)\b|你", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    page: int
    heading: str = ""


def _english_boundary(text: str, i: int, j: int) -> bool:
    if j >= len(text):
        return True
    if text[i] == "." and i and text[i - 1].isdigit() and text[j].isdigit():
        return False
    if not text[j].isspace() and not CJK_CHAR.match(text[j]):
        return False
    word = re.search(r"([A-Za-z.]+)$", text[:i])
    if text[i] == "." and word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
        return False
    nxt = text[j:].lstrip()
    return not nxt[:1].islower()


def split_text(para: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of one paragraph, split on Chinese and English sentence ends."""
    out: list[tuple[int, str]] = []
    start = i = 0
    while i < len(para):
        if para[i] in "。！？；.!?":
            j = i + 1
            while j < len(para) and para[j] in "。！？；.!?\"'”’」』）)":
                j += 1
            if para[i] in "。！？；" or _english_boundary(para, i, j):
                out.append((start, para[start:j]))
                start = j
            i = j
        else:
            i += 1
    out.append((start, para[start:]))
    return [(o + len(s) - len(s.lstrip()), s.strip()) for o, s in out if s.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text (paragraphs separated by blank lines)."""
    return [s for para in re.split(r"\n\s*\n", text) for _, s in split_text(re.sub(r"\s+", " ", para).strip())]


def tidy(sentence: str) -> str:
    """Repair what dropped citations and links leave behind: "century ." and "( Fig".."""
    sentence = re.sub(r"\s+([.,;:!?)])", r"\1", sentence)
    sentence = re.sub(r"\(\s+", "(", sentence)
    sentence = re.sub(r"（\s+", "（", re.sub(r"\s+）", "）", sentence))
    return re.sub(r"\s{2,}", " ", sentence).strip()


def document_sentences(doc: Document) -> list[Sentence]:
    """Every sentence of the document's prose, tidied, with the page it starts on."""
    out: list[Sentence] = []
    for para in doc.paragraphs:
        for offset, text in split_text(para.text):
            out.append(Sentence(len(out), tidy(text), para.page_at(offset), para.heading))
    return out


def is_chinese(sentence: str) -> bool:
    return len(CJK_CHAR.findall(sentence)) * 3 >= len(_EN_WORD.findall(sentence))


def rejection(sentence: str) -> str | None:
    """Why a sentence cannot become a question on its own, or None when it can."""
    if FORMULA_MARK in sentence or _MATH.search(sentence):
        return "formula"
    if _XREF.search(sentence):
        return "reference"
    if sentence.endswith(("?", "？", "!", "！", ":", "：", "…")) or not sentence.endswith(tuple('.。;；)）”"')):
        return "not a statement"
    if _CODEISH.search(sentence):
        return "code"
    if re.match(r"^\s*(?:[（(]\s*\d+\s*[)）]|\d+[.、)]|[•·\-–*])", sentence):
        return "list item"
    zh = is_chinese(sentence)
    if (_ZH_OPENERS if zh else _EN_OPENERS).match(sentence.lstrip("“\"‘'(（")):
        return "context"
    if _DEICTIC.search(sentence):
        return "context"
    if _YOU.search(sentence):
        return "conversational"
    if zh:
        n = len(CJK_CHAR.findall(sentence))
        if not 12 <= n <= 90 or len(_VAR.findall(sentence)) > 0:
            return "length" if not 12 <= n <= 90 else "formula"
    else:
        n = len(_EN_WORD.findall(sentence))
        if not 7 <= n <= 45:
            return "length"
        if len([v for v in _VAR.findall(sentence) if v not in ("a", "A", "I")]) > 0:
            return "formula"
    if sum(ch.isdigit() for ch in sentence) > 6:
        return "numbers"
    return None


def detect_language(text: str) -> str:
    """Return "zh", "en" or "mixed" from the share of CJK characters among all letters."""
    cjk = len(CJK_CHAR.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    # A Chinese character carries about as much as a 3-letter English word, so weight it up.
    ratio = 3 * cjk / (3 * cjk + latin) if cjk or latin else 0.0
    return "zh" if ratio >= 0.85 else "en" if ratio <= 0.15 else "mixed"
