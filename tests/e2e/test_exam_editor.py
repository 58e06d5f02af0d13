"""The exam editor on the exams page: edit a stem, move, delete and regenerate questions, save and print."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import password
from e2e_browser import PHONE, UI
from pdf_factory import handout_pdf, multipart
from pypdf import PdfReader
from support import LiveServer

from app.exam.normalise import normalise_text

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

EDITED = "Edited by the teacher: the ______ decides how far each step of training moves."


def squeeze(text: str) -> str:
    """Text without whitespace or blanks, NFKC-normalised: how a stem is looked for in a printed PDF."""
    return re.sub(r"[\s_]+", "", normalise_text(text))


def pdf_text(data: bytes) -> str:
    return squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def qids(ui: UI) -> list[str]:
    return ui.js("return Array.from(document.querySelectorAll('#editor-list li.q-edit')).map(li => li.dataset.qid);")


def stems(ui: UI) -> list[str]:
    return ui.js("return Array.from(document.querySelectorAll('#editor-list .q-stem')).map(t => t.value);")


def test_edit_move_delete_regenerate_then_print(live_server: LiveServer, ui: UI, tmp_path: Path) -> None:
    token = live_server.make_user("edna", demo_account=False)
    data = handout_pdf(tmp_path / "handout.pdf", "en").read_bytes()
    body, ctype = multipart({"types": "cloze:2,choice:2", "title": "Unit test"}, {"file": ("h.pdf", data)})
    status, answer, _ = live_server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    assert status == 202, answer
    exam_id = answer["job_id"]
    assert live_server.wait_final(token, [exam_id], timeout=180)[exam_id]["status"] == "success"

    ui.login("edna", password("edna"))
    ui.open("/exams")
    row = f'#exam-list li[data-id="{exam_id}"]'
    ui.click(f'{row} button[data-action="edit"]')
    ui.wait(lambda: len(qids(ui)) == 4, 15, "the four questions in the editor")
    assert ui.find("#editor-title").get_attribute("value") == "Unit test"
    original = stems(ui)

    ui.fill("#q1-stem", EDITED)
    ui.click('#editor-list li:nth-child(2) button[data-action="down"]')  # q2 and q3 change places
    assert qids(ui) == ["q1", "q3", "q2", "q4"]
    assert stems(ui)[0] == EDITED  # typed text survives the redraw
    deleted = stems(ui)[3]
    ui.click('#editor-list li:nth-child(4) button[data-action="delete"]')
    assert qids(ui) == ["q1", "q3", "q2"]
    before = stems(ui)[1]
    ui.click('#editor-list li:nth-child(2) button[data-action="regenerate"]')
    ui.wait(lambda: stems(ui)[1] != before, 60, "another question in place of the second")
    regenerated = stems(ui)[1]
    assert regenerated not in original and qids(ui) == ["q1", "q3", "q2"]
    assert ui.find("#editor-list li:nth-child(2) h3").text.startswith("第 2 题")

    ui.driver.set_window_size(*PHONE)  # the editor fits a phone
    ui.wait(lambda: ui.no_horizontal_overflow(), 5, "no sideways scrolling at 375 px")
    assert ui.a11y_problems() == []

    ui.click("#editor-save")
    link = ui.wait(lambda: ui.finds("#editor-result a.download-student"), 120, "the printed edited exam")[0]
    href = link.get_attribute("href")
    new_id = href.split("/api/jobs/")[1].split("/")[0]
    assert new_id != exam_id and ui.statuses("#exam-list").get(new_id) == "success"  # listed with the exams
    for css in ("a.download-key", "a.download-docx", "a.download"):
        assert ui.finds(f"#editor-result {css}")
    assert ui.fetch_bytes(href) == "%PDF-"
    status, student, _ = live_server.call("GET", f"/api/jobs/{new_id}/result?variant=student", token=token)
    assert status == 200
    text = pdf_text(student)
    assert squeeze(EDITED) in text
    assert squeeze(deleted) not in text
    assert squeeze(regenerated) in text
    saved = live_server.ok("GET", f"/api/jobs/{new_id}/questions", token=token)["questions"]
    assert [q["id"] for q in saved] == ["q1", "q3", "q2"] and saved[0]["stem"] == EDITED

    # the same editor in English
    ui.open("/lang/en?next=/exams")
    ui.click(f'#exam-list li[data-id="{new_id}"] button[data-action="edit"]')
    ui.wait(lambda: len(qids(ui)) == 3, 15, "the edited exam in the editor")
    assert ui.find("#editor-list li:nth-child(1) h3").text.startswith("Question 1")
    assert ui.text('#editor-list li:nth-child(1) button[data-action="regenerate"]') == "Another question"
    assert ui.text("#editor-save") == "Save and print"
