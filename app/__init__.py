"""examgen: a threaded job server for a small team's browser automation."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from config import Config

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Config | None = None, start: bool = True) -> Flask:
    """Build the Flask app and its job engine; ``start`` recovers jobs and starts the threads."""
    from flask import Flask  # here, not at the top: importing the engine (app.engine…) needs no Flask

    from app.accounts import Accounts
    from app.auth import bootstrap_admin
    from app.crypto import CookieBox, secret_key
    from app.db import Database
    from app.engine.browser_factory import BrowserFactory
    from app.engine.grid import SessionLedger
    from app.engine.login_checks import recheck_after_logout
    from app.engine.server import JobServer
    from app.exam.sandbox import ExtractLimits
    from app.http import errors, metrics
    from app.http.api import init_app as init_api
    from app.http.common import EXTENSION, Components
    from app.http.security import init_app as init_security
    from app.http.web import init_app as init_web
    from app.kinds import build_kinds
    from app.notify.address import AddressGuard
    from app.notify.notifier import Notifier
    from app.notify.webhooks import Webhooks
    from app.platforms import build_platforms
    from app.service import JobDesk

    config = config or Config.from_env().validate()
    instance = private_instance(config.instance_path)
    app = Flask(__name__, instance_path=str(instance.resolve()))
    app.config.update(
        SECRET_KEY=secret_key(instance, config.secret_key),
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        SESSION_COOKIE_NAME="examgen_session",
        PERMANENT_SESSION_LIFETIME=timedelta(days=config.session_max_days),
        JSON_SORT_KEYS=False,
        TESTING=config.testing,
    )
    db = Database(config.database_url)
    db.upgrade()
    cookies = CookieBox(instance, config.encryption_key)
    platforms = build_platforms(config)
    limits = ExtractLimits(cpu_seconds=config.pdf_extract_seconds, memory_mb=config.pdf_extract_memory_mb)
    kinds = build_kinds(platforms=platforms, db=db, extract_limits=limits)
    factory = BrowserFactory(
        instance / "browsers",
        chrome_binary=config.chrome_binary,
        chromedriver=config.chromedriver,
        remote_url=config.driver_remote_url,
        page_load_timeout=config.page_load_timeout,
        ledger=SessionLedger(db),
        kept_contexts=config.browser_kept_contexts,
    )
    server = JobServer(config, db, kinds, platforms, cookies, factory)
    # notifications retry like jobs do: the delay doubles from RETRY_BASE_DELAY up to RETRY_MAX_DELAY
    guard = AddressGuard(config.webhook_networks())
    notifier = Notifier(db, cookies, server.stop_event, config.retry_base_delay, config.retry_max_delay, guard=guard)
    server.add_thread("notifier", notifier.loop)
    server.finished_listeners.append(lambda _handle, _seconds: notifier.wake())
    server.finished_listeners.append(recheck_after_logout(server))
    bootstrap_admin(db, config.admin_username, config.admin_password, config.admin_token)
    app.extensions[EXTENSION] = Components(
        config=config,
        db=db,
        server=server,
        desk=JobDesk(server),
        accounts=Accounts(db, cookies, platforms),
        webhooks=Webhooks(db, cookies, guard, notifier.wake),
    )
    if config.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # only as many X-Forwarded-For hops as there are proxies we run: a client cannot forge more
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # the documented way to wrap a Flask app
            app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies
        )
    errors.init_app(app)
    init_api(app)
    metrics.init_app(app)
    init_security(app)
    init_web(app)
    if config.demo_platform:
        from app.demo_site import DemoKnobs, create_demo_blueprint

        knobs = DemoKnobs.from_env(os.environ)
        app.register_blueprint(
            create_demo_blueprint(
                db, knobs, knobs_api=config.demo_knobs, max_delayed=max(1, config.server_threads // 2)
            )
        )
    if start:
        server.start()
    return app


def private_instance(path: str | os.PathLike[str]) -> Path:
    """The instance folder, created or narrowed to 0700, with the process umask at 077 so that every
    file made after (database, keys, uploads, results, browser profiles) is the owner's alone."""
    os.umask(0o077)
    instance = Path(path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    if instance.stat().st_mode & 0o077:
        instance.chmod(0o700)
    return instance
