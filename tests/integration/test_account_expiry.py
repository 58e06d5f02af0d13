"""An account that logs out between publishes: the rest of its batch waits, then resumes on new cookies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from support import ADMIN_TOKEN, LiveServer, article, wait_until

from app.engine.lanes import PAUSED_PHASE
from app.engine.login_checks import queue_due_checks
from app.models import Account, utcnow

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path_factory.mktemp("expiry") / "instance", max_concurrent_jobs=1).start()
    try:
        yield srv
    finally:
        srv.stop()


def account(srv: LiveServer, token: str) -> dict:
    (found,) = srv.ok("GET", "/api/accounts", token=token)["accounts"]
    return found


def titled(srv: LiveServer, title: str) -> int:
    return sum(1 for a in srv.articles() if a["title"] == title)


def test_an_account_logged_out_mid_batch_pauses_the_rest_and_resumes_on_new_cookies(server: LiveServer) -> None:
    token = server.make_user("expiring")
    (first,) = server.publish(token, [article("[exp] before", 0)])
    assert server.wait_final(token, [first])[first]["status"] == "success"
    assert account(server, token)["state"] == "ok"

    server.knobs(logout_all=True)  # the platform logs the account out
    try:
        sent = [article("[exp] batch", i) for i in range(4)]
        ids = server.publish(token, sent)
        # the job that found out waits too, with what it met (the error and its screenshot)
        wait_until(lambda: server.job(token, ids[0])["error_code"] == "not_logged_in", 60, "the logout found")
        found = server.job(token, ids[0])
        assert (found["status"], found["phase"], found["attempts"]) == ("queued", PAUSED_PHASE, 0), found
        assert server.call("GET", f"/api/jobs/{ids[0]}/screenshot", token=token)[0] == 200
        rest = [server.job(token, i) for i in ids[1:]]
        assert all((j["status"], j["phase"]) == ("queued", PAUSED_PHASE) for j in rest), rest
        acct = account(server, token)
        assert (acct["state"], acct["login_ok"]) == ("expired", False) and acct["checked_at"]
        assert server.ok("GET", "/queue/status", token=ADMIN_TOKEN)["accounts"]["expired"] == 1
        # the check is scheduled by a listener just after the job is parked: wait for it
        wait_until(lambda: scheduled_checks(server, token), 30, "the recheck scheduled")
        (recheck,) = scheduled_checks(server, token)  # one, however many jobs found the logout
        assert 240 < seconds_until(recheck["publish_at"]) <= 300
        assert 'examgen_accounts{state="expired"} 1.0' in server.call("GET", "/metrics")[1].decode()
        # a login check still runs in the paused lane (the dispatcher is busy), and the batch still waits
        check = server.ok("POST", f"/api/accounts/{acct['id']}/check", {}, token, 202)["job"]["job_id"]
        assert server.wait_final(token, [check])[check]["error_code"] == "not_logged_in"
        assert [server.job(token, i)["status"] for i in ids] == ["queued"] * 4
    finally:
        server.ok("POST", "/demo/api/knobs/reset")

    # fresh cookies saved: the paused jobs continue
    cookies = [{"name": "demo_user", "value": "expiring"}]
    server.ok("POST", "/api/accounts", {"platform": "demo", "name": "main", "cookies": cookies}, token, 200)
    done = server.wait_final(token, ids, timeout=180)
    assert [done[i]["status"] for i in ids] == ["success"] * 4  # no job failed
    assert [titled(server, a["title"]) for a in sent] == [1, 1, 1, 1]  # none published twice
    assert account(server, token)["state"] == "ok"


def scheduled_checks(srv: LiveServer, token: str) -> list[dict]:
    return srv.ok("GET", "/api/jobs?kind=check_login&status=scheduled", token=token)["jobs"]


def seconds_until(stamp: str) -> float:
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - datetime.now(UTC)).total_seconds()


def test_a_logout_that_passes_heals_itself_through_the_automatic_recheck(server: LiveServer) -> None:
    token = server.make_user("hiccup")
    server.knobs(logout_all=True)  # the platform shows a logged-out page for a while
    try:
        ids = server.publish(token, [article("[hiccup]", i) for i in range(2)])
        wait_until(lambda: server.job(token, ids[0])["error_code"] == "not_logged_in", 60, "the logout found")
    finally:
        server.ok("POST", "/demo/api/knobs/reset")
    wait_until(lambda: scheduled_checks(server, token), 30, "the recheck scheduled")
    (recheck,) = scheduled_checks(server, token)
    assert [server.job(token, i)["phase"] for i in ids] == [PAUSED_PHASE] * 2
    # nobody touches the account; the check examgen scheduled comes due (moved to now here)
    now = datetime.now(UTC).isoformat()
    server.ok("POST", f"/api/jobs/{recheck['job_id']}/reschedule", {"publish_at": now}, token)
    done = server.wait_final(token, [recheck["job_id"], *ids], timeout=120)
    assert [done[i]["status"] for i in (recheck["job_id"], *ids)] == ["success"] * 3
    assert [titled(server, f"[hiccup] article {i}") for i in range(2)] == [1, 1]
    assert account(server, token)["state"] == "ok"


def test_a_scheduled_check_runs_when_due_and_records_the_time(server: LiveServer) -> None:
    token = server.make_user("checked")
    acct = account(server, token)
    eng = server.engine
    long_ago = utcnow() - timedelta(hours=7)
    with eng.db.write() as s:
        s.execute(update(Account).where(Account.id == acct["id"]).values(checked_at=long_ago, login_ok=True))
    ids = queue_due_checks(eng.server, 6)  # what the maintenance chore does every minute
    mine = [i for i in ids if server.call("GET", f"/api/jobs/{i}", token=token)[0] == 200]
    assert len(mine) == 1
    job = server.wait_final(token, mine)[mine[0]]
    assert (job["kind"], job["status"]) == ("check_login", "success")
    after = account(server, token)
    assert after["state"] == "ok" and after["checked_at"] > long_ago.strftime("%Y-%m-%dT%H:%M:%SZ")
