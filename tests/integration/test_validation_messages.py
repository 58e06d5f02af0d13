"""Every validation error the web UI can meet: a 400 naming the field, with a (field, type) the page
translates into a plain sentence, and no validator English in the Chinese one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pdf_factory
import pytest
from support import ADMIN_TOKEN, LiveServer

from app.http.web import field_strings

pytestmark = pytest.mark.timeout(120)
ARTICLE = {"title": "A title", "content": "Some content"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A paused server: nothing runs, the HTTP layer answers."""
    live = LiveServer(tmp_path_factory.mktemp("messages") / "instance").start()
    live.engine.server.pause()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def token(server: LiveServer) -> str:
    return server.make_user("vera")


@pytest.fixture(scope="module")
def zh_table(server: LiveServer) -> dict[str, dict[str, str]]:
    """The field names and problem sentences a Chinese page carries (Chinese is the default)."""
    with server.app.test_request_context("/"):
        return field_strings.translated()


def sentence(table: dict[str, dict[str, str]], problem: dict[str, Any]) -> str:
    """What fielderrors.js makes of one problem (the same lookups, in Python)."""
    segs = problem["field"].split(".")
    numbers = [s for s in segs if s.isdigit()]
    key = ".".join(s for s in segs if not s.isdigit())
    n = str(int(numbers[0]) + 1) if numbers else ""
    names, texts, ctx = table["fields"], table["problems"], problem["ctx"]
    name = names.get(key) or (n and names.get(segs[0] + ".*")) or names.get(segs[0])
    assert name, f"no name for the field {problem['field']}"
    kind = "wrong_type" if re.search(r"_(type|parsing)$", problem["type"]) else problem["type"]
    if kind in ("too_short", "too_long") and ctx.get("field_type") == "Value":
        kind = "string_" + kind
    if kind == "string_too_short" and ctx.get("min_length", 1) <= 1:
        kind = "blank"
    text = texts.get(f"{key}:{kind}") or texts.get(kind)
    assert text, f"no sentence for {key}:{kind}"
    values = {
        "field": name.replace("{n}", n),
        "n": n,
        "min": ctx.get("min_length", ctx.get("ge", ctx.get("gt", ""))),
        "max": ctx.get("max_length", ctx.get("le", ctx.get("lt", ""))),
        "actual": ctx.get("actual_length", ""),
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), text)


def problems_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    err = body["error"]
    assert err["code"] == "validation_error" and err["fields"], err
    assert err["problems"] and {p["field"] for p in err["problems"]} <= set(err["fields"]), err
    return err["problems"]


def check_zh(table: dict[str, dict[str, str]], body: dict[str, Any]) -> list[str]:
    """Each problem's Chinese sentence: no validator English in it (digits and _ . - are fine)."""
    said = [sentence(table, p) for p in problems_of(body)]
    for text in said:
        assert not re.search(r"[A-Za-z]{3,}", text.replace("Cookie", "").replace("JSON", "")), text
    return said


CASES = [
    ("POST", "/api/jobs/publish", {"platform": "demo", "articles": []}, "articles", "请至少添加一篇文章"),
    (
        "POST",
        "/api/jobs/publish",
        {"platform": "demo", "articles": [ARTICLE] * 101},
        "articles",
        "最多 100 篇文章，本次 101 篇",
    ),
    (
        "POST",
        "/api/jobs/publish",
        {"platform": "demo", "articles": [{**ARTICLE, "title": ""}]},
        "articles.0.title",
        "请填写第 1 篇文章的标题",
    ),
    (
        "POST",
        "/api/jobs/publish",
        {"platform": "demo", "articles": [ARTICLE, {**ARTICLE, "content": "  "}]},
        "articles.1.content",
        "第 2 篇文章的正文",
    ),
    ("POST", "/api/accounts", {"platform": "demo", "name": "x", "cookies": 7}, "cookies", "Cookie的取值类型不对"),
    ("POST", "/api/accounts", {"platform": "demo", "name": "x", "cookies": "x"}, "cookies", "a=1; b=2 的"),
    ("POST", "/api/accounts", {"platform": "demo", "name": "x", "cookies": "=v"}, "cookies", "= 号前"),
    ("POST", "/api/accounts", {"platform": "demo", "name": "x", "cookies": []}, "cookies", "请至少粘贴一个 Cookie"),
    (
        "POST",
        "/api/accounts",
        {"platform": "demo", "name": "x", "cookies": [{"name": "a"}]},
        "cookies.0.value",
        "请填写第 1 个 Cookie 的值",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "zh"), CASES)
def test_user_validation_errors_translate(
    server: LiveServer,
    token: str,
    zh_table: dict[str, dict[str, str]],
    method: str,
    path: str,
    body: Any,
    field: str,
    zh: str,
) -> None:
    status, answer, _ = server.call(method, path, body, token)
    assert status == 400 and field in answer["error"]["fields"], answer
    assert any(zh in text for text in check_zh(zh_table, answer)), answer


@pytest.mark.parametrize(
    ("body", "field", "zh"),
    [
        ({"username": "", "password": "long-enough-1"}, "username", "请填写用户名"),
        ({"username": "ok-name", "password": ""}, "password", "密码至少需要 8 个字符"),
        ({"username": "has space", "password": "long-enough-1"}, "username", "用户名由任意语言的字母或数字"),
        ({"username": "x" * 65, "password": "long-enough-1"}, "username", "用户名最多 64 个字符"),
    ],
)
def test_admin_user_form_errors_translate(
    server: LiveServer, zh_table: dict[str, dict[str, str]], body: dict[str, str], field: str, zh: str
) -> None:
    status, answer, _ = server.call("POST", "/api/users", body, ADMIN_TOKEN)
    assert status == 400 and field in answer["error"]["fields"], answer
    assert any(zh in text for text in check_zh(zh_table, answer)), answer


@pytest.mark.parametrize(
    ("count", "zh"),
    [("0", "题目数量必须在 1 到 50 之间"), ("51", "题目数量必须在 1 到 50 之间"), ("ten", "取值类型不对")],
)
def test_generate_question_count_translates(
    server: LiveServer, token: str, zh_table: dict[str, dict[str, str]], count: str, zh: str
) -> None:
    raw, ctype = pdf_factory.multipart({"questions": count}, {"file": ("course.pdf", b"%PDF-1.4 not read")})
    status, answer, _ = server.call("POST", "/api/jobs/generate", token=token, raw=raw, headers={"Content-Type": ctype})
    assert status == 400 and "questions" in answer["error"]["fields"], answer
    assert any(zh in text for text in check_zh(zh_table, answer)), answer


def test_unicode_usernames_are_nfkc_and_unique(server: LiveServer) -> None:
    """李老师 is a name; a full-width ｌｉ is stored as li, so li and ｌｉ cannot both exist."""
    assert server.ok("POST", "/api/users", {"username": "李老师", "password": "long-enough-1"}, ADMIN_TOKEN, 201)
    assert server.ok("POST", "/api/users", {"username": "ｌｉ"}, ADMIN_TOKEN, 201)["username"] == "li"
    status, answer, _ = server.call("POST", "/api/users", {"username": "li"}, ADMIN_TOKEN)
    assert status == 409 and answer["error"]["code"] == "username_taken", answer
    status, answer, _ = server.call("POST", "/api/users", {"username": "李老师"}, ADMIN_TOKEN)
    assert status == 409 and answer["error"]["code"] == "username_taken", answer
    names = {u["username"] for u in server.ok("GET", "/api/users", token=ADMIN_TOKEN)["users"]}
    assert {"李老师", "li"} <= names and "ｌｉ" not in names
    with server.app.test_request_context("/"):
        from app.http.web import strings

        assert strings.translated()["errors"]["username_taken"].startswith("该用户名已被使用")
        assert strings.translated()["text"]["admin"] == "管理员"


@pytest.mark.parametrize("count", ["0", "51"])
def test_a_question_count_outside_the_range_names_the_range(
    server: LiveServer, token: str, zh_table: dict[str, dict[str, str]], count: str
) -> None:
    body, ctype = pdf_factory.multipart({"questions": count}, {"file": ("course.pdf", b"%PDF-1.4 not read")})
    status, answer, _ = server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    assert status == 400 and "from 1 to 50" in answer["error"]["message"], answer
    assert check_zh(zh_table, answer) == ["题目数量必须在 1 到 50 之间。"]
    with server.app.test_request_context("/", headers={"Cookie": "examgen_lang=en"}):
        en = field_strings.translated()
    assert [sentence(en, p) for p in problems_of(answer)] == ["The number of questions must be from 1 to 50."]
