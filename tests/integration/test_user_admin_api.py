"""Admins set a new password for a user and delete users (jobs stopped first, then everything they own)."""

from __future__ import annotations

from pathlib import Path

import pdf_factory
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update
from support import ADMIN_TOKEN, LiveServer, postgres_url, wait_until
from web_session import WebLogin

from app.cli.shell import Shell
from app.cli.users import users_group
from app.engine.evidence import evidence_dir
from app.kinds.exam_output import results_dir
from app.kinds.generate import uploads_dir
from app.models import Account, ApiToken, Job, OutboxMessage, User, Webhook

pytestmark = pytest.mark.timeout(180)


def _password(name: str) -> str:
    return "pw-" + name + "-123"  # what Http.make_user gives


def _admin_post(s: LiveServer, path: str, token: str = ADMIN_TOKEN) -> tuple[int, dict]:
    status, body, _ = s.call("POST", path, {}, token)
    return status, body


def test_a_new_password_replaces_the_old_one_and_ends_the_sessions(live_server: LiveServer) -> None:
    s = live_server
    rita = s.make_user("rita", demo_account=False)
    browser = WebLogin(s.base)
    assert browser.login("rita", _password("rita"))[0] == 302 and browser.get("/api/me") == 200

    status, body = _admin_post(s, "/ui/admin/users/rita/password")
    assert status == 200 and body["username"] == "rita", body
    password = body["password"]
    assert len(password) >= 16 and password != _password("rita")
    assert browser.get("/api/me") == 401  # the old session is over
    assert WebLogin(s.base).login("rita", _password("rita"))[0] == 401
    assert WebLogin(s.base).login("rita", password)[0] == 302
    assert s.ok("GET", "/api/me", token=rita)["username"] == "rita"  # API tokens are not passwords

    status, body = _admin_post(s, "/ui/admin/users/admin/password")
    assert status == 409 and body["error"]["code"] == "self_reset", body
    assert _admin_post(s, "/ui/admin/users/nobody/password")[0] == 404
    assert _admin_post(s, "/ui/admin/users/admin/password", rita)[0] == 404  # like every admin endpoint
    assert s.call("POST", "/ui/admin/users/rita/password", {})[0] == 401


@pytest.mark.server(max_concurrent_jobs=1, driver_pool_size=1)
def test_deleting_a_user_stops_their_jobs_and_removes_everything(live_server: LiveServer, tmp_path: Path) -> None:
    s = live_server
    dora = s.make_user("dora")
    root = Path(s.config.instance_path)
    s.knobs(delay_ms=20_000)  # the first publish stays running; the second waits behind it
    running, waiting = s.publish(dora, [{"title": f"Draft {i}", "content": "Text " * 20} for i in range(2)])
    wait_until(lambda: s.job(dora, running)["status"] == "running", 60, "the publish to start")
    short = pdf_factory.short_course_pdf(tmp_path / "short.pdf").read_bytes()
    body, ctype = pdf_factory.multipart({"questions": "3"}, {"file": ("short.pdf", short)})
    status, sent, _ = s.call("POST", "/api/jobs/generate", token=dora, raw=body, headers={"Content-Type": ctype})
    assert status == 202, sent
    exam = sent["job_id"]
    assert len(list(uploads_dir(root).iterdir())) == 1
    # files a finished exam and a failed publish would have left
    result = results_dir(root) / f"{exam}.pdf"
    result.parent.mkdir(parents=True, exist_ok=True)
    for path in (result, result.with_suffix(".docx"), result.parent / f"{exam}-key.pdf"):
        path.write_bytes(b"%PDF-")
    evidence_dir(root, running).mkdir(parents=True)
    (evidence_dir(root, running) / "page.html").write_text("<p>dora</p>")
    with s.engine.db.write() as session:
        session.execute(update(Job).where(Job.id == exam).values(result_path=str(result)))
        uid = session.scalar(select(User.id).where(User.username == "dora"))
        session.add(Webhook(user_id=uid, name="ci", kind="json", target_encrypted=b"x", url_hint="https://ci"))
    browser = WebLogin(s.base)
    assert browser.login("dora", _password("dora"))[0] == 302

    other = s.make_user("otto", demo_account=False)
    assert _admin_post(s, "/ui/admin/users/dora/delete", other)[0] == 404  # non-admins: no such endpoint
    status, body = _admin_post(s, "/ui/admin/users/admin/delete")
    assert status == 409 and body["error"]["code"] == "self_delete", body

    def deleted() -> dict | None:
        status, body = _admin_post(s, "/ui/admin/users/dora/delete")
        assert status in (200, 409), body  # 409 only while the interrupted publish winds down
        return body if status == 200 else None

    body = wait_until(deleted, 60, "dora to be deleted")
    assert body["jobs"] == 3, body
    assert s.call("GET", "/api/jobs", token=dora)[0] == 401
    assert browser.get("/api/me") == 401
    assert WebLogin(s.base).login("dora", _password("dora"))[0] == 401
    with s.engine.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.id.in_([running, waiting, exam]))) == 0
        for model in (Account, ApiToken, Webhook):
            assert session.scalar(select(func.count()).select_from(model).where(model.user_id == uid)) == 0
    assert not any(uploads_dir(root).iterdir()) and not any(results_dir(root).iterdir())
    assert not evidence_dir(root, running).exists()
    assert _admin_post(s, "/ui/admin/users/dora/delete")[0] == 404
    assert s.ok("GET", "/api/me", token=other)["username"] == "otto"  # nobody else is touched
    s.knobs(delay_ms=0)


def test_the_cli_deletes_users_but_never_the_last_admin(live_server: LiveServer) -> None:
    s = live_server
    cleo = s.make_user("cleo", demo_account=False)
    runner = CliRunner()
    shell = Shell(s.config)
    refused = runner.invoke(users_group, ["delete", "admin", "--yes"], obj=shell)
    assert refused.exit_code == 1 and "last admin" in refused.output, refused.output
    asked = runner.invoke(users_group, ["delete", "cleo"], obj=shell, input="n\n")
    assert asked.exit_code == 1 and s.call("GET", "/api/me", token=cleo)[0] == 200
    done = runner.invoke(users_group, ["delete", "cleo", "--yes"], obj=shell)
    assert done.exit_code == 0 and "cleo: deleted with 0 jobs" in done.output, done.output
    assert s.call("GET", "/api/me", token=cleo)[0] == 401
    missing = runner.invoke(users_group, ["delete", "cleo", "--yes"], obj=shell)
    assert missing.exit_code == 1 and "no user called 'cleo'" in missing.output


def test_deleting_a_user_on_postgresql(tmp_path: Path) -> None:
    """The same deletion where foreign keys are always enforced: children go before their parents."""
    s = LiveServer(tmp_path / "instance", database_url=postgres_url()).start()
    try:
        s.engine.server.pause()  # the job stays queued: the deletion cancels it first
        pia = s.make_user("pia")
        data = pdf_factory.short_course_pdf(tmp_path / "short.pdf").read_bytes()
        body, ctype = pdf_factory.multipart({"questions": "2"}, {"file": ("short.pdf", data)})
        status, sent, _ = s.call("POST", "/api/jobs/generate", token=pia, raw=body, headers={"Content-Type": ctype})
        assert status == 202, sent
        with s.engine.db.write() as session:
            uid = session.scalar(select(User.id).where(User.username == "pia"))
            hook = Webhook(user_id=uid, name="ci", kind="json", target_encrypted=b"x", url_hint="https://ci")
            session.add(hook)
            session.flush()
            session.add(OutboxMessage(webhook_id=hook.id, event="job.finished", event_key=sent["job_id"]))
        status, answer = _admin_post(s, "/ui/admin/users/pia/delete")
        assert status == 200 and answer["jobs"] == 1, answer
        assert s.call("GET", "/api/me", token=pia)[0] == 401
        with s.engine.db.read() as session:
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
            assert session.scalar(select(func.count()).select_from(Job)) == 0
    finally:
        s.stop()
