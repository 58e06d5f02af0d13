"""Where a benchmark's figures go: printed as one JSON document, and kept in ``bench-results/``
(or ``$BENCH_RESULTS``) so that ``bench.compare`` can hold them against the baseline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def results_dir() -> Path:
    """The directory the last run of each benchmark is kept in."""
    return Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench-results")


def report(name: str, figures: dict[str, Any]) -> None:
    """Print ``figures`` and keep them as ``<results>/<name>.json`` (the previous run's are replaced)."""
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text, flush=True)
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
