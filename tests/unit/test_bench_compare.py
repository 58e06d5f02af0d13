"""The benchmark regression check: figures against the baseline, with their tolerances."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import compare as compare_module
from bench.compare import Figure, compare, load_baseline, lookup
from bench.record import report

BENCH_DIR = Path(compare_module.__file__).resolve().parent


def write(results: Path, name: str, document: dict[str, object]) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(document))


def test_a_figure_is_worse_only_past_its_tolerance_in_its_own_direction() -> None:
    ratio = Figure("publish", "ratio", "higher", baseline=0.8, tolerance=0.1)
    assert ratio.verdict(0.9) == "ok"  # better
    assert ratio.verdict(0.73) == "ok"  # within 10 %
    assert ratio.verdict(0.71) == "WORSE"
    memory = Figure("memory", "mb", "lower", baseline=100, tolerance=0.2)
    assert memory.verdict(119) == "ok"
    assert memory.verdict(121) == "WORSE"
    growth = Figure("memory", "growth", "lower", baseline=0.2, tolerance=0, slack=2)
    assert growth.verdict(2.1) == "ok"  # near 0 a fraction means nothing: an absolute slack
    assert growth.verdict(2.3) == "WORSE"


def test_lookup_reads_dotted_paths_and_only_numbers() -> None:
    doc = {"a": {"b": 1.5, "c": "text", "d": True}, "n": 3}
    assert lookup(doc, "a.b") == 1.5
    assert lookup(doc, "n") == 3.0
    assert lookup(doc, "a.c") is None
    assert lookup(doc, "a.d") is None
    assert lookup(doc, "a.x.y") is None


def test_compare_tells_ok_worse_missing_and_not_run(tmp_path: Path) -> None:
    figures = [
        Figure("publish", "median.ratio", "higher", 0.8),
        Figure("publish", "median.gone", "lower", 1.0),
        Figure("memory", "mb", "lower", 100),
        Figure("deep_queue", "ratio", "lower", 1.0),
    ]
    write(tmp_path, "publish", {"median": {"ratio": 0.79}})
    write(tmp_path, "memory", {"mb": 140})
    verdicts = [(f.path, value, verdict) for f, value, verdict in compare(figures, tmp_path)]
    assert verdicts == [
        ("median.ratio", 0.79, "ok"),
        ("median.gone", None, "MISSING"),  # the benchmark ran and no longer prints it: the check is broken
        ("mb", 140.0, "WORSE"),
        ("ratio", None, "not run"),  # one benchmark run alone checks only its own figures
    ]


def test_main_exits_1_on_a_regression_and_0_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps({"figures": [{"bench": "batch", "path": "speedup", "better": "higher", "baseline": 3}]})
    )
    monkeypatch.setattr(compare_module, "BASELINE", baseline)
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "results"))
    report("batch", {"speedup": 2.9})
    assert json.loads((tmp_path / "results" / "batch.json").read_text()) == {"speedup": 2.9}
    assert compare_module.main() == 0
    report("batch", {"speedup": 2.0})  # the last run replaces the one before
    assert compare_module.main() == 1


def test_every_baseline_figure_names_a_benchmark_that_reports_under_that_name() -> None:
    figures = load_baseline()
    assert figures
    for f in figures:
        source = (BENCH_DIR / f"{f.bench}.py").read_text()
        assert re.search(rf'report\(\s*"{f.bench}"', source), f.bench
        assert f.path.split(".")[-1] in source, f"{f.bench} prints no {f.path}"
