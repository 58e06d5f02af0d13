"""Request bodies of the JSON API, validated with pydantic (field-level errors for free), and its answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from app.auth import MAX_USERNAME, MIN_PASSWORD, normal_username, valid_username
from app.cookie_text import cookies_from_text
from app.models import JobStatus


def _clean(text: str) -> str:
    # lone surrogates cannot be stored as UTF-8 and NUL breaks PostgreSQL: both are bad input
    if "\x00" in text:
        raise PydanticCustomError("nul_character", "must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_unicode", "must be valid Unicode (no lone surrogates)") from None
    return text


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return text


MAX_AHEAD = timedelta(days=366)  # publish_at is at most a year away
_SPREAD_RE = re.compile(r"^\s*(\d{1,7})\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _aware(text: str) -> str:
    """ISO 8601 with a time zone, within a year from now; kept as text, parsed with :func:`when`."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PydanticCustomError(
            "datetime_format", "must be an ISO 8601 date-time, e.g. 2026-12-24T09:00:00+08:00"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise PydanticCustomError(
            "datetime_timezone",
            "must carry a time zone, e.g. 2026-12-24T09:00:00+08:00 or …Z; a naive time is ambiguous",
        )
    try:
        at.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", "is out of range") from None
    if abs(at - datetime.now(UTC)) > MAX_AHEAD:  # a past time means "now"; years away is a typo
        raise PydanticCustomError("datetime_range", "must be within a year from now")
    return text


def when(text: str | None) -> datetime | None:
    """A validated ``publish_at`` as an aware UTC datetime."""
    return datetime.fromisoformat(text.strip()).astimezone(UTC) if text else None


def _spread(text: str) -> str:
    m = _SPREAD_RE.match(text)
    if not m or int(m.group(1)) * _UNIT_SECONDS[m.group(2)] > 7 * 86400:
        raise PydanticCustomError(
            "duration_format", 'must be a duration like "90s", "20m", "1h" or "1d" (at most 7 days)'
        )
    return text


def spread_seconds(text: str | None) -> int:
    """A validated ``spread`` in seconds (0 when absent)."""
    m = _SPREAD_RE.match(text or "")
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)] if m else 0


USERNAME_RULE = "1–64 Unicode letters or digits, '_', '.' or '-', a letter or digit first; stored in NFKC form"


def _username(text: str) -> str:
    # NFKC first, so the rule and the uniqueness check see the form that is stored
    name = normal_username(text)
    if not valid_username(name):
        raise PydanticCustomError("username_invalid", "must be " + USERNAME_RULE)
    return name


Text = Annotated[StrictStr, AfterValidator(_clean)]
PublishAt = Annotated[
    StrictStr,
    Field(max_length=64, description="ISO 8601 with a time zone", json_schema_extra={"format": "date-time"}),
    AfterValidator(_aware),
]
Spread = Annotated[
    StrictStr,
    Field(max_length=16, pattern=r"^\s*\d{1,7}\s*[smhd]?\s*$", description='One job every this long, e.g. "20m"'),
    AfterValidator(_spread),
]
Name = Annotated[StrictStr, Field(min_length=1, max_length=64), AfterValidator(_clean), AfterValidator(_not_blank)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ArticleIn(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=300), AfterValidator(_not_blank)]
    content: Annotated[Text, Field(min_length=1, max_length=100_000), AfterValidator(_not_blank)]
    article_id: Annotated[Text, Field(max_length=128)] | None = None
    publish_at: PublishAt | None = None


MAX_ARTICLES = 100  # articles in one publish request; the publish page caps a batch of files at this


class PublishIn(Strict):
    platform: Name
    account: Name = "main"
    priority: Annotated[StrictInt, Field(ge=0, le=9)] = 5
    articles: Annotated[list[ArticleIn], Field(min_length=1, max_length=MAX_ARTICLES)]
    publish_at: PublishAt | None = None
    spread: Spread | None = None


class RescheduleIn(Strict):
    publish_at: PublishAt


Concurrency = Annotated[StrictInt, Field(ge=0, le=100, description="Jobs of this account at once; 0: no limit")]
MinInterval = Annotated[
    float, Field(ge=0, le=86400, allow_inf_nan=False, description="Seconds between two publishes of this account")
]


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
    # a pasted Cookie header ("a=1; b=2") or JSON text becomes the list first, so one path stores both;
    # the limits come before the validator so that they stay the list's own (their errors say "List")
    cookies: Annotated[
        list[CookieIn],
        Field(min_length=1, max_length=200),
        BeforeValidator(cookies_from_text, json_schema_input_type=list[CookieIn] | str),
    ]
    concurrency: Concurrency | None = None
    min_interval: MinInterval | None = None


class AccountPatch(Strict):
    """An account's own pacing; null puts the platform's default back."""

    concurrency: Concurrency | None = None
    min_interval: MinInterval | None = None


class UserIn(Strict):
    username: Annotated[
        Text,
        Field(min_length=1, max_length=MAX_USERNAME, description=USERNAME_RULE),
        AfterValidator(_username),
    ]
    password: Annotated[Text, Field(min_length=MIN_PASSWORD, max_length=1024)] | None = None
    admin: StrictBool = False


class TokenIn(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=64)]
    expires_in_days: Annotated[int, Field(strict=True, ge=1, le=3650)] | None = None


class PasswordIn(Strict):
    current_password: Annotated[Text, Field(min_length=1, max_length=1024)]
    new_password: Annotated[Text, Field(min_length=MIN_PASSWORD, max_length=1024)]


class ResolveIn(Strict):
    result_url: Annotated[Text, Field(min_length=1, max_length=1000)] | None = None
    failed: StrictBool = False


class AccountRef(Strict):
    platform: Name
    name: Name = "main"


# -- answers: documented in /api/openapi.json, checked against real answers by the fuzz test -----------


class Out(BaseModel):
    """An answer object; a later version may add fields, so unknown ones are allowed."""

    model_config = ConfigDict(extra="allow")


class Problem(Out):
    """One wrong field: pydantic's error type (too_long, string_too_short, missing…) and its limits."""

    field: str = Field(description="Dotted path, e.g. articles.2.title")
    type: str = Field(description="too_long, too_short, string_too_short, missing, username_invalid, …")
    ctx: dict[str, Any] = Field(default_factory=dict, description="Limits: min_length, max_length, actual_length, ge…")


class ErrorDetail(Out):
    code: str
    message: str
    fields: dict[str, str] | None = Field(None, description="Each wrong field (dotted path) with an English message")
    problems: list[Problem] | None = Field(None, description="The wrong fields, machine-readable, for translation")
    can_submit: Annotated[int, Field(ge=0)] | None = None


class ErrorOut(Out):
    success: Literal[False]
    error: ErrorDetail


class JobOut(Out):
    job_id: UUID
    kind: str
    status: JobStatus
    progress: Annotated[int, Field(ge=0, le=100)]
    phase: str | None
    priority: Annotated[int, Field(ge=0, le=9)]
    title: str | None
    platform: str | None
    account: str | None
    article_id: str | None
    result_url: str | None
    error: str | None
    error_code: str | None
    attempts: Annotated[int, Field(ge=0)]
    max_attempts: Annotated[int, Field(ge=1)]
    position: Annotated[int, Field(ge=1)] | None
    estimated_start_seconds: Annotated[float, Field(ge=0)] | None
    publish_at: datetime | None = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    username: str
    cancel_requested: bool
    has_screenshot: bool
    has_result: bool
    source: str | None = Field(None, description="The uploaded file an exam was made from")


class PublishAccepted(Out):
    success: Literal[True]
    job_ids: list[UUID]
    jobs: list[JobOut]


class GenerateAccepted(Out):
    success: Literal[True]
    job_id: UUID
    job: JobOut


class JobAction(Out):
    success: Literal[True]
    job: JobOut


class JobEnvelope(Out):
    job: JobOut


class JobPage(Out):
    jobs: list[JobOut]
    total: Annotated[int, Field(ge=0)]
    page: Annotated[int, Field(ge=1)]
    limit: Annotated[int, Field(ge=1, le=100)]
    sort: str = Field("-created", description="The order used: a column, with - for descending")


class JobStatuses(Out):
    jobs: list[JobOut]


class AccountOut(Out):
    # the stored cookies must never appear in an answer
    model_config = ConfigDict(extra="allow", json_schema_extra={"not": {"required": ["cookies"]}})

    id: int
    platform: str
    name: str
    identity: str | None
    login_ok: bool | None
    checked_at: datetime | None
    concurrency: Annotated[int, Field(ge=0)] | None = Field(None, description="The account's own; null: the platform's")
    min_interval: Annotated[float, Field(ge=0)] | None = Field(None, description="The account's own; null: platform's")
    pacing: dict[str, float] | None = Field(None, description="In effect: concurrency, min_interval")
    created_at: datetime
    updated_at: datetime


class AccountList(Out):
    accounts: list[AccountOut]


class AccountSaved(Out):
    success: Literal[True]
    account: AccountOut


class UserCreated(Out):
    success: Literal[True]
    username: str
    admin: bool
    token: str


class UserOut(Out):
    username: str
    admin: bool
    disabled: bool
    created_at: datetime | None


class UserList(Out):
    users: list[UserOut]


class Me(Out):
    username: str
    admin: bool


class TokenInfo(Out):
    id: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenList(Out):
    tokens: list[TokenInfo]


class TokenCreated(TokenInfo):
    success: Literal[True]
    token: str = Field(description="The secret, shown only in this answer")


class Done(Out):
    success: Literal[True]


class PoolOut(Out):
    size: int
    in_use: int
    idle: int
    created: int
    recycled: int


class GridNodeOut(Out):
    uri: str
    availability: str = Field(description="UP, DOWN or DRAINING, as the Grid says")
    slots: Annotated[int, Field(ge=0)]
    free: Annotated[int, Field(ge=0)]


class GridOut(Out):
    ready: bool
    total_slots: Annotated[int, Field(ge=0)] = Field(description="Slots on nodes that are up")
    free_slots: Annotated[int, Field(ge=0)]
    nodes: list[GridNodeOut]


class UserQueueOut(Out):
    queued: Annotated[int, Field(ge=0)]
    running: Annotated[int, Field(ge=0)]
    scheduled: Annotated[int, Field(ge=0)] | None = None


class QueueStatus(Out):
    queue_size: Annotated[int, Field(ge=0)]
    max_queue_size: Annotated[int, Field(ge=0)]
    max_queue_size_at: datetime | None
    processing: Annotated[int, Field(ge=0)]
    scheduled: Annotated[int, Field(ge=0)] = Field(0, description="Jobs waiting for their publish_at, apart")
    max_processing: Annotated[int, Field(ge=0)]
    max_processing_at: datetime | None
    max_concurrent: Annotated[int, Field(ge=1)]
    total_processed: Annotated[int, Field(ge=0)]
    total_failed: Annotated[int, Field(ge=0)]
    estimated_wait_time: Annotated[float, Field(ge=0)]
    avg_job_seconds: Annotated[float, Field(ge=0)]
    since: datetime | None
    uptime_seconds: Annotated[float, Field(ge=0)]
    pool: PoolOut
    grid: GridOut | None = Field(None, description="The remote Selenium Grid (DRIVER_REMOTE_URL) as last read")
    user: UserQueueOut
    users: dict[str, UserQueueOut] | None = Field(None, description="Admins only")


class Health(Out):
    status: Literal["ok", "starting", "unhealthy"]
    database: bool
    dispatcher: bool
    shutting_down: bool
    starting: bool = Field(False, description="503 for the first seconds after a start, while the browsers start")


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    ErrorOut, PublishAccepted, GenerateAccepted, JobAction, JobEnvelope, JobPage, JobStatuses,
    AccountList, AccountSaved, UserCreated, UserList, Me, QueueStatus, Health, TokenInfo, TokenList, TokenCreated,
    Done,
)  # fmt: skip
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    PublishIn,
    RescheduleIn,
    AccountIn,
    AccountPatch,
    AccountRef,
    UserIn,
    ResolveIn,
    TokenIn,
    PasswordIn,
)
