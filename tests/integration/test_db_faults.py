"""Database faults in the middle of a run: nothing lost, stuck or published twice; counters right."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import event
from support import Http, LiveServer, ServerProcess, article, postgres_url, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

USERS, PER_USER = 3, 6
LIMITS = {"max_concurrent_jobs": 2, "user_max_active": 30, "user_rate_limit": "200/minute"}

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


def submit_run(server: Http, tag: str) -> dict[str, list[str]]:
    """18 single-article publishes from three users; their job ids by token."""
    tokens = [server.make_user(f"{tag}{u}") for u in range(USERS)]
    return {
        t: [j for i in range(PER_USER) for j in server.publish(t, [article(f"[{tag}{u}]", i)])]
        for u, t in enumerate(tokens)
    }


def assert_run_whole(server: Http, tag: str, owned: dict[str, list[str]], timeout: float = 400) -> None:
    """0 lost, 0 stuck, 0 duplicated, and the counters agree."""
    jobs = {}
    for token, ids in owned.items():
        jobs.update(server.wait_final(token, ids, timeout=timeout))
    assert Counter(j["status"] for j in jobs.values()) == {"success": USERS * PER_USER}, [
        (j["status"], j["error_code"], j["error"]) for j in jobs.values() if j["status"] != "success"
    ]
    counts = Counter(a["title"] for a in server.articles() if a["title"].startswith(f"[{tag}"))
    assert len(counts) == USERS * PER_USER and set(counts.values()) == {1}  # every one, none twice
    token = next(iter(owned))
    status = wait_until(
        lambda: (s := server.ok("GET", "/queue/status", token=token))["processing"] == 0 and s,
        30,
        "processing back to 0",
    )
    assert (status["queue_size"], status["total_processed"], status["total_failed"]) == (0, USERS * PER_USER, 0)
    for t in owned:
        assert server.ok("GET", "/api/jobs?status=queued,running,retrying", token=t)["total"] == 0


def some_done(server: Http, token: str, n: int) -> None:
    wait_until(lambda: server.ok("GET", "/queue/status", token=token)["total_processed"] >= n, 180, f"{n} jobs done")


@pytest.mark.server(**LIMITS)
def test_sqlite_locked_by_another_process_for_10_s_mid_run(live_server: LiveServer) -> None:
    owned = submit_run(live_server, "lock")
    some_done(live_server, next(iter(owned)), 4)
    path = live_server.config.database_url.split("///", 1)[1]
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, path, "10"], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        assert locker.wait(60) == 0
    finally:
        if locker.poll() is None:
            locker.kill()
    assert_run_whole(live_server, "lock", owned)


class Faults:
    """Makes chosen SQL statements fail like a locked or lost database, a given number of times."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.left: dict[str, int] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._before)

    def arm(self, **counts: int) -> None:
        with self.lock:
            self.left.update(counts)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        kind = None
        if statement.startswith("UPDATE jobs SET") and "attempts=(jobs.attempts +" in statement:
            kind = "claim"
        elif statement.startswith("UPDATE jobs SET") and "finished_at=" in statement:
            kind = "outcome"
        if kind is None:
            return
        with self.lock:
            if self.left.get(kind, 0) <= 0:
                return
            self.left[kind] -= 1
            self.hits[kind] += 1
        raise sqlite3.OperationalError("database is locked")

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


@pytest.mark.server(**LIMITS)
def test_failed_claims_and_unrecordable_outcomes_are_repaired(live_server: LiveServer) -> None:
    faults = Faults(live_server.engine.db.engine)
    try:
        # claims fail (the job must not stay queued in the database, nor count as processing), and
        # more outcome writes fail than one job retries: a row stays "running" for the reconciler
        faults.arm(claim=3, outcome=16)
        owned = submit_run(live_server, "fault")
        assert_run_whole(live_server, "fault", owned)
        assert faults.hits == {"claim": 3, "outcome": 16}
        assert live_server.engine.server._reconciler.passes >= 1
    finally:
        faults.remove()


def _cluster_of(url: str) -> tuple[str, str] | None:
    """(version, name) of the local cluster serving ``url``'s port, from pg_lsclusters."""
    if not shutil.which("pg_lsclusters") or not shutil.which("pg_ctlcluster"):
        return None
    port = str(urlparse(url.replace("postgresql+psycopg", "postgresql")).port or 5432)
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return fields[0], fields[1]
    return None


def test_postgresql_restarted_mid_run(instance: Path, server_process: type[ServerProcess]) -> None:
    url = postgres_url()  # skips without EXAMGEN_TEST_POSTGRES_URL
    cluster = _cluster_of(url)
    if cluster is None or os.geteuid() != 0:
        pytest.skip("PostgreSQL is not a local pg_ctlcluster cluster this test may restart")
    env = {"DATABASE_URL": url, **{k.upper(): v for k, v in LIMITS.items()}}
    server = server_process(instance, **env).start()
    owned = submit_run(server, "pg")
    some_done(server, next(iter(owned)), 4)
    subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=120)
    assert_run_whole(server, "pg", owned)
    assert server.terminate() == 0
