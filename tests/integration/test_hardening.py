"""The demo platform cannot be abused, files are private, and the systemd unit is hardened."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
from pathlib import Path

import pdf_factory
import pytest
from support import ROOT, LiveServer, ServerProcess, article, wait_until

pytestmark = pytest.mark.timeout(180)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.server(demo_knobs=False)
def test_fault_injection_does_not_exist_without_demo_knobs(live_server: LiveServer) -> None:
    s = live_server
    for method, path in [("GET", "/demo/api/knobs"), ("POST", "/demo/api/knobs"), ("POST", "/demo/api/knobs/reset")]:
        status, _, _ = s.call(method, path, {"delay_ms": 15000} if method == "POST" else None)
        assert status == 404, (method, path, status)
    assert s.call("GET", "/demo/login")[0] == 200  # the platform itself is still there
    assert s.call("GET", "/api/openapi.json")[0] == 200


def test_slowed_demo_requests_cannot_take_every_server_thread(live_server: LiveServer) -> None:
    """Even with a slow platform (a knob, or DEMO_DELAY_MS), a flood of anonymous editor loads leaves
    threads free: the ones beyond half the server's threads are answered 503 at once."""
    s = live_server
    s.knobs(delay_ms=4000)
    results: list[int] = []

    def load() -> None:
        results.append(s.call("GET", "/demo/write", timeout=30)[0])

    flood = [threading.Thread(target=load) for _ in range(24)]
    for t in flood:
        t.start()
    wait_until(lambda: results.count(503) >= 1, 10, "the flood's overflow to be turned away")
    assert s.call("GET", "/healthz", timeout=10)[0] == 200
    assert len(results) < len(flood)  # /healthz answered while slowed requests still held their threads
    for t in flood:
        t.join()
    assert set(results) <= {200, 503} and results.count(200) >= 1, results  # 200: the login page it redirects to


def test_demo_delay_at_start_is_capped() -> None:
    from app.demo_site import DemoKnobs

    assert DemoKnobs.from_env({"DEMO_DELAY_MS": "5000"}).snapshot().delay_ms == 5000
    with pytest.raises(ValueError, match="DEMO_DELAY_MS"):
        DemoKnobs.from_env({"DEMO_DELAY_MS": "15000"})


def test_files_are_private(server_process: type[ServerProcess], instance: Path, tmp_path: Path) -> None:
    instance.chmod(0o755)  # as an older version left it
    srv = server_process(instance).start()
    token = srv.make_user("fay", demo_account=False)
    course = pdf_factory.english_course_pdf(tmp_path / "course.pdf").read_bytes()
    body, ctype = pdf_factory.multipart({"questions": "5"}, {"file": ("course.pdf", course)})
    status, answer, _ = srv.call("POST", "/generate", token=token, raw=body, headers={"Content-Type": ctype})
    assert status == 202, answer
    job = srv.wait_final(token, [answer["job_id"]], timeout=120)[answer["job_id"]]
    assert job["status"] == "success", job

    assert _mode(instance) == 0o700
    files = [p for p in instance.rglob("*") if p.is_file() and p.name != "server.log"]  # the test's own log
    names = {p.name for p in files}
    assert {"examgen.db", "encryption.key"} <= names and any(p.parent.name == "uploads" for p in files), names
    assert any(p.suffix == ".pdf" and p.parent.name == "results" for p in files), names
    for path in files:
        assert _mode(path) & 0o077 == 0, f"{path.relative_to(instance)} is {oct(_mode(path))}"
    for path in (p for p in instance.rglob("*") if p.is_dir()):
        assert _mode(path) & 0o077 == 0, f"{path.relative_to(instance)}/ is {oct(_mode(path))}"
    assert srv.terminate() == 0


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (apt-get install systemd)")
def test_the_unit_is_hardened() -> None:
    unit = ROOT / "examgen.service"
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    print(f"\nsystemd-analyze security: {found.group(1)}")
    assert float(found.group(1)) <= 5.0, done.stdout
    text = unit.read_text()
    assert not re.search(r"^MemoryDenyWriteExecute=", text, re.M)  # V8's JIT needs it off
    assert re.search(r"^RestrictNamespaces=.*\buser\b", text, re.M)  # Chromium's sandbox needs user namespaces
    assert re.search(r"^UMask=0077$", text, re.M) and re.search(r"^StateDirectory=examgen$", text, re.M)


NOBODY = 65534


@pytest.mark.browser
@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root and setpriv to start the server as an unprivileged user",
)
def test_chromium_runs_sandboxed_under_the_units_restrictions(tmp_path: Path) -> None:
    """The server as an unprivileged user with no_new_privs, no capabilities and umask 077 (what the
    unit gives it): a publish succeeds, and the renderers run in Chromium's own sandbox."""
    instance = Path(tempfile.mkdtemp(prefix="examgen-unpriv-"))  # pytest's own folders are root's alone
    os.chown(instance, NOBODY, NOBODY)
    srv = ServerProcess(instance, HOME=str(instance), MAX_CONCURRENT_JOBS=1)
    srv.log = tmp_path / "server.log"
    prefix = ["setpriv", "--no-new-privs", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    prefix += ["--inh-caps=-all", "--bounding-set=-all"]
    try:
        srv.start(command_prefix=prefix)
        token = srv.make_user("una")
        ids = srv.publish(token, [article("[unpriv]", 0)])
        job = srv.wait_final(token, ids, timeout=120)[ids[0]]
        assert job["status"] == "success", job
        renderers = _renderers(NOBODY)
        assert renderers, "no Chromium renderer found"
        server_userns = os.readlink(f"/proc/{srv.proc.pid}/ns/user")
        for pid, cmdline in renderers:
            assert "--no-sandbox" not in cmdline
            status = Path(f"/proc/{pid}/status").read_text()
            assert re.search(r"^Seccomp:\s+2$", status, re.M), f"renderer {pid} has no seccomp filter"
            assert os.readlink(f"/proc/{pid}/ns/user") != server_userns, f"renderer {pid} shares our namespace"
        assert _mode(instance / "examgen.db") == 0o600
        assert srv.terminate() == 0
    finally:
        srv.cleanup()
        shutil.rmtree(instance, ignore_errors=True)


def _renderers(uid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "--type=renderer" in cmdline:
            found.append((int(entry.name), cmdline))
    return found
