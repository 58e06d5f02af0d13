"""Start examgen (waitress + the job engine), or manage users: ``python run.py --help``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from config import Config, ConfigError

log = logging.getLogger("examgen")


def serve(config: Config) -> int:
    """Serve until SIGTERM/SIGINT, then drain the jobs and exit 0."""
    from waitress.server import create_server

    from app import create_app

    app = create_app(config)
    engine = app.extensions["examgen"]
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
            engine.server.hurry()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    http = threading.Thread(target=server.run, name="http", daemon=True)
    http.start()
    log.info("examgen listening on http://%s:%s (%s)", config.host, config.port, config.public_url)
    while not stop.wait(0.5):
        pass
    engine.server.stop(grace=config.shutdown_grace)
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


def create_user_command(config: Config, args: argparse.Namespace) -> int:
    """Create a user and print its API token as the last line."""
    from app.auth import create_user
    from app.db import Database
    from app.errors import ExamgenError

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    db = Database(config.database_url)
    db.upgrade()
    try:
        created = create_user(db, args.name, password, admin=args.admin)
    except ExamgenError as exc:
        print(f"examgen: {exc.message}", file=sys.stderr)
        return 1
    print(f"Created {'admin ' if args.admin else ''}user {created.user.username}. API token (shown once):")
    print(created.token)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line; configuration errors are one line and exit code 2."""
    parser = argparse.ArgumentParser(prog="run.py", description="examgen job server")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="start the server (the default)")
    cu = sub.add_parser("create-user", help="create a user and print its API token")
    cu.add_argument("name")
    cu.add_argument("--admin", action="store_true", help="the user may manage users and see all jobs")
    cu.add_argument("--password-stdin", action="store_true", help="read a web-login password from stdin")
    args = parser.parse_args(argv)
    try:
        config = Config.from_env().validate()
    except ConfigError as exc:
        print(f"examgen: configuration error: {exc}", file=sys.stderr)
        return 2
    from app.logs import configure_logging

    configure_logging(config.log_level)
    if args.command == "create-user":
        return create_user_command(config, args)
    try:
        return serve(config)
    except (ConfigError, ValueError, OSError) as exc:
        print(f"examgen: cannot start: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
