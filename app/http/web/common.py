"""Shared by the web UI's views: the blueprint, the logged-in page user, asset URLs, page rendering."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.http.common import cookie_user
from app.http.web.i18n import current_lang, js_strings
from app.models import User

HERE = Path(__file__).resolve().parent
bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static")
_asset_versions: dict[str, str] = {}


def page_user() -> User | None:
    """The user logged in through the session cookie, or None (disabled users are logged out)."""
    if "page_user" in g:
        return g.page_user
    user = g.page_user = cookie_user()
    return user


def page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for logged-in users; anybody else is sent to the login form and brought back after."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if page_user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def admin_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for admins only: everybody else gets a 404, as if it did not exist."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = page_user()
        if user is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if not user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after login; anything pointing elsewhere becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ch.isspace() or ord(ch) < 32 for ch in target):
        return default  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def asset(filename: str) -> str:
    """The URL of a static file with a version from its modification time, so browsers never run stale JS."""
    version = _asset_versions.get(filename)
    if version is None or current_app.debug:
        path = HERE / "static" / filename
        version = format(int(path.stat().st_mtime), "x") if path.is_file() else "0"
        _asset_versions[filename] = version
    return url_for("web.static", filename=filename, v=version)


def render_page(template: str, active: str, title: str, data: dict[str, Any] | None = None, **context: Any) -> str:
    """Render a page of the app shell; ``data`` is handed to the page's script as JSON."""
    user = page_user()
    page_data = {
        "lang": current_lang(),
        "user": user.username if user else None,
        "admin": bool(user and user.is_admin),
        **(data or {}),
    }
    return render_template(
        template,
        active=active,
        page_title=title,
        user=user,
        page_data=page_data,
        i18n_strings=js_strings(),
        **context,
    )


def no_store(resp: Response) -> Response:
    """Pages show live, per-user data: never serve them from a cache."""
    resp.headers["Cache-Control"] = "no-store"
    return resp
