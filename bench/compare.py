"""Regression check: the last ``make bench`` figures against ``bench/baseline.json``.

Only figures that do not depend on the machine's speed are compared (ratios to a baseline measured
in the same run, speed-ups, memory): the baseline was measured on the reference machine (2 cores),
and each figure has a tolerance as wide as its spread between runs there. ``make bench`` ends with
this check; it prints one line per figure and exits 1 when one is worse than its tolerance allows.
Run ``python -m bench.compare`` after a single benchmark to check only what it measured.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.record import results_dir

BASELINE = Path(__file__).resolve().parent / "baseline.json"


@dataclass(frozen=True)
class Figure:
    """One compared figure: where it is in a benchmark's JSON, which way is better, and how far off is noise."""

    bench: str
    path: str  # dotted keys into the benchmark's JSON document
    better: str  # "higher" or "lower"
    baseline: float
    tolerance: float = 0.1  # relative: the figure may be this fraction worse than the baseline
    slack: float = 0.0  # absolute, on top (for figures near 0, where a fraction means nothing)

    def limit(self) -> float:
        """The worst value still within the tolerance."""
        if self.better == "higher":
            return self.baseline * (1 - self.tolerance) - self.slack
        return self.baseline * (1 + self.tolerance) + self.slack

    def verdict(self, value: float) -> str:
        """``ok``, or ``WORSE`` when the value is past the limit."""
        past = value < self.limit() if self.better == "higher" else value > self.limit()
        return "WORSE" if past else "ok"


def load_baseline(path: Path = BASELINE) -> list[Figure]:
    """The figures of the baseline file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    figures = [Figure(**entry) for entry in doc["figures"]]
    for f in figures:
        if f.better not in ("higher", "lower"):
            raise ValueError(f"{f.bench}.{f.path}: better must be 'higher' or 'lower', not {f.better!r}")
    return figures


def lookup(document: Any, path: str) -> float | None:
    """The number at ``path`` (dotted keys) in a JSON document, or None when it is not there."""
    for key in path.split("."):
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return float(document) if isinstance(document, int | float) and not isinstance(document, bool) else None


def compare(figures: list[Figure], results: Path) -> list[tuple[Figure, float | None, str]]:
    """Each figure with its last measured value and verdict (``not run`` when its benchmark was not)."""
    rows = []
    documents: dict[str, Any] = {}
    for f in figures:
        if f.bench not in documents:
            file = results / f"{f.bench}.json"
            documents[f.bench] = json.loads(file.read_text(encoding="utf-8")) if file.exists() else None
        document = documents[f.bench]
        if document is None:
            rows.append((f, None, "not run"))
            continue
        value = lookup(document, f.path)
        # MISSING: the benchmark ran but no longer prints the figure, so the check itself is broken
        rows.append((f, value, "MISSING" if value is None else f.verdict(value)))
    return rows


def main() -> int:
    """Print the comparison; 1 when a figure is worse than its tolerance or missing, else 0."""
    results = results_dir()
    rows = compare(load_baseline(BASELINE), results)
    print(f"Regression check: {results} against {BASELINE.name}")
    for f, value, verdict in rows:
        shown = "-" if value is None else f"{value:g}"
        sign = ">=" if f.better == "higher" else "<="
        print(f"  {verdict:8} {f.bench}.{f.path} = {shown} (baseline {f.baseline:g}, {sign} {f.limit():.3g} allowed)")
    failed = [r for r in rows if r[2] in ("WORSE", "MISSING")]
    print(f"{len(failed)} of {len(rows)} figures worse than the baseline allows" if failed else "No regression")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
