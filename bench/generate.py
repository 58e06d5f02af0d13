"""Benchmark: a 20-page course PDF to a 20-question exam PDF, end to end, cold and warm browser.

Run with ``.venv/bin/python -m bench.generate``. Prints one JSON document: seconds from submit to
the result downloaded for 3 runs (the first starts Chromium), per-stage times seen by polling the
job and measured in-process, result size and pages, and PNGs of page 1 (English and Chinese exams).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import pdf_factory
from pypdf import PdfReader
from support import FINAL, LiveServer

from app.exam import extract_text, generate_exam, render_html
from bench.record import report

PAGES, QUESTIONS, RUNS = 20, 20, 3
POLL = 0.02  # seconds between job polls: fine enough to see stages that take ~0.1 s


def submit(server: LiveServer, token: str, pdf: bytes, title: str) -> str:
    """Upload the PDF as multipart/form-data; the job id."""
    body, ctype = pdf_factory.multipart({"questions": str(QUESTIONS), "title": title}, {"file": ("course.pdf", pdf)})
    headers = {"Content-Type": ctype}
    status, answer, _ = server.call("POST", "/api/jobs/generate", token=token, raw=body, headers=headers)
    if status != 202:
        raise RuntimeError(f"submit failed: {status} {answer}")
    return answer["job_id"]


def follow(server: LiveServer, token: str, job_id: str, timeout: float = 180) -> tuple[dict[str, Any], dict]:
    """Poll the job until it is final; (job, seconds each phase was seen, in order)."""
    deadline = time.monotonic() + timeout
    seen: list[tuple[str, float]] = []
    while time.monotonic() < deadline:
        job = server.job(token, job_id)
        phase = job["phase"] or job["status"]
        if not seen or seen[-1][0] != phase:
            seen.append((phase, time.perf_counter()))
        if job["status"] in FINAL:
            stages = {name: round(seen[i + 1][1] - at, 3) for i, (name, at) in enumerate(seen[:-1])}
            return job, stages
        time.sleep(POLL)  # polling interval, not synchronisation: the loop ends on the job state
    raise TimeoutError(f"job {job_id} not final after {timeout} s")


def run_once(server: LiveServer, token: str, pdf: bytes, title: str) -> tuple[dict[str, Any], bytes]:
    """One exam end to end: figures and the downloaded PDF."""
    started = time.perf_counter()
    job_id = submit(server, token, pdf, title)
    submitted = time.perf_counter()
    job, stages = follow(server, token, job_id)
    if job["status"] != "success":
        raise RuntimeError(f"job failed: {job['error_code']} {job['error']}")
    status, result, headers = server.call("GET", f"/api/jobs/{job_id}/result", token=token)
    if status != 200 or headers.get("Content-Type") != "application/pdf":
        raise RuntimeError(f"download failed: {status}")
    figures = {
        "seconds": round(time.perf_counter() - started, 3),
        "upload_seconds": round(submitted - started, 3),
        "stages_seen": stages,
        "result_bytes": len(result),
        "result_pages": len(PdfReader(io.BytesIO(result)).pages),
    }
    return figures, result


def in_process_stages(pdf: bytes) -> dict[str, float]:
    """The browser-free stages timed directly (the polled figures are coarser)."""
    t0 = time.perf_counter()
    text = extract_text(pdf)
    t1 = time.perf_counter()
    exam = generate_exam(text, questions=QUESTIONS, title="Bench")
    t2 = time.perf_counter()
    render_html(exam)
    t3 = time.perf_counter()
    return {"extract": round(t1 - t0, 3), "analyse_and_build": round(t2 - t1, 3), "html": round(t3 - t2, 4)}


def page_one_png(pdf: bytes, out: Path, name: str) -> str:
    """Page 1 at 60 dpi with pdftoppm, to look at."""
    src = out / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(src), str(out / name)], check=True)
    return str(next(out.glob(f"{name}-*1.png")))


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="examgen-bench-"))
    course = pdf_factory.long_course_pdf(out / "course.pdf", pages=PAGES).read_bytes()
    chinese = pdf_factory.chinese_course_pdf(out / "course-zh.pdf", pages=4).read_bytes()
    document: dict[str, Any] = {
        "course": {"pages": PAGES, "bytes": len(course), "questions": QUESTIONS},
        "in_process": in_process_stages(course),
    }
    server = LiveServer(out / "instance", max_concurrent_jobs=1).start()
    try:
        token = server.make_user("bench", demo_account=False)
        runs, result = [], b""
        for i in range(RUNS):
            figures, result = run_once(server, token, course, f"Bench run {i + 1}")
            runs.append({"run": i + 1, "browser": "cold" if i == 0 else "warm", **figures})
        document["runs"] = runs
        zh_figures, zh_result = run_once(server, token, chinese, "中国历史与网络测验")
        document["chinese_run"] = zh_figures
        document["png"] = [page_one_png(result, out, "exam-en"), page_one_png(zh_result, out, "exam-zh")]
    finally:
        server.stop()
    warm = [r["seconds"] for r in document["runs"][1:]]
    document["summary"] = {
        "cold_seconds": document["runs"][0]["seconds"],
        "warm_seconds_mean": round(sum(warm) / len(warm), 3),
    }
    report("generate", document)


if __name__ == "__main__":
    main()
