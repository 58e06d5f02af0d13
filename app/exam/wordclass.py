"""Word classes for exam blanks: jieba part-of-speech flags for Chinese, cheap cues for English.

Blanks and distractors should be nouns (concepts a course teaches); common adjectives and verbs make
questions that test grammar instead of content.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
# Adjectives and verbs common in any course text: never the point of a question.
_EN_COMMON_WORDS = """
    basic simple main major minor general special real whole entire full right left wrong true false new old
    similar identical actual possible available necessary following previous next last early late recent modern
    total likely open free clear easy hard strong weak fast slow short wide deep low little best better
    typical normal usual private public final specific particular quick later earlier
    show shows take takes get gets come comes find finds turn turns move moves remain remains seem seems
    mean means put puts"""
_EN_COMMON = frozenset(_EN_COMMON_WORDS.split())
# A word after these is very likely a noun when the phrase ends right after it ("the cell is ...").
_DETERMINERS = frozenset({"the", "a", "an", "this", "these", "those", "each", "every", "its", "their", "of"})
# A word right after these is a verb: "it binds", "can transmit", "to build".
_VERB_CUES = frozenset({"it", "they", "can", "will", "may", "must", "should", "could", "would", "cannot", "also"})
_OBJECT_START = frozenset({"the", "a", "an", "its", "their", "every", "each", "this", "these"})
_NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ism", "ogy", "ance", "ence", "sis", "ure", "or", "er", "ist")
_ADJ_SUFFIXES = ("al", "ic", "ous", "ive", "ful", "less", "able", "ible", "ary", "ory", "ed", "ing")
# Verbs jieba's dictionary lists as nouns.
_ZH_VERBS = frozenset({"产生", "利用", "实现", "进入", "提供"})
_SKIP_FLAGS = frozenset({"r", "p", "c", "u", "d", "m", "q", "f", "y", "e", "o", "ad", "z", "t", "uj", "ul", "mq"})

_lock = threading.Lock()
_ready = False


def init_jieba() -> None:
    """Load jieba's dictionary and POS table once, thread-safely (about half a second)."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                from jieba import posseg  # noqa: F401 - importing builds the shared POS tokenizer

                _ready = True


def chinese_words(run: str) -> list[tuple[str, str]]:
    """(word, jieba flag) for a run of Chinese text, tagged in context by jieba.posseg."""
    init_jieba()
    from jieba import posseg

    return [(p.word, "v" if p.word in _ZH_VERBS else p.flag) for p in posseg.cut(run) if p.word.strip()]


def singular(word: str) -> str:
    """A crude English singular: "cells" -> "cell", "bodies" -> "body"; "osmosis" stays."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "is", "us")) else word


def english_roles(sentence: str) -> list[tuple[str, str]]:
    """(word, cue) for English words: "n" noun, "v" verb, "a" adjective-like, "" unknown."""
    found = list(_EN_WORD.finditer(sentence))
    out: list[tuple[str, str]] = []
    for i, m in enumerate(found):
        word, low = m.group(0), m.group(0).lower()
        prev = found[i - 1].group(0).lower() if i else ""
        nxt = found[i + 1].group(0).lower() if i + 1 < len(found) else ""
        # Punctuation or a function word after a word closes its noun phrase.
        closes = (
            not nxt
            or bool(re.match(r"\s*[,.;:!?)\]]", sentence[m.end() :]))
            or nxt in _DETERMINERS
            or nxt in _VERB_CUES
            or nxt in ("is", "are", "was", "were", "and", "or", "that", "which", "in", "on", "to", "from", "with")
        )
        infinitive = prev == "to" and singular(low) == low  # "to build"
        prev2 = found[i - 2].group(0).lower() if i > 1 else ""
        # "that binds", "A firewall filters": after a singular subject an -s word is a verb.
        third_person = singular(low) != low and (prev in ("that", "who") or prev2 in ("a", "an", "each", "every"))
        if low in _EN_COMMON:
            cue = "a"
        elif (i and word[:1].isupper()) or (len(word) > 1 and word.isupper()):
            cue = "n"  # a capital mid-sentence: a name or an acronym
        elif prev in _VERB_CUES or infinitive or third_person or (singular(low) != low and nxt in _OBJECT_START):
            cue = "v"  # "filters the traffic": a plural-looking word followed by its object is a verb
        elif singular(low).endswith(_NOUN_SUFFIXES):
            cue = "n"
        elif prev in _DETERMINERS and closes:
            cue = "n"  # "the cell is ...", "the traffic, ...": an adjective rarely ends a noun phrase
        elif low.endswith(_ADJ_SUFFIXES):
            cue = "a"
        else:
            cue = ""
        out.append((word, cue))
    return out


def chinese_preference(flag: str) -> float:
    """How suitable a Chinese word with this jieba flag is as a blank: nouns 1, verbs low, function words 0."""
    if flag in _SKIP_FLAGS:
        return 0.0
    if flag.startswith("n"):
        return 1.0
    return 0.3 if flag in ("v", "a", "vd", "ad", "l", "i") else 0.6  # vn, an, b, x: nominal enough


def english_preference(cues: set[str]) -> float:
    """How suitable an English word is as a blank given every cue it got in the document."""
    if "n" in cues:
        return 1.0
    if "a" in cues:
        return 0.3
    if "v" in cues:
        return 0.35
    return 0.6
