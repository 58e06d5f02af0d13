"""Security basics on a live server: headers everywhere (the demo still works under the CSP), no secret in
logs or answers, cookies stored encrypted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support import ADMIN_TOKEN, LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

SECRET = "sess-7f3a9b1c5e2d4f60a8b7c6d5e4f3a2b1"  # a platform session cookie nobody may ever see again
IDENTITY = "zq-demo-writer-5c1e"  # the demo login: our account's identity on that platform


def headers_ok(headers: dict[str, str], where: str) -> None:
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'self'" in csp, where
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0], where
    assert headers.get("X-Frame-Options") == "DENY", where


def test_every_answer_has_the_security_headers(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("hdr")
    for method, path, tok in [
        ("GET", "/api/me", token),
        ("GET", "/api/jobs", token),
        ("GET", "/api/me", None),  # 401
        ("GET", "/api/nowhere", token),  # 404
        ("DELETE", "/api/me", token),  # 405
        ("GET", "/healthz", None),
        ("GET", "/metrics", None),
        ("GET", "/api/openapi.json", None),
        ("GET", "/demo/login", None),
        ("GET", "/demo/static/demo/write.js", None),
        ("GET", "/demo/api/articles", None),
    ]:
        status, _, headers = s.call(method, path, token=tok)
        assert status < 500, (method, path, status)
        headers_ok(headers, f"{method} {path}")
        if path.startswith("/api/"):
            assert headers.get("Cache-Control") == "no-store", path  # tokens and private data: never cached


def test_a_publish_works_under_the_csp_and_logs_no_secret(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The publish drives /demo/write (its own script file) in Chromium under our CSP; nothing secret is logged."""
    s = live_server
    for chatty in ("selenium", "urllib3"):  # capped at WARNING in production too (app.logs.configure_logging)
        caplog.set_level(logging.WARNING, logger=chatty)
    caplog.set_level(logging.DEBUG)  # everything else, at every level (this also opens the capture handler)
    token = s.make_user("writer", demo_account=False)
    cookies = [{"name": "demo_user", "value": IDENTITY}, {"name": "platform_session", "value": SECRET}]
    s.ok("POST", "/api/accounts", {"platform": "demo", "name": "main", "cookies": cookies}, token, 201)
    headers_ok(s.call("GET", "/demo/write")[2], "/demo/write")
    (job_id,) = s.publish(token, [article("[csp]", 0)])
    job = s.wait_final(token, [job_id])[job_id]
    assert job["status"] == "success", job  # the editor's script ran: typing, confirm, redirect
    assert [a["author"] for a in s.articles() if a["title"] == "[csp] article 0"] == [IDENTITY]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert f"Job {job_id}" in logged  # the capture did see the job's log lines
    print(f"\n  {len(caplog.records)} log records checked")
    for secret in (SECRET, token, ADMIN_TOKEN):
        assert secret not in logged, "a secret reached the log"


def test_cookies_are_never_returned_and_stored_encrypted(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("keeper", demo_account=False)
    cookies = [{"name": "demo_user", "value": IDENTITY}, {"name": "platform_session", "value": SECRET}]
    saved = s.ok("POST", "/api/accounts", {"platform": "demo", "name": "main", "cookies": cookies}, token, 201)
    replaced = s.ok("POST", "/api/accounts", {"platform": "demo", "name": "main", "cookies": cookies}, token, 200)
    (job_id,) = s.publish(token, [article("[keep]", 0)])
    s.wait_final(token, [job_id])
    account_id = saved["account"]["id"]
    answers = [saved, replaced]
    for path in [
        "/api/accounts",
        "/api/jobs",
        f"/api/jobs/{job_id}",
        f"/api/jobs/status?ids={job_id}",
        "/queue/status",
        "/api/me",
        "/metrics",
        "/api/openapi.json",
    ]:
        answers.append(s.call("GET", path, token=token)[1])
    answers.append(s.call("POST", f"/api/accounts/{account_id}/check", token=token)[1])
    answers.append(s.call("GET", "/api/jobs?user=keeper&limit=100", token=ADMIN_TOKEN)[1])
    for answer in answers:
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        assert SECRET not in text, text[:300]
    listed = s.ok("GET", "/api/accounts", token=token)["accounts"]
    for account in [saved["account"], replaced["account"], *listed]:
        assert not {"cookies", "cookies_encrypted"} & set(account), account
    database = Path(s.config.database_url.split("///", 1)[1]).read_bytes()
    wal = Path(str(Path(s.config.database_url.split("///", 1)[1])) + "-wal")
    stored = database + (wal.read_bytes() if wal.exists() else b"")
    assert SECRET.encode() not in stored  # Fernet-encrypted at rest
