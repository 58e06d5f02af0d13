"""The engine and the two session factories (write and read), and schema migration at start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("examgen.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_READ_ONLY = "examgen_read_only"


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
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction: committed on success, rolled back on error."""
        with self._writer.begin() as session:
            yield session

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
