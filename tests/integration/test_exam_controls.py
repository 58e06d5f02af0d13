"""Teacher controls, the student and key copies, Word export and edit-then-print, through the real server."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import unquote

import pdf_factory
import pytest
from docx import Document as WordDocument
from pypdf import PdfReader
from support import LiveServer

from app.exam.normalise import normalise_text

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("handouts")
    return {lang: pdf_factory.handout_pdf(d / f"{lang}.pdf", lang).read_bytes() for lang in ("en", "zh")}


def upload(exam_server: LiveServer, token: str, data: bytes, **fields: str) -> tuple[int, Any]:
    body, ctype = pdf_factory.multipart(fields, {"file": ("handout.pdf", data)})
    status, payload, _ = exam_server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    return status, payload


def finished(exam_server: LiveServer, token: str, job_id: str) -> dict:
    job = exam_server.wait_final(token, [job_id], timeout=120)[job_id]
    assert job["status"] == "success", job
    return job


def get(exam_server: LiveServer, token: str, path: str) -> tuple[int, Any, dict[str, str]]:
    return exam_server.call("GET", path, token=token)


def pdf_text(data: bytes) -> str:
    """The PDF's text without spaces; Chromium's CJK fonts map some glyphs to Kangxi radicals, so NFKC it."""
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", normalise_text(text))


@pytest.fixture(scope="module")
def zh_exam(exam_server: LiveServer, handouts: dict[str, bytes]) -> str:
    token = exam_server.tokens["alice"]
    status, body = upload(
        exam_server, token, handouts["zh"], types="cloze:3,choice:3,truefalse:2,short:2", points="short:6", lang="zh"
    )
    assert status == 202, body
    return finished(exam_server, token, body["job_id"])["job_id"]


def test_controls_shape_the_exam(exam_server: LiveServer, zh_exam: str) -> None:
    token = exam_server.tokens["alice"]
    data = exam_server.ok("GET", f"/api/jobs/{zh_exam}/questions", token=token)
    assert data["title"] == "试卷" and data["language"] == "zh"  # the default title in the teacher's language
    qs = data["questions"]
    assert [q["type"] for q in qs] == ["cloze"] * 3 + ["choice"] * 3 + ["truefalse"] * 2 + ["short"] * 2
    assert [q["points"] for q in qs] == [2, 2, 2, 2, 2, 2, 1, 1, 6, 6]
    assert all(q["page"] in (1, 2) and q["stem"] and q["answer"] and q["id"] for q in qs)
    assert all(len(q["options"]) == 4 for q in qs if q["type"] == "choice")


def test_student_copy_key_and_docx(exam_server: LiveServer, zh_exam: str) -> None:
    token = exam_server.tokens["alice"]
    status, student, headers = get(exam_server, token, f"/api/jobs/{zh_exam}/result?variant=student")
    assert status == 200 and student.startswith(b"%PDF") and headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in headers["Content-Disposition"]
    assert 'filename="exam-student.pdf"' in headers["Content-Disposition"]  # for curl -OJ and old clients
    assert unquote(headers["Content-Disposition"].split("filename*=UTF-8''")[1]) == "试卷-student.pdf"
    text = pdf_text(student)
    assert "一、填空题" in text and "四、简答题" in text and "参考答案" not in text and "每题6分，共12分" in text
    status, key, headers = get(exam_server, token, f"/api/jobs/{zh_exam}/result?variant=key")
    assert status == 200 and unquote(headers["Content-Disposition"]).endswith("试卷-key.pdf")
    key_text = pdf_text(key)
    assert "参考答案" in key_text and re.search(r"（第[12]页）", key_text) and "姓名" not in key_text
    status, combined, _ = get(exam_server, token, f"/api/jobs/{zh_exam}/result")
    assert status == 200 and "参考答案" in pdf_text(combined) and "姓名" in pdf_text(combined)
    status, docx, headers = get(exam_server, token, f"/api/jobs/{zh_exam}/result?format=docx")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert unquote(headers["Content-Disposition"]).endswith("试卷.docx")
    paragraphs = "\n".join(p.text for p in WordDocument(io.BytesIO(docx)).paragraphs)
    assert "一、填空题" in paragraphs and "参考答案" in paragraphs
    for bad in ("variant=teacher", "format=odt"):
        status, body, _ = get(exam_server, token, f"/api/jobs/{zh_exam}/result?{bad}")
        assert status == 400 and body["error"]["fields"], body


def test_pages_seed_and_english_defaults(exam_server: LiveServer, handouts: dict[str, bytes]) -> None:
    token = exam_server.tokens["alice"]
    ids = []
    for seed in ("1", "2"):
        status, body = upload(
            exam_server, token, handouts["en"], types="choice:3", pages="2", seed=seed, subject="ML 101"
        )
        assert status == 202, body
        ids.append(finished(exam_server, token, body["job_id"])["job_id"])
    a, b = (exam_server.ok("GET", f"/api/jobs/{i}/questions", token=token) for i in ids)
    assert a["title"] == "Exam" and a["subject"] == "ML 101"
    assert {q["page"] for q in a["questions"] + b["questions"]} == {2}  # only the chosen page
    assert [(q["stem"], q["options"]) for q in a["questions"]] != [(q["stem"], q["options"]) for q in b["questions"]]
    status, _, headers = get(exam_server, token, f"/api/jobs/{ids[0]}/result?variant=student")
    assert status == 200 and 'filename="Exam-student.pdf"' in headers["Content-Disposition"]


BAD_FIELDS = [
    ({"types": "cloze:5,essay:2"}, "types"),
    ({"types": "cloze:40,choice:20"}, "types"),
    ({"types": "cloze:x"}, "types"),
    ({"types": "cloze:3", "questions": "5"}, "questions"),
    ({"choice": "-1"}, "choice"),
    ({"pages": "3-1"}, "pages"),
    ({"pages": "1-99"}, "pages"),
    ({"pages": "a-b"}, "pages"),
    ({"points": "cloze:500"}, "points"),
    ({"seed": "-4"}, "seed"),
    ({"lang": "fr"}, "lang"),
    ({"subject": "x" * 201}, "subject"),
]


@pytest.mark.parametrize(
    ("fields", "field"), BAD_FIELDS, ids=[b[1] + "-" + "-".join(b[0].values())[:20] for b in BAD_FIELDS]
)
def test_bad_controls_are_400_with_the_field(
    exam_server: LiveServer, handouts: dict[str, bytes], fields: dict[str, str], field: str
) -> None:
    status, body = upload(exam_server, exam_server.tokens["bob"], handouts["en"], **fields)
    assert status == 400 and body["error"]["code"] == "validation_error", body
    assert field in body["error"]["fields"], body


def test_edit_then_rerender(exam_server: LiveServer, zh_exam: str) -> None:
    token = exam_server.tokens["alice"]
    data = exam_server.ok("GET", f"/api/jobs/{zh_exam}/questions", token=token)
    qs = data["questions"]
    edited = [qs[3], qs[0], {**qs[1], "stem": "改写后的题目：______是本章的核心概念。", "points": 3}]
    del edited[0]["id"]
    body = {"title": "期中测验", "questions": edited}
    status, answer, _ = exam_server.call("PUT", f"/api/jobs/{zh_exam}/questions", body, token=token)
    assert status == 202 and answer["job"]["kind"] == "render_exam", answer
    new_id = finished(exam_server, token, answer["job_id"])["job_id"]
    again = exam_server.ok("GET", f"/api/jobs/{new_id}/questions", token=token)
    assert again["title"] == "期中测验"
    assert [q["stem"] for q in again["questions"]] == [q["stem"] for q in edited]
    assert [q["points"] for q in again["questions"]] == [2, 2, 3]
    status, student, headers = get(exam_server, token, f"/api/jobs/{new_id}/result?variant=student")
    assert status == 200 and "改写后的题目" in pdf_text(student)
    assert unquote(headers["Content-Disposition"]).endswith("期中测验-student.pdf")
    # the original exam is unchanged
    assert len(exam_server.ok("GET", f"/api/jobs/{zh_exam}/questions", token=token)["questions"]) == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"questions": []}, "questions"),
        ({"questions": [{"type": "essay", "stem": "x", "answer": "y"}]}, "questions.0.type"),
        ({"questions": [{"type": "choice", "stem": "x", "answer": "A", "options": ["only one"]}]}, "questions.0"),
        ({"questions": [{"type": "cloze", "stem": " ", "answer": "y"}]}, "questions.0.stem"),
        ({"questions": [{"type": "cloze", "stem": "x", "answer": "y", "points": 1000}]}, "questions.0.points"),
        ({"questions": [{"type": "cloze", "stem": "x", "answer": "y"}], "extra": 1}, "extra"),
    ],
)
def test_bad_edits_are_400_with_the_field(exam_server: LiveServer, zh_exam: str, body: dict, field: str) -> None:
    status, answer, _ = exam_server.call(
        "PUT", f"/api/jobs/{zh_exam}/questions", body, token=exam_server.tokens["alice"]
    )
    assert status == 400 and field in answer["error"]["fields"], answer


def test_other_users_get_404(exam_server: LiveServer, zh_exam: str) -> None:
    bob = exam_server.tokens["bob"]
    for method, path, body in (
        ("GET", f"/api/jobs/{zh_exam}/questions", None),
        ("PUT", f"/api/jobs/{zh_exam}/questions", {"questions": [{"type": "cloze", "stem": "x", "answer": "y"}]}),
        ("GET", f"/api/jobs/{zh_exam}/result?variant=key", None),
        ("GET", f"/api/jobs/{zh_exam}/result?format=docx", None),
    ):
        status, answer, _ = exam_server.call(method, path, body, token=bob)
        assert status == 404 and answer["error"]["code"] == "not_found", (method, path, answer)
