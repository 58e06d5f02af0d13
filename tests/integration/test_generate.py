"""Exam generation end to end: multipart upload, the job run by real Chromium, the PDF read back with pypdf."""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdf_factory
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject
from support import LiveServer

from app.exam import extract_text
from app.kinds.base import JobContext
from app.kinds.generate import GenerateKind, results_dir, uploads_dir, write_atomically
from app.models import ClickState

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
LABELS = (
    "请回答所有题目。填空题在横线上填写术语。选择题选出一个正确选项。判断题判断对错。简答题用一两句话作答。"
    "姓名班级得分满分每题分共参考答案第页一二三四、填空题选择题判断题简答题什么是请简要说明原文为"
)
# Kangxi radicals and CJK radical supplements share glyphs with ordinary characters in Noto CJK.
RADICALS = re.compile(r"[\u2e80-\u2fdf\ufffd]")


def upload(
    server: LiveServer, token: str, data: bytes | None, path: str = "/generate", **fields: str
) -> tuple[int, Any]:
    """POST a course PDF (or no file at all when `data` is None); (status, JSON)."""
    body, ctype = pdf_factory.multipart(fields, {} if data is None else {"file": ("course.pdf", data)})
    status, payload, _ = server.call("POST", path, token=token, raw=body, headers={"Content-Type": ctype})
    return status, payload


def _to_unicode(font: DictionaryObject) -> dict[bytes, str]:
    """Code -> text from a font's ToUnicode CMap (its bfchar and bfrange sections)."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1") if "/ToUnicode" in font else ""
    table: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[bytes.fromhex(src)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first, width = int(dst, 16), len(lo) // 2
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code.to_bytes(width, "big")] = chr(first + k)
    return table


def pdf_text(data: bytes) -> str:
    """The text of a PDF by pypdf, with Chromium's /ActualText spans applied.

    Skia maps a glyph shared by a radical and a character (⽬ U+2F6C / 目 U+76EE) to the radical in
    ToUnicode and marks the real character with /ActualText, which poppler honours and pypdf ignores.
    """
    reader = PdfReader(io.BytesIO(data))
    fixes: dict[str, str] = {}
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        font: dict[bytes, str] = {}
        actual = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                font = _to_unicode(fonts[operands[0]].get_object())
            elif op == b"BDC" and isinstance(operands[-1], DictionaryObject) and "/ActualText" in operands[-1]:
                actual = str(operands[-1]["/ActualText"])
            elif op == b"EMC":
                actual = None
            elif op == b"Tj" and actual:
                raw = operands[0].original_bytes if hasattr(operands[0], "original_bytes") else bytes(operands[0])
                shown = "".join(font.get(raw[i : i + 1], "") for i in range(len(raw)))  # Type 3: 1-byte codes
                if shown and shown != actual:
                    fixes[shown] = actual
    text = "\n".join(page.extract_text() for page in reader.pages)
    for shown, actual in fixes.items():
        text = text.replace(shown, actual)
    return text


def split_exam(text: str) -> tuple[str, list[tuple[int, str]]]:
    """(question part, [(number, answer)]) of an exam's PDF text."""
    at = max(text.rfind("Answer key"), text.rfind("参考答案"))
    assert at > 0, text[-500:]
    key = [(int(n), a.strip()) for n, a in re.findall(r"(?m)^\s*(\d+)\.\s*(\S.*)$", text[at:])]
    key = [(n, re.sub(r"\s*[(（]\s*(?:p\. \d+|第\s*\d+\s*页)\s*[)）]$", "", a)) for n, a in key]
    return text[:at], key


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("course")
    made = {
        "en": pdf_factory.english_course_pdf(d / "en.pdf"),
        "zh": pdf_factory.chinese_course_pdf(d / "zh.pdf"),
        "mixed": pdf_factory.mixed_course_pdf(d / "mixed.pdf"),
        "short": pdf_factory.short_course_pdf(d / "short.pdf"),
        "sparse": pdf_factory.sparse_course_pdf(d / "sparse.pdf"),
        "encrypted": pdf_factory.encrypted_pdf(d / "encrypted.pdf"),
        "image": pdf_factory.image_only_pdf(d / "scan.pdf"),
        "truncated": pdf_factory.truncated_pdf(d / "truncated.pdf"),
        "large": pdf_factory.large_pdf(d / "large.pdf", 1_300_000),
    }
    return {name: path.read_bytes() for name, path in made.items()}


@pytest.fixture(scope="module")
def server(exam_server: LiveServer) -> LiveServer:
    """One server (and its browser) for the successful runs: Chromium starts once for the module."""
    return exam_server


def run_exam(server: LiveServer, data: bytes, path: str, questions: int, title: str) -> tuple[dict, bytes, str]:
    """Upload, wait for the job to succeed, download the PDF; (job, pdf bytes, content type)."""
    token = server.tokens["alice"]
    status, body = upload(server, token, data, path, questions=str(questions), title=title)
    assert status == 202 and body["success"] and body["job"]["kind"] == "generate", body
    job_id = body["job_id"]
    job = server.wait_final(token, [job_id], timeout=90)[job_id]
    assert job["status"] == "success", job
    status, pdf, headers = server.call("GET", f"/api/jobs/{job_id}/result", token=token)
    assert status == 200, pdf
    return job, pdf, headers.get("Content-Type", "")


CASES = [
    ("en", "/generate", 10, "Biology & Networks"),
    ("en", "/api/jobs/generate", 7, "Networks quiz"),
    ("zh", "/api/jobs/generate", 10, "中国历史与网络测验"),
    ("zh", "/generate", 6, "历史小测"),
    ("mixed", "/generate", 12, "Bilingual quiz 双语测验"),
]


@pytest.mark.parametrize(("lang", "path", "n", "title"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_exam_pdf_from_upload(
    server: LiveServer, pdfs: dict[str, bytes], lang: str, path: str, n: int, title: str
) -> None:
    job, pdf, ctype = run_exam(server, pdfs[lang], path, n, title)
    assert ctype == "application/pdf" and pdf.startswith(b"%PDF-")
    assert job["progress"] == 100 and job["phase"] == "Done" and job["attempts"] == 1 and job["has_result"]
    assert job["questions"] == n
    source = extract_text(pdfs[lang])
    text = pdf_text(pdf)
    assert title in text.replace("\n", " ") and not RADICALS.search(text)
    questions, key = split_exam(text)
    numbers = [int(m) for m in re.findall(r"(?m)^\s*(\d+)\.\s", questions)]
    assert numbers == list(range(1, n + 1)), questions
    assert [number for number, _ in key] == list(range(1, n + 1)), key
    for _, answer in key:
        term = re.sub(r"^[A-D]\.\s*", "", answer)  # multiple choice: "C. membrane"
        assert term.startswith(("True", "False", "对", "错")) or term[:20] in source.replace("\n", " "), (answer, key)
    if lang in ("zh", "mixed"):
        # Every Chinese character printed is one of the course, the title or the fixed labels: none garbled.
        allowed = set(source + title + LABELS)
        printed = set(re.findall(r"[\u3400-\u9fff]", text))
        assert printed and printed <= allowed, printed - allowed
        assert "参考答案" in text and "一、填空题" in re.sub(r"\s+", "", text)


def test_another_user_cannot_see_the_result(server: LiveServer, pdfs: dict[str, bytes]) -> None:
    job, _, _ = run_exam(server, pdfs["en"], "/generate", 3, "Private")
    bob = server.tokens["bob"]
    for url in (f"/api/jobs/{job['job_id']}/result", f"/api/jobs/{job['job_id']}"):
        status, body, _ = server.call("GET", url, token=bob)
        assert status == 404 and body["error"]["code"] == "not_found", body
    assert server.call("GET", f"/api/jobs/{job['job_id']}/result")[0] == 401


def test_too_little_text_fails_permanently_with_a_clear_message(server: LiveServer, pdfs: dict[str, bytes]) -> None:
    token = server.tokens["alice"]
    # more pages than the upload reads: only the job can tell
    status, body = upload(server, token, pdfs["sparse"], "/api/jobs/generate", questions="10")
    assert status == 202, body
    job = server.wait_final(token, [body["job_id"]], timeout=60)[body["job_id"]]
    assert job["status"] == "failed" and job["error_code"] == "not_enough_text", job
    assert job["attempts"] == 1  # permanent: no retry would find more text
    assert re.search(r"at most \d+ questions?, but 10 were requested", job["error"]), job["error"]
    assert server.call("GET", f"/api/jobs/{body['job_id']}/result", token=token)[0] == 404
    # a retry would read the same PDF: refused with a code the page explains, and the job stays failed
    status, answer, _ = server.call("POST", f"/api/jobs/{body['job_id']}/retry", token=token)
    assert status == 409 and answer["error"]["code"] == "not_retryable", answer
    assert "not_enough_text" in answer["error"]["message"]
    assert server.job(token, body["job_id"])["status"] == "failed"


def test_a_short_pdf_is_refused_at_upload_with_the_numbers(server: LiveServer, pdfs: dict[str, bytes]) -> None:
    token = server.tokens["bob"]
    before = server.ok("GET", "/api/jobs", token=token)["total"]
    status, body = upload(server, token, pdfs["short"], "/api/jobs/generate", questions="10")
    assert status == 400 and body["error"]["code"] == "not_enough_text", body
    assert body["error"]["fields"] == {"file": "not_enough_text"}
    assert (body["error"]["supported"], body["error"]["requested"]) == (3, 10), body
    assert body["error"]["message"] == (
        "The document supports at most 3 questions, but 10 were requested; ask for 3 or fewer, or upload more material."
    )
    assert server.ok("GET", "/api/jobs", token=token)["total"] == before  # no job
    # as many questions as it supports, or the same sentences on chosen pages, are accepted
    for fields in ({"questions": "3"}, {"questions": "3", "pages": "1"}, {"types": "cloze:2,choice:1"}):
        status, body = upload(server, token, pdfs["short"], "/api/jobs/generate", **fields)
        assert status == 202, (fields, body)
        server.call("POST", f"/api/jobs/{body['job_id']}/cancel", {}, token)
    status, body = upload(server, token, pdfs["short"], "/generate", types="cloze:3,choice:1")
    assert status == 400 and body["error"]["requested"] == 4, body


# --- uploads the server refuses: nothing stored, no job --------------------------------------------


@pytest.fixture(scope="module")
def rejecting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that never accepts an upload in this module, so its uploads/ folder must stay empty."""
    srv = LiveServer(tmp_path_factory.mktemp("rejecting") / "instance").start()
    srv.tokens = {"carol": srv.make_user("carol", demo_account=False)}
    try:
        yield srv
    finally:
        srv.stop()


def assert_nothing_stored(server: LiveServer, token: str) -> None:
    folder = uploads_dir(Path(server.config.instance_path))
    assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())
    assert server.ok("GET", "/api/jobs", token=token)["total"] == 0


BAD = [
    ("encrypted", {}, 400, "encrypted_pdf"),
    ("image", {}, 400, "no_text"),
    ("truncated", {}, 400, "unreadable_pdf"),
    ("text", {}, 400, "not_a_pdf"),
    (None, {}, 400, "validation_error"),
    ("en", {"questions": "0"}, 400, "validation_error"),
    ("en", {"questions": "51"}, 400, "validation_error"),
    ("en", {"questions": "x"}, 400, "validation_error"),
    ("short", {"questions": "10"}, 400, "not_enough_text"),
    ("en", {"title": "t" * 201}, 400, "validation_error"),
]


@pytest.mark.parametrize(("name", "fields", "status", "code"), BAD, ids=[f"{b[0]}-{b[3]}-{b[1]}" for b in BAD])
@pytest.mark.parametrize("path", ["/generate", "/api/jobs/generate"])
def test_bad_upload_is_refused(
    rejecting: LiveServer, pdfs: dict[str, bytes], path: str, name: str | None, fields: dict, status: int, code: str
) -> None:
    token = rejecting.tokens["carol"]
    data = None if name is None else b"Lecture notes, saved as plain text." if name == "text" else pdfs[name]
    got, body = upload(rejecting, token, data, path, **fields)
    assert got == status and body["success"] is False and body["error"]["code"] == code, body
    assert body["error"]["message"].strip(), body
    if code == "validation_error":
        assert set(body["error"].get("fields", {})) & {"file", "questions", "title"}, body
    else:
        assert body["error"]["fields"]["file"] == code
    assert_nothing_stored(rejecting, token)


def test_json_body_is_unsupported_media_type(rejecting: LiveServer) -> None:
    token = rejecting.tokens["carol"]
    status, body, _ = rejecting.call("POST", "/api/jobs/generate", {"questions": 5}, token=token)
    assert status == 415 and body["error"]["code"] == "unsupported_media_type", body
    assert "multipart/form-data" in body["error"]["message"]
    assert_nothing_stored(rejecting, token)


@pytest.mark.server(max_upload_mb=1)
def test_upload_over_max_upload_mb(live_server: LiveServer, pdfs: dict[str, bytes]) -> None:
    token = live_server.make_user("dave", demo_account=False)
    assert len(pdfs["large"]) > 1024 * 1024
    status, body = upload(live_server, token, pdfs["large"], "/api/jobs/generate")
    assert status == 413 and body["error"]["code"] == "file_too_large", body
    assert "1.0 MB limit" in body["error"]["message"]
    assert_nothing_stored(live_server, token)


# --- the kind itself: progress per stage, and a rerun overwrites the result -----------------------


class FakeDriver:
    """Stands in for a WebDriver: 'prints' the loaded page as a tiny PDF that names the page."""

    def __init__(self) -> None:
        self.url = ""
        self.prints = 0

    def get(self, url: str) -> None:
        self.url = url
        assert Path(url.removeprefix("file://")).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    def print_page(self, options: Any) -> str:
        self.prints += 1
        return base64.b64encode(f"%PDF-1.4\n% print {self.prints}\n%%EOF\n".encode()).decode()


def test_kind_reports_each_stage_and_a_rerun_overwrites(tmp_path: Path, pdfs: dict[str, bytes]) -> None:
    uploads_dir(tmp_path).mkdir(parents=True)
    (uploads_dir(tmp_path) / "course.pdf").write_bytes(pdfs["en"])
    reports: list[tuple[int, str]] = []
    driver = FakeDriver()
    ctx = JobContext(
        job_id="job-1",
        username="alice",
        payload={"upload": "course.pdf", "questions": 5, "title": "Quiz"},
        attempt=1,
        click_state=ClickState.NONE,
        account=None,
        work_dir=tmp_path,
        cancelled=threading.Event(),
        report=lambda percent, phase: reports.append((percent, phase)),
        set_click_state=lambda state: None,
        browser=type("B", (), {"driver": driver})(),
    )
    kind = GenerateKind()
    first = Path(kind.run(ctx).result_path)
    phases = [phase for _, phase in reports]
    assert phases[0] == "Extracting the text" and "Analysing the text" in phases and "Building questions" in phases
    assert phases[-2:] == ["Rendering the PDF", "Saving the exam"]
    percents = [p for p, _ in reports]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100  # the runner reports 100
    assert first.read_bytes().endswith(b"% print 1\n%%EOF\n")  # combined, then the student copy and the key
    # A rerun after a crash (same job id) writes the result again in place; no temporary files remain.
    second = Path(kind.run(ctx).result_path)
    assert second == first and first.read_bytes().endswith(b"% print 4\n%%EOF\n")
    names = sorted(p.name for p in results_dir(tmp_path).iterdir())
    assert names == ["job-1-key.pdf", "job-1-student.pdf", "job-1.docx", "job-1.json", "job-1.pdf"]


def test_write_atomically_replaces_and_leaves_no_tmp(tmp_path: Path) -> None:
    target = tmp_path / "results" / "job.pdf"
    write_atomically(target, b"%PDF-1 first")
    write_atomically(target, b"%PDF-1 second, longer")
    assert target.read_bytes() == b"%PDF-1 second, longer"
    assert [p.name for p in target.parent.iterdir()] == ["job.pdf"]
