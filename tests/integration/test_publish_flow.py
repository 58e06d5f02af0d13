"""Publishing through real Chromium against the demo platform, with real threads and SQLite."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from support import LiveServer, article, wait_until

from app.engine.lanes import PAUSED_PHASE

pytestmark = pytest.mark.browser


def count_titled(server: LiveServer, title: str) -> int:
    return sum(1 for a in server.articles() if a["title"] == title)


def test_a_batch_is_published_verified_and_reported(live_server: LiveServer) -> None:
    token = live_server.make_user("alice")
    arts = [article("[flow]", i) for i in range(3)] + [{"title": "学习 🎉 emoji ✅", "content": "考试\n第二行 ✅ 🎉"}]
    ids = live_server.publish(token, arts)
    jobs = live_server.wait_final(token, ids)
    published = {a["title"]: a for a in live_server.articles()}
    for job_id, sent in zip(ids, arts, strict=True):
        job = jobs[job_id]
        assert (job["status"], job["progress"], job["attempts"]) == ("success", 100, 1)
        shown = published[sent["title"]]
        assert shown["content"] == sent["content"] and shown["author"] == "alice"
        assert job["result_url"] == f"{live_server.base}/demo/p/{shown['id']}"
        assert job["article_id"] == str(shown["id"])
    status = live_server.ok("GET", "/queue/status", token=token)
    assert status["total_processed"] == 4 and status["max_queue_size"] >= 1 and status["pool"]["created"] >= 1


def test_a_flaky_editor_is_retried_until_it_works(live_server: LiveServer) -> None:
    token = live_server.make_user("flaky")
    live_server.knobs(fail_next=2)
    (job_id,) = live_server.publish(token, [article("[flaky]", 0)])
    job = live_server.wait_final(token, [job_id])[job_id]
    assert (job["status"], job["attempts"]) == ("success", 3)
    assert count_titled(live_server, "[flaky] article 0") == 1


def test_an_expired_login_makes_the_job_wait_with_evidence_instead_of_failing(live_server: LiveServer) -> None:
    token = live_server.make_user("expired")
    live_server.knobs(logout_all=True)
    try:
        (job_id,) = live_server.publish(token, [article("[expired]", 0)])
        wait_until(lambda: live_server.job(token, job_id)["error_code"] == "not_logged_in", 60, "the logout found")
    finally:
        live_server.knobs(logout_all=False)
    job = live_server.job(token, job_id)
    assert (job["status"], job["attempts"], job["phase"]) == ("queued", 0, PAUSED_PHASE)
    assert job["has_screenshot"] and "/demo/login" in job["error_page_url"]
    status, png, headers = live_server.call("GET", f"/api/jobs/{job_id}/screenshot", token=token)
    assert status == 200 and headers["Content-Type"] == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert live_server.ok("POST", f"/api/jobs/{job_id}/cancel", {}, token)["job"]["status"] == "cancelled"


def test_a_mangled_article_needs_review_and_a_retry_never_publishes_it_twice(live_server: LiveServer) -> None:
    token = live_server.make_user("mangled")
    live_server.knobs(mangle_next=1)  # stored with its last character missing
    sent = article("[mangled]", 0)
    (job_id,) = live_server.publish(token, [sent])
    job = live_server.wait_final(token, [job_id])[job_id]
    (stored,) = [a for a in live_server.articles() if a["title"] == sent["title"]]
    assert stored["content"] == sent["content"][:-1]
    assert (job["status"], job["error_code"]) == ("needs_review", "content_mismatch")
    assert job["result_url"] == f"{live_server.base}/demo/p/{stored['id']}"  # where to look
    live_server.ok("POST", f"/api/jobs/{job_id}/retry", {}, token)  # the user presses Retry
    job = live_server.wait_final(token, [job_id])[job_id]
    assert (job["status"], job["result_url"]) == ("success", f"{live_server.base}/demo/p/{stored['id']}")
    assert count_titled(live_server, sent["title"]) == 1  # reconciled: found, not published again


@pytest.mark.server(max_concurrent_jobs=2)
def test_a_captcha_cools_down_that_account_only(live_server: LiveServer) -> None:
    alice = live_server.make_user("cap-a")
    bob = live_server.make_user("cap-b")
    live_server.knobs(captcha_next=1)
    (first,) = live_server.publish(alice, [article("[cap-a]", 0)])
    job = live_server.wait_final(alice, [first])[first]
    assert (job["status"], job["error_code"], job["attempts"]) == ("failed", "captcha", 1)
    (held,) = live_server.publish(alice, [article("[cap-a]", 1)])
    (other,) = live_server.publish(bob, [article("[cap-b]", 0)])
    assert live_server.wait_final(bob, [other])[other]["status"] == "success"
    assert live_server.job(alice, held)["status"] == "queued"  # alice's account is cooling down
    accounts = live_server.ok("GET", "/api/accounts", token=alice)["accounts"]
    assert accounts[0]["cooldown_reason"] == "captcha" and accounts[0]["cooldown_until"]
    live_server.ok("POST", f"/api/jobs/{held}/cancel", {}, alice)


# JOB_TIMEOUT leaves a loaded machine time to reach the click; the hang outlasts it well. It counts from
# the claim, so it also covers a cold Chromium launch (5-10 s on a loaded machine), once per attempt here
# (the killed browser is replaced for the second): 10 s could time out before the click, or time out the
# reconciling attempt, and end as a third attempt
@pytest.mark.server(job_timeout=20)
def test_a_hung_publish_is_killed_and_reconciled_without_a_duplicate(live_server: LiveServer) -> None:
    token = live_server.make_user("hung")
    live_server.knobs(publish_hang_ms=40000)  # stored, then the platform hangs past JOB_TIMEOUT
    (job_id,) = live_server.publish(token, [article("[hung]", 0)])
    job = live_server.wait_final(token, [job_id], timeout=180)[job_id]
    assert job["status"] == "success" and job["attempts"] == 2
    assert count_titled(live_server, "[hung] article 0") == 1
    assert live_server.engine.server.snapshot().pool.recycled >= 1  # the killed browser was replaced


# JOB_TIMEOUT leaves a loaded machine time to reach the click (a cold Chromium launch included, as above);
# the hang outlasts it well
@pytest.mark.server(job_timeout=20)
def test_a_dropped_publish_is_found_absent_and_published_once(live_server: LiveServer) -> None:
    token = live_server.make_user("dropped")
    live_server.knobs(drop_next=1, publish_hang_ms=40000)
    (job_id,) = live_server.publish(token, [article("[dropped]", 0)])
    wait_until(lambda: live_server.job(token, job_id)["attempts"] >= 2, 120, "the second attempt")
    live_server.knobs(publish_hang_ms=0)
    job = live_server.wait_final(token, [job_id], timeout=180)[job_id]
    assert job["status"] == "success"
    assert count_titled(live_server, "[dropped] article 0") == 1


# JOB_TIMEOUT leaves a loaded machine time to reach the click; the hang outlasts it well
@pytest.mark.server(job_timeout=20)  # room for the click to reach the platform on a busy machine
def test_an_outcome_nobody_can_tell_goes_to_review_and_can_be_resolved(live_server: LiveServer) -> None:
    token = live_server.make_user("unsure")
    live_server.knobs(publish_hang_ms=40000, me_unavailable=True)
    (job_id,) = live_server.publish(token, [article("[unsure]", 0)])
    job = live_server.wait_final(token, [job_id], timeout=180)[job_id]
    assert (job["status"], job["error_code"]) == ("needs_review", "outcome_unknown")
    assert count_titled(live_server, "[unsure] article 0") == 1  # never clicked twice
    url = f"{live_server.base}/demo/p/1"
    resolved = live_server.ok("POST", f"/api/jobs/{job_id}/resolve", {"result_url": url}, token)["job"]
    assert (resolved["status"], resolved["result_url"]) == ("success", url)


def test_cancel_stops_a_running_job_and_recycles_its_browser(live_server: LiveServer) -> None:
    token = live_server.make_user("cancel")
    live_server.knobs(delay_ms=20000)
    (job_id,) = live_server.publish(token, [article("[cancel]", 0)])
    wait_until(lambda: live_server.job(token, job_id)["progress"] >= 5, 30, "the job to be in its browser")
    job = live_server.ok("POST", f"/api/jobs/{job_id}/cancel", {}, token)["job"]
    assert job["status"] == "cancelled"
    assert live_server.engine.server.snapshot().pool.recycled >= 1
    status, body, _ = live_server.call("POST", f"/api/jobs/{job_id}/cancel", {}, token)
    assert status == 409 and body["error"]["code"] == "conflict"


def test_cancel_of_a_queued_job_is_immediate_and_retry_brings_it_back(live_server: LiveServer) -> None:
    token = live_server.make_user("requeue")
    live_server.engine.server.pause()  # both jobs stay queued, however slow the machine is
    ids = live_server.publish(token, [article("[rq]", i) for i in range(2)])
    second = live_server.ok("POST", f"/api/jobs/{ids[1]}/cancel", {}, token)["job"]
    assert second["status"] == "cancelled" and second["started_at"] is None
    assert not live_server.engine.server.is_waiting(ids[1])
    live_server.engine.server.resume()
    again = live_server.ok("POST", f"/api/jobs/{ids[1]}/retry", {}, token)["job"]
    assert again["status"] == "queued" and again["attempts"] == 0
    jobs = live_server.wait_final(token, ids)
    assert [jobs[i]["status"] for i in ids] == ["success", "success"]
    live_server.ok("DELETE", f"/api/jobs/{ids[1]}", token=token, expect=204)
    assert live_server.call("GET", f"/api/jobs/{ids[1]}", token=token)[0] == 404


@pytest.mark.server(retry_base_delay=60, retry_max_delay=60)
def test_cancel_of_a_job_waiting_out_its_backoff_empties_the_queue(live_server: LiveServer) -> None:
    token = live_server.make_user("backoff")
    live_server.knobs(fail_next=5)
    (job_id,) = live_server.publish(token, [article("[backoff]", 0)])
    waiting = wait_until(lambda: (j := live_server.job(token, job_id))["status"] == "retrying" and j, 30, "a backoff")
    assert waiting["error_code"] == "platform_unavailable" and waiting["estimated_start_seconds"] > 0
    wait_until(lambda: live_server.ok("GET", "/queue/status", token=token)["queue_size"] == 1, 5, "queue size 1")
    assert live_server.ok("POST", f"/api/jobs/{job_id}/cancel", {}, token)["job"]["status"] == "cancelled"
    assert live_server.ok("GET", "/queue/status", token=token)["queue_size"] == 0


def test_an_account_saved_as_a_cookie_header_publishes(live_server: LiveServer) -> None:
    token = live_server.make_user("hdr", demo_account=False)
    body = {"platform": "demo", "name": "main", "cookies": "Cookie: demo_user=hdr; theme=dark; "}
    live_server.ok("POST", "/api/accounts", body, token, 201)
    (job_id,) = live_server.publish(token, [article("[header]", 0)])
    job = live_server.wait_final(token, [job_id])[job_id]
    assert job["status"] == "success", job
    assert next(a for a in live_server.articles() if a["title"] == "[header] article 0")["author"] == "hdr"
    # neither JSON nor a header: a 400 naming the field; a nameless cookie too
    for text, kind in (("just text", "cookies_format"), ("=hdr", "cookie_name_blank"), ("[oops", "cookies_format")):
        status, answer, _ = live_server.call("POST", "/api/accounts", {**body, "cookies": text}, token)
        assert status == 400 and "cookies" in answer["error"]["fields"], answer
        assert answer["error"]["problems"][0]["type"] == kind


@pytest.mark.server(max_retries=0)
def test_a_publish_answered_with_a_bare_error_body_is_told_at_once(live_server: LiveServer) -> None:
    """The platform may answer the publish with no page of its own: here examgen's JSON 503, its
    database failing as the demo article is stored. That is an error answer, told from the page at
    once (not a wait for the confirm timeout, which would end as "timeout"); the click may have
    happened, so with no attempt left a person looks, and nothing was published."""
    engine = live_server.engine.db.engine
    failed: list[str] = []

    def fail_store(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO demo_articles") and not failed:
            failed.append(statement)
            raise sqlite3.OperationalError("database is locked")

    event.listen(engine, "before_cursor_execute", fail_store)
    try:
        token = live_server.make_user("bare")
        (job_id,) = live_server.publish(token, [article("[bare]", 0)])
        job = live_server.wait_final(token, [job_id], timeout=120)[job_id]
    finally:
        event.remove(engine, "before_cursor_execute", fail_store)
    assert failed  # the platform's answer really was the database error
    assert (job["status"], job["error_code"]) == ("needs_review", "platform_error")
    assert count_titled(live_server, "[bare] article 0") == 0
