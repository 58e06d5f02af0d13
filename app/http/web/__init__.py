"""The web UI: server-rendered pages with a little JavaScript on top of the JSON API."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from app.http.common import csrf_token
from app.http.web import admin, auth, pages  # noqa: F401 - importing registers their routes on the blueprint
from app.http.web.common import asset, bp, page_user
from app.http.web.i18n import init_babel


@bp.errorhandler(404)
def not_found(exc: NotFound) -> tuple[str, int]:
    """The UI's own 404 page (an admin page asked for by a non-admin looks exactly like this)."""
    return render_template("404.html", page_title=_("Page not found"), user=page_user()), 404


def init_app(app: Flask) -> None:
    """Register the web UI: Babel, the blueprint, and the helpers templates use."""
    init_babel(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(asset=asset, csrf_token=csrf_token)
