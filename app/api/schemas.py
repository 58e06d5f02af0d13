"""Request bodies of the JSON API, validated with pydantic (field-level errors for free), and its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from app.auth import MIN_PASSWORD
from app.models import JobStatus


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
    password: Annotated[Text, Field(min_length=MIN_PASSWORD, max_length=1024)] | None = None
    admin: StrictBool = False


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


class ErrorDetail(Out):
    code: str
    message: str
    fields: dict[str, str] | None = None
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
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    username: str
    cancel_requested: bool
    has_screenshot: bool
    has_result: bool


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


class PoolOut(Out):
    size: int
    in_use: int
    idle: int
    created: int
    recycled: int


class UserQueueOut(Out):
    queued: Annotated[int, Field(ge=0)]
    running: Annotated[int, Field(ge=0)]


class QueueStatus(Out):
    queue_size: Annotated[int, Field(ge=0)]
    max_queue_size: Annotated[int, Field(ge=0)]
    max_queue_size_at: datetime | None
    processing: Annotated[int, Field(ge=0)]
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
    user: UserQueueOut
    users: dict[str, UserQueueOut] | None = Field(None, description="Admins only")


class Health(Out):
    status: Literal["ok", "unhealthy"]
    database: bool
    dispatcher: bool
    shutting_down: bool


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    ErrorOut, PublishAccepted, GenerateAccepted, JobAction, JobEnvelope, JobPage, JobStatuses,
    AccountList, AccountSaved, UserCreated, UserList, Me, QueueStatus, Health,
)  # fmt: skip
REQUEST_MODELS: tuple[type[BaseModel], ...] = (PublishIn, AccountIn, AccountRef, UserIn, ResolveIn)
