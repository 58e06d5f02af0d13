"""examgen: a threaded job server for a small team's browser automation."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import Config


def create_app(config: Config | None = None, start: bool = True) -> Flask:
    """Build the Flask app and its job engine; ``start`` recovers jobs and starts the threads."""
    from app.accounts import Accounts
    from app.api import init_app as init_api
    from app.api.common import Engine
    from app.api.generate import bp as generate_bp
    from app.auth import bootstrap_admin
    from app.browser import BrowserFactory
    from app.crypto import CookieBox, secret_key
    from app.db import Database
    from app.kinds import build_kinds
    from app.platforms import build_platforms
    from app.runtime import JobServer
    from app.security import init_app as init_security
    from app.service import JobService
    from app.web import init_app as init_web

    config = config or Config.from_env().validate()
    instance = Path(config.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance.resolve()))
    app.config.update(
        SECRET_KEY=secret_key(instance, config.secret_key),
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        SESSION_COOKIE_NAME="examgen_session",
        JSON_SORT_KEYS=False,
        TESTING=config.testing,
    )
    db = Database(config.database_url)
    db.upgrade()
    cookies = CookieBox(instance, config.encryption_key)
    platforms = build_platforms(config)
    kinds = build_kinds(platforms=platforms, db=db)
    factory = BrowserFactory(
        instance / "browsers",
        chrome_binary=config.chrome_binary,
        chromedriver=config.chromedriver,
        remote_url=config.driver_remote_url,
        page_load_timeout=config.page_load_timeout,
    )
    server = JobServer(config, db, kinds, platforms, cookies, factory)
    bootstrap_admin(db, config.admin_username, config.admin_password, config.admin_token)
    app.extensions["examgen"] = Engine(
        config=config, db=db, server=server, service=JobService(server), accounts=Accounts(db, cookies, platforms)
    )
    init_api(app)
    app.register_blueprint(generate_bp)
    init_security(app)
    init_web(app)
    if config.demo_platform:
        from app.demo import DemoKnobs, create_demo_blueprint

        app.register_blueprint(create_demo_blueprint(db, DemoKnobs.from_env(os.environ)))
    if start:
        server.start()
    return app
