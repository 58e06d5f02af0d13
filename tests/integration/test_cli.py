"""The admin CLI (``python run.py …``) as a separate process against a running server's database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from support import ADMIN_TOKEN, ROOT, ServerProcess, article, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("cli") / "instance", MAX_CONCURRENT_JOBS=1, DRIVER_POOL_SIZE=1).start()
    try:
        yield srv
    finally:
        srv.cleanup()


def cli(srv: ServerProcess, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python run.py ARGS`` with the server's environment (its instance, its database)."""
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=ROOT,
        env=srv.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def titled(srv: ServerProcess, title: str) -> int:
    return sum(1 for a in srv.articles() if a["title"] == title)


def test_users_are_created_disabled_enabled_and_given_tokens_while_the_server_runs(server: ServerProcess) -> None:
    made = cli(server, "create-user", "cli-ann", "--password-stdin", stdin="ann-password-1\n")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert server.call("GET", "/api/jobs", token=token)[0] == 200
    listed = cli(server, "users", "list")
    assert any(line.split()[:3] == ["cli-ann", "no", "no"] for line in listed.stdout.splitlines())
    second = cli(server, "users", "new-token", "cli-ann", "--token-name", "ops", "--days", "1")
    assert second.returncode == 0, second.stderr
    other = second.stdout.strip().splitlines()[-1]
    assert server.call("GET", "/api/jobs", token=other)[0] == 200
    assert cli(server, "users", "disable", "cli-ann").returncode == 0
    assert server.call("GET", "/api/jobs", token=token)[0] == 401
    assert server.call("GET", "/api/jobs", token=other)[0] == 401
    assert cli(server, "users", "enable", "cli-ann").returncode == 0
    assert server.call("GET", "/api/jobs", token=token)[0] == 200
    reset = cli(server, "users", "reset-password", "cli-ann")
    assert reset.returncode == 0 and len(reset.stdout.strip().splitlines()[-1]) >= 12
    missing = cli(server, "users", "disable", "nobody-here")
    assert missing.returncode == 1 and "no user called" in missing.stderr
    short = cli(server, "users", "reset-password", "cli-ann", "--password-stdin", stdin="short\n")
    assert short.returncode == 2
    chinese = cli(server, "create-user", "王老师")  # any script's letters; NFKC makes ｗａｎｇ and wang one name
    assert chinese.returncode == 0 and "王老师" in chinese.stdout, chinese.stderr
    assert cli(server, "users", "disable", "王老师").returncode == 0
    assert cli(server, "create-user", "ｗａｎｇ").returncode == 0
    taken = cli(server, "create-user", "wang")
    assert taken.returncode == 1 and "exists already" in taken.stderr, taken.stderr


def test_a_scheduled_job_cancelled_from_the_shell_leaves_the_servers_schedule(server: ServerProcess) -> None:
    token = server.make_user("cli-sched")
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    (job_id,) = server.publish(token, [article("[cli-sched]", 0)], publish_at=later)
    assert server.ok("GET", "/queue/status", token=token)["user"]["scheduled"] == 1
    done = cli(server, "cancel", job_id)
    assert done.returncode == 0 and "cancelled" in done.stdout
    assert server.job(token, job_id)["status"] == "cancelled"
    wait_until(
        lambda: server.ok("GET", "/queue/status", token=token)["user"]["scheduled"] == 0,
        30,
        "the server to drop the cancelled job from its schedule",
    )
    again = cli(server, "cancel", job_id)
    assert again.returncode == 1 and "only an unfinished job" in again.stderr


def test_a_running_job_cancelled_from_the_shell_stops_and_a_requeue_publishes_it_once(server: ServerProcess) -> None:
    token = server.make_user("cli-run")
    sent = article("[cli-run]", 0)
    server.knobs(delay_ms=20000)
    try:
        (job_id,) = server.publish(token, [sent])
        wait_until(lambda: server.job(token, job_id)["status"] == "running", 60, "the job to start")
        asked = cli(server, "cancel", job_id)
        assert asked.returncode == 0 and "running" in asked.stdout
        job = server.wait_final(token, [job_id], timeout=60)[job_id]
        assert job["status"] == "cancelled"
    finally:
        server.ok("POST", "/demo/api/knobs/reset")
    assert titled(server, sent["title"]) == 0
    requeued = cli(server, "requeue", job_id)
    assert requeued.returncode == 0 and "queued again" in requeued.stdout
    job = server.wait_final(token, [job_id], timeout=120)[job_id]
    assert job["status"] == "success"
    assert titled(server, sent["title"]) == 1
    refused = cli(server, "requeue", job_id)
    assert refused.returncode == 1 and "it is success" in refused.stderr


def test_a_needs_review_job_is_resolved_from_the_shell(server: ServerProcess) -> None:
    token = server.make_user("cli-review")
    server.knobs(mangle_next=1)
    (job_id,) = server.publish(token, [article("[cli-review]", 0)])
    job = server.wait_final(token, [job_id], timeout=120)[job_id]
    assert job["status"] == "needs_review"
    listed = cli(server, "jobs", "--status", "needs_review", "--user", "cli-review", "--json")
    assert [json.loads(line)["job_id"] for line in listed.stdout.splitlines()] == [job_id]
    assert cli(server, "resolve", job_id).returncode == 2  # neither --url nor --failed
    url = job["result_url"]
    done = cli(server, "resolve", job_id, "--url", url)
    assert done.returncode == 0, done.stderr
    job = server.job(token, job_id)
    assert (job["status"], job["result_url"]) == ("success", url)
    assert cli(server, "resolve", job_id, "--failed").returncode == 1


def test_a_login_check_queued_from_the_shell_runs_on_the_server(server: ServerProcess) -> None:
    token = server.make_user("cli-check")
    queued = cli(server, "accounts", "check", "--user", "cli-check")
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.split(":")[0]
    job = server.wait_final(token, [job_id], timeout=120)[job_id]
    assert (job["kind"], job["status"]) == ("check_login", "success")
    (account,) = server.ok("GET", "/api/accounts", token=token)["accounts"]
    assert account["login_ok"] is True
    listed = cli(server, "accounts", "list", "--user", "cli-check")
    assert "ok" in listed.stdout.splitlines()[1].split()


def test_status_shows_the_figures_the_server_shows(server: ServerProcess) -> None:
    status = cli(server, "status", "--json")
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    live = server.ok("GET", "/queue/status", token=ADMIN_TOKEN)
    assert doc["total_processed"] == live["total_processed"]
    assert doc["total_failed"] == live["total_failed"]
    text = cli(server, "status").stdout
    assert text.startswith("Queue size: ") and f"processing: {live['processing']}/1" in text
