"""What a job list asks for: filters, a search and an order, as one SQL query on any backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_

from app.models import Job

# the orders a list can ask for; every one ends on the submission order so pages never overlap
SORTS: dict[str, Any] = {
    "created": Job.seq,
    "title": Job.title,
    "status": Job.status,
    "kind": Job.kind,
    "started": Job.started_at,
    "finished": Job.finished_at,
    "attempts": Job.attempts,
}
DEFAULT_SORT = "-created"
MAX_SEARCH = 200
# a word is also looked for as the start of a job id only from this length (the table shows 8): a short
# number such as "3" or "000" would otherwise match every job whose random id happens to start with it
ID_PREFIX_MIN = 8
_HEX = frozenset("0123456789abcdef-")


def sort_names() -> list[str]:
    """Every accepted ``sort`` value: a column name, or the name with a leading ``-`` (descending)."""
    return [p + name for name in SORTS for p in ("", "-")]


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern: its own % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class JobQuery:
    """Statuses and kinds to keep, words to find (title, article id, account, job id) and the order."""

    statuses: Sequence[str] = ()
    kinds: Sequence[str] = ()
    search: str = ""
    sort: str = DEFAULT_SORT

    def filter(self, q: Select) -> Select:
        """``q`` narrowed to the statuses, kinds and search."""
        if self.statuses:
            q = q.where(Job.status.in_(list(self.statuses)))
        if self.kinds:
            q = q.where(Job.kind.in_(list(self.kinds)))
        for word in self.search.split():
            # every word must match somewhere: "exam chapter 3" narrows, as a search box does
            pattern = f"%{_escaped(word.lower())}%"
            found = [
                Job.title.ilike(pattern, escape="\\"),
                Job.article_id.ilike(pattern, escape="\\"),
                Job.account_name.ilike(pattern, escape="\\"),
            ]
            prefix = word.lower().lstrip("#")  # "#1d1bcd7a", as the table shows it, or the bare id
            if len(prefix) >= ID_PREFIX_MIN and set(prefix) <= _HEX:
                found.append(Job.id.like(f"{prefix}%"))
            q = q.where(or_(*found))
        return q

    def order(self, q: Select) -> Select:
        """``q`` in the asked order; jobs without the value (not started yet…) come last either way."""
        descending = self.sort.startswith("-")
        column = SORTS[self.sort.lstrip("-")]
        if column is Job.seq:
            return q.order_by(Job.seq.desc() if descending else Job.seq)
        value = column.desc() if descending else column
        # (IS NULL, value) instead of NULLS LAST, which MySQL does not have
        return q.order_by(column.is_(None), value, Job.seq.desc() if descending else Job.seq)
