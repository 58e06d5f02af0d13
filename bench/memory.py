"""Benchmark: memory. PSS per extra warm browser and per kept browser context; server RSS over 10,000 jobs.

Browsers: the server started with DRIVER_PREWARM=1 and MAX_CONCURRENT_JOBS = 1, 2, 3, the PSS of its whole
process tree (server, chromedriver, Chromium) measured once its browsers are warm and idle; then, on one
browser, a job from each of several users (each keeps a context) and the PSS after each.
History: 10,000 jobs through the HTTP API from 10 users, ~300 run for real on the demo platform (priority 0,
so they always go first), the rest cancelled while queued (priority 9), some finished ones deleted; the
server process's own RSS sampled every 1,000 jobs.

Run with ``make bench`` or ``python -m bench.memory``. Prints one JSON document: the figures and targets.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import ADMIN_TOKEN, ServerProcess, article, wait_until

from bench.publish import tree_pss
from bench.record import report

MB = 2**20
KEPT = 8  # the server's default BROWSER_KEPT_CONTEXTS
KEPT_USERS = 6  # users whose jobs run one after another on one browser, each keeping a context
USERS, JOBS, BLOCK, REAL_PER_BLOCK = 10, 10_000, 1_000, 30
CHUNK = 10  # jobs submitted, then cancelled, per request
CANCELLERS = 3  # client threads submitting and cancelling
DELETE_PER_BLOCK = 50  # finished jobs deleted per block (some successes among them)


def slope(xs: list[float], ys: list[float]) -> float:
    """The least-squares slope of ys over xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def settled_pss(pid: int, wait: float = 3) -> float:
    """The median of three PSS samples (MB) of the process tree, after ``wait`` seconds of quiet."""
    time.sleep(wait)
    samples = []
    for _ in range(3):
        samples.append(tree_pss(pid) / MB)
        time.sleep(0.5)
    return statistics.median(samples)


def wait_idle(server: ServerProcess, browsers: int, timeout: float = 120) -> dict[str, Any]:
    """Wait until ``browsers`` browsers were started and all are idle, no job queued or running."""

    def idle() -> dict[str, Any] | None:
        doc = server.ok("GET", "/queue/status", token=ADMIN_TOKEN)
        pool = doc["pool"]
        quiet = doc["queue_size"] == 0 and doc["processing"] == 0
        return pool if quiet and pool["created"] >= browsers and pool["idle"] == browsers else None

    pool = wait_until(idle, timeout, f"{browsers} idle browsers", interval=0.3)
    # once idle, the server loads its exam dictionaries (a few hundred MB): measure after that
    wait_until(lambda: b"Warm-up done" in server.log.read_bytes(), timeout, "the warm-up to end", interval=0.5)
    return pool


def start(root: Path, name: str, platform: ServerProcess, **env: Any) -> ServerProcess:
    """The server under test, demo platform elsewhere, browsers started at start."""
    return ServerProcess(
        root / name, DEMO_PLATFORM=0, DEMO_URL=platform.base, DRIVER_PREWARM=1, BROWSER_KEPT_CONTEXTS=KEPT, **env
    ).start()


def measure_browsers(root: Path, platform: ServerProcess) -> dict[str, Any]:
    """PSS of the idle server tree with 1, 2, 3 warm browsers; then the PSS per kept context on one browser."""
    per_pool: dict[int, float] = {}
    server_own: dict[int, float] = {}  # the server process alone
    kept: dict[int, float] = {}
    for size in (1, 2, 3):
        server = start(root, f"pool{size}", platform, MAX_CONCURRENT_JOBS=size, USER_RATE_LIMIT="1000/minute")
        try:
            wait_idle(server, size)
            assert server.proc is not None
            per_pool[size] = settled_pss(server.proc.pid)
            server_own[size] = psutil.Process(server.proc.pid).memory_full_info().pss / MB
            if size == 1:
                kept[0] = per_pool[1]
                for u in range(KEPT_USERS):
                    token = server.make_user(f"kept{u}")
                    ids = server.publish(token, [article(f"[kept{u}]", 0)])
                    jobs = server.wait_final(token, ids, timeout=90)
                    assert all(j["status"] == "success" for j in jobs.values()), jobs
                    wait_idle(server, 1)
                    kept[u + 1] = settled_pss(server.proc.pid)
        finally:
            server.cleanup()
    sizes = sorted(per_pool)
    counts = sorted(k for k in kept if k >= 1)  # the first job also loads the page once: fit from one on
    per_browser = slope(sizes, [per_pool[s] for s in sizes])
    return {
        "tree_pss_mb_by_pool_size": {s: round(per_pool[s], 1) for s in sizes},
        "server_process_pss_mb_by_pool_size": {s: round(server_own[s], 1) for s in sizes},
        "pss_per_browser_mb": round(per_browser, 1),
        "tree_pss_mb_by_kept_contexts": {k: round(v, 1) for k, v in sorted(kept.items())},
        "first_job_mb": round(kept[1] - kept[0], 1),
        "pss_per_kept_context_mb": round(slope(counts, [kept[k] for k in counts]), 1),
        "per_browser_within_goal": per_browser <= 150,
    }


def rss(pid: int) -> float:
    """The RSS in MB of one process (the server alone, not its browsers)."""
    return psutil.Process(pid).memory_info().rss / MB


class History:
    """Jobs through one server, counted: real ones (priority 0) and ones cancelled while queued (priority 9)."""

    def __init__(self, server: ServerProcess, tokens: list[str]) -> None:
        self.server, self.tokens = server, tokens
        self.lock = threading.Lock()
        self.counts = {"submitted": 0, "real": 0, "cancelled_queued": 0, "ran_before_cancel": 0, "deleted": 0}
        self.real: dict[str, str] = {}  # this block's real job id -> its owner's token
        self.cancelled: list[tuple[str, str]] = []  # (token, job id) of jobs cancelled while queued
        self.turn = 0
        self.serial = itertools.count()  # real jobs' titles, all distinct

    def reserve(self, n: int, block_end: int) -> tuple[int, str]:
        """Up to ``n`` of the block's jobs to submit (0 when it is complete), and whose."""
        with self.lock:
            n = min(n, block_end - self.counts["submitted"])
            self.counts["submitted"] += n
            self.turn += 1
            return n, self.tokens[self.turn % len(self.tokens)]

    def submit_real(self, n: int, token: str) -> None:
        """``n`` real jobs of ``token``'s user, ahead of every job to cancel."""
        ids = self.server.publish(token, [article("[hist]", next(self.serial)) for i in range(n)], priority=0)
        with self.lock:
            self.real.update(dict.fromkeys(ids, token))
            self.counts["real"] += n

    def cancel_chunks(self, block_end: int) -> None:
        """Submit the block's jobs to cancel, CHUNK a request, and cancel each while it is queued."""
        while True:
            n, token = self.reserve(CHUNK, block_end)
            if n == 0:
                return
            arts = [{"title": f"cancel {self.turn}-{i}", "content": "never published"} for i in range(n)]
            for job_id in self.server.publish(token, arts, priority=9):
                code, answer, _ = self.server.call("POST", f"/api/jobs/{job_id}/cancel", token=token)
                assert code in (200, 409), f"cancel {job_id}: {code} {answer}"
                status = answer["job"]["status"] if code == 200 else "finished"  # 409: it ran to its end first
                with self.lock:
                    if status == "cancelled":
                        self.counts["cancelled_queued"] += 1
                        self.cancelled.append((token, job_id))
                    else:  # it had started (no real job was queued): stopped, its browser recycled
                        self.counts["ran_before_cancel"] += 1

    def pace(self, block_end: int, done: threading.Event) -> None:
        """Keep real jobs queued while jobs are cancelled, so none to cancel is ever first in the queue."""
        while not done.wait(0.3):
            if self.server.ok("GET", "/queue/status", token=ADMIN_TOKEN)["queue_size"] < 3:
                n, token = self.reserve(1, block_end)
                if n:
                    self.submit_real(n, token)

    def block(self, block_end: int) -> dict[str, dict[str, Any]]:
        """One block of jobs: real ones first, the rest cancelled by CANCELLERS threads; its real jobs, finished."""
        for token in self.tokens:
            n, _ = self.reserve(REAL_PER_BLOCK // len(self.tokens), block_end)
            self.submit_real(n, token)
        done = threading.Event()
        pacer = threading.Thread(target=self.pace, args=(block_end, done))
        workers = [threading.Thread(target=self.cancel_chunks, args=(block_end,)) for _ in range(CANCELLERS)]
        for t in [pacer, *workers]:
            t.start()
        for t in workers:
            t.join()
        done.set()
        pacer.join()
        by_token: dict[str, list[str]] = {}
        for job_id, token in self.real.items():
            by_token.setdefault(token, []).append(job_id)
        finished = {}
        for token, ids in by_token.items():
            finished.update(self.server.wait_final(token, ids, timeout=300))
        return finished

    def delete_some(self, finished: dict[str, dict[str, Any]]) -> None:
        """Delete DELETE_PER_BLOCK finished jobs: mostly cancelled ones, a few successes."""
        successes = [(self.real[i], i) for i, j in finished.items() if j["status"] == "success"][:5]
        doomed = self.cancelled[: DELETE_PER_BLOCK - len(successes)] + successes
        self.cancelled = self.cancelled[DELETE_PER_BLOCK - len(successes) :]
        for token, job_id in doomed:
            self.server.ok("DELETE", f"/api/jobs/{job_id}", token=token, expect=204)
            self.counts["deleted"] += 1


def measure_history(root: Path, platform: ServerProcess) -> dict[str, Any]:
    """10,000 jobs through the API; the server's RSS at start and after every 1,000."""
    env = {"MAX_CONCURRENT_JOBS": 2, "USER_MAX_ACTIVE": 2000, "USER_RATE_LIMIT": "100000/minute"}
    server = start(root, "history", platform, MAX_QUEUE_SIZE=20_000, **env)
    try:
        assert server.proc is not None
        pid = server.proc.pid
        history = History(server, [server.make_user(f"hist{u}") for u in range(USERS)])
        wait_idle(server, 2)
        samples = [{"jobs": 0, "rss_mb": round(rss(pid), 1)}]
        statuses: dict[str, int] = {}  # of the real jobs
        t0 = time.perf_counter()
        while history.counts["submitted"] < JOBS:
            finished = history.block(history.counts["submitted"] + BLOCK)
            for job in finished.values():
                statuses[job["status"]] = statuses.get(job["status"], 0) + 1
            history.delete_some(finished)
            history.real = {}
            samples.append({"jobs": history.counts["submitted"], "rss_mb": round(rss(pid), 1)})
        wall = time.perf_counter() - t0
        time.sleep(3)
        samples.append({"jobs": history.counts["submitted"], "rss_mb": round(rss(pid), 1), "after_s": 3})
    finally:
        server.cleanup()
    at_2000 = next(s["rss_mb"] for s in samples if s["jobs"] >= 2000)
    growth = samples[-1]["rss_mb"] - at_2000
    later = samples[2:-1]  # from the 2,000-job mark, the end sample apart
    return {
        "rss_mb_samples": samples,
        "growth_from_2000_jobs_mb": round(growth, 1),
        "growth_per_1000_jobs_mb": round(growth / max(1, (history.counts["submitted"] - 2000) / 1000), 2),
        "growth_per_1000_jobs_fit_mb": round(slope([s["jobs"] / 1000 for s in later], [s["rss_mb"] for s in later]), 2),
        # the SQLite page caches fill as the file grows, up to 512 KB per pooled connection: then flat
        "growth_over_last_2000_jobs_mb": round(samples[-1]["rss_mb"] - samples[-4]["rss_mb"], 1),
        "jobs": history.counts,
        "real_job_statuses": statuses,
        "wall_s": round(wall, 1),
    }


def main() -> None:
    """Both measurements, against a demo platform in its own process (like a remote one)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        platform = ServerProcess(root / "platform").start()
        try:
            browsers = measure_browsers(root, platform)
            history = measure_history(root, platform)
        finally:
            platform.terminate()
    result = {
        "browsers": browsers,
        "history": history,
        "targets": {
            "pss_per_browser_mb": "<= 150",
            "history_rss": "no growth beyond a bounded history: growth_over_last_2000_jobs_mb near 0",
        },
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_count": psutil.cpu_count(),
        "load_average_after": [round(x, 2) for x in psutil.getloadavg()],
    }
    report("memory", result)


if __name__ == "__main__":
    main()
