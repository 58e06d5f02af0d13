"""The runner's outcome classification: what each way a run can end leaves in the job store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from core_harness import Core, migrated_schema
from selenium.common.exceptions import WebDriverException

from app.errors import OutcomeUnknown, PermanentFailure, TransientFailure
from app.kinds.base import JobContext, JobResult
from app.models import ClickState, JobStatus


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_schema(tmp_path_factory.mktemp("schema"))


@pytest.fixture
def core(tmp_path: Path, schema: Path) -> Iterator[Core]:
    c = Core(tmp_path, schema, max_retries=1)  # two attempts
    yield c
    c.close()


def raising(exc: Exception, click: ClickState | None = None) -> Callable[[JobContext], JobResult]:
    def action(ctx: JobContext) -> JobResult:
        if click is not None:
            ctx.set_click_state(click)
        raise exc

    return action


def run(core: Core, action: Callable[[JobContext], JobResult], attempts: int = 1) -> dict[str, object]:
    """Submit one job doing ``action`` and run it ``attempts`` times; its stored outcome."""
    core.kind.actions["x"] = action
    (job_id,) = core.submit("alice", "x")
    for attempt in range(attempts):
        if attempt:
            assert core.job(job_id).status == JobStatus.RETRYING
            assert core.server.requeue_ids([job_id]) == 1  # the backoff is over
        assert core.step() is True
    job = core.job(job_id)
    return {"status": job.status, "code": job.error_code, "attempts": job.attempts, "click": job.click_state}


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (TransientFailure("platform_unavailable", "503"), "platform_unavailable"),
        (WebDriverException("chrome not reachable"), "browser_error"),
        (KeyError("surprise"), "internal_error"),
    ],
)
def test_a_transient_failure_is_retried_then_fails(core: Core, exc: Exception, code: str) -> None:
    assert run(core, raising(exc)) == {"status": "retrying", "code": code, "attempts": 1, "click": "none"}
    assert run(core, raising(exc), attempts=2)["status"] == JobStatus.FAILED


def test_a_permanent_failure_fails_at_once(core: Core) -> None:
    outcome = run(core, raising(PermanentFailure("login_expired", "log in again")))
    assert outcome == {"status": "failed", "code": "login_expired", "attempts": 1, "click": "none"}


def test_an_unknown_outcome_goes_to_a_person(core: Core) -> None:
    outcome = run(core, raising(OutcomeUnknown("unverified", "cannot tell"), click=ClickState.ABOUT))
    assert outcome == {"status": "needs_review", "code": "unverified", "attempts": 1, "click": "about"}


def test_a_failure_after_the_click_is_retried_to_reconcile_then_never_called_failed(core: Core) -> None:
    action = raising(TransientFailure("browser_error", "crashed"), click=ClickState.ABOUT)
    assert run(core, action)["status"] == JobStatus.RETRYING  # the next attempt checks the platform first
    assert run(core, action, attempts=2)["status"] == JobStatus.NEEDS_REVIEW


def test_a_cancel_before_the_click_cancels(core: Core) -> None:
    def cancelled(ctx: JobContext) -> JobResult:
        ctx.cancelled.set()  # what POST /cancel does to a running job
        raise TransientFailure("interrupted", "stopped")

    assert run(core, cancelled)["status"] == JobStatus.CANCELLED


def test_a_cancel_after_the_click_goes_to_a_person(core: Core) -> None:
    def cancelled(ctx: JobContext) -> JobResult:
        ctx.set_click_state(ClickState.DONE)
        ctx.cancelled.set()
        raise TransientFailure("interrupted", "stopped")

    assert run(core, cancelled)["status"] == JobStatus.NEEDS_REVIEW


def test_a_cancel_that_arrives_as_the_run_succeeds_before_the_click_cancels(core: Core) -> None:
    def finished_anyway(ctx: JobContext) -> JobResult:
        ctx.cancelled.set()
        return JobResult(result_url="http://demo/p/1")

    assert run(core, finished_anyway)["status"] == JobStatus.CANCELLED


def test_a_run_over_its_deadline_is_a_retried_timeout(core: Core) -> None:
    def too_slow(ctx: JobContext) -> JobResult:
        handle = core.server._dispatcher.handle(ctx.job_id)
        assert handle is not None
        handle.timed_out = True  # what the maintenance chore sets before it kills the browser
        raise WebDriverException("session deleted")

    assert run(core, too_slow) == {"status": "retrying", "code": "timeout", "attempts": 1, "click": "none"}


def test_success_stores_the_result_and_clears_the_error(core: Core) -> None:
    outcomes = iter([TransientFailure("platform_unavailable", "503"), None])

    def flaky(ctx: JobContext) -> JobResult:
        exc = next(outcomes)
        if exc:
            raise exc
        return JobResult(result_url="http://demo/p/7", article_id="7")

    assert run(core, flaky, attempts=2) == {"status": "success", "code": None, "attempts": 2, "click": "none"}
