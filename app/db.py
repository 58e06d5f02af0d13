"""The engine and the two session factories (write and read), and schema migration at start."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("examgen.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_READ_ONLY = "examgen_read_only"
# ~16 s in all: outlasts a restarted PostgreSQL or a SQLite file held locked past the busy timeout
WRITE_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
T = TypeVar("T")


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writes.

    pysqlite's own transaction handling begins lazily and upgrades a read lock to a write lock
    mid-transaction, which fails at once with "database is locked" under concurrency. Taking the
    write lock at BEGIN makes writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # each pooled connection keeps its own page cache, 2 MB by default, filled as the file grows: the
        # server's RSS crept up ~2.8 MB per 1,000 jobs until every cache was full. The OS caches the file
        # for all of them anyway; 512 KB each levels off after ~7,000 jobs (bench/memory.py)
        cur.execute("PRAGMA cache_size=-512")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (``Session.execute`` is typed as returning a plain ``Result``)."""
    return cast("CursorResult[Any]", result).rowcount


class Database:
    """One engine for the process, a write and a read session factory over it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            _sqlite_setup(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        read_engine = self.engine.execution_options(**{_READ_ONLY: True})
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(read_engine, expire_on_commit=False)
        # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in steps of
        # up to 100 ms before it looks again; queueing this process's writers on a lock of our own
        # hands the write lock over the moment it is free (other processes still meet the busy timeout)
        self._write_turn: AbstractContextManager[Any] = threading.RLock() if self.is_sqlite else nullcontext()
        self.on_error: Callable[[], None] = lambda: None  # the reconciler listens here
        self.errors = 0

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction: committed on success, rolled back on error."""
        with self._write_turn, self._writer.begin() as session:
            yield session

    def write_retrying(
        self,
        work: Callable[[Session], T],
        what: str,
        delays: tuple[float, ...] = WRITE_RETRY_DELAYS,
        write: bool = True,
    ) -> T:
        """Run ``work`` in a write transaction, again after a transient database error, with backoff.

        Used for writes that record an outcome: losing one would leave a job looking unfinished.
        The last error is raised; the reconciler then repairs what could not be written.
        """
        for attempt, delay in enumerate((*delays, None), start=1):
            try:
                with self.write() if write else self.read() as session:
                    return work(session)
            except TRANSIENT_DB_ERRORS as exc:
                self.errors += 1
                self.on_error()
                if delay is None:
                    raise
                first = str(exc).splitlines()[0][:200]
                log.warning("Database error while %s (try %d): %s; again in %.1f s", what, attempt, first, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction that never takes the SQLite write lock."""
        with self._reader() as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic ``upgrade head``)."""
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        log.debug("Database schema is up to date")

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.read() as session:
                session.connection().exec_driver_sql("SELECT 1")
            return True
        except Exception:
            log.exception("Database ping failed")
            return False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
