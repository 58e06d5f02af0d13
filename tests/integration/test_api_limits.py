"""Every admission boundary as a user meets it (status, code, Retry-After, can_submit), and body limits."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from support import ADMIN_TOKEN, LiveServer, ServerProcess, article

pytestmark = pytest.mark.timeout(120)
MB = 1024 * 1024


def paused(server: LiveServer) -> LiveServer:
    """Nothing starts: every submitted job stays unfinished, so the limits are met exactly."""
    server.engine.server.pause()
    return server


def submit(server: LiveServer, token: str, n: int, tag: str = "lim") -> tuple[int, Any, dict[str, str]]:
    body = {"platform": "demo", "articles": [article(tag, i) for i in range(n)]}
    return server.call("POST", "/api/jobs/publish", body, token=token)


def refused(answer: tuple[int, Any, dict[str, str]], status: int, code: str, can_submit: int) -> int:
    """Assert a refusal as SPEC words it; print what the user saw; return Retry-After."""
    got, body, headers = answer
    assert (got, body["error"]["code"], body["error"]["can_submit"]) == (status, code, can_submit), body
    retry_after = int(headers["Retry-After"])
    assert retry_after >= 1
    print(f"\n  {status} {code}: can_submit={can_submit} Retry-After={retry_after} — {body['error']['message']}")
    return retry_after


def total(server: LiveServer, token: str) -> int:
    return server.ok("GET", "/api/jobs?limit=1", token=token)["total"]


@pytest.mark.server(user_max_active=3, user_rate_limit="100/minute")
def test_too_many_active_jobs(live_server: LiveServer) -> None:
    s = paused(live_server)
    token = s.make_user("busy")
    assert submit(s, token, 2)[0] == 202
    refused(submit(s, token, 2), 429, "too_many_active_jobs", can_submit=1)
    assert total(s, token) == 2  # all or nothing: the refused batch created no job
    (last,) = submit(s, token, 1)[1]["job_ids"]
    refused(submit(s, token, 1), 429, "too_many_active_jobs", can_submit=0)
    account = s.ok("GET", "/api/accounts", token=token)["accounts"][0]["id"]
    refused(s.call("POST", f"/api/accounts/{account}/check", token=token), 429, "too_many_active_jobs", 0)
    s.ok("POST", f"/api/jobs/{last}/cancel", token=token)  # only unfinished jobs count
    assert submit(s, token, 1)[0] == 202
    refused(s.call("POST", f"/api/jobs/{last}/retry", token=token), 429, "too_many_active_jobs", 0)  # a job too
    assert submit(s, s.make_user("calm"), 3)[0] == 202  # another user's room is their own
    metrics = s.call("GET", "/metrics")[1].decode()
    assert 'examgen_admission_rejections_total{code="too_many_active_jobs"} 4.0' in metrics


@pytest.mark.server(user_max_active=100, user_rate_limit="3/minute")
def test_the_rate_limit_counts_submissions_not_jobs(live_server: LiveServer) -> None:
    s = paused(live_server)
    token = s.make_user("hasty")
    assert submit(s, token, 30)[0] == 202  # a batch of 30 is one submission
    assert submit(s, token, 1)[0] == 202
    assert s.ok("GET", "/queue/status", token=token)["user"]["can_submit"] == 69
    assert submit(s, token, 1)[0] == 202
    wait = refused(submit(s, token, 1), 429, "rate_limited", can_submit=0)
    assert wait <= 60
    assert s.ok("GET", "/queue/status", token=token)["user"]["can_submit"] == 0
    for job in s.ok("GET", "/api/jobs?limit=100", token=token)["jobs"]:
        s.ok("POST", f"/api/jobs/{job['job_id']}/cancel", token=token)
    refused(submit(s, token, 1), 429, "rate_limited", can_submit=0)  # the window counts requests, not what is left
    assert total(s, token) == 32
    assert submit(s, s.make_user("patient"), 5)[0] == 202


@pytest.mark.server(user_max_active=100, user_rate_limit="3/minute")
def test_a_refused_submission_counts_against_the_rate_too(live_server: LiveServer) -> None:
    s = paused(live_server)
    token = s.make_user("pushy")
    assert submit(s, token, 100)[0] == 202
    refused(submit(s, token, 1), 429, "too_many_active_jobs", can_submit=0)
    refused(submit(s, token, 1), 429, "too_many_active_jobs", can_submit=0)
    refused(submit(s, token, 1), 429, "rate_limited", can_submit=0)


def test_a_batch_of_100_is_accepted_with_the_default_limits(live_server: LiveServer) -> None:
    s = paused(live_server)
    assert (s.config.user_max_active, s.config.user_max_running, s.config.rate_limit) == (200, 10, (20, 60))
    token = s.make_user("bulk")
    status, body, _ = submit(s, token, 100)
    assert status == 202 and len(body["job_ids"]) == 100
    assert submit(s, token, 100)[0] == 202
    refused(submit(s, token, 1), 429, "too_many_active_jobs", can_submit=0)
    assert total(s, token) == 200


@pytest.mark.server(max_queue_size=4, user_max_active=10, user_rate_limit="100/minute")
def test_queue_full(live_server: LiveServer) -> None:
    s = paused(live_server)
    alice, bob = s.make_user("alice"), s.make_user("bob")
    assert submit(s, alice, 3)[0] == 202
    refused(submit(s, bob, 2), 503, "queue_full", can_submit=1)
    assert submit(s, bob, 1)[0] == 202
    refused(submit(s, bob, 1), 503, "queue_full", can_submit=0)
    refused(submit(s, alice, 1), 503, "queue_full", can_submit=0)
    assert s.ok("GET", "/queue/status", token=ADMIN_TOKEN)["users"] == {
        "alice": {"queued": 3, "running": 0, "scheduled": 0},
        "bob": {"queued": 1, "running": 0, "scheduled": 0},
    }


def test_shutting_down(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("late")
    stopper = threading.Thread(target=s.engine.server.stop, kwargs={"grace": 1})
    stopper.start()
    stopper.join(15)
    status, body, headers = submit(s, token, 1)
    assert (status, body["error"]["code"]) == (503, "shutting_down"), body
    assert int(headers["Retry-After"]) >= 1
    print(f"\n  503 shutting_down: Retry-After={headers['Retry-After']} — {body['error']['message']}")
    status, health, _ = s.call("GET", "/healthz")
    assert status == 503 and health["status"] == "unhealthy" and health["shutting_down"] is True


def send_big(port: int, size: int, token: str, chunked: bool = False) -> tuple[int, bool]:
    """Stream ``size`` bytes of body at the server; (HTTP status, whether the server took the whole body)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    sock.sendall(
        f"POST /api/jobs/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n".encode()
    )
    block = b"x" * 65536
    took_all = False
    try:
        for _ in range(size // len(block)):
            sock.sendall(b"10000\r\n" + block + b"\r\n" if chunked else block)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        took_all = True
    except OSError:
        pass  # the server answered early and closed: what we want
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except OSError:
        pass
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1]), took_all


def test_30_mb_is_refused_by_the_app(live_server: LiveServer) -> None:
    """In this process waitress has no body limit: Flask's MAX_CONTENT_LENGTH (MAX_UPLOAD_MB + 2) answers."""
    status, _ = send_big(live_server.config.port, 30 * MB, ADMIN_TOKEN)
    assert status == 413
    assert live_server.ok("GET", "/healthz")["status"] == "ok"


def test_30_mb_from_an_ordinary_client_gets_the_apps_json_413(
    server_process: type[ServerProcess], instance: Any
) -> None:
    """urllib sends the whole body before reading: under waitress's cap the app answers, in JSON."""
    proc = server_process(instance).start()
    status, body, _ = proc.call(
        "POST",
        "/api/jobs/publish",
        token=ADMIN_TOKEN,
        raw=b"x" * (30 * MB),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert status == 413 and body["error"]["code"] == "too_large"
    assert proc.ok("GET", "/healthz")["status"] == "ok"


def test_a_body_over_the_server_cap_is_refused_by_waitress_unread(
    server_process: type[ServerProcess], instance: Any
) -> None:
    """Over waitress's outer cap (64 MiB here) a declared or streamed body is refused at once."""
    proc = server_process(instance).start()
    for chunked in (False, True):
        status, took_all = send_big(proc.port, 80 * MB, ADMIN_TOKEN, chunked=chunked)
        assert status == 413 and not took_all, (chunked, status, took_all)  # cut off, not read to the end
    assert proc.ok("GET", "/healthz")["status"] == "ok"
