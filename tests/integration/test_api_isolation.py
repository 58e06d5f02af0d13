"""Who may see what: every object answers only its owner (admins read and cancel jobs), others get 404."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pdf_factory
import pytest
from support import ADMIN_TOKEN, LiveServer, article

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
BAD_TOKEN = "eg_" + "x" * 43
NOBODY = "00000000-0000-4000-8000-00000000dead"  # fixed: test ids must be the same in every worker


@dataclass
class World:
    server: LiveServer
    alice: str
    bob: str
    ids: dict[str, str]  # what alice owns: job ids and the account id
    account_id: int


def _multipart(data: bytes, questions: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="questions"\r\n\r\n{questions}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Alice owns a published job, a failed one (with a screenshot), an exam PDF and an account; Bob owns little."""
    tmp = tmp_path_factory.mktemp("isolation")
    server = LiveServer(tmp / "instance", max_concurrent_jobs=2).start()
    try:
        alice, bob = server.make_user("alice"), server.make_user("bob")
        (ok,) = server.publish(alice, [article("[iso]", 0)])
        body, ctype = _multipart(pdf_factory.english_course_pdf(tmp / "course.pdf").read_bytes(), 3)
        status, data, _ = server.call(
            "POST", "/api/jobs/generate", token=alice, raw=body, headers={"Content-Type": ctype}
        )
        assert status == 202, data
        exam = data["job_id"]
        server.wait_final(alice, [ok, exam], timeout=150)
        server.knobs(reject_next=1)  # the platform refuses the next article: a failure with a screenshot
        (failed,) = server.publish(alice, [article("[iso]", 1)])
        server.wait_final(alice, [failed])
        # from here on nothing runs: the jobs queued below stay queued, so they can be cancelled at leisure
        server.engine.server.pause()
        queued = server.publish(alice, [article("[iso-q]", i) for i in range(3)])
        account_id = next(a["id"] for a in server.ok("GET", "/api/accounts", token=alice)["accounts"])
        ids = {"ok": ok, "exam": exam, "failed": failed, "q0": queued[0], "q1": queued[1], "q2": queued[2]}
        yield World(server, alice, bob, ids, account_id)
    finally:
        server.stop()


def _same_as_missing(world: World, method: str, path: str, foreign: str, missing: str, token: str) -> None:
    """``token`` asking for ``foreign`` gets exactly what it gets for ``missing``: a 404."""
    s = world.server
    body = {"failed": True} if path.endswith("/resolve") else None  # a valid body: only the id may differ
    got = s.call(method, path.format(foreign), body, token=token)
    nothing = s.call(method, path.format(missing), body, token=token)
    assert got[0] == 404, (method, path, got[:2])
    assert (got[0], got[1]) == (nothing[0], nothing[1]), (method, path)


def test_objects_are_there_for_their_owner(world: World) -> None:
    s, alice, ids = world.server, world.alice, world.ids
    jobs = s.ok("GET", "/api/jobs/status?ids=" + ",".join(ids.values()), token=alice)["jobs"]
    by_id = {j["job_id"]: j for j in jobs}
    assert by_id[ids["ok"]]["status"] == "success"
    assert by_id[ids["exam"]]["status"] == "success" and by_id[ids["exam"]]["has_result"]
    assert by_id[ids["failed"]]["status"] == "failed" and by_id[ids["failed"]]["has_screenshot"]
    status, pdf, headers = s.call("GET", f"/api/jobs/{ids['exam']}/result", token=alice)
    assert (status, headers["Content-Type"], pdf[:5]) == (200, "application/pdf", b"%PDF-")
    status, png, headers = s.call("GET", f"/api/jobs/{ids['failed']}/screenshot", token=alice)
    assert (status, headers["Content-Type"], png[:4]) == (200, "image/png", b"\x89PNG")


@pytest.mark.parametrize(
    ("method", "path", "job"),
    [
        ("GET", "/api/jobs/{}", "ok"),
        ("GET", "/api/jobs/{}/result", "exam"),
        ("GET", "/api/jobs/{}/screenshot", "failed"),
        ("POST", "/api/jobs/{}/cancel", "q0"),
        ("POST", "/api/jobs/{}/retry", "failed"),
        ("POST", "/api/jobs/{}/resolve", "failed"),
        ("DELETE", "/api/jobs/{}", "ok"),
    ],
)
def test_another_user_gets_404_exactly_as_for_a_missing_job(world: World, method: str, path: str, job: str) -> None:
    before = world.server.job(world.alice, world.ids[job])
    _same_as_missing(world, method, path, world.ids[job], NOBODY, world.bob)
    after = world.server.job(world.alice, world.ids[job])  # and nothing happened to the job
    assert (after["status"], after["updated_at"]) == (before["status"], before["updated_at"])


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/api/accounts/{}"), ("POST", "/api/accounts/{}/check")])
def test_accounts_are_the_owners_only(world: World, method: str, path: str) -> None:
    s = world.server
    for token in (world.bob, ADMIN_TOKEN):  # not even an admin may use another user's login
        _same_as_missing(world, method, path, str(world.account_id), "987654", token)
    assert [a["id"] for a in s.ok("GET", "/api/accounts", token=world.alice)["accounts"]] == [world.account_id]
    assert world.account_id not in [a["id"] for a in s.ok("GET", "/api/accounts", token=world.bob)["accounts"]]


def test_lists_and_status_show_only_your_own(world: World) -> None:
    s, ids = world.server, world.ids
    assert s.ok("GET", "/api/jobs/status?ids=" + ",".join(ids.values()), token=world.bob)["jobs"] == []
    bob_list = s.ok("GET", "/api/jobs?limit=100", token=world.bob)
    assert bob_list["total"] == 0 and bob_list["jobs"] == []
    # ?user= is an admin's filter: for anybody else it changes nothing
    assert s.ok("GET", "/api/jobs?user=alice", token=world.bob)["total"] == 0
    alice_list = s.ok("GET", "/api/jobs?limit=100", token=world.alice)
    assert {j["job_id"] for j in alice_list["jobs"]} >= set(ids.values())
    assert {j["username"] for j in alice_list["jobs"]} == {"alice"}


def test_admins_read_and_cancel_every_job_but_change_nothing_else(world: World) -> None:
    s, ids = world.server, world.ids
    for user in ("alice", "bob"):
        listed = s.ok("GET", f"/api/jobs?user={user}&limit=100", token=ADMIN_TOKEN)
        assert {j["username"] for j in listed["jobs"]} <= {user}
    assert {j["job_id"] for j in s.ok("GET", "/api/jobs?user=alice&limit=100", token=ADMIN_TOKEN)["jobs"]} >= set(
        ids.values()
    )
    assert s.ok("GET", "/api/jobs?limit=100", token=ADMIN_TOKEN)["total"] >= len(ids)
    assert s.job(ADMIN_TOKEN, ids["ok"])["username"] == "alice"
    assert len(s.ok("GET", "/api/jobs/status?ids=" + ",".join(ids.values()), token=ADMIN_TOKEN)["jobs"]) == len(ids)
    assert s.call("GET", f"/api/jobs/{ids['exam']}/result", token=ADMIN_TOKEN)[0] == 200
    assert s.call("GET", f"/api/jobs/{ids['failed']}/screenshot", token=ADMIN_TOKEN)[0] == 200
    cancelled = s.ok("POST", f"/api/jobs/{ids['q1']}/cancel", token=ADMIN_TOKEN)
    assert cancelled["job"]["status"] == "cancelled" and cancelled["job"]["username"] == "alice"
    # retry, resolve and delete stay the owner's: an admin is answered as if the job were not there
    for method, path in (("POST", "/api/jobs/{}/retry"), ("POST", "/api/jobs/{}/resolve"), ("DELETE", "/api/jobs/{}")):
        _same_as_missing(world, method, path, ids["failed"], NOBODY, ADMIN_TOKEN)


def test_the_owner_may_do_everything(world: World) -> None:
    s, alice, ids = world.server, world.alice, world.ids
    assert s.ok("POST", f"/api/jobs/{ids['q2']}/cancel", token=alice)["job"]["status"] == "cancelled"
    assert s.call("POST", f"/api/jobs/{ids['ok']}/cancel", token=alice)[0] == 409  # final: wrong state
    assert s.call("POST", f"/api/jobs/{ids['ok']}/resolve", {"failed": True}, token=alice)[0] == 409
    status, checked, _ = s.call("POST", f"/api/accounts/{world.account_id}/check", token=alice)
    assert status == 202 and checked["job"]["kind"] == "check_login" and checked["job"]["priority"] == 0
    assert checked["job"]["title"] == "Check login: demo/main"
    assert s.ok("POST", f"/api/jobs/{ids['q2']}/retry", token=alice)["job"]["status"] == "queued"
    s.ok("POST", f"/api/jobs/{ids['q2']}/cancel", token=alice)
    assert s.call("DELETE", f"/api/jobs/{ids['q2']}", token=alice)[0] == 204
    assert s.call("GET", f"/api/jobs/{ids['q2']}", token=alice)[0] == 404


ENDPOINTS = [
    ("GET", "/api/jobs"),
    ("GET", "/api/jobs/status?ids=" + NOBODY),
    ("GET", f"/api/jobs/{NOBODY}"),
    ("GET", f"/api/jobs/{NOBODY}/result"),
    ("GET", f"/api/jobs/{NOBODY}/screenshot"),
    ("POST", f"/api/jobs/{NOBODY}/cancel"),
    ("POST", f"/api/jobs/{NOBODY}/retry"),
    ("POST", f"/api/jobs/{NOBODY}/resolve"),
    ("DELETE", f"/api/jobs/{NOBODY}"),
    ("POST", "/api/jobs/publish"),
    ("POST", "/api/jobs/generate"),
    ("POST", "/generate"),
    ("GET", "/api/accounts"),
    ("POST", "/api/accounts"),
    ("DELETE", "/api/accounts?platform=demo&name=main"),
    ("DELETE", "/api/accounts/1"),
    ("POST", "/api/accounts/1/check"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("GET", "/api/me"),
    ("GET", "/queue/status"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("auth", ["none", "bad", "malformed"])
def test_no_or_a_bad_token_is_401_everywhere(world: World, method: str, path: str, auth: str) -> None:
    headers = {"none": {}, "bad": {"Authorization": f"Bearer {BAD_TOKEN}"}, "malformed": {"Authorization": "Token x"}}
    status, body, _ = world.server.call(
        method, path, raw=b"{}", headers={**headers[auth], "Content-Type": "application/json"}
    )
    assert status == 401, (method, path, body)
    assert body["success"] is False and body["error"]["code"] == "unauthorized"


def test_only_admins_manage_users_and_see_every_users_queue(world: World) -> None:
    s = world.server
    status, body, _ = s.call("POST", "/api/users", {"username": "mallory", "password": "password-123"}, token=world.bob)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert s.call("GET", "/api/users", token=world.bob)[0] == 403
    assert "users" not in s.ok("GET", "/queue/status", token=world.bob)
    figures = s.ok("GET", "/queue/status", token=ADMIN_TOKEN)
    assert figures["users"]["alice"]["queued"] >= 1  # the check_login job or q0 waits in the paused queue
    assert {u["username"] for u in s.ok("GET", "/api/users", token=ADMIN_TOKEN)["users"]} >= {"alice", "bob"}


def test_public_endpoints_need_no_token(world: World) -> None:
    s = world.server
    assert s.call("GET", "/healthz")[0] == 200  # a paused dispatcher still beats
    assert s.call("GET", "/api/openapi.json")[0] == 200
    status, text, _ = s.call("GET", "/metrics")
    assert status == 200 and b"examgen_queue_size" in text
    for name in (b"alice", b"bob", world.ids["ok"].encode()):  # aggregates only: nobody's name or job
        assert name not in text
