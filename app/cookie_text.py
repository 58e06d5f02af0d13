"""Pasted cookies as text: a JSON export or a ``name=value; name2=value2`` Cookie header, made a list."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic_core import PydanticCustomError

# what DevTools' "Copy as cURL" and many extensions put before the header's value
PREFIX = re.compile(r"^\s*cookie\s*:", re.IGNORECASE)
# a header is split on ";" and "=": a name holding whitespace, quotes or commas is pasted prose, not a cookie
BAD_NAME = re.compile(r'[\s",;]')


def cookies_from_text(value: Any) -> Any:
    """A string of cookies becomes the list of cookie objects the schema validates; other values pass as given."""
    if not isinstance(value, str):
        return value
    text = PREFIX.sub("", value, count=1).strip()
    if not text:
        raise PydanticCustomError("blank", "must not be empty")
    if text[0] in "[{":
        return _json_cookies(text)
    return header_cookies(text)


def header_cookies(text: str) -> list[dict[str, str]]:
    """``a=1; b=2`` -> ``[{"name": "a", "value": "1"}, …]``; the domain is filled in later, as for JSON without one."""
    cookies = []
    for part in text.split(";"):
        if not part.strip():
            continue  # a trailing "; " is common in copied headers
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or BAD_NAME.search(name):
            raise PydanticCustomError(
                "cookies_format", "must be a JSON list of cookies or a Cookie header such as name=value; name2=value2"
            )
        if not name:
            raise PydanticCustomError("cookie_name_blank", "every cookie in the header needs a name before its =")
        cookies.append({"name": name, "value": val.strip()})
    return cookies


def _json_cookies(text: str) -> Any:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise PydanticCustomError(
            "cookies_format", "must be a JSON list of cookies or a Cookie header such as name=value; name2=value2"
        ) from None
    # the same shapes the page accepts: {"cookies": [...]} from some tools, or a single cookie object
    if isinstance(parsed, dict) and isinstance(parsed.get("cookies"), list):
        return parsed["cookies"]
    if isinstance(parsed, dict) and "name" in parsed:
        return [parsed]
    return parsed
