"""Request bodies of the JSON API, validated with pydantic (field-level errors for free)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr


def _clean(text: str) -> str:
    # lone surrogates cannot be stored as UTF-8 and NUL breaks PostgreSQL: both are bad input
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return text


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


Text = Annotated[StrictStr, AfterValidator(_clean)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=64), AfterValidator(_clean), AfterValidator(_not_blank)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ArticleIn(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=300), AfterValidator(_not_blank)]
    content: Annotated[Text, Field(min_length=1, max_length=100_000), AfterValidator(_not_blank)]
    article_id: Annotated[Text, Field(max_length=128)] | None = None


class PublishIn(Strict):
    platform: Name
    account: Name = "main"
    priority: Annotated[StrictInt, Field(ge=0, le=9)] = 5
    articles: Annotated[list[ArticleIn], Field(min_length=1, max_length=100)]


class CookieIn(BaseModel):
    """A cookie as browser extensions export it; unknown fields (hostOnly, storeId…) are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: Annotated[Text, Field(min_length=1, max_length=256)]
    value: Annotated[Text, Field(max_length=8192)]
    domain: Annotated[Text, Field(max_length=256)] | None = None
    path: Annotated[Text, Field(max_length=1024)] | None = None
    secure: StrictBool | None = None
    httpOnly: StrictBool | None = None  # noqa: N815 - the exported field's own name
    sameSite: Annotated[StrictStr, Field(max_length=32)] | None = None  # noqa: N815
    # seconds since the epoch; NaN/inf or absurd dates would only fail later, inside the browser
    expirationDate: Annotated[float, Field(ge=0, le=1e11, allow_inf_nan=False)] | None = None  # noqa: N815

    def as_stored(self) -> dict[str, Any]:
        """The cookie as the browser will be given it."""
        out: dict[str, Any] = {"name": self.name, "value": self.value}
        if self.domain:
            out["domain"] = self.domain
        out["path"] = self.path or "/"
        if self.secure is not None:
            out["secure"] = self.secure
        if self.httpOnly is not None:
            out["httpOnly"] = self.httpOnly
        if self.sameSite in ("Strict", "Lax", "None"):
            out["sameSite"] = self.sameSite
        elif self.sameSite in ("strict", "lax", "no_restriction"):
            out["sameSite"] = {"strict": "Strict", "lax": "Lax", "no_restriction": "None"}[self.sameSite]
        if self.expirationDate:
            out["expires"] = self.expirationDate
        return out


class AccountIn(Strict):
    platform: Name
    name: Name = "main"
    cookies: Annotated[list[CookieIn], Field(min_length=1, max_length=200)]


class UserIn(Strict):
    # the same rule as app.auth.USERNAME_RE, but anchored at the very end: "alice\n" is not a name
    username: Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    password: Annotated[Text, Field(min_length=8, max_length=1024)] | None = None
    admin: StrictBool = False


class ResolveIn(Strict):
    result_url: Annotated[Text, Field(min_length=1, max_length=1000)] | None = None
    failed: StrictBool = False


class AccountRef(Strict):
    platform: Name
    name: Name = "main"
