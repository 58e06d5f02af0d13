"""Unicode repair of extracted PDF text: compatibility forms, CJK radicals, ligatures, invisible marks."""

from __future__ import annotations

import re
import unicodedata

# CJK Radicals Supplement code points have no NFKC mapping, yet PDF printers use their glyphs for
# ordinary simplified characters (⻛险 is 风险); map the ones that stand for a real character.
_RADICALS = str.maketrans(
    {
        "\u2e8c": "小",
        "\u2e8d": "小",
        "\u2e95": "彐",
        "\u2e9c": "日",
        "\u2e9f": "母",
        "\u2ea0": "民",
        "\u2ea7": "牛",
        "\u2eab": "目",
        "\u2eae": "竹",
        "\u2eb3": "网",
        "\u2eb7": "羊",
        "\u2ebc": "肉",
        "\u2ec1": "虎",
        "\u2ec4": "西",
        "\u2ec5": "见",
        "\u2ec6": "角",
        "\u2ec8": "讠",
        "\u2ec9": "贝",
        "\u2ecb": "车",
        "\u2ed3": "长",
        "\u2ed4": "门",
        "\u2ed8": "青",
        "\u2eda": "页",
        "\u2edb": "风",
        "\u2edc": "飞",
        "\u2edd": "食",
        "\u2edf": "饣",
        "\u2ee2": "马",
        "\u2ee3": "骨",
        "\u2ee4": "鬼",
        "\u2ee5": "鱼",
        "\u2ee6": "鸟",
        "\u2ee7": "卤",
        "\u2ee8": "麦",
        "\u2ee9": "黄",
        "\u2eea": "黾",
        "\u2eeb": "斉",
        "\u2eec": "齐",
        "\u2eed": "歯",
        "\u2eee": "齿",
        "\u2ef0": "龙",
        "\u2ef2": "亀",
        "\u2ef3": "龟",
    }
)
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Full-width punctuation is how Chinese is written: NFKC would turn （，） into ASCII, so keep it.
_KEEP = re.compile(
    r"[\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e\u3000-\u303f\u2018-\u201f\u2026\u2014\u2100-\u214f\u2190-\u22ff]"
)


def normalise_text(text: str) -> str:
    """NFKC (Kangxi radicals ⼀ → 一, ligatures ﬁ → fi, full-width digits) while keeping CJK punctuation."""
    text = _INVISIBLE.sub("", text).translate(_RADICALS)
    if text.isascii():
        return text
    out = []
    for ch in text:
        out.append(ch if ch.isascii() or _KEEP.match(ch) else unicodedata.normalize("NFKC", ch))
    return "".join(out)


def has_garbled(text: str) -> bool:
    """Whether text still holds radical, compatibility or private-use code points."""
    return any(0x2E80 <= ord(ch) <= 0x2FDF or 0xE000 <= ord(ch) <= 0xF8FF or 0xFB00 <= ord(ch) <= 0xFB06 for ch in text)
