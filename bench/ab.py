"""Two revisions side by side on a shared, noisy machine: the examgen half of bench.publish, alternating.

``python -m bench.ab REV [PAIRS]`` (``make bench-ab BASE=REV``) checks REV out in a temporary git
worktree, then runs bench.publish's server benchmark (100 publishes, 10 users, 2 slots, the demo
platform in its own process) on REV and on this tree in turn, PAIRS times (default 4), each run in a
child process that imports its own tree. Other work on a shared machine moves jobs/s by ±15 % from
minute to minute; alternating puts both sides under the same drift, so read the median of the pairs'
ratios, not one run. CPU-seconds per job (the server's Python, the browsers) move less than jobs/s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.record import ROOT, report

# one run of one tree: its own bench.publish and tests/support (a revision's server is its run.py); the
# server's settings are spelled out here, as bench.publish.one_run has them, because an older revision
# has no function of its own that returns them
ONE_RUN = """
import json, sys, tempfile
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
import bench.publish as bp
from support import ServerProcess, wait_until
with tempfile.TemporaryDirectory() as tmp:
    platform = ServerProcess(Path(tmp) / "platform").start()
    env = {"MAX_CONCURRENT_JOBS": bp.CONCURRENCY, "USER_MAX_ACTIVE": bp.PER_USER, "USER_RATE_LIMIT": "100/minute",
           "DEMO_PLATFORM": 0, "DEMO_URL": platform.base, "DRIVER_PREWARM": 1, "BROWSER_KEPT_CONTEXTS": bp.KEPT}
    server = ServerProcess(Path(tmp) / "instance", **env).start()
    try:
        wait_until(lambda: "Warm-up done" in server.log.read_text(), 180, "the server's warm-up")
        r = bp.run_server_benchmark(server)
    finally:
        server.terminate()
        platform.terminate()
print(json.dumps({k: r[k] for k in ("jobs_per_s", "cpu_s_per_job", "job_contexts", "success")}))
"""

SIDES = ("base", "head")


def run_tree(tree: Path) -> dict[str, Any]:
    """One server benchmark of the code in ``tree``, as its JSON figures."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_RUN, str(tree)], cwd=tree, capture_output=True, text=True, timeout=900, check=True
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per side and of the pairs' head/base ratios; ``runs`` alternate as run (each has ``side``)."""
    by_side = {side: [r for r in runs if r["side"] == side] for side in SIDES}

    def median(side: str, *keys: str) -> float | None:
        values = []
        for run in by_side[side]:
            value: Any = run
            for key in keys:
                value = value[key]
            values.append(float(value))
        return round(statistics.median(values), 3) if values else None

    pairs = list(zip(by_side["base"], by_side["head"], strict=False))
    ratios = [h["jobs_per_s"] / b["jobs_per_s"] for b, h in pairs]
    return {
        side: {
            "runs": len(by_side[side]),
            "jobs_per_s": median(side, "jobs_per_s"),
            "server_python_cpu_s_per_job": median(side, "cpu_s_per_job", "server_python"),
            "browsers_cpu_s_per_job": median(side, "cpu_s_per_job", "browsers"),
            "fresh_contexts": median(side, "job_contexts", "fresh"),
        }
        for side in SIDES
    } | {
        "head_over_base_jobs_per_s": [round(r, 3) for r in ratios],
        "head_over_base_median": round(statistics.median(ratios), 3) if ratios else None,
    }


def main() -> None:
    """Check REV out, run both trees alternately, print every run and the summary."""
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.ab REV [PAIRS]")
    rev, pairs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), rev], cwd=ROOT, check=True, capture_output=True
        )
        try:
            runs: list[dict[str, Any]] = []
            for n in range(pairs):
                order = SIDES if n % 2 == 0 else SIDES[::-1]  # neither side always runs first
                for side in order:
                    figures = run_tree(base if side == "base" else ROOT) | {"side": side}
                    runs.append(figures)
                    print(f"pair {n + 1}/{pairs} {side}: {figures['jobs_per_s']} jobs/s", file=sys.stderr, flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    report("ab", {"base": rev, "runs": runs, "summary": summarize(runs)})


if __name__ == "__main__":
    main()
