"""The interface every publishing platform implements, and the answers it gives."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Pacing:
    """How one account may publish: jobs at once (0: no limit beyond the server's), a minimum
    interval between two publishes with jitter, a cool-down on captcha."""

    concurrency: int = 1
    min_interval: float = 0.0
    jitter: float = 0.0
    cooldown: float = 600.0
    typical_seconds: float = 0.0  # a first guess of one publish's duration, until some are measured

    def overridden(self, concurrency: float | None = None, min_interval: float | None = None) -> Pacing:
        """This pacing with a setting's or an account's own concurrency / interval (None: keep)."""
        out = self
        if concurrency is not None:
            out = replace(out, concurrency=int(concurrency))
        if min_interval is not None and min_interval != out.min_interval:
            out = replace(out, min_interval=float(min_interval), jitter=float(min_interval) / 2)
        return out


@dataclass(frozen=True)
class Published:
    """Where a published article lives."""

    url: str
    article_id: str | None = None
    # the title and body its page showed when the publish settled there, if read in the same look: then
    # read_back needs no second look at the very same page
    shown: tuple[str, str] | None = None


class Lookup(StrEnum):
    """What a search of the account's own articles established."""

    FOUND = "found"
    ABSENT = "absent"  # the list was read and the article is surely not there
    UNKNOWN = "unknown"  # the list could not be read: nobody can tell


@dataclass(frozen=True)
class LookupResult:
    outcome: Lookup
    published: Published | None = None
    reason: str = ""


class Platform(ABC):
    """A content platform, driven through a real browser like a person would.

    Failures are raised as ``PermanentFailure`` (not logged in, captcha, rejected) or
    ``TransientFailure`` (slow, flaky, down) from ``app.errors``, each with its own code.
    """

    name: str = ""
    label: str = ""
    pacing: Pacing = Pacing()
    cookie_url: str = ""  # a URL on the platform's cookie domain
    # the site renews its session cookies as it is used (Zhihu does): after each success the
    # browser's cookies are read back and saved; a site that never does spares that round trip
    renews_cookies: bool = True

    def with_cookies(self, driver: Any, cookies: list[dict[str, Any]]) -> None:
        """Give the browser the account's cookies for this platform's site."""
        from app.platforms.browsing import set_cookies

        set_cookies(driver, self.cookie_url, cookies)

    @abstractmethod
    def open_editor(self, driver: Any) -> str:
        """Open the editor with the account's cookies set; return the logged-in identity."""

    @abstractmethod
    def fill(self, driver: Any, title: str, content: str) -> None:
        """Put title and body in the editor the way a person would (typing or paste)."""

    @abstractmethod
    def submit(self, driver: Any) -> None:
        """The irreversible step: click publish (and confirm)."""

    @abstractmethod
    def confirm(self, driver: Any, timeout: float) -> Published:
        """Wait for the platform to show the published article; classify any failure."""

    @abstractmethod
    def read_back(self, driver: Any, published: Published) -> tuple[str, str]:
        """The title and body text the platform shows for a published article."""

    @abstractmethod
    def find(self, driver: Any, title: str, content: str) -> LookupResult:
        """Look for an already-published article with this title and body among the account's own."""
