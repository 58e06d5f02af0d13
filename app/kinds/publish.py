"""The publish kind: an article to a platform through a real browser, verified, never twice."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from app.errors import OutcomeUnknown, PermanentFailure
from app.kinds.base import JobContext, JobResult, account_lane
from app.models import Account, ClickState, Job, utcnow
from app.platforms.base import Lookup, Platform, Published
from app.platforms.browsing import merge_cookies, normalize
from app.platforms.matching import similarity

log = logging.getLogger("examgen.publish")


class PublishKind:
    """Sign in with the account's cookies, check who is logged in, write, click once, verify."""

    name = "publish"
    needs_browser = True

    def __init__(self, platforms: dict[str, Platform], confirm_timeout: float = 60) -> None:
        self.platforms = platforms
        self.confirm_timeout = confirm_timeout

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """One publish at a time per (user, platform account)."""
        return account_lane(user_id, payload.get("platform"), account_id)

    def run(self, ctx: JobContext) -> JobResult:
        """Publish ``ctx.payload``'s article; reconcile first if an earlier run may have clicked."""
        platform = self._platform(ctx.payload.get("platform", ""))
        if ctx.account is None:
            raise PermanentFailure("account_missing", "The platform account of this job was removed")
        title, content = ctx.payload["title"], ctx.payload["content"]
        driver = ctx.driver

        ctx.report(5, "Signing in")
        platform.with_cookies(driver, ctx.account.cookies)
        identity = platform.open_editor(driver)
        if ctx.account.identity and identity != ctx.account.identity:
            raise PermanentFailure(
                "identity_mismatch",
                f"The cookies log in as {identity!r}, not as the account's {ctx.account.identity!r}",
            )

        if ctx.click_state != ClickState.NONE:
            found = self._reconcile(ctx, platform, title, content)
            if found is not None:
                return self._result(ctx, platform, found, identity)
            platform.open_editor(driver)

        ctx.report(30, "Writing the article")
        platform.fill(driver, title, content)
        ctx.report(60, "Publishing")
        ctx.set_click_state(ClickState.ABOUT)  # from here on the outcome must be verified
        platform.submit(driver)
        # no durable write here: recovery treats "about" and "done" alike (look on the platform
        # first), so recording the confirmed click would cost a commit a job and protect nothing
        published = platform.confirm(driver, self.confirm_timeout)

        ctx.report(85, "Verifying the published article")
        shown_title, shown_body = platform.read_back(driver, published)
        if normalize(shown_title) != normalize(title) or normalize(shown_body) != normalize(content):
            # published, but not as sent: publishing again would make a second copy, so a person looks
            raise OutcomeUnknown(
                "content_mismatch",
                f"Published at {published.url}, but the platform shows different text than was sent "
                f"({similarity(content, shown_body):.0%} alike); check it, then resolve this job",
                result_url=published.url,
                article_id=published.article_id,
            )
        return self._result(ctx, platform, published, identity)

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """The account shows when it last published."""
        account = session.get(Account, job.account_id) if job.account_id is not None else None
        if account is not None:
            account.last_published_at = utcnow()

    def _reconcile(self, ctx: JobContext, platform: Platform, title: str, content: str) -> Published | None:
        """An earlier run may have clicked publish: look before doing anything else."""
        ctx.report(10, "Checking whether an earlier attempt already published")
        lookup = platform.find(ctx.driver, title, content)
        log.info("Job %s reconciled on %s: %s %s", ctx.job_id, platform.name, lookup.outcome, lookup.reason)
        if lookup.outcome == Lookup.FOUND:
            return lookup.published
        if lookup.outcome == Lookup.UNKNOWN:
            raise OutcomeUnknown(
                "outcome_unknown",
                "An earlier attempt clicked publish and its result cannot be established: "
                + (lookup.reason or "the platform's article list could not be read"),
            )
        ctx.set_click_state(ClickState.NONE)  # surely absent: safe to publish
        return None

    def _result(self, ctx: JobContext, platform: Platform, published: Published, identity: str) -> JobResult:
        fresh: list[dict[str, Any]] = []
        if platform.renews_cookies:
            ctx.report(95, "Saving the session")
            try:
                fresh = ctx.driver.get_cookies()
            except Exception:  # noqa: BLE001 - saving rotated cookies is best effort
                fresh = []
        # get_cookies() sees only the current host's cookies: merge, never replace the stored set
        cookies = merge_cookies(ctx.account.cookies, fresh) if ctx.account and fresh else None
        return JobResult(
            result_url=published.url,
            article_id=published.article_id,
            cookies=cookies,
            identity=identity,
        )

    def _platform(self, name: str) -> Platform:
        try:
            return self.platforms[name]
        except KeyError:
            raise PermanentFailure("unknown_platform", f"The platform {name!r} is not available") from None
