"""Regenerating one question of a finished exam, through the real server: owner only, same type, new item."""

from __future__ import annotations

import pdf_factory
import pytest
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def exam_id(exam_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    data = pdf_factory.handout_pdf(tmp_path_factory.mktemp("handouts") / "en.pdf", "en").read_bytes()
    body, ctype = pdf_factory.multipart({"types": "cloze:2,choice:2,truefalse:1"}, {"file": ("h.pdf", data)})
    token = exam_server.tokens["alice"]
    status, answer, _ = exam_server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    assert status == 202, answer
    job = exam_server.wait_final(token, [answer["job_id"]], timeout=120)[answer["job_id"]]
    assert job["status"] == "success", job
    return job["job_id"]


def test_owner_gets_a_different_question_of_the_same_type(exam_server: LiveServer, exam_id: str) -> None:
    token = exam_server.tokens["alice"]
    qs = exam_server.ok("GET", f"/api/jobs/{exam_id}/questions", token=token)["questions"]
    stems = {q["stem"] for q in qs}
    sources = {q["source"] for q in qs}
    for q in qs:
        if q["type"] == "truefalse":
            continue  # the handout may hold a single statement that names a term
        new = exam_server.ok("POST", f"/api/jobs/{exam_id}/questions/{q['id']}/regenerate", token=token)["question"]
        assert new["type"] == q["type"] and new["id"] == q["id"] and new["points"] == q["points"], new
        assert new["stem"] not in stems and new["source"] not in sources, new
        assert new["answer"] and (len(new["options"]) == 4 if q["type"] == "choice" else not new["options"])
    # what the editor already shows is avoided too
    first = qs[0]
    seen: list[str] = []
    for _ in range(2):
        status, answer, _ = exam_server.call(
            "POST", f"/api/jobs/{exam_id}/questions/{first['id']}/regenerate", {"avoid": seen}, token=token
        )
        assert status == 200, answer
        assert answer["question"]["source"] not in seen
        seen.append(answer["question"]["source"])
    # the stored exam itself is unchanged
    assert exam_server.ok("GET", f"/api/jobs/{exam_id}/questions", token=token)["questions"] == qs


def test_other_users_unknown_questions_and_bad_bodies(exam_server: LiveServer, exam_id: str) -> None:
    path = f"/api/jobs/{exam_id}/questions/q1/regenerate"
    status, answer, _ = exam_server.call("POST", path, token=exam_server.tokens["bob"])
    assert status == 404 and answer["error"]["code"] == "not_found", answer
    alice = exam_server.tokens["alice"]
    status, answer, _ = exam_server.call("POST", f"/api/jobs/{exam_id}/questions/q99/regenerate", token=alice)
    assert status == 404, answer
    status, answer, _ = exam_server.call("POST", path, {"avoid": "not a list"}, token=alice)
    assert status == 400 and "avoid" in answer["error"]["fields"], answer
    status, answer, _ = exam_server.call("POST", "/api/jobs/not-a-uuid/questions/q1/regenerate", token=alice)
    assert status == 404, answer


def test_edited_versions_keep_the_course_and_are_listed_with_the_exams(exam_server: LiveServer, exam_id: str) -> None:
    token = exam_server.tokens["alice"]
    qs = exam_server.ok("GET", f"/api/jobs/{exam_id}/questions", token=token)["questions"]
    status, answer, _ = exam_server.call("PUT", f"/api/jobs/{exam_id}/questions", {"questions": qs[:3]}, token=token)
    assert status == 202, answer
    new_id = answer["job_id"]
    assert exam_server.wait_final(token, [new_id], timeout=120)[new_id]["status"] == "success"
    new = exam_server.ok("POST", f"/api/jobs/{new_id}/questions/q1/regenerate", token=token)["question"]
    assert new["type"] == qs[0]["type"] and new["stem"] not in {q["stem"] for q in qs[:3]}
    listed = exam_server.ok("GET", "/api/jobs?kind=generate,render_exam&limit=100", token=token)["jobs"]
    assert {exam_id, new_id} <= {j["job_id"] for j in listed}
    status, answer, _ = exam_server.call("GET", "/api/jobs?kind=generate,essay", token=token)
    assert status == 400 and answer["error"]["fields"] == {"kind": "unknown kind"}, answer
