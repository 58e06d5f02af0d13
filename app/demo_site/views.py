"""The demo platform's pages and JSON API: a small stand-in for a real content platform."""

from __future__ import annotations

import random
import threading
import time
from typing import Any
from urllib.parse import quote

from flask import Blueprint, jsonify, make_response, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response  # what redirect() returns; Flask's Response is a subclass

from app.db import Database
from app.demo_site.knobs import DemoKnobs
from app.models import DemoArticle

COOKIE = "demo_user"
TITLE_MAX = 300  # the same as the title input's maxlength
USER_MAX = 64  # DemoArticle.author is a String(64)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    """Render one of the demo templates with a status code."""
    return make_response(render_template(f"demo/{template}", **context), status)


def _error(message: str, status: int, title: str = "Error") -> Response:
    """The generic page that carries ``#error`` with ``message``."""
    return _page("error.html", status, page_title=title, message=message)


def _safe_next(target: str | None) -> str:
    """``target`` when it is a local demo path, else the editor (no open redirect)."""
    if (
        target
        and target.startswith("/demo/")
        and "\\" not in target
        and ".." not in target
        and not any(ord(ch) < 32 for ch in target)
    ):
        return target
    return "/demo/write"


def _to_login(next_path: str, code: int = 302) -> Response:
    return redirect(f"/demo/login?next={quote(next_path, safe='/')}", code=code)


def _article_json(article: DemoArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "content": article.content,
        "author": article.author,
        "created_at": article.created_at.isoformat(),
    }


class DelaySlots:
    """At most ``n`` demo requests sleep at once: each holds a server thread, so a flood of slowed
    requests (anybody can send them) would otherwise take every thread and stall the whole server."""

    def __init__(self, n: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, n))

    def sleep_ms(self, ms: int) -> bool:
        """Sleep ``ms``; False, without sleeping, when every slot is taken."""
        if ms <= 0:
            return True
        if not self._slots.acquire(blocking=False):
            return False
        try:
            time.sleep(ms / 1000)
        finally:
            self._slots.release()
        return True


def create_demo_blueprint(db: Database, knobs: DemoKnobs, knobs_api: bool = False, max_delayed: int = 8) -> Blueprint:
    """The demo platform as a blueprint mounted at ``/demo``; it only touches ``demo_articles``.

    The fault-injection endpoints ``/demo/api/knobs*`` exist only with ``knobs_api`` (DEMO_KNOBS=1);
    at most ``max_delayed`` requests are slowed at once, the others are answered 503 at once.
    """
    slots = DelaySlots(max_delayed)
    busy = "The editor is temporarily unavailable"
    bp = Blueprint(
        "demo",
        __name__,
        url_prefix="/demo",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )

    def current_user() -> str | None:
        """The logged-in name, or None (also while the ``logout_all`` knob is on)."""
        if knobs.snapshot().logout_all:
            return None
        name = (request.cookies.get(COOKIE) or "").strip()
        return name[:USER_MAX] or None

    @bp.context_processor
    def _header_user() -> dict[str, Any]:
        # every page's header shows who is logged in (``#whoami``), as a real platform does
        return {"user": current_user()}

    @bp.get("/")
    def index() -> Response:
        return _page("index.html")

    @bp.get("/login")
    def login_form() -> Response:
        return _page("login.html", next=_safe_next(request.args.get("next")))

    @bp.post("/login")
    def login() -> Response:
        name = request.form.get("username", "").strip()
        target = _safe_next(request.form.get("next"))
        problem = None
        if not name:
            problem = "Please enter a user name."
        elif len(name) > USER_MAX or any(ord(ch) < 32 for ch in name):
            problem = f"A user name is at most {USER_MAX} printable characters."
        if problem:
            return _page("login.html", 400, next=target, error=problem, username=name)
        response = redirect(target, code=302)
        response.set_cookie(COOKIE, name, path="/", samesite="Lax")
        return response

    @bp.get("/logout")
    def logout() -> Response:
        response = redirect("/demo/", code=302)
        response.delete_cookie(COOKIE, path="/")
        return response

    @bp.get("/write")
    def write() -> Response:
        values = knobs.snapshot()
        if not slots.sleep_ms(values.delay_ms):
            return _page("unavailable.html", 503, message=busy)
        # take() first so that a fail_next load is always consumed, whatever the dice say
        if knobs.take("fail_next") or (values.fail_rate > 0 and random.random() < values.fail_rate):
            return _page("unavailable.html", 503, message=busy)
        user = current_user()
        if user is None:
            return _to_login("/demo/write")
        return _page("write.html", user=user, title_max=TITLE_MAX)

    @bp.post("/publish")
    def publish() -> Response:
        if not slots.sleep_ms(knobs.snapshot().delay_ms):
            return _page("unavailable.html", 503, message="The platform is busy; try again")
        user = current_user()
        if user is None:
            return _to_login("/demo/write", code=303)
        title = request.form.get("title", "")
        # form encoding turns every line break into CRLF: store them as the "\n" that was typed
        content = request.form.get("content", "").replace("\r\n", "\n").replace("\r", "\n")
        if not title.strip():
            return _error("The article title is empty.", 400)
        if len(title) > TITLE_MAX:
            return _error(f"The article title is longer than {TITLE_MAX} characters.", 400)
        if not content.strip():
            return _error("The article body is empty.", 400)
        if knobs.take("captcha_next"):
            return redirect("/demo/captcha", code=303)
        if knobs.take("reject_next"):
            return _error("The platform rejected this article", 422, title="Rejected")
        if knobs.take("drop_next"):
            slots.sleep_ms(knobs.snapshot().publish_hang_ms)
            return _page("bad_gateway.html", 502)
        if knobs.take("mangle_next"):
            content = content[:-1]
        with db.write() as session:
            article = DemoArticle(author=user, title=title, content=content)
            session.add(article)
            session.flush()
            article_id = article.id
        # the article is committed before this sleep: a crash now leaves it present
        slots.sleep_ms(knobs.snapshot().publish_hang_ms)
        return redirect(f"/demo/p/{article_id}", code=303)

    @bp.get("/p/<int:article_id>")
    def article_page(article_id: int) -> Response:
        with db.read() as session:
            article = session.get(DemoArticle, article_id)
        if article is None:
            return _page("not_found.html", 404)
        return _page("article.html", article=article)

    @bp.get("/me")
    def me() -> Response:
        if knobs.snapshot().me_unavailable:
            return _page("unavailable.html", 503, message="This page is temporarily unavailable")
        user = current_user()
        if user is None:
            return _to_login("/demo/me")
        with db.read() as session:
            query = select(DemoArticle).where(DemoArticle.author == user)
            articles = session.scalars(query.order_by(DemoArticle.id.desc())).all()
        return _page("me.html", user=user, articles=articles)

    @bp.get("/captcha")
    def captcha() -> Response:
        return _page("captcha.html")

    @bp.get("/api/articles")
    def api_articles() -> Response:
        query = select(DemoArticle).order_by(DemoArticle.id)
        author = request.args.get("author")
        if author is not None:
            query = query.where(DemoArticle.author == author)
        with db.read() as session:
            return jsonify([_article_json(a) for a in session.scalars(query)])

    @bp.get("/api/articles/<int:article_id>")
    def api_article(article_id: int) -> Response:
        with db.read() as session:
            article = session.get(DemoArticle, article_id)
            if article is None:
                return make_response(jsonify({"error": "no such article"}), 404)
            return jsonify(_article_json(article))

    if knobs_api:
        _knob_routes(bp, knobs)
    return bp


def _knob_routes(bp: Blueprint, knobs: DemoKnobs) -> None:
    """GET/POST /demo/api/knobs and POST /demo/api/knobs/reset (tests and benchmarks only)."""

    @bp.get("/api/knobs")
    def get_knobs() -> Response:
        return jsonify(knobs.as_dict())

    @bp.post("/api/knobs")
    def set_knobs() -> Response:
        fields = request.get_json(silent=True)
        if not isinstance(fields, dict):
            return make_response(jsonify({"error": "send a JSON object of knob values"}), 400)
        try:
            return jsonify(knobs.update(**fields))
        except ValueError as exc:
            return make_response(jsonify({"error": str(exc)}), 400)

    @bp.post("/api/knobs/reset")
    def reset_knobs() -> Response:
        return jsonify(knobs.reset())
