"""Screenshots of every page of the web UI, in Chinese and English, on a desktop and a phone.

Starts the app in this process (like the tests' live_server), fills it with realistic data (users,
accounts, jobs in every state, an exam) and writes PNGs to ``screenshots/``:
``{zh|en}-{desktop|phone}-{page}.png``. Run: ``.venv/bin/python scripts/screenshots.py``.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]

from e2e_browser import DESKTOP, PHONE, UI, make_driver  # noqa: E402
from pdf_factory import chinese_course_pdf  # noqa: E402
from support import ADMIN_TOKEN, LiveServer, wait_until  # noqa: E402

ARTICLES = [
    ("期末复习计划：三周搞定高等数学", "把三周分成三个阶段：梳理概念、专题练习、模拟考试。每天留一小时复盘错题。"),
    (
        "How we review pull requests in a small team",
        "Small changes, one reviewer, answered within a day. Comments say why.",
    ),
    ("英语写作：如何写好一段论证", "先给出观点，再用一个具体的例子支持它，最后说明这个例子为什么重要。"),
    ("光合作用的五个常见误区", "植物晚上也呼吸；叶绿素吸收的主要是红光和蓝光，而不是绿光。"),
    (
        "Weekly notes: the queue, the pool and fair scheduling",
        "Round-robin between users keeps one big batch from blocking everyone.",
    ),
    ("化学实验安全守则（2026 版）", "实验前确认通风橱正常工作，护目镜全程佩戴，废液分类回收。"),
]
PAGES = [  # (name, path, as admin)
    ("jobs", "/", False),  # the device's own view: a table on a desktop, cards on a phone
    ("jobs-cards", "/?view=cards", False),
    ("publish", "/publish", False),
    ("exams", "/exams", False),
    ("accounts", "/accounts", False),
    ("settings", "/settings", False),
    ("queue", "/queue", True),
    ("admin", "/admin", True),
    ("not-found", "/admin", False),
]


def arts(*indexes: int) -> list[dict[str, str]]:
    return [{"title": ARTICLES[i][0], "content": ARTICLES[i][1]} for i in indexes]


def seed(srv: LiveServer, work: Path) -> None:
    """Users, accounts and jobs in every state, as a team would have after a busy morning."""
    li = srv.make_user("li.wei")
    srv.make_user("zhang.min")
    srv.ok("POST", "/api/users", {"username": "old.intern", "password": "intern-pass-1"}, ADMIN_TOKEN, 201)
    srv.ok("POST", "/ui/admin/users/old.intern/disabled", {"disabled": True}, ADMIN_TOKEN)
    zhihu = [{"name": "z_c0", "value": "2|1:0|10:1700000000|4:z_c0|92:Mi4x", "domain": ".zhihu.com"}]
    srv.ok("POST", "/api/accounts", {"platform": "zhihu", "name": "专栏主号", "cookies": zhihu}, li, 201)
    demo = srv.ok("GET", "/api/accounts", token=li)["accounts"]
    demo_id = next(a["id"] for a in demo if a["platform"] == "demo")
    check = srv.ok("POST", f"/api/accounts/{demo_id}/check", token=li, expect=202)
    done = [*srv.publish(li, arts(0, 1, 2)), check["job"]["job_id"]]
    srv.wait_final(li, done)

    status, exam, _ = srv.call("POST", "/api/jobs/generate", token=li, **_multipart(chinese_course_pdf(work / "c.pdf")))
    assert status == 202, exam
    srv.wait_final(li, [exam["job_id"]], timeout=120)

    srv.knobs(reject_next=1)  # the platform refuses the next article: a failed job with its screenshot
    srv.wait_final(li, srv.publish(li, arts(3)))
    srv.knobs(drop_next=1, me_unavailable=True)
    srv.wait_final(li, srv.publish(li, arts(4)))
    srv.knobs(me_unavailable=False)

    zh = srv.make_user("wang.fang")
    srv.knobs(delay_ms=25000)  # slow enough that jobs are still running and queued while we take pictures
    slow = srv.publish(zh, arts(5, 0)) + srv.publish(li, arts(5, 1, 2), priority=3)
    srv.ok("POST", f"/api/jobs/{slow[-1]}/cancel", token=li)
    wait_until(lambda: srv.ok("GET", "/queue/status", token=li)["processing"] == 2, 30, "two running jobs")
    _fake_history(srv)


def _multipart(pdf: Path) -> dict[str, Any]:
    boundary = "examgen-screenshots"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="questions"\r\n\r\n12\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n生物 · 第三单元测验\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="course.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode(),
        pdf.read_bytes(),
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return {"raw": b"".join(parts), "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


def _fake_history(srv: LiveServer) -> None:
    """A believable last hour for the chart: the server only just started, so its own samples are few."""
    now = datetime.now(UTC)
    history = srv.engine.server._figures._history  # demo data only: the real samples come every 10 s
    real = list(history)
    history.clear()
    for i in range(360 - len(real), 0, -1):
        t = now - timedelta(seconds=10 * i)
        wave = max(0, int(9 * abs(((i / 60) % 2) - 1) ** 2 + (i % 7) / 3 - 2))
        history.append({"t": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "queue_size": wave, "processing": min(2, wave + 1)})
    history.extend(real)


def emulate(ui: UI, phone: bool) -> None:
    """Lay pages out like the device: a phone is 375 CSS pixels wide at 2x, with touch."""
    width, height = PHONE if phone else DESKTOP
    metrics = {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone}
    ui.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def capture(ui: UI, path: Path, phone: bool, full: bool = True) -> None:
    """A full-page PNG of what the browser shows (or just the window: toasts are fixed to it)."""
    if not full:
        path.write_bytes(
            base64.b64decode(ui.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"])
        )
        return
    ui.js("window.scrollTo({top: 0, behavior: 'instant'})")  # or the sticky top bar lands mid-picture
    width, base = PHONE if phone else DESKTOP
    height = ui.js("return Math.max(document.documentElement.scrollHeight, window.innerHeight)")
    clip = {"x": 0, "y": 0, "width": width, "height": max(height, base), "scale": 1}
    shot = ui.driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def settle(ui: UI) -> None:
    """Wait until the page's scripts have filled it (lists no longer busy, fetches done)."""
    ui.wait(lambda: ui.js("return document.readyState") == "complete", 15, "the page")
    ui.wait(lambda: ui.js("return document.querySelector('[aria-busy=true]') === null"), 15, "the lists")
    ui.js("document.querySelectorAll('.toast').forEach(t => t.remove()); window.scrollTo(0, 0);")
    time.sleep(0.4)  # let fonts and the chart's first draw land; nothing is waited for by this


def shoot(srv: LiveServer, out: Path, work: Path) -> list[Path]:
    """Every page x language x size; returns the files written."""
    written = []
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        phone = size_name == "phone"
        for lang in ("zh_Hans_CN", "en"):
            short = "zh" if lang.startswith("zh") else "en"
            drivers = {who: make_driver(work / f"profile-{who}-{size_name}-{short}", size) for who in ("user", "admin")}
            try:
                uis = {who: UI(d, srv.base) for who, d in drivers.items()}
                for who, ui in uis.items():
                    emulate(ui, phone)
                    ui.open("/login")
                    ui.driver.add_cookie({"name": "examgen_lang", "value": lang, "path": "/"})
                    ui.open("/login")
                    if who == "user":
                        ui.fill("#username", "li.wei")
                        settle(ui)
                        capture(ui, out / f"{short}-{size_name}-login.png", phone)
                        written.append(out / f"{short}-{size_name}-login.png")
                    who_is = ("li.wei", "pw-li.wei-123") if who == "user" else ("admin", "admin-password-1")
                    ui.login(*who_is, view=None)
                for name, path, admin in PAGES:
                    ui = uis["admin" if admin else "user"]
                    ui.open(path)
                    settle(ui)
                    if name == "publish":
                        ui.fill_articles([ARTICLES[3], ARTICLES[4]])
                        ui.js("window.scrollTo(0, 0)")
                    file = out / f"{short}-{size_name}-{name}.png"
                    capture(ui, file, phone)
                    written.append(file)
                    if name == "publish":  # and right after sending: the batch followed live, the toast
                        ui.click("#submit")
                        ui.wait(lambda u=ui: u.finds("#batch-list li[data-id]"), 10, "the batch")
                        time.sleep(0.6)  # the smooth scroll to the batch; nothing is waited for by this
                        file = out / f"{short}-{size_name}-publish-sent.png"
                        capture(ui, file, phone, full=False)
                        written.append(file)
            finally:
                for d in drivers.values():
                    d.quit()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="folder for the PNGs")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="examgen-shots-") as tmp:
        work = Path(tmp)
        srv = LiveServer(
            work / "instance", max_concurrent_jobs=2, user_max_active=30, user_rate_limit="100/minute"
        ).start()
        try:
            seed(srv, work)
            files = shoot(srv, out, work)
        finally:
            srv.stop()
    print(f"{len(files)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
