"""Languages of the web UI: Flask-Babel catalogs, Simplified Chinese first, chosen by a cookie."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import Babel, get_locale

from app.http.web.strings import translated

COOKIE = "examgen_lang"
DEFAULT = "zh_Hans_CN"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@dataclass(frozen=True)
class Language:
    code: str  # the Babel locale of the catalog
    tag: str  # the BCP 47 tag for <html lang> and Intl
    label: str  # the language's own name, so everybody finds theirs
    short: str  # what a phone-sized top bar has room for


LANGUAGES = {
    "zh_Hans_CN": Language("zh_Hans_CN", "zh-Hans-CN", "简体中文", "中文"),
    "en": Language("en", "en", "English", "EN"),
}


def select_locale() -> str:
    """The cookie's language, else Simplified Chinese: the team's language is the default."""
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def current_lang() -> str:
    """The BCP 47 tag of the language this request is answered in."""
    locale = get_locale()
    code = str(locale) if locale is not None else DEFAULT
    return LANGUAGES.get(code, LANGUAGES[DEFAULT]).tag


def js_strings() -> dict[str, Any]:
    """Every string the page scripts show, in the request's language (rendered as JSON data)."""
    return translated()


def init_babel(app: Flask) -> None:
    """Set up Flask-Babel with the catalogs in ``app/translations``."""
    Babel(
        app,
        default_locale=DEFAULT,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_locale,
    )

    @app.context_processor
    def languages() -> dict[str, Any]:
        return {"languages": LANGUAGES.values(), "lang_tag": current_lang()}
