"""Start examgen (waitress + the job engine), or manage it from the shell: ``python run.py --help``."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Any

from config import Config

log = logging.getLogger("examgen")


def serve(config: Config) -> int:
    """Serve until SIGTERM/SIGINT, then drain the jobs and exit 0."""
    from waitress.server import create_server

    from app import create_app
    from app.engine.server import JobServer

    app = create_app(config)
    job_server: JobServer = app.extensions["examgen"].server
    server = create_server(
        app,
        host=config.host,
        port=config.port,
        threads=config.server_threads,
        ident="examgen",
        # waitress accepts 1 GiB by default; a bounded cap well above the app's own limit lets
        # ordinary clients (which send the whole body before reading) get the app's JSON 413
        max_request_body_size=config.server_body_cap,
        channel_timeout=60,
        # waitress drops X-Forwarded-* by default; with trusted proxies ProxyFix reads them instead
        clear_untrusted_proxy_headers=config.trusted_proxies == 0,
    )
    stop = threading.Event()
    signals = {"count": 0}

    def on_signal(signum: int, _frame: object) -> None:
        # handlers only set flags: the drain runs in the main loop below
        signals["count"] += 1
        if signals["count"] == 1:
            log.info("Received %s: draining", signal.Signals(signum).name)
            stop.set()
        else:
            log.warning("Second signal: stopping without waiting for running jobs")
            job_server.hurry()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    http = threading.Thread(target=server.run, name="http", daemon=True)
    http.start()
    log.info("examgen listening on http://%s:%s (%s)", config.host, config.port, config.public_url)
    while not stop.wait(0.5):
        pass
    job_server.stop(grace=config.shutdown_grace)
    stop_http(server, http)
    log.info("examgen stopped")
    return 0


def stop_http(server: Any, thread: threading.Thread, timeout: float = 5) -> None:
    """Stop waitress: its sockets are closed from inside its own loop thread (closing them from
    another thread while it sits in select() fails with EBADF), then its workers are stopped."""
    from waitress import wasyncore

    socket_map = getattr(server, "_map", None) or getattr(server, "map", None)
    server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
    thread.join(timeout)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=3)


def main(argv: list[str] | None = None) -> int:
    """Serve, or run one admin command (``python run.py --help``); configuration errors exit 2."""
    os.umask(0o077)  # before anything is created: the database, keys and uploads are private
    from app.cli.main import cli

    try:
        cli.main(args=argv, prog_name="run.py", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
