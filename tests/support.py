"""Test support: a live server in this process or in a child process, and a small HTTP client."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
FINAL = {"success", "failed", "cancelled", "needs_review"}
ADMIN_TOKEN = "test-admin-token-0123456789"


_POSTGRES_LOCK: list[Any] = []  # the lock file, while a test holds the shared PostgreSQL database


def release_postgres() -> None:
    """Let the next test (in any worker) have the PostgreSQL database."""
    while _POSTGRES_LOCK:
        handle = _POSTGRES_LOCK.pop()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def postgres_url() -> str:
    """A freshly emptied PostgreSQL database from EXAMGEN_TEST_POSTGRES_URL (.ci/run provides one).

    Without it the caller is skipped, with that reason in the report: SQLite is always tested.
    """
    import pytest
    from sqlalchemy import create_engine, text

    url = os.environ.get("EXAMGEN_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip("no PostgreSQL: set EXAMGEN_TEST_POSTGRES_URL (bash .ci/run starts one)")
    if not _POSTGRES_LOCK:
        # the tests share one database (and one restarts the cluster): one test at a time across the
        # pytest-xdist workers; tests/conftest.py releases the lock when the test ends
        handle = open(Path(tempfile.gettempdir()) / "examgen-test-postgres.lock", "w")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)
        _POSTGRES_LOCK.append(handle)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_block(count: int, attempts: int = 50) -> int:
    """The first of ``count`` consecutive TCP ports free on loopback right now.

    Taken below the kernel's ephemeral range, so outgoing connections cannot grab one meanwhile.
    """
    import random

    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(attempts):
        first = random.randint(10000, max(10001, low - count - 1))
        try:
            for port in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports")


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it is truthy; fail the test naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    error: OSError | None = None
    while True:
        try:
            value = predicate()
        except OSError as exc:  # a server asked (a Grid hub, say) too busy to answer this once: not yet
            value, error = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout} s waiting for {what}" + (f" (last: {error})" if error else "")
            )
        time.sleep(interval)


class Http:
    """A tiny JSON client for a base URL (the standard library only, like a curl user)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any, dict[str, str]]:
        """(status, parsed JSON or raw bytes, headers)."""
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        status, payload, rh = self._send(method, path, data, hdrs, timeout)
        if "json" in rh.get("Content-Type", ""):
            try:
                return status, json.loads(payload), rh
            except ValueError:
                pass
        return status, payload, rh

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes, dict[str, str]]:
        """One request on a new connection: (status, body, headers)."""
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def ok(self, method: str, path: str, body: Any = None, token: str | None = None, expect: int = 200) -> Any:
        """Call and assert the status; return the JSON."""
        status, data, _ = self.call(method, path, body, token)
        assert status == expect, f"{method} {path}: {status} {data}"
        return data

    def make_user(self, name: str, admin_token: str = ADMIN_TOKEN, demo_account: bool = True) -> str:
        """Create a user (and its demo account); return its token."""
        data = self.ok("POST", "/api/users", {"username": name, "password": "pw-" + name + "-123"}, admin_token, 201)
        token = data["token"]
        if demo_account:
            cookies = [{"name": "demo_user", "value": name}]
            self.ok("POST", "/api/accounts", {"platform": "demo", "name": "main", "cookies": cookies}, token, 201)
        return token

    def publish(self, token: str, articles: list[dict[str, str]], **extra: Any) -> list[str]:
        """Submit articles to the demo platform; return the job ids."""
        body = {"platform": "demo", "account": "main", "articles": articles, **extra}
        return self.ok("POST", "/api/jobs/publish", body, token, 202)["job_ids"]

    def job(self, token: str, job_id: str) -> dict[str, Any]:
        """One job."""
        return self.ok("GET", f"/api/jobs/{job_id}", token=token)["job"]

    def wait_final(self, token: str, ids: Iterable[str], timeout: float = 120) -> dict[str, dict[str, Any]]:
        """Wait until every job is final; return them by id."""
        ids = list(ids)

        def done() -> dict[str, dict[str, Any]] | None:
            jobs = {
                j["job_id"]: j for j in self.ok("GET", "/api/jobs/status?ids=" + ",".join(ids), token=token)["jobs"]
            }
            return jobs if all(jobs.get(i, {}).get("status") in FINAL for i in ids) else None

        return wait_until(done, timeout, f"{len(ids)} jobs to finish", interval=0.2)

    def articles(self) -> list[dict[str, Any]]:
        """Everything on the demo platform."""
        return self.ok("GET", "/demo/api/articles")

    def knobs(self, **values: Any) -> dict[str, Any]:
        """Set demo platform knobs."""
        return self.ok("POST", "/demo/api/knobs", values)


class LiveServer(Http):
    """create_app() served by waitress on a thread of this process, with a real SQLite file."""

    def __init__(self, instance: Path, **overrides: Any) -> None:
        port = free_port()
        overrides.setdefault("admin_token", ADMIN_TOKEN)
        overrides.setdefault("admin_password", "admin-password-1")
        overrides.setdefault("demo_knobs", True)  # the fault-injection endpoints, for tests only
        overrides.setdefault("server_threads", 8)
        self.config = TestConfig.for_dir(instance, port=port, **overrides)
        super().__init__(f"http://127.0.0.1:{port}")
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        from waitress.server import create_server

        from app import create_app

        self.app = create_app(self.config)
        self.engine = self.app.extensions["examgen"]
        self.server = create_server(
            self.app,
            host="127.0.0.1",
            port=self.config.port,
            threads=self.config.server_threads,
            clear_untrusted_proxy_headers=self.config.trusted_proxies == 0,
        )
        self._thread = threading.Thread(target=self.server.run, name="test-http", daemon=True)
        self._thread.start()
        return self

    def seed_finished_jobs(self, username: str, count: int) -> None:
        """Write ``count`` finished jobs of ``username`` straight into the database: a long history to
        list, search and sort (every tenth title repeats, as a teacher's weekly exam would)."""
        from datetime import timedelta

        from sqlalchemy import select

        from app.models import Job, User, utcnow

        statuses = ["success"] * 7 + ["failed", "cancelled", "needs_review"]
        start = utcnow() - timedelta(days=3)
        with self.engine.db.write() as s:
            user_id = s.scalar(select(User.id).where(User.username == username))
            for i in range(count):
                created = start + timedelta(minutes=i)
                status = statuses[i % len(statuses)]
                exam = i % 4 == 3
                s.add(
                    Job(
                        user_id=user_id,
                        kind="generate" if exam else "publish",
                        status=status,
                        title="Weekly exam" if i % 10 == 9 else f"History note {i:04d}",
                        platform=None if exam else "demo",
                        account_name=None if exam else "main",
                        payload={"filename": f"chapter-{i % 12 + 1}.pdf"} if exam else {},
                        error="seeded failure" if status == "failed" else None,
                        error_code="platform_error" if status == "failed" else None,
                        attempts=1 + i % 3,
                        max_attempts=4,
                        progress=100,
                        created_at=created,
                        started_at=created + timedelta(seconds=5),
                        finished_at=created + timedelta(seconds=5 + i % 50),
                        updated_at=created + timedelta(seconds=5 + i % 50),
                    )
                )

    def stop(self, grace: float = 2) -> None:
        from run import stop_http

        self.engine.server.stop(grace=grace)
        stop_http(self.server, self._thread)


class ServerProcess(Http):
    """``python run.py`` as a child process (for SIGTERM and kill -9 tests)."""

    def __init__(self, instance: Path, port: int | None = None, **env: Any) -> None:
        self.port = port or free_port()
        super().__init__(f"http://127.0.0.1:{self.port}")
        self.instance = Path(instance)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DEMO_", "MAX_", "USER_", "DRIVER_"))}
        self.env.update(
            PORT=str(self.port),
            INSTANCE_PATH=str(instance),
            ADMIN_TOKEN=ADMIN_TOKEN,
            ADMIN_PASSWORD="admin-password-1",
            PYTHONUNBUFFERED="1",
            RETRY_BASE_DELAY="0.2",
            RETRY_MAX_DELAY="1",
            DRIVER_PREWARM="0",  # browsers on demand: most tests need one or two at most
            DEMO_KNOBS="1",  # the fault-injection endpoints (tests and the benchmark use them)
        )
        self.env.update({k: str(v) for k, v in env.items()})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.instance / "server.log"

    def start(self, timeout: float = 60, command_prefix: list[str] | None = None) -> ServerProcess:
        self.instance.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*(command_prefix or []), sys.executable, "run.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def healthy() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}: {self.tail()}")
            try:
                return self.call("GET", "/healthz", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(healthy, timeout, "the server to answer /healthz", interval=0.2)
        return self

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM and wait; the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill9(self) -> None:
        """SIGKILL the server process only, like a crash (its browsers stay behind)."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def cleanup(self) -> None:
        """Stop a server the test left running, then sweep browsers a killed server left behind."""
        from app.engine.browser_factory import BrowserFactory

        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # lets it quit its own browsers
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # chromedriver runs in its own session: the server's records of it are how to find it
        BrowserFactory(self.instance / "browsers").sweep_leftovers()
        for pid in browser_pids(self.instance):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


def browser_pids(instance: Path) -> set[int]:
    """Pids of Chromium processes started for this instance (their profile lives inside it)."""
    needle = str(Path(instance) / "browsers")
    pids = set()
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                cmdline = Path(f"/proc/{p}/cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if needle in cmdline:
                pids.add(int(p))
    return pids


def article(tag: str, i: int, words: int = 20) -> dict[str, str]:
    """A distinct article with some CJK text."""
    body = " ".join(["queue", "browser", "考试", "publish", "学习", "fair"][(i + k) % 6] for k in range(words))
    return {"title": f"{tag} article {i}", "content": f"{tag}-{i}: {body}"}
