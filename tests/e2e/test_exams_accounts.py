"""The exams page (upload a PDF, download the exam) and the accounts page (paste cookies, check, remove)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import password
from e2e_browser import UI
from pdf_factory import english_course_pdf, multipart, sparse_course_pdf
from support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


@pytest.mark.timeout(400)  # a cold jieba and wordfreq load on a busy machine
def test_generate_an_exam_and_download_it(live_server: LiveServer, ui: UI, tmp_path: Path) -> None:
    token = live_server.make_user("dora", demo_account=False)
    pdf = english_course_pdf(tmp_path / "biology.pdf")
    ui.login("dora", password("dora"))
    ui.open("/exams")
    ui.mark_page()
    ui.click("#exam-submit")
    assert ui.text("#form-error") == "请选择一个 PDF 文件。"

    ui.find("#pdf").send_keys(str(pdf))
    ui.fill("#n-cloze", "2")
    ui.fill("#n-choice", "2")
    ui.fill("#p-choice", "3")
    ui.fill("#exam-pages", "1-2")
    ui.fill("#exam-title", "Biology quiz 生物")
    ui.click("#exam-submit")
    ui.wait(lambda: len(ui.statuses("#exam-list")) == 1, 10, "the exam job in the list")
    [job_id] = ui.statuses("#exam-list")
    row = f'#exam-list li[data-id="{job_id}"]'
    assert "Biology quiz 生物" in ui.text(row)
    ui.wait(lambda: ui.statuses("#exam-list")[job_id] == "success", 90, "the exam to be generated")
    link = ui.find(f"{row} a.download")
    assert link.get_attribute("href") == f"{live_server.base}/api/jobs/{job_id}/result"
    assert ui.fetch_bytes(link.get_attribute("href")) == "%PDF-"
    base = f"{live_server.base}/api/jobs/{job_id}/result"
    for css, href, magic in (
        ("a.download-student", base + "?variant=student", "%PDF-"),
        ("a.download-key", base + "?variant=key", "%PDF-"),
        ("a.download-docx", base + "?format=docx", "PK\x03\x04"),
    ):
        link = ui.find(f"{row} {css}")
        assert link.get_attribute("href") == href
        assert ui.fetch_bytes(href, len(magic)) == magic
    assert ui.same_page()
    # The controls reached the exam: two of each chosen type, choice worth 3, only pages 1-2.
    qs = live_server.ok("GET", f"/api/jobs/{job_id}/questions", token=token)["questions"]
    assert [q["type"] for q in qs] == ["cloze", "cloze", "choice", "choice"]
    assert [q["points"] for q in qs] == [2, 2, 3, 3] and {q["page"] for q in qs} <= {1, 2}

    # A PDF with too little text fails for good: its row offers no Retry that would only fail again.
    body, ctype = multipart(
        {"questions": "10"}, {"file": ("short.pdf", sparse_course_pdf(tmp_path / "s.pdf").read_bytes())}
    )
    status, sent, _ = live_server.call(
        "POST", "/api/jobs/generate", token=token, raw=body, headers={"Content-Type": ctype}
    )
    assert status == 202, sent
    short = f'#exam-list li[data-id="{sent["job_id"]}"]'
    ui.wait(lambda: ui.statuses("#exam-list").get(sent["job_id"]) == "failed", 60, "the short PDF to fail")
    assert not ui.finds(f'{short} button[data-action="retry"]') and ui.finds(f'{short} button[data-action="delete"]')


def test_add_check_and_remove_an_account(live_server: LiveServer, ui: UI) -> None:
    live_server.make_user("eli", demo_account=False)
    ui.login("eli", password("eli"))
    ui.open("/accounts")
    ui.wait(lambda: "还没有账号" in ui.text("#account-list"), 10, "the empty list")

    ui.fill("#acc-cookies", '[{"name": "demo_user", "value": "eli"')  # cut short while copying
    ui.click("#acc-submit")
    assert ui.text("#form-error").startswith("Cookie 不是有效的 JSON：")
    ui.fill("#acc-cookies", '{"hello": "world"}')
    ui.click("#acc-submit")
    assert "请粘贴 JSON 格式的 Cookie 列表" in ui.text("#form-error")

    exported = [
        {"domain": "127.0.0.1", "hostOnly": True, "name": "demo_user", "value": "eli", "path": "/", "storeId": "0"}
    ]
    ui.fill("#acc-cookies", json.dumps(exported))
    ui.click("#acc-submit")
    ui.wait(lambda: ui.finds("#account-list li.account"), 10, "the new account")
    assert "演示平台 / main" in ui.text("#account-list")
    assert "尚未检查" in ui.text("#account-list")

    ui.click('#account-list button[data-action="check"]')
    ui.wait(lambda: "已登录：eli" in ui.text("#account-list"), 60, "the login check to find the identity")

    ui.click('#account-list button[data-action="remove"]')
    ui.driver.switch_to.alert.accept()
    ui.wait(lambda: "还没有账号" in ui.text("#account-list"), 10, "the account to be removed")


def test_an_account_from_a_cookie_header(live_server: LiveServer, ui: UI) -> None:
    """DevTools' Cookie header ("name=value; …") is accepted as it is; prose is refused naming the cookies."""
    live_server.make_user("hedy", demo_account=False)
    ui.login("hedy", password("hedy"))
    ui.open("/accounts")
    ui.wait(lambda: "还没有账号" in ui.text("#account-list"), 10, "the empty list")

    ui.fill("#acc-cookies", "my cookies are in the other window")
    ui.click("#acc-submit")
    ui.wait(lambda: "a=1; b=2" in ui.text("#form-error"), 10, "the format error")
    ui.fill("#acc-cookies", "=hedy")
    ui.click("#acc-submit")
    ui.wait(lambda: "= 号前" in ui.text("#form-error"), 10, "the empty-name error")

    ui.fill("#acc-cookies", "Cookie: demo_user=hedy; theme=dark")
    ui.click("#acc-submit")
    ui.wait(lambda: ui.finds("#account-list li.account"), 10, "the new account")
    ui.click('#account-list button[data-action="check"]')
    ui.wait(lambda: "已登录：hedy" in ui.text("#account-list"), 60, "the login check to find the identity")
