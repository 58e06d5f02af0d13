"""Evidence of a failed attempt: a screenshot, the page's HTML and its URL, kept on disk."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.browser import Browser, call_with_timeout

log = logging.getLogger("examgen.evidence")


def evidence_dir(work_root: Path, job_id: str) -> Path:
    """Where a job's evidence files live."""
    return Path(work_root) / "evidence" / job_id


def capture_evidence(browser: Browser | None, work_root: Path, job_id: str, attempt: int) -> dict[str, Any] | None:
    """Save what the browser shows now; None when there is no live browser to ask."""
    if browser is None or browser.killed:
        return None
    folder = evidence_dir(work_root, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"attempt-{attempt}.png"
    html = folder / f"attempt-{attempt}.html"

    def grab() -> str:
        driver = browser.driver
        url = driver.current_url
        driver.save_screenshot(str(shot))
        html.write_text(driver.page_source, encoding="utf-8")
        return url

    ok, url = call_with_timeout(grab, 10)
    if not ok:
        log.warning("Job %s: could not capture evidence of attempt %d", job_id, attempt)
        return None
    return {"attempt": attempt, "url": url, "screenshot": shot.name if shot.exists() else None, "html": html.name}
