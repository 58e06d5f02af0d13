"""The pages of the web UI: jobs monitor, publish, queue, generate, accounts; plus the queue chart's data."""

from __future__ import annotations

from typing import Any

from flask import jsonify, make_response, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.http.api.schemas import MAX_ARTICLES
from app.http.common import components, login_required
from app.http.web.common import bp, no_store, page, render_page, safe_next
from app.http.web.i18n import COOKIE, LANGUAGES
from app.http.web.strings import PLATFORMS
from app.http.web.webhook_strings import HOOK_EVENTS, HOOK_KINDS
from app.models import JobStatus

HISTORY_INTERVAL = 10  # seconds between the engine's queue samples


def _platforms() -> list[dict[str, str]]:
    """The platforms this server publishes to, for the pickers."""
    platforms = components().server.platforms
    return [
        {
            "name": name,
            "label": str(PLATFORMS.get(name) or getattr(p, "label", "") or name),
            "cookie_url": getattr(p, "cookie_url", ""),
        }
        for name, p in sorted(platforms.items())
    ]


def _job_page(template: str, active: str, title: str, **data: Any) -> Response:
    """A page whose script lists jobs: it gets the kinds and statuses for the filters."""
    data.setdefault("kinds", sorted(components().server.kinds))
    data.setdefault("statuses", [s.value for s in JobStatus])
    return no_store(make_response(render_page(template, active, title, data)))


@bp.get("/")
@page
def jobs() -> Response:
    """The jobs monitor, the home page: live statuses, progress, actions, filters, paging."""
    filters = {k: request.args.get(k, "") for k in ("status", "kind", "page")}
    return _job_page("jobs.html", "jobs", _("Jobs"), filters=filters)


@bp.get("/publish")
@page
def publish() -> Response:
    """Write or drop several articles and publish them to a platform account."""
    return _job_page("publish.html", "publish", _("Publish"), platforms=_platforms(), max_articles=MAX_ARTICLES)


@bp.get("/exams")
@page
def exams() -> Response:
    """Upload a course PDF, generate an exam, follow it and download the PDF."""
    return _job_page(
        "exams.html",
        "exams",
        _("Generate an exam"),
        max_upload_mb=components().config.max_upload_mb,
        kinds=["generate", "render_exam"],
    )


@bp.get("/accounts")
@page
def accounts() -> Response:
    """The user's platform accounts: add by pasting cookies, check the login, remove."""
    return _job_page("accounts.html", "accounts", _("Accounts"), platforms=_platforms())


@bp.get("/settings")
@page
def settings() -> Response:
    """The user's API tokens (list, create, revoke), webhooks (add, test, deliveries, delete) and password."""
    events = {k: v for k, v in HOOK_EVENTS.items() if k != "test"}
    html = render_page("settings.html", "settings", _("Settings"), hook_kinds=HOOK_KINDS, hook_events=events)
    return no_store(make_response(html))


@bp.get("/queue")
@page
def queue() -> Response:
    """The queue's figures, peaks, pool, per-user figures (admins) and the last hour's chart."""
    return no_store(make_response(render_page("queue.html", "queue", _("Queue"), {"interval": HISTORY_INTERVAL})))


@bp.get("/ui/queue/history")
@login_required
def queue_history() -> Response:
    """Queue size and processing every 10 s over the last hour (oldest first), for the chart."""
    return no_store(jsonify({"samples": components().server.history(), "interval_seconds": HISTORY_INTERVAL}))


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language for a year and go back to the page it was chosen on."""
    target = safe_next(request.args.get("next"))
    resp = make_response(redirect(target))
    if code in LANGUAGES:
        resp.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp
