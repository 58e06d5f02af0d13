"""The JSON API's blueprints."""

from __future__ import annotations

from flask import Flask

from app.http.api import accounts, bulk, exam_regenerate, generate, jobs, openapi, status, tokens, users, webhooks
from app.http.common import reject_nul_args


def init_app(app: Flask) -> None:
    """Register the API blueprints; every one refuses NUL characters in query arguments."""
    for module in (jobs, bulk, exam_regenerate, accounts, users, tokens, status, openapi, webhooks):
        app.register_blueprint(module.bp)
        # Hooked on the app, not the blueprint: a registered blueprint cannot change, and one process
        # may build several apps (tests, bench).
        app.before_request_funcs.setdefault(module.bp.name, []).append(reject_nul_args)
    app.register_blueprint(generate.bp)
