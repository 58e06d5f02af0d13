"""Benchmark: 100 publishes (10 users × 10) through examgen vs a plain Selenium loop, same platform.

Three baselines: the plain loop (one tab, cookies swapped: no isolation between users); the same
loop doing the browser work examgen's jobs must do without kept contexts (a fresh browser context per
job, read-back); and the loop keeping users apart as cheaply as any server could (each user pinned to
one browser, its context kept between its jobs): its ratio to the plain loop is the ceiling for a
server that keeps users apart.

Run with ``make bench``. Prints one JSON document: wall times, jobs/s, their ratio, submit and
/queue/status latency percentiles while jobs run, and peak memory (PSS) of server + browsers, for
each of ``BENCH_RUNS`` runs (default 3) and their medians.
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import FINAL, Http, ServerProcess, article, wait_until

from app.engine.browser_factory import BrowserFactory
from app.engine.isolation import BrowserDevTools, JobContexts
from app.platforms.demo import DemoPlatform
from bench.record import report

USERS, PER_USER, CONCURRENCY = 10, 10, 2
KEPT = int(os.environ.get("BROWSER_KEPT_CONTEXTS", "8"))  # the server's default; 0 to see its effect
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def pct(values: list[float], q: float) -> float:
    """The q-th percentile in milliseconds."""
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q / 100 * len(values)))] * 1000, 2)


def tree_pss(pid: int) -> int:
    """PSS in bytes of a process and all its descendants."""
    total = 0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    except psutil.NoSuchProcess:
        pass
    return total


def tree_cpu(pid: int) -> float:
    """CPU-seconds (user + system) of a process's live descendants, and of the children it reaped."""
    try:
        root = psutil.Process(pid)
        total = sum(root.cpu_times()[2:4])
        for proc in root.children(recursive=True):
            try:
                total += sum(proc.cpu_times()[:4])  # its own, and its reaped children's (renderers)
            except psutil.NoSuchProcess:
                continue
        return total
    except psutil.NoSuchProcess:
        return 0.0


def _own_cpu(pid: int) -> float:
    """CPU-seconds (user + system) of one process itself; 0 once it is gone."""
    try:
        return sum(psutil.Process(pid).cpu_times()[:2])
    except psutil.NoSuchProcess:
        return 0.0


class KeepAlive(Http):
    """The test client over one keep-alive connection, as a dashboard or a script using a session holds:
    the bench's own requests then cost the machine no new connection each (the plain loop makes none)."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.conn: http.client.HTTPConnection | None = None

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes, dict[str, str]]:
        for attempt in (1, 2):  # once more on a new connection when the server closed the old one
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.base.split("//", 1)[1], timeout=timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read(), dict(response.headers)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_server_benchmark(server: ServerProcess) -> dict[str, object]:
    """Submit 100 single-article jobs from 10 users, poll /queue/status until all have finished."""
    tokens = [server.make_user(f"bench{u}") for u in range(USERS)]
    stop = threading.Event()
    status_lat: list[float] = []
    floor_lat: list[float] = []  # /healthz under the same load: the latency floor of this machine and run
    peak = {"pss": 0}
    jobs_total = USERS * PER_USER
    processed_before = server.call("GET", "/queue/status", token=tokens[0])[1]["total_processed"]
    finished = threading.Event()
    finished_at = [0.0]

    def poll_status() -> None:
        client = KeepAlive(server.base)
        while not stop.is_set():
            for path, into in (("/queue/status", status_lat), ("/healthz", floor_lat)):
                t = time.perf_counter()
                _, doc, _ = client.call("GET", path, token=tokens[0])
                into.append(time.perf_counter() - t)
                # the end of the run, seen by the dashboard's own poll (no second poller to find it)
                done = path == "/queue/status" and doc["total_processed"] - processed_before >= jobs_total
                if done and not finished.is_set():
                    finished_at[0] = time.perf_counter()
                    finished.set()
            stop.wait(0.2)  # a busy dashboard's rate; faster polling is load the plain loop does not carry

    def sample_memory() -> None:
        while not stop.is_set():
            peak["pss"] = max(peak["pss"], tree_pss(server.proc.pid))
            stop.wait(2)  # reading every process's smaps costs CPU the browsers then lack

    pollers = [threading.Thread(target=poll_status), threading.Thread(target=sample_memory)]
    submit_lat: list[float] = []
    owned: dict[str, list[str]] = {t: [] for t in tokens}
    me, server_proc = psutil.Process(), psutil.Process(server.proc.pid)
    cpu0 = (sum(me.cpu_times()[:2]), sum(server_proc.cpu_times()[:2]), tree_cpu(server.proc.pid))
    t0 = time.perf_counter()
    for t in pollers:
        t.start()
    submitter = KeepAlive(server.base)
    for i in range(PER_USER):
        for u, token in enumerate(tokens):
            started = time.perf_counter()
            owned[token] += submitter.publish(token, [article(f"[bench{u}]", i)])
            submit_lat.append(time.perf_counter() - started)
    if not finished.wait(600):
        raise TimeoutError("the benchmark's jobs did not finish within 10 minutes")
    wall = finished_at[0] - t0
    stop.set()
    for t in pollers:
        t.join()
    jobs = [j for token, ids in owned.items() for j in server.wait_final(token, ids).values()]
    metrics = server.call("GET", "/metrics")[1].decode()
    counted = re.findall(r'examgen_pool_job_contexts_total\{how="(\w+)"\} (\S+)', metrics)
    contexts = {how: int(float(n)) for how, n in counted}
    return {
        "wall_s": round(wall, 2),
        "jobs_per_s": round(len(jobs) / wall, 3),
        "success": sum(j["status"] == "success" for j in jobs),
        "final": sum(j["status"] in FINAL for j in jobs),
        "submit_ms": {"p50": pct(submit_lat, 50), "p99": pct(submit_lat, 99), "n": len(submit_lat)},
        "queue_status_ms": {"p50": pct(status_lat, 50), "p99": pct(status_lat, 99), "n": len(status_lat)},
        "healthz_floor_ms": {"p50": pct(floor_lat, 50), "p99": pct(floor_lat, 99), "n": len(floor_lat)},
        "peak_pss_mb": round(peak["pss"] / 2**20, 1),
        # CPU-seconds per job of the server's own Python, and of this client (submits, polling, sampling)
        "cpu_s_per_job": {
            "server_python": round((sum(server_proc.cpu_times()[:2]) - cpu0[1]) / len(jobs), 3),
            "bench_client": round((sum(me.cpu_times()[:2]) - cpu0[0]) / len(jobs), 3),
            # chromedriver and Chromium (a browser recycled during the run counts only partly)
            "browsers": round((tree_cpu(server.proc.pid) - cpu0[2]) / len(jobs), 3),
        },
        "job_contexts": contexts,  # kept: the owner's context reused; fresh: a new one (a renderer process)
    }


def run_plain_loop(base: str, profile_root: Path, tag: str, isolation: str = "none") -> dict[str, object]:
    """The same 100 publishes with 2 warm drivers and no job server: the baseline.

    ``isolation``: "none" is one tab per driver, cookies swapped between users; "fresh" does the
    browser work a job of examgen must do without its kept contexts (a fresh browser context per
    job, the article read back); "kept" is the best a server keeping users apart could do: each
    user pinned to one browser, a context per user kept between that user's jobs (the first one
    from a spare made ahead, as examgen's pool does).
    """
    factory = BrowserFactory(profile_root, "/usr/bin/chromium", "/usr/bin/chromedriver")
    platform = DemoPlatform(base)
    browsers = [factory.create() for _ in range(CONCURRENCY)]
    for b in browsers:  # warm: one page load each before timing
        b.driver.get(base + "/demo/")
    keep = KEPT if isolation == "kept" else 0
    contexts: list[JobContexts] = []
    if isolation != "none":
        contexts = [JobContexts(b.driver, BrowserDevTools.of(b.driver), keep=keep) for b in browsers]
    for c in contexts if keep else ():
        c.prepare()
    work = [(u, i) for i in range(PER_USER) for u in range(USERS)]
    lock = threading.Lock()

    def next_job(k: int) -> tuple[int, int] | None:
        with lock:
            # pinned: user u only ever runs on browser u % CONCURRENCY, so its context is always there
            job = next((w for w in work if isolation != "kept" or w[0] % CONCURRENCY == k), None)
            if job is not None:
                work.remove(job)
            return job

    def worker(k: int) -> None:
        browser = browsers[k]
        while (job := next_job(k)) is not None:
            u, i = job
            a = article(f"[plain-{tag}{u}]", i)
            driver = browser.driver
            owner = f"plain-{tag}{u}"
            if contexts:
                was_kept = owner in contexts[k].kept_owners
                contexts[k].open(owner if keep else "")
                if keep and not was_kept:  # the spare was used: the next one is made meanwhile
                    threading.Thread(target=contexts[k].prepare, daemon=True).start()
            platform.with_cookies(driver, [{"name": "demo_user", "value": owner}])
            platform.open_editor(driver)
            platform.fill(driver, a["title"], a["content"])
            platform.submit(driver)
            published = platform.confirm(driver, 30)
            if contexts:
                platform.read_back(driver, published)
                # no mark of the kept page: this loop keeps no evidence, and an upper bound pays nothing extra
                contexts[k].close(keep_for=owner if keep else "")

    def browsers_cpu() -> float:
        return sum(tree_cpu(b.pgid) + _own_cpu(b.pgid) for b in browsers if b.pgid)

    cpu0 = browsers_cpu()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    jobs = USERS * PER_USER
    cpu = (browsers_cpu() - cpu0) / jobs  # chromedriver and Chromium, as for examgen
    for b in browsers:
        b.quit()
    return {"wall_s": round(wall, 2), "jobs_per_s": round(jobs / wall, 3), "browsers_cpu_s_per_job": round(cpu, 3)}


def one_run() -> dict[str, object]:
    """One comparison: the plain loop, examgen, the plain loop again, the two isolated loops.

    The demo platform runs in its own process, like a real (remote) platform: the server under test
    then pays only for its own work, and the plain loop publishes to the very same place.
    """
    with tempfile.TemporaryDirectory() as tmp:
        platform = ServerProcess(Path(tmp) / "platform").start()
        env = {
            "MAX_CONCURRENT_JOBS": CONCURRENCY,
            "USER_MAX_ACTIVE": PER_USER,
            "USER_RATE_LIMIT": "100/minute",
            "DEMO_PLATFORM": 0,
            "DEMO_URL": platform.base,
            "DRIVER_PREWARM": 1,  # the server's default (the test harness turns it off)
            "BROWSER_KEPT_CONTEXTS": KEPT,
        }
        server = ServerProcess(Path(tmp) / "instance", **env).start()
        try:  # a server that runs for days has its dictionaries loaded: so does the one measured
            wait_until(lambda: "Warm-up done" in server.log.read_text(), 180, "the server's warm-up")
            plain_before = run_plain_loop(platform.base, Path(tmp) / "plain-1", "a")
            examgen = run_server_benchmark(server)
            plain_after = run_plain_loop(platform.base, Path(tmp) / "plain-2", "b")
            isolated = run_plain_loop(platform.base, Path(tmp) / "plain-3", "c", isolation="fresh")
            kept = run_plain_loop(platform.base, Path(tmp) / "plain-4", "d", isolation="kept")
            articles = platform.articles()
        finally:
            code = server.terminate()
            platform.terminate()
    plain_rate = (plain_before["jobs_per_s"] + plain_after["jobs_per_s"]) / 2
    floor_p99 = examgen["healthz_floor_ms"]["p99"]  # type: ignore[index]
    return {
        "examgen": examgen,
        "plain_selenium_2_warm_drivers": {"before": plain_before, "after": plain_after},
        "plain_selenium_isolated_like_examgen": isolated,
        "plain_selenium_kept_contexts_pinned_users": kept,
        "throughput_ratio": round(examgen["jobs_per_s"] / plain_rate, 3),  # type: ignore[operator]
        # the server's own overhead: against a loop doing the same browser work (context, read-back)
        "throughput_ratio_same_browser_work": round(examgen["jobs_per_s"] / isolated["jobs_per_s"], 3),  # type: ignore[operator]
        # what keeping users apart costs any server, by itself: the ratio no server with this isolation passes
        "isolation_ceiling_ratio": round(kept["jobs_per_s"] / plain_rate, 3),  # type: ignore[operator]
        "throughput_ratio_over_isolation_ceiling": round(examgen["jobs_per_s"] / kept["jobs_per_s"], 3),  # type: ignore[operator]
        "submit_p99_over_floor_p99": round(examgen["submit_ms"]["p99"] / floor_p99, 2),  # type: ignore[index]
        "queue_status_p99_over_floor_p99": round(examgen["queue_status_ms"]["p99"] / floor_p99, 2),  # type: ignore[index]
        "articles_published": len(articles),
        "server_exit_code": code,
        "load_average_after": [round(x, 2) for x in psutil.getloadavg()],
    }


def main() -> None:
    """``BENCH_RUNS`` runs, each figure of each, and the median of the headline figures."""
    runs = []
    for n in range(RUNS):
        runs.append(one_run())
        print(f"run {n + 1}/{RUNS}: ratio {runs[-1]['throughput_ratio']}", file=sys.stderr, flush=True)
    headline = (
        "throughput_ratio",
        "throughput_ratio_same_browser_work",
        "isolation_ceiling_ratio",
        "throughput_ratio_over_isolation_ceiling",
        "submit_p99_over_floor_p99",
        "queue_status_p99_over_floor_p99",
    )
    result = {
        "jobs_per_run": USERS * PER_USER,
        "max_concurrent_jobs": CONCURRENCY,
        "browser_kept_contexts": KEPT,
        "cpu_count": psutil.cpu_count(),
        "median_of_runs": {key: statistics.median(float(r[key]) for r in runs) for key in headline}  # type: ignore[arg-type]
        | {"examgen_jobs_per_s": statistics.median(float(r["examgen"]["jobs_per_s"]) for r in runs)},  # type: ignore[index]
        "targets": {
            "throughput_ratio": ">= 0.92",
            "submit_p99_over_floor_p99": "<= 2",
            "queue_status_p99_over_floor_p99": "<= 2",
        },
        "runs": runs,
    }
    report("publish", result)


if __name__ == "__main__":
    main()
