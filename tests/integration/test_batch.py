"""A user's batch: the per-user running cap, per-account pacing, and honest start estimates.

Real threads, a real SQLite file, real Chromium against the demo platform. Overlaps and gaps are
read from the database's own timestamps, so the assertions count events instead of guessing.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime

import pytest
from sqlalchemy import select
from support import LiveServer, article, wait_until

from app.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def spans(server: LiveServer, ids: list[str]) -> list[tuple[datetime, datetime]]:
    """(started_at, finished_at) of the given jobs, in start order."""
    with server.engine.db.read() as s:
        rows = s.execute(select(Job.started_at, Job.finished_at).where(Job.id.in_(ids))).all()
    return sorted((r.started_at, r.finished_at) for r in rows)


def most_at_once(periods: list[tuple[datetime, datetime]]) -> int:
    """The largest number of periods that overlap at one instant."""
    events = sorted([(a, 1) for a, _ in periods] + [(b, -1) for _, b in periods], key=lambda e: (e[0], e[1]))
    now = best = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


def account_id(server: LiveServer, token: str, name: str = "main") -> int:
    return next(a["id"] for a in server.ok("GET", "/api/accounts", token=token)["accounts"] if a["name"] == name)


@pytest.mark.server(max_concurrent_jobs=3, user_max_running=1)
def test_the_per_user_running_cap_holds_while_other_users_jobs_start(live_server: LiveServer) -> None:
    s = live_server
    s.knobs(delay_ms=200)
    alice, bob = s.make_user("alice"), s.make_user("bob")
    a_ids = s.publish(alice, [article("[cap-a]", i) for i in range(5)])
    b_ids = s.publish(bob, [article("[cap-b]", i) for i in range(2)])
    s.wait_final(alice, a_ids, timeout=180)
    s.wait_final(bob, b_ids, timeout=60)
    a_spans, b_spans = spans(s, a_ids), spans(s, b_ids)
    assert most_at_once(a_spans) == 1  # never two of alice's at once, though slots were free
    assert most_at_once(b_spans) == 1
    assert b_spans[0][0] < a_spans[1][0]  # bob's first started before alice's second: not held back
    # Bob's second went ahead as soon as his first ended: at most one of alice's jobs (one that ended
    # in the same instant) was started in between, however long his first took.
    between = [start for start, _ in a_spans if b_spans[0][1] < start < b_spans[1][0]]
    assert len(between) <= 1, (a_spans, b_spans)


@pytest.mark.server(max_concurrent_jobs=4)
def test_demo_accounts_run_in_parallel_and_an_account_can_be_held_to_one_with_an_interval(
    live_server: LiveServer,
) -> None:
    s = live_server
    s.knobs(delay_ms=400)
    token = s.make_user("para")
    account = s.ok("GET", "/api/accounts", token=token)["accounts"][0]
    assert account["pacing"] == {"concurrency": 0, "min_interval": 0.0}  # the demo platform: no per-account limit
    ids = s.publish(token, [article("[par]", i) for i in range(4)])
    s.wait_final(token, ids)
    assert most_at_once(spans(s, ids)) >= 2  # one account, several jobs at once

    changed = s.ok("PATCH", f"/api/accounts/{account['id']}", {"concurrency": 1, "min_interval": 1}, token)["account"]
    assert changed["pacing"] == {"concurrency": 1, "min_interval": 1.0}
    assert (changed["concurrency"], changed["min_interval"]) == (1, 1.0)
    ids = s.publish(token, [article("[one]", i) for i in range(3)])
    s.wait_final(token, ids)
    one = spans(s, ids)
    assert most_at_once(one) == 1
    gaps = [(nxt[0] - prev[1]).total_seconds() for prev, nxt in itertools.pairwise(one)]
    assert min(gaps) >= 1.0, gaps  # the interval (plus jitter) between two publishes of the account

    back = s.ok("PATCH", f"/api/accounts/{account['id']}", {"concurrency": None, "min_interval": None}, token)
    assert back["account"]["pacing"] == {"concurrency": 0, "min_interval": 0.0}


def test_zhihu_accounts_default_to_one_at_a_time_and_an_account_can_lift_it(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("zh", demo_account=False)
    cookies = [{"name": "z_c0", "value": "x"}]
    saved = s.ok("POST", "/api/accounts", {"platform": "zhihu", "name": "main", "cookies": cookies}, token, 201)
    assert saved["account"]["pacing"] == {"concurrency": 1, "min_interval": 30}  # the cautious defaults
    lane = f"{_user_id(s, 'zh')}/zhihu/{saved['account']['id']}"
    assert s.engine.server._lanes.pacer.capacity(lane) == 1
    body = {"platform": "zhihu", "name": "main", "cookies": cookies, "concurrency": 2, "min_interval": 45}
    again = s.ok("POST", "/api/accounts", body, token, 200)["account"]
    assert again["pacing"] == {"concurrency": 2, "min_interval": 45.0}
    assert s.engine.server._lanes.pacer.capacity(lane) == 2
    status, error, _ = s.call("PATCH", f"/api/accounts/{again['id']}", {"concurrency": -1}, token)
    assert status == 400 and "concurrency" in error["error"]["fields"]
    other = s.make_user("zh-other")
    assert s.call("PATCH", f"/api/accounts/{again['id']}", {"concurrency": 3}, other)[0] == 404


def _user_id(server: LiveServer, name: str) -> int:
    from app.models import User

    with server.engine.db.read() as s:
        return s.scalar(select(User.id).where(User.username == name))


def eta_and_start(server: LiveServer, token: str, ids: list[str]) -> tuple[float, float, float]:
    """The last job's shown estimate, the seconds until it really started (from the same instant), and
    the running time of one job the estimate assumed."""
    last = ids[-1]
    shown = server.job(token, last)
    read_at = time.time()
    assumed = server.engine.server.expected_seconds("demo")
    assert shown["status"] == "queued" and shown["estimated_start_seconds"] is not None, shown
    wait_until(lambda: server.job(token, last)["status"] != "queued", 180, "the last job to start", interval=0.1)
    with server.engine.db.read() as s:
        started = s.scalar(select(Job.started_at).where(Job.id == last))
    return shown["estimated_start_seconds"], started.timestamp() - read_at, assumed


def mean_run_seconds(server: LiveServer, ids: list[str]) -> float:
    """How long these jobs ran on average, as stored."""
    with server.engine.db.read() as s:
        rows = s.execute(select(Job.started_at, Job.finished_at).where(Job.id.in_(ids))).all()
    return sum((end - start).total_seconds() for start, end in rows) / len(rows)


def close_enough(estimate: float, real: float, lengths: int, assumed: float, actual: float) -> bool:
    """Within half of the real wait, give or take what no forecast can know.

    A shared machine changes speed during a test: the jobs measured before it may run slower or
    faster than the ones after. The estimate is judged on the shape of the wait (``lengths``
    job-lengths ahead, plus intervals); its error may grow by ``lengths`` times that change.
    """
    return abs(estimate - real) <= max(0.5 * real, 2.0) + lengths * abs(actual - assumed)


def warmed_up(server: LiveServer, token: str, jobs: int) -> None:
    """Browsers started and a few publishes measured, as on a server that has been up a while."""
    slots = server.config.max_concurrent_jobs
    wait_until(lambda: server.engine.server.snapshot().pool.idle >= slots, 120, "the browsers to start")
    server.wait_final(token, server.publish(token, [article("[warm]", i) for i in range(jobs)]))
    # a job's length is recorded when its thread ends, just after its final status: wait for that,
    # so the length the estimate assumes does not change under the test's feet
    wait_until(lambda: server.engine.server.snapshot().processing == 0, 60, "the warm-up threads to end")


@pytest.mark.server(max_concurrent_jobs=4, driver_prewarm=True)
def test_the_estimate_for_the_tenth_job_of_a_batch_on_four_slots(live_server: LiveServer) -> None:
    s = live_server
    s.knobs(delay_ms=1000)
    token = s.make_user("eta")
    warmed_up(s, token, 8)
    ids = s.publish(token, [article("[eta]", i) for i in range(10)])
    estimate, real, assumed = eta_and_start(s, token, ids)
    s.wait_final(token, ids)
    actual = mean_run_seconds(s, ids)
    print(
        f"\n  10th job of 10 on 4 slots: estimated {estimate:.1f} s, started after {real:.1f} s"
        f" (a job assumed {assumed:.1f} s, took {actual:.1f} s)"
    )
    assert close_enough(estimate, real, 2, assumed, actual), (estimate, assumed, real, actual)


@pytest.mark.server(max_concurrent_jobs=4, driver_prewarm=True)
def test_the_estimate_for_a_paced_account(live_server: LiveServer) -> None:
    """A Zhihu-like account: one at a time, an interval between publishes (8 s here instead of 30 s)."""
    s = live_server
    s.knobs(delay_ms=300)
    token = s.make_user("paced")
    warmed_up(s, token, 2)
    # paced from now on: the intervals dominate the wait, as on Zhihu, whatever the machine's load
    s.ok("PATCH", f"/api/accounts/{account_id(s, token)}", {"concurrency": 1, "min_interval": 8}, token)
    ids = s.publish(token, [article("[paced]", i) for i in range(4)])
    estimate, real, assumed = eta_and_start(s, token, ids)
    actual = mean_run_seconds(s, ids[:-1])
    print(
        f"\n  4th job of 4 on a paced account: estimated {estimate:.1f} s, started after {real:.1f} s"
        f" (a job assumed {assumed:.1f} s, took {actual:.1f} s)"
    )
    assert close_enough(estimate, real, 3, assumed, actual), (estimate, assumed, real, actual)
    status = s.ok("GET", "/queue/status", token=token)
    assert status["user"]["estimated_wait_time"] >= 0
    s.wait_final(token, ids)
