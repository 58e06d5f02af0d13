"""The two-revision benchmark's summary: medians per side, and each pair's ratio."""

from __future__ import annotations

from typing import Any

from bench.ab import summarize


def run(side: str, jobs_per_s: float, server: float = 0.03, fresh: int = 10) -> dict[str, Any]:
    return {
        "side": side,
        "jobs_per_s": jobs_per_s,
        "cpu_s_per_job": {"server_python": server, "bench_client": 0.01, "browsers": 0.3},
        "job_contexts": {"kept": 100 - fresh, "fresh": fresh},
        "success": 100,
    }


def test_the_summary_pairs_runs_made_next_to_each_other_and_takes_medians() -> None:
    # the machine slows down between the pairs: each pair's ratio still shows head 10 % faster
    runs = [run("base", 4.0), run("head", 4.4), run("head", 3.3, fresh=12), run("base", 3.0), run("base", 5.0)]
    runs.append(run("head", 5.5, server=0.02))
    summary = summarize(runs)
    assert summary["head_over_base_jobs_per_s"] == [1.1, 1.1, 1.1]
    assert summary["head_over_base_median"] == 1.1
    assert summary["base"] == {
        "runs": 3,
        "jobs_per_s": 4.0,
        "server_python_cpu_s_per_job": 0.03,
        "browsers_cpu_s_per_job": 0.3,
        "fresh_contexts": 10,
    }
    assert summary["head"]["jobs_per_s"] == 4.4 and summary["head"]["fresh_contexts"] == 10


def test_a_summary_of_one_side_only_has_no_ratio() -> None:
    summary = summarize([run("base", 4.0)])
    assert summary["head_over_base_median"] is None and summary["head"]["runs"] == 0
