"""A local webhook receiver for tests: an http.server thread on 127.0.0.1 that records each POST."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Records every request; answers 500 to the next ``fail_next`` ones, holds requests while ``hold`` is set."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.hold = threading.Event()  # set: requests wait for ``release`` before being answered
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= 1 if failing else 0
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "status": 500 if failing else 200,
                        }
                    )
                if receiver.hold.is_set():
                    receiver.release.wait(120)
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="test-receiver", daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str | None = None) -> list[dict[str, Any]]:
        """The JSON bodies received (on ``path``), in order."""
        with self._lock:
            return [json.loads(r["body"]) for r in self.requests if path is None or r["path"].startswith(path)]

    def got(self, path: str | None = None) -> list[dict[str, Any]]:
        """The requests received (on ``path``), in order."""
        with self._lock:
            return [r for r in self.requests if path is None or r["path"].startswith(path)]
