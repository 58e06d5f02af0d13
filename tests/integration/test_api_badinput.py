"""Bad input over real HTTP: always a clear 4xx naming the wrong field, never a 5xx, and the server stays up."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from support import ADMIN_TOKEN, LiveServer

pytestmark = pytest.mark.timeout(120)

ARTICLE = {"title": "A title", "content": "Some content"}
GOOD = {"platform": "demo", "articles": [ARTICLE]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module; MAX_UPLOAD_MB=1 makes the body limit 3 MB. Nothing runs: no browser needed."""
    instance = tmp_path_factory.mktemp("badinput") / "instance"
    live = LiveServer(instance, max_upload_mb=1, user_max_active=500, user_rate_limit="500/minute").start()
    live.engine.server.pause()  # submitted jobs stay queued; this file tests the HTTP layer only
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def token(server: LiveServer) -> str:
    """Alice, with a demo account called main."""
    return server.make_user("alice")


@pytest.fixture(autouse=True)
def no_crash(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """After every test: the server logged no unhandled error (the 500 handler logs each one)."""
    yield
    crashes = [r.getMessage() for r in caplog.records if r.name == "examgen.http" and r.levelno >= logging.ERROR]
    assert not crashes, crashes


def publish_with(**fields: Any) -> dict[str, Any]:
    return {**GOOD, **fields}


def article_with(**fields: Any) -> dict[str, Any]:
    return {**GOOD, "articles": [{**ARTICLE, **fields}]}


def raw_json(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


DEEP_FIELD = raw_json('{"platform":"demo","articles":' + "[" * 900 + "]" * 900 + "}")
HUGE_EXPONENT = b'{"platform": "demo", "priority": 1e400, "articles": [{"title": "t", "content": "c"}]}'
COOKIE = {"name": "n", "value": "v"}
ABSURD = {**COOKIE, "expirationDate": 1e300}
# (name, path, body: JSON-able or raw bytes, the field error.fields must name or None)
JSON_CASES: list[tuple[str, str, Any, str | None]] = [
    ("malformed", "/api/jobs/publish", b'{"platform": "demo",', None),
    ("empty body", "/api/jobs/publish", b"", None),
    ("not an object", "/api/jobs/publish", [GOOD], None),
    ("a string", "/api/jobs/publish", "demo", None),
    ("deep arrays", "/api/jobs/publish", b"[" * 100_000 + b"]" * 100_000, None),
    ("deep objects", "/api/jobs/publish", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, None),
    ("deep inside a field", "/api/jobs/publish", DEEP_FIELD, "articles.0"),
    ("NaN", "/api/jobs/publish", b'{"platform": "demo", "priority": NaN, "articles": []}', None),
    ("Infinity", "/api/jobs/publish", b'{"platform": "demo", "priority": Infinity, "articles": []}', None),
    ("-Infinity", "/api/jobs/publish", b'{"platform": "demo", "priority": -Infinity, "articles": []}', None),
    ("huge exponent", "/api/jobs/publish", HUGE_EXPONENT, "priority"),
    ("invalid UTF-8", "/api/jobs/publish", b'{"platform": "d\xff\xfemo", "articles": []}', None),
    ("UTF-16 junk", "/api/jobs/publish", b"\xff\xfe{", None),
    ("lone surrogate", "/api/jobs/publish", raw_json(json.dumps(article_with(title="\ud800 x"))), "articles.0.title"),
    ("lone surrogate in platform", "/api/jobs/publish", raw_json(json.dumps(publish_with(platform="\udfff"))), "platform"),  # noqa: E501
    ("NUL in a title", "/api/jobs/publish", article_with(title="a\x00b"), "articles.0.title"),
    ("NUL in content", "/api/jobs/publish", article_with(content="x\x00"), "articles.0.content"),
    ("platform not a string", "/api/jobs/publish", publish_with(platform=5), "platform"),
    ("articles not a list", "/api/jobs/publish", publish_with(articles="many"), "articles"),
    ("no articles", "/api/jobs/publish", publish_with(articles=[]), "articles"),
    ("101 articles", "/api/jobs/publish", publish_with(articles=[ARTICLE] * 101), "articles"),
    ("priority a string", "/api/jobs/publish", publish_with(priority="5"), "priority"),
    ("priority a float", "/api/jobs/publish", publish_with(priority=5.0), "priority"),
    ("priority a bool", "/api/jobs/publish", publish_with(priority=True), "priority"),
    ("priority 10", "/api/jobs/publish", publish_with(priority=10), "priority"),
    ("priority -1", "/api/jobs/publish", publish_with(priority=-1), "priority"),
    ("priority 2**70", "/api/jobs/publish", publish_with(priority=2**70), "priority"),
    ("title too long", "/api/jobs/publish", article_with(title="t" * 301), "articles.0.title"),
    ("blank title", "/api/jobs/publish", article_with(title="   "), "articles.0.title"),
    ("content too long", "/api/jobs/publish", article_with(content="c" * 100_001), "articles.0.content"),
    ("a 1 MB platform", "/api/jobs/publish", publish_with(platform="p" * 1_000_000), "platform"),
    ("unknown field", "/api/jobs/publish", publish_with(surprise=1), "surprise"),
    ("unknown platform", "/api/jobs/publish", publish_with(platform="myspace"), "platform"),
    ("unknown account", "/api/jobs/publish", publish_with(account="nobody-has-this"), "account"),
    ("username with a newline", "/api/users", {"username": "alice2\n", "password": "password-1"}, "username"),
    ("username with a space", "/api/users", {"username": "a b", "password": "password-1"}, "username"),
    ("short password", "/api/users", {"username": "carol", "password": "short"}, "password"),
    ("admin not a bool", "/api/users", {"username": "carol", "admin": "yes"}, "admin"),
    ("no cookies", "/api/accounts", {"platform": "demo", "cookies": []}, "cookies"),
    ("cookie without a name", "/api/accounts", {"platform": "demo", "cookies": [{"value": "v"}]}, "cookies.0.name"),
    ("absurd cookie expiry", "/api/accounts", {"platform": "demo", "cookies": [ABSURD]}, "cookies.0.expirationDate"),
    ("account on an unknown platform", "/api/accounts", {"platform": "myspace", "cookies": [COOKIE]}, "platform"),
]  # fmt: skip


def _post(server: LiveServer, path: str, body: Any, token: str, **headers: str) -> tuple[int, Any, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", **headers}
    return server.call("POST", path, token=token, raw=raw, headers=hdrs)


def assert_error(answer: tuple[int, Any, dict[str, str]], status: int, field: str | None = None) -> dict[str, Any]:
    """The one error shape, with the expected status and (when given) the wrong field named."""
    code, body, _ = answer
    assert code == status, body
    assert body["success"] is False and body["error"]["message"], body
    if field is not None:
        assert field in body["error"].get("fields", {}), body
    return body["error"]


@pytest.mark.parametrize(("name", "path", "body", "field"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_bad_json_is_a_400_naming_the_field(
    server: LiveServer, token: str, name: str, path: str, body: Any, field: str | None
) -> None:
    use = ADMIN_TOKEN if path == "/api/users" else token
    error = assert_error(_post(server, path, body, use), 400, field)
    assert error["code"] == "validation_error"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/jobs/publish", "text/plain"),
        ("/api/jobs/publish", "application/x-www-form-urlencoded"),
        ("/api/jobs/publish", "multipart/form-data; boundary=x"),
        ("/api/jobs/publish", "application/xml"),
        ("/api/jobs/publish", ""),
        ("/api/accounts", "text/json"),
        ("/api/users", "application/javascript"),
        ("/api/jobs/00000000-0000-4000-8000-000000000001/resolve", "text/plain"),
        ("/api/jobs/generate", "application/json"),
        ("/generate", "text/plain"),
    ],
)
def test_a_wrong_content_type_is_415(server: LiveServer, token: str, path: str, content_type: str) -> None:
    use = ADMIN_TOKEN if path == "/api/users" else token
    answer = server.call("POST", path, token=use, raw=json.dumps(GOOD).encode(), headers={"Content-Type": content_type})
    assert assert_error(answer, 415)["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_413(server: LiveServer, token: str) -> None:
    big = json.dumps(article_with(content="x" * (4 * 1024 * 1024))).encode()  # 4 MB > the 3 MB limit
    for path in ("/api/jobs/publish", "/api/accounts", f"/api/jobs/{uuid.uuid4()}/resolve"):
        assert assert_error(_post(server, path, big, token), 413)["code"] == "too_large"
    form = b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\n\r\n%PDF-' + big + b"\r\n--b--\r\n"
    for path in ("/api/jobs/generate", "/generate"):
        answer = server.call(
            "POST", path, token=token, raw=form, headers={"Content-Type": "multipart/form-data; boundary=b"}
        )
        assert_error(answer, 413)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=1000001", "page"),
        ("page=" + "9" * 5000, "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("status=done", "status"),
        ("status=queued,nope", "status"),
        ("kind=teleport", "kind"),
        ("user=%00", "user"),
        ("kind=%00", "kind"),
    ],
)
def test_bad_list_arguments_are_400(server: LiveServer, token: str, query: str, field: str) -> None:
    assert_error(server.call("GET", f"/api/jobs?{query}", token=token), 400, field)


def test_at_most_200_ids_at_a_time(server: LiveServer, token: str) -> None:
    ids = ",".join(str(uuid.uuid4()) for _ in range(5000))
    error = assert_error(server.call("GET", f"/api/jobs/status?ids={ids}", token=token), 400, "ids")
    assert "at most 200" in error["message"]
    ok = server.ok("GET", "/api/jobs/status?ids=" + ",".join(str(uuid.uuid4()) for _ in range(200)), token=token)
    assert ok == {"jobs": []}
    junk = server.ok("GET", "/api/jobs/status?ids=" + quote("not-a-uuid,,x,' OR 1=1 --", safe=","), token=token)
    assert junk == {"jobs": []}


@pytest.mark.parametrize("job_id", ["not-a-uuid", "1", quote("' OR '1'='1"), "%00", "%C3%A9" * 300, "..%2F..%2Fetc"])
def test_an_id_that_cannot_exist_is_404(server: LiveServer, token: str, job_id: str) -> None:
    for method, suffix in (
        ("GET", ""),
        ("GET", "/result"),
        ("GET", "/screenshot"),
        ("POST", "/cancel"),
        ("DELETE", ""),
    ):
        assert assert_error(server.call(method, f"/api/jobs/{job_id}{suffix}", token=token), 404)["code"] == "not_found"
    for path in ("/api/accounts/99999999999999999999/check", "/api/accounts/-1/check", "/api/accounts/x"):
        assert server.call("POST" if path.endswith("check") else "DELETE", path, token=token)[0] == 404


def test_resolve_wants_exactly_one_outcome(server: LiveServer, token: str) -> None:
    path = f"/api/jobs/{uuid.uuid4()}/resolve"
    assert_error(_post(server, path, {}, token), 400, "result_url")
    assert_error(_post(server, path, {"failed": True, "result_url": "https://x.example/1"}, token), 400, "result_url")
    assert_error(_post(server, path, {"result_url": "javascript:alert(1)"}, token), 400, "result_url")
    assert_error(_post(server, path, {"failed": "yes"}, token), 400, "failed")
    assert_error(_post(server, path, {"failed": True}, token), 404)  # valid body, no such job


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there", "é"])
def test_a_bad_idempotency_key_is_400(server: LiveServer, token: str, key: str) -> None:
    headers = {"Idempotency-Key": key.encode("utf-8").decode("latin-1")}
    assert_error(_post(server, "/api/jobs/publish", GOOD, token, **headers), 400, "Idempotency-Key")


def _total(server: LiveServer, token: str) -> int:
    return server.ok("GET", "/api/jobs?limit=1", token=token)["total"]


def test_an_idempotency_key_makes_a_repeat_return_the_same_jobs(server: LiveServer) -> None:
    token = server.make_user("repeat")
    body = publish_with(articles=[ARTICLE, {**ARTICLE, "title": "Second"}])
    first = _post(server, "/api/jobs/publish", body, token, **{"Idempotency-Key": "order-42"})
    again = _post(server, "/api/jobs/publish", body, token, **{"Idempotency-Key": "order-42"})
    assert (first[0], again[0]) == (202, 200)
    assert first[1]["job_ids"] == again[1]["job_ids"] and len(first[1]["job_ids"]) == 2
    assert _total(server, token) == 2
    other = _post(server, "/api/jobs/publish", body, server.make_user("other"), **{"Idempotency-Key": "order-42"})
    assert other[0] == 202 and set(other[1]["job_ids"]).isdisjoint(first[1]["job_ids"])  # keys are per user


def test_concurrent_repeats_create_exactly_one_set_of_jobs(server: LiveServer) -> None:
    token = server.make_user("racer")
    body = publish_with(articles=[ARTICLE] * 3)
    answers: list[tuple[int, Any, dict[str, str]]] = []
    start = threading.Barrier(5)

    def send() -> None:
        start.wait()
        answers.append(_post(server, "/api/jobs/publish", body, token, **{"Idempotency-Key": "race-1"}))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(a[0] for a in answers) == [200, 200, 200, 200, 202]
    assert len({tuple(a[1]["job_ids"]) for a in answers}) == 1
    assert _total(server, token) == 3


def test_the_server_is_still_healthy(server: LiveServer, token: str) -> None:
    assert server.ok("GET", "/healthz")["status"] == "ok"
    assert server.ok("GET", "/api/me", token=token)["username"] == "alice"
