"""What every admin command shares: the configuration, the database, errors and tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from config import Config


@dataclass
class Shell:
    """What every subcommand needs: the configuration and the database, opened on first use."""

    config: Config
    _db: Any = None

    @property
    def db(self) -> Any:
        """The server's database, migrated to the current schema (a no-op when the server is up)."""
        if self._db is None:
            from app import private_instance
            from app.db import Database

            private_instance(self.config.instance_path)
            self._db = Database(self.config.database_url)
            self._db.upgrade()
        return self._db


def fail(message: str, code: int = 1) -> None:
    """One line on stderr, then exit with ``code``."""
    click.echo(f"examgen: {message}", err=True)
    sys.exit(code)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    """Print rows as aligned columns (``-`` for empty cells)."""
    cells = [[("-" if v is None or v == "" else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
