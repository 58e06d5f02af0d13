"""A 400's wrong fields in the user's words: field names and one sentence per pydantic error type.

The API answers ``problems: [{field, type, ctx}]``; the page script picks ``"<field>:<type>"``, else
``"<type>"``, fills ``{field}``, ``{n}`` (the item's number), ``{min}``, ``{max}`` and ``{actual}`` from ctx.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Field paths without list indexes ("articles.3.title" -> "articles.title"); "x.*" names any part of item n of x.
FIELDS = {
    "articles": _l("Articles"),
    "articles.title": _l("The title of article {n}"),
    "articles.content": _l("The body of article {n}"),
    "articles.*": _l("Article {n}"),
    "platform": _l("Platform"),
    "account": _l("Account"),
    "priority": _l("Priority"),
    "publish_at": _l("Publish time"),
    "spread": _l("The interval between articles"),
    "name": _l("Name"),
    "cookies": _l("Cookies"),
    "cookies.name": _l("The name of cookie {n}"),
    "cookies.value": _l("The value of cookie {n}"),
    "cookies.*": _l("Cookie {n}"),
    "concurrency": _l("Jobs at once"),
    "min_interval": _l("Seconds between publishes"),
    "username": _l("Username"),
    "password": _l("Password"),
    "current_password": _l("Current password"),
    "new_password": _l("New password"),
    "expires_in_days": _l("Days until it expires"),
    "result_url": _l("Address of the published article"),
    "file": _l("PDF file"),
    "questions": _l("Number of questions"),
    "questions.*": _l("Question {n}"),
    "questions.stem": _l("The text of question {n}"),
    "questions.answer": _l("The answer of question {n}"),
    "questions.options": _l("The options of question {n}"),
    "questions.points": _l("The points of question {n}"),
    "types": _l("Question types"),
    "points": _l("Points per type"),
    "pages": _l("Page range"),
    "seed": _l("Seed"),
    "title": _l("Title"),
    "subject": _l("Subject"),
    "lang": _l("Language"),
}

PROBLEMS = {
    "invalid": _l("{field} is not valid: check it."),
    "blank": _l("Fill in {field}."),
    "missing": _l("Fill in {field}."),
    "wrong_type": _l("{field} has the wrong kind of value."),
    "string_too_short": _l("{field} needs at least {min} characters."),
    "string_too_long": _l("{field} has at most {max} characters: shorten it."),
    "too_short": _l("{field} needs at least {min} entries."),
    "too_long": _l("{field} has at most {max} entries (this has {actual}): remove some."),
    "greater_than_equal": _l("{field} must be at least {min}."),
    "greater_than": _l("{field} must be more than {min}."),
    "less_than_equal": _l("{field} must be at most {max}."),
    "less_than": _l("{field} must be less than {max}."),
    "out_of_range": _l("{field} is out of range."),
    "string_pattern_mismatch": _l("{field} is not in the right form."),
    "literal_error": _l("{field} is not one of the allowed values."),
    "enum": _l("{field} is not one of the allowed values."),
    "extra_forbidden": _l("{field} is not a known field."),
    "nul_character": _l("{field} contains characters that cannot be stored: type it again."),
    "invalid_unicode": _l("{field} contains characters that cannot be stored: type it again."),
    "datetime_format": _l("Pick a valid date and time for {field}."),
    "datetime_timezone": _l("Pick a valid date and time for {field}."),
    "datetime_range": _l("{field} must be within a year from now."),
    "duration_format": _l("{field} is a duration such as 20m, 1h or 1d (at most 7 days)."),
    "username_invalid": _l(
        "A username is letters or digits (any language) and _ . -, starts with a letter or digit, "
        "has no spaces and at most 64 characters."
    ),
    "articles:too_long": _l("At most {max} articles at once (this batch has {actual}): submit the rest separately."),
    "articles:too_short": _l("Add at least one article."),
    "cookies:too_short": _l("Paste at least one cookie."),
    "cookies:too_long": _l(
        "At most {max} cookies per account (this has {actual}): export only this platform's cookies."
    ),
    "cookies:cookies_format": _l(
        "Paste the cookies as your extension's JSON export or as a Cookie header such as name=value; name2=value2."
    ),
    "cookies:cookie_name_blank": _l("Every cookie in the header needs a name before its = sign."),
    "questions:too_short": _l("Keep at least one question."),
    "questions:greater_than_equal": _l("The number of questions must be from 1 to 50."),
    "questions:less_than_equal": _l("The number of questions must be from 1 to 50."),
    "more": _l("And {n} more fields to fix."),
}


def translated() -> dict[str, dict[str, str]]:
    """Field names and problem sentences in the request's language."""
    return {
        "fields": {k: str(v) for k, v in FIELDS.items()},
        "problems": {k: str(v) for k, v in PROBLEMS.items()},
    }
