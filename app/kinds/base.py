"""What a job kind is, and what it gets to work with while it runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.engine.browser import Browser
from app.models import ClickState, Job


@dataclass
class AccountInfo:
    """A platform account as a job sees it (cookies decrypted, never logged)."""

    id: int
    platform: str
    name: str
    cookies: list[dict[str, Any]]
    identity: str | None = field(default=None)

    def __repr__(self) -> str:  # keep cookies out of any log line or traceback
        return f"AccountInfo(id={self.id}, platform={self.platform!r}, name={self.name!r})"


@dataclass
class JobResult:
    """What a successful run produced."""

    result_url: str | None = None
    result_path: str | None = None
    article_id: str | None = None
    cookies: list[dict[str, Any]] | None = None  # rotated platform cookies to store again
    identity: str | None = None


@dataclass
class JobContext:
    """Everything one run of a job may use; built by the runner, passed to the kind."""

    job_id: str
    username: str
    payload: dict[str, Any]
    attempt: int
    click_state: ClickState
    account: AccountInfo | None
    work_dir: Path
    cancelled: threading.Event
    report: Callable[[int, str], None]
    set_click_state: Callable[[ClickState], None]
    browser: Browser | None = None

    @property
    def driver(self) -> Any:
        """The lent WebDriver (kinds that need a browser get one)."""
        assert self.browser is not None, "this kind asked for no browser"
        return self.browser.driver


def account_lane(user_id: int, platform: str | None, account_id: int | None) -> str:
    """The lane of one user's platform account: its jobs run one at a time, paced as the account says."""
    return f"{user_id}/{platform}/{account_id}"


class JobKind(Protocol):
    """One kind of job: a name, whether it needs a browser, and how to run it."""

    name: str
    needs_browser: bool

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """Jobs of one lane run one at a time (e.g. one per platform account); "" for none."""
        ...

    def run(self, ctx: JobContext) -> JobResult:
        """Do the work; raise PermanentFailure / TransientFailure / OutcomeUnknown on failure."""
        ...

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """The kind's own effects of a success, in the transaction that records it (e.g. account state)."""
        ...
