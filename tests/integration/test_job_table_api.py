"""The job list's search and sort, and bulk actions: each user only ever finds and touches their own jobs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from support import LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
NOBODY = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path_factory.mktemp("table") / "instance", max_concurrent_jobs=1).start()
    srv.engine.server.pause()  # nothing runs: queued jobs stay queued while the test acts on them
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def tokens(server: LiveServer) -> dict[str, str]:
    found = {"tia": server.make_user("tia"), "uli": server.make_user("uli")}
    server.seed_finished_jobs("tia", 60)
    server.seed_finished_jobs("uli", 5)
    return found


def page(server: LiveServer, token: str, query: str) -> dict:
    return server.ok("GET", "/api/jobs?" + query, token=token)


def later(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def test_search_finds_every_word_in_titles_and_ids_of_the_callers_jobs_only(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    tia, uli = tokens["tia"], tokens["uli"]
    weekly = page(server, tia, "q=weekly&limit=100")
    assert weekly["total"] == 6 and {j["title"] for j in weekly["jobs"]} == {"Weekly exam"}
    assert page(server, tia, "q=note%200012")["total"] == 1  # both words must match
    assert page(server, tia, "q=NOTE+0012")["total"] == 1  # whatever the case
    assert page(server, tia, "q=%25")["total"] == 0  # a % is a character to find, not a wildcard
    assert page(server, tia, "q=_")["total"] == 0
    one = weekly["jobs"][0]
    assert [j["job_id"] for j in page(server, tia, "q=" + one["job_id"][:8])["jobs"]] == [one["job_id"]]
    assert [j["job_id"] for j in page(server, tia, "q=%23" + one["job_id"][:8])["jobs"]] == [one["job_id"]]
    assert page(server, tia, "q=note+000")["total"] == 9  # "000" is never looked for as the start of a random id
    assert page(server, uli, "q=" + one["job_id"][:8])["total"] == 0  # not uli's
    assert page(server, uli, "q=weekly")["total"] == 0 and page(server, uli, "q=note")["total"] == 5
    exams = page(server, tia, "kind=generate&q=exam&limit=100")
    assert exams["total"] == 3 and all(j["source"].startswith("chapter-") for j in exams["jobs"])


def test_every_sort_orders_the_whole_list_and_unstarted_jobs_come_last(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    tia = tokens["tia"]
    (waiting,) = server.publish(tia, [article("[table] later", 0)], publish_at=later(5))
    titles = [j["title"] for j in page(server, tia, "sort=title&limit=100")["jobs"]]
    assert titles == sorted(titles) and titles[0] == "History note 0000"
    assert [j["title"] for j in page(server, tia, "sort=-title&limit=100")["jobs"]] == titles[::-1]
    attempts = [j["attempts"] for j in page(server, tia, "sort=-attempts&limit=100")["jobs"]]
    assert attempts == sorted(attempts, reverse=True) and attempts[0] == 3
    for order in ("started", "-started", "finished", "-finished"):
        jobs = page(server, tia, f"sort={order}&limit=100")["jobs"]
        assert jobs[-1]["job_id"] == waiting and jobs[0]["started_at"], order  # never started: last either way
    newest = page(server, tia, "limit=1")
    assert (newest["sort"], newest["jobs"][0]["job_id"]) == ("-created", waiting)
    paged = [j["job_id"] for p in (1, 2, 3) for j in page(server, tia, f"sort=status&limit=25&page={p}")["jobs"]]
    assert len(paged) == len(set(paged)) == 61  # pages of a sorted list never overlap
    server.ok("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": [waiting]}, tia)


def test_bad_search_and_sort_are_400s_that_name_the_field(server: LiveServer, tokens: dict[str, str]) -> None:
    tia = tokens["tia"]
    for query, field in (("sort=size", "sort"), ("sort=--title", "sort"), ("q=" + "x" * 201, "q")):
        status, body, _ = server.call("GET", "/api/jobs?" + query, token=tia)
        assert status == 400 and field in body["error"]["fields"], (query, body)


def test_bulk_actions_act_on_the_callers_jobs_and_report_each_refusal(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    tia, uli = tokens["tia"], tokens["uli"]
    mine = server.publish(tia, [article("[bulk]", i) for i in range(3)], publish_at=later(2))
    (theirs,) = server.publish(uli, [article("[bulk] uli", 0)], publish_at=later(2))

    sent = [*mine, mine[0], theirs, NOBODY]
    answer = server.ok("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": sent}, tia)
    assert (answer["succeeded"], answer["failed"]) == (3, 2)  # each id once; uli's job is "not found"
    assert [r["job_id"] for r in answer["results"]] == [*mine, theirs, NOBODY]
    assert [r["code"] for r in answer["results"] if not r["ok"]] == ["not_found", "not_found"]
    assert all(r["job"]["status"] == "cancelled" for r in answer["results"] if r["ok"])
    assert server.job(uli, theirs)["status"] == "scheduled"  # untouched

    again = server.ok("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": mine[:1]}, tia)
    assert (again["succeeded"], again["results"][0]["code"]) == (0, "conflict")

    retried = server.ok("POST", "/api/jobs/bulk", {"action": "retry", "job_ids": mine[:2]}, tia)
    assert retried["succeeded"] == 2 and {r["job"]["status"] for r in retried["results"]} == {"queued"}
    refused = server.ok("POST", "/api/jobs/bulk", {"action": "delete", "job_ids": mine}, tia)
    assert (refused["succeeded"], [r["code"] for r in refused["results"]]) == (1, ["conflict", "conflict", None])
    server.ok("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": mine[:2]}, tia)
    deleted = server.ok("POST", "/api/jobs/bulk", {"action": "delete", "job_ids": mine[:2]}, tia)
    assert deleted["succeeded"] == 2
    assert all(server.call("GET", f"/api/jobs/{i}", token=tia)[0] == 404 for i in mine)
    server.ok("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": [theirs]}, uli)


def test_bad_bulk_requests_are_400s(server: LiveServer, tokens: dict[str, str]) -> None:
    tia = tokens["tia"]
    for body, field in (
        ({"action": "explode", "job_ids": [NOBODY]}, "action"),
        ({"action": "cancel", "job_ids": []}, "job_ids"),
        ({"action": "cancel", "job_ids": [NOBODY] * 101}, "job_ids"),
        ({"action": "cancel", "job_ids": ["not-a-uuid"]}, "job_ids.0"),
    ):
        status, answer, _ = server.call("POST", "/api/jobs/bulk", body, token=tia)
        assert status == 400 and field in answer["error"]["fields"], (body, answer)
    assert server.call("POST", "/api/jobs/bulk", {"action": "cancel", "job_ids": [NOBODY]})[0] == 401
