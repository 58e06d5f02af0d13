"""Publishing on a schedule: scheduled until due, then queued; cancelled, moved, spread; restarts.

Waiting is on conditions (a later sentinel job having run proves an earlier due time has passed),
never on bare sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from support import ADMIN_TOKEN, LiveServer, ServerProcess, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def at(seconds: float) -> str:
    """An ISO 8601 time ``seconds`` from now, with its zone (+08:00, as a user in Beijing writes it)."""
    beijing = timezone(timedelta(hours=8))
    return (datetime.now(UTC) + timedelta(seconds=seconds)).astimezone(beijing).isoformat(timespec="milliseconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.server(user_max_active=2, max_queue_size=3)
def test_scheduled_jobs_wait_count_against_no_limit_until_due_then_run(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("sched")
    # due late enough that the checks below, while the "[now]" job starts its browser, still find them
    # scheduled on a loaded machine (at 3 s, four requests and a cold Chromium launch could outlast it)
    body = {"platform": "demo", "articles": [article("[later]", i) for i in range(3)], "publish_at": at(10)}
    status, answer, _ = s.call("POST", "/api/jobs/publish", body, token)
    assert status == 202, answer  # three scheduled jobs although at most two may be unfinished
    jobs = answer["jobs"]
    assert {j["status"] for j in jobs} == {"scheduled"} and all(j["position"] is None for j in jobs)
    assert all(j["publish_at"] and j["estimated_start_seconds"] is not None for j in jobs)
    assert s.call("POST", "/api/jobs/publish", {"platform": "demo", "articles": [article("[now]", 0)]}, token)[0] == 202
    queue = s.ok("GET", "/queue/status", token=ADMIN_TOKEN)
    assert queue["scheduled"] == 3 and queue["users"]["sched"]["scheduled"] == 3
    assert "examgen_jobs_scheduled 3.0" in s.call("GET", "/metrics")[1].decode()
    final = s.wait_final(token, [j["job_id"] for j in jobs], timeout=180)
    assert {j["status"] for j in final.values()} == {"success"}
    for job in final.values():
        assert parse(job["started_at"]) >= parse(job["publish_at"]).replace(microsecond=0)
    assert s.ok("GET", "/queue/status", token=token)["scheduled"] == 0


def test_a_scheduled_job_cancelled_before_due_never_runs_and_one_moved_waits(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("mover")
    # the cancel and the move must come before the due time (at 2 s, a stalled request could miss it)
    cancel_me, move_me = s.publish(token, [article("[cancel]", 0), article("[move]", 0)], publish_at=at(10))
    (sentinel,) = s.publish(token, [article("[sentinel]", 0)], publish_at=at(11))
    assert s.ok("POST", f"/api/jobs/{cancel_me}/cancel", token=token)["job"]["status"] == "cancelled"
    far = at(3600)
    moved = s.ok("POST", f"/api/jobs/{move_me}/reschedule", {"publish_at": far}, token)["job"]
    assert moved["status"] == "scheduled" and parse(moved["publish_at"]) == parse(far).replace(microsecond=0)
    assert moved["estimated_start_seconds"] >= 3500
    s.wait_final(token, [sentinel])  # every earlier due time has passed
    assert s.job(token, cancel_me)["status"] == "cancelled"
    assert s.job(token, move_me)["status"] == "scheduled"
    titles = {a["title"] for a in s.articles()}
    assert "[sentinel] article 0" in titles and not {"[cancel] article 0", "[move] article 0"} & titles

    other = s.make_user("stranger")
    assert s.call("POST", f"/api/jobs/{move_me}/reschedule", {"publish_at": at(10)}, other)[0] == 404
    status, error, _ = s.call("POST", f"/api/jobs/{move_me}/reschedule", {"publish_at": "2026-12-24T09:00:00"}, token)
    assert status == 400 and "publish_at" in error["error"]["fields"], error
    assert "time zone" in error["error"]["fields"]["publish_at"]
    now = s.ok("POST", f"/api/jobs/{move_me}/reschedule", {"publish_at": at(-5)}, token)["job"]
    assert now["status"] in ("queued", "running", "success")
    assert s.wait_final(token, [move_me])[move_me]["status"] == "success"
    assert s.call("POST", f"/api/jobs/{move_me}/reschedule", {"publish_at": far}, token)[0] == 409


def test_spread_gives_one_publish_time_every_interval(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("spread")
    start = at(1)
    ids = s.publish(token, [article("[spread]", i) for i in range(3)], publish_at=start, spread="2s")
    jobs = s.wait_final(token, ids, timeout=180)
    times = [parse(jobs[i]["publish_at"]) for i in ids]
    assert [(t - times[0]).total_seconds() for t in times] == [0, 2, 4]
    assert all(parse(jobs[i]["started_at"]) >= parse(jobs[i]["publish_at"]).replace(microsecond=0) for i in ids)
    per_article = [
        {**article("[own]", 0), "publish_at": at(3600)},
        article("[own]", 1),
    ]
    own, batch = s.publish(token, per_article, publish_at=at(1800), spread="20m")
    assert parse(s.job(token, own)["publish_at"]) > parse(s.job(token, batch)["publish_at"])  # its own time wins
    for bad in ({"spread": "soon"}, {"publish_at": "tomorrow"}, {"publish_at": "2026-12-24 09:00"}):
        body = {"platform": "demo", "articles": per_article, **bad}
        status, error, _ = s.call("POST", "/api/jobs/publish", body, token)
        assert status == 400 and set(bad) <= set(error["error"]["fields"]), error


def test_scheduled_jobs_survive_a_kill_9_and_a_restart(server_process: type[ServerProcess], instance) -> None:
    first = server_process(instance).start()
    token = first.make_user("durable")
    soon = first.publish(token, [article("[soon]", 0)], publish_at=at(6))
    later = first.publish(token, [article("[later]", 0)], publish_at=at(3600))
    first.kill9()

    second = server_process(instance, port=first.port).start()
    assert second.job(token, soon[0])["status"] in ("scheduled", "queued", "running", "success")
    assert second.wait_final(token, soon, timeout=180)[soon[0]]["status"] == "success"
    kept = second.job(token, later[0])
    assert kept["status"] == "scheduled" and kept["estimated_start_seconds"] > 3000
    assert second.terminate() == 0

    third = server_process(instance, port=first.port).start()  # and a graceful restart
    assert third.job(token, later[0])["status"] == "scheduled"
    assert third.ok("GET", "/queue/status", token=token)["scheduled"] == 1
    assert len([a for a in third.articles() if a["title"] == "[soon] article 0"]) == 1
    assert third.ok("POST", f"/api/jobs/{later[0]}/cancel", token=token)["job"]["status"] == "cancelled"
