"""Errors with a code a user can act on, shared by the core and the HTTP layer."""

from __future__ import annotations

from typing import Any


class ExamgenError(Exception):
    """Base of every error that carries a user-facing code and message."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, str] | None = None,
        retry_after: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields
        self.retry_after = retry_after
        self.extra = extra or {}

    def to_dict(self) -> dict[str, Any]:
        """The ``error`` object of an API answer."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class ValidationError(ExamgenError):
    code, status = "validation_error", 400


def problem(field: str, kind: str, **ctx: Any) -> dict[str, Any]:
    """One wrong field as the web UI translates it: the field, pydantic's error type, its limits."""
    return {"field": field, "type": kind, "ctx": ctx}


def invalid(field: str, kind: str, message: str, **ctx: Any) -> ValidationError:
    """A 400 naming ``field``, with the machine-readable ``problems`` a client turns into its own words."""
    return ValidationError(message, fields={field: message}, extra={"problems": [problem(field, kind, **ctx)]})


class NotFound(ExamgenError):
    code, status = "not_found", 404


class Conflict(ExamgenError):
    code, status = "conflict", 409


class Unauthorized(ExamgenError):
    code, status = "unauthorized", 401


class Forbidden(ExamgenError):
    code, status = "forbidden", 403


class Gone(ExamgenError):
    """A file that existed was removed by retention."""

    code, status = "gone", 410


class LimitExceeded(ExamgenError):
    """A per-user limit (429) or a server-wide one (503); always carries Retry-After."""

    status = 429


class JobFailure(Exception):
    """Raised inside a job: ``permanent`` failures are not retried."""

    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permanent = permanent


class PermanentFailure(JobFailure):
    """A failure that retrying cannot fix (login expired, captcha, rejected content)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, permanent=True)


class TransientFailure(JobFailure):
    """A failure worth retrying (browser crash, timeout, platform briefly down)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, permanent=False)


class OutcomeUnknown(JobFailure):
    """The irreversible step may have happened (or did, at ``result_url``) but could not be confirmed."""

    def __init__(self, code: str, message: str, result_url: str | None = None, article_id: str | None = None) -> None:
        super().__init__(code, message, permanent=True)
        self.result_url = result_url
        self.article_id = article_id


# A generate job that failed with one of these failed because of the uploaded PDF itself: running it
# again reads the same file and fails the same way, so it is not offered (nor accepted) as a retry.
CONTENT_ERROR_CODES = frozenset({"not_enough_text", "no_text", "unreadable_pdf", "pdf_too_complex", "encrypted_pdf"})
