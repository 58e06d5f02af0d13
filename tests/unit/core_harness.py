"""A job server that is never started: tests drive its dispatcher one step at a time, on their own thread.

Everything is real (SQLite file, job store, FairQueue, Pacer, JobRunner, JobDesk) except the job
kind: a scripted kind that needs no browser, so no Chromium starts and no thread is spawned.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import jobs as store
from app.crypto import CookieBox
from app.db import Database
from app.engine.browser_factory import BrowserFactory
from app.engine.server import JobServer
from app.jobs import NewJob
from app.kinds.base import JobContext, JobResult
from app.models import Job, User
from app.service import JobDesk
from config import TestConfig

Action = Callable[[JobContext], JobResult]


class ScriptedKind:
    """Runs ``payload["do"]``, an action the test registered, and records the order of runs."""

    name = "scripted"
    needs_browser = False

    def __init__(self) -> None:
        self.actions: dict[str, Action] = {"ok": lambda ctx: JobResult(result_url=f"http://demo/p/{ctx.job_id}")}
        self.ran: list[str] = []  # payload["tag"] of every run, in order

    def lane(self, payload: dict[str, Any], user_id: int, account_id: int | None) -> str:
        """The lane the test put in the payload ("" for none)."""
        return str(payload.get("lane", ""))

    def on_success(self, session: Session, job: Job, result: JobResult) -> None:
        """Scripted jobs have no effects of their own."""

    def run(self, ctx: JobContext) -> JobResult:
        """Record the run, then do the scripted action."""
        self.ran.append(str(ctx.payload.get("tag", ctx.job_id)))
        return self.actions[ctx.payload["do"]](ctx)


def migrated_schema(folder: Path) -> Path:
    """A SQLite file with the current schema, to copy for each test."""
    db = Database(f"sqlite:///{folder / 'schema.db'}")
    db.upgrade()
    db.dispose()
    return folder / "schema.db"


class Core:
    """The engine of one test: a server that is built but not started, and helpers to drive it."""

    def __init__(self, tmp_path: Path, schema: Path | None = None, **overrides: Any) -> None:
        self.config = TestConfig.for_dir(tmp_path / "instance", **overrides)
        Path(self.config.instance_path).mkdir(parents=True, exist_ok=True)
        if schema is not None:  # a copy of a freshly migrated file: the same schema, without the migration's cost
            shutil.copyfile(schema, Path(self.config.instance_path) / "examgen.db")
        self.db = Database(self.config.database_url)
        if schema is None:
            self.db.upgrade()
        self.kind = ScriptedKind()
        self.server = JobServer(
            self.config,
            self.db,
            {"scripted": self.kind},
            {},
            CookieBox(Path(self.config.instance_path)),
            BrowserFactory(Path(self.config.instance_path) / "profiles"),
        )
        self.server._figures.load()
        self.server._dispatcher.launch = threading.Thread.run  # the job runs inline, on the test's thread
        self.service = JobDesk(self.server)
        self.users: dict[str, User] = {}

    def user(self, name: str) -> User:
        """A user row, created on first use."""
        if name not in self.users:
            with self.db.write() as s:
                user = User(username=name)
                s.add(user)
                s.flush()
                s.expunge(user)
            self.users[name] = user
        return self.users[name]

    def submit(self, name: str, *actions: str, priority: int = 5, lane: str = "", tag: str = "") -> list[str]:
        """Submit one scripted job per action through the service; their ids."""
        jobs = [
            NewJob(kind="scripted", payload={"do": a, "lane": lane, "tag": f"{tag or name}{i}"})
            for i, a in enumerate(actions)
        ]
        created, _ = self.service.submit(self.user(name), jobs, priority)
        return [j["job_id"] for j in created]

    def step(self) -> bool:
        """One dispatcher step, without waiting; True if a job was started (and, inline, finished)."""
        return self.server._dispatcher.run_once(wait=0)

    def drain(self, limit: int = 100) -> int:
        """Step until nothing starts; how many jobs ran."""
        n = 0
        while n < limit and self.step():
            n += 1
        return n

    def job(self, job_id: str) -> Job:
        """The stored row of a job."""
        with self.db.read() as s:
            job = store.get(s, job_id)
            assert job is not None
            s.expunge(job)
            return job

    def free_slots(self) -> int:
        """Slots the dispatcher could take now (all of them are given back after each step)."""
        sem = self.server._dispatcher.slots
        taken = 0
        while sem.acquire(blocking=False):
            taken += 1
        for _ in range(taken):
            sem.release()
        return taken

    def close(self) -> None:
        """Dispose of the database."""
        self.db.dispose()
