"""Honest health: /healthz names what is wrong; without a browser jobs wait, and resume when one works."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support import LiveServer, article, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_no_browser_means_503_and_waiting_jobs_that_resume(instance: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server = LiveServer(instance, chrome_binary=str(instance / "no-chromium"), max_concurrent_jobs=1)
    server.start()
    try:
        assert "apt-get install chromium chromium-driver" in caplog.text  # the start log says how to fix it
        status, body, _ = server.call("GET", "/healthz")
        assert status == 503 and body["browsers"] is False and body["database"] and body["dispatcher"]
        assert "no-chromium" in body["problems"]["browsers"]

        token = server.make_user("patient")
        (job_id,) = server.publish(token, [article("[patient]", 0)])
        job = server.job(token, job_id)
        assert (job["status"], job["attempts"]) == ("queued", 0)  # waits; burns no retry

        server.engine.server.factory.chrome_binary = "/usr/bin/chromium"  # Chromium is installed now
        job = server.wait_final(token, [job_id], timeout=120)[job_id]
        assert (job["status"], job["attempts"]) == ("success", 1)
        assert wait_until(lambda: server.call("GET", "/healthz")[0] == 200, 30, "healthz 200")
    finally:
        server.stop()


def test_a_broken_browser_is_reported_and_costs_no_attempt(instance: Path, tmp_path: Path) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open shared object file' >&2\nexit 127\n")
    broken.chmod(0o755)
    server = LiveServer(instance, chrome_binary=str(broken), max_concurrent_jobs=1).start()
    try:
        assert server.call("GET", "/healthz")[0] == 200  # present: nothing known to be wrong yet
        token = server.make_user("unlucky")
        (job_id,) = server.publish(token, [article("[unlucky]", 0)])
        body = wait_until(lambda: (r := server.call("GET", "/healthz"))[0] == 503 and r[1], 90, "healthz 503")
        assert body["browsers"] is False and "browsers" in body["problems"]
        job = server.job(token, job_id)
        assert job["status"] == "queued" and job["attempts"] == 0
    finally:
        server.stop()
