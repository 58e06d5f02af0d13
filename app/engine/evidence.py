"""Evidence of a failed attempt: a screenshot, the page's HTML and its URL, kept on disk."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.engine.browser import Browser, call_with_timeout

log = logging.getLogger("examgen.evidence")


def evidence_dir(work_root: Path, job_id: str) -> Path:
    """Where a job's evidence files live."""
    return Path(work_root) / "evidence" / job_id


def capture_evidence(browser: Browser | None, work_root: Path, job_id: str, attempt: int) -> dict[str, Any] | None:
    """Save what this attempt's own tab shows now; None when it never left its blank start page.

    A job runs in a browser context of its own (app.engine.isolation) that starts on about:blank, or
    on the page the same owner's previous job ended on; neither is caught, only pages it navigated to.
    """
    if browser is None or browser.killed:
        return None
    contexts = browser.contexts
    if contexts is not None:
        ok, own = call_with_timeout(contexts.showing_own_page, 5)
        if not ok or not own:
            return None  # not a page of this attempt's own: nobody's, or the previous job's
    ok, url = call_with_timeout(lambda: browser.driver.current_url, 5)
    if not ok or not url or url == "about:blank":
        return None
    folder = evidence_dir(work_root, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"attempt-{attempt}.png"
    html = folder / f"attempt-{attempt}.html"

    def grab() -> None:
        driver = browser.driver
        driver.save_screenshot(str(shot))
        html.write_text(driver.page_source, encoding="utf-8")

    ok, _ = call_with_timeout(grab, 10)
    if not ok:
        log.warning("Job %s: could not capture evidence of attempt %d", job_id, attempt)
        return None
    return {"attempt": attempt, "url": url, "screenshot": shot.name if shot.exists() else None, "html": html.name}
