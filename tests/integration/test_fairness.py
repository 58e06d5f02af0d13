"""Fairness under load, with real threads, real Chromium and the demo platform.

The order is read from the database's own timestamps (microseconds), windows included (from a job's
stored creation to its stored start), so the assertions count events instead of reading a clock.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from support import LiveServer, article, wait_until

from app.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def times(server: LiveServer) -> dict[str, tuple[datetime, datetime | None, datetime | None]]:
    """job id -> (created_at, started_at, finished_at), as stored."""
    with server.engine.db.read() as s:
        rows = s.execute(select(Job.id, Job.created_at, Job.started_at, Job.finished_at)).all()
    return {r.id: (r.created_at, r.started_at, r.finished_at) for r in rows}


def running(server: LiveServer, token: str) -> int:
    return server.ok("GET", "/queue/status", token=token)["processing"]


def cancel_waiting(server: LiveServer, token: str, ids: list[str]) -> None:
    """Cancel what is still queued, to keep the test short (the running ones end at teardown)."""
    for job in server.ok("GET", "/api/jobs/status?ids=" + ",".join(ids), token=token)["jobs"]:
        if job["status"] == "queued":
            server.call("POST", f"/api/jobs/{job['job_id']}/cancel", token=token)


@pytest.mark.server(max_concurrent_jobs=2, user_max_active=60, user_rate_limit="200/minute")
def test_one_users_fifty_jobs_do_not_hold_back_anothers_first(live_server: LiveServer) -> None:
    s = live_server
    alice, bob = s.make_user("alice"), s.make_user("bob")
    # a second account lets alice fill both slots whatever the accounts' pacing
    cookies = [{"name": "demo_user", "value": "alice"}]
    s.ok("POST", "/api/accounts", {"platform": "demo", "name": "second", "cookies": cookies}, alice, 201)
    s.knobs(delay_ms=300)  # slower publishes: alice's jobs stay queued while we look
    ids = s.publish(alice, [article("[A]", i) for i in range(25)])
    ids += s.publish(alice, [article("[A2]", i) for i in range(25)], account="second")
    wait_until(lambda: running(s, alice) == 2, 60, "alice to fill both slots")

    status, answer, _ = s.call("POST", "/api/jobs/publish", {"platform": "demo", "articles": [article("[B]", 0)]}, bob)
    assert status == 202, answer
    b_job = answer["jobs"][0]
    assert b_job["position"] <= 2, b_job  # at most one of alice's 48 waiting jobs is ahead of it
    wait_until(lambda: s.job(bob, b_job["job_id"])["status"] != "queued", 60, "bob's job to start")
    cancel_waiting(s, alice, ids)

    stored = times(s)
    accepted, b_started = stored[b_job["job_id"]][:2]  # count from bob's job's own creation, as stored
    assert b_started is not None
    a_runs = [stored[i] for i in ids]
    completions = sum(1 for _, _, done in a_runs if done is not None and accepted < done <= b_started)
    a_starts = sum(1 for _, start, _ in a_runs if start is not None and accepted < start < b_started)
    print(
        f"\n  bob: position {b_job['position']}; started after {completions} completions, {a_starts} of alice's starts"
    )
    # the order is the promise (below); in time, bob waits for at most the two running jobs and the one
    # ahead of him (a short job can end while a freed slot's claim is still being written on a busy machine)
    assert completions <= 3, "bob's first job waited for more than three of alice's jobs to end"
    assert a_starts <= 1, "more than one of alice's queued jobs overtook bob's first"
    # alice's 50 did not all go first: only her 2 running jobs and at most 1 queued one started before bob's
    # (counted up to bob's start: after it, freed slots start more of hers while the test cancels them)
    assert sum(1 for _, start, _ in a_runs if start is not None and start <= b_started) <= 3


@pytest.mark.server(max_concurrent_jobs=2, user_max_active=60, user_rate_limit="200/minute")
def test_priority_0_overtakes_the_same_users_priority_5(live_server: LiveServer) -> None:
    s = live_server
    carol = s.make_user("carol")
    account = next(a["id"] for a in s.ok("GET", "/api/accounts", token=carol)["accounts"])
    s.ok("PATCH", f"/api/accounts/{account}", {"concurrency": 1}, carol)  # one job at a time on it
    s.knobs(delay_ms=3000)  # the first job holds carol's account while the urgent one is submitted
    normal = s.publish(carol, [article("[p5]", i) for i in range(4)])
    wait_until(lambda: running(s, carol) == 1, 60, "carol's first job to start")  # one account: one at a time
    # nothing else starts while the urgent job is submitted, however slow the machine is
    s.engine.server.pause()
    status, answer, _ = s.call(
        "POST", "/api/jobs/publish", {"platform": "demo", "priority": 0, "articles": [article("[p0]", 0)]}, carol
    )
    assert status == 202, answer
    s.knobs(delay_ms=0)
    s.engine.server.resume()
    urgent = answer["jobs"][0]
    assert urgent["position"] == 1, urgent
    s.wait_final(carol, [urgent["job_id"]], timeout=60)
    cancel_waiting(s, carol, normal)

    stored = times(s)
    accepted, urgent_start = stored[urgent["job_id"]][:2]
    assert urgent_start is not None
    # every priority-5 job not yet started when the priority-0 one was accepted must start after it
    overtaken = [i for i in normal if stored[i][1] is None or stored[i][1] > accepted]
    assert len(overtaken) >= 2
    for job_id in overtaken:
        start = stored[job_id][1]
        assert start is None or start > urgent_start, "a priority-5 job started before the priority-0 one"
