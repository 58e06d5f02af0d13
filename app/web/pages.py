"""The pages of the web UI: jobs monitor, publish, queue, generate, accounts; plus the queue chart's data."""

from __future__ import annotations

from typing import Any

from flask import jsonify, make_response, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.api.common import login_required
from app.models import JobStatus
from app.web.common import bp, engine, no_store, page, render_page
from app.web.strings import PLATFORMS

HISTORY_INTERVAL = 10  # seconds between the engine's queue samples


def _platforms() -> list[dict[str, str]]:
    """The platforms this server publishes to, for the pickers."""
    platforms = engine().server.platforms
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
    data.setdefault("kinds", sorted(engine().server.kinds))
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
    return _job_page("publish.html", "publish", _("Publish"), platforms=_platforms(), max_articles=100)


@bp.get("/exams")
@page
def exams() -> Response:
    """Upload a course PDF, generate an exam, follow it and download the PDF."""
    return _job_page(
        "exams.html", "exams", _("Generate an exam"), max_upload_mb=engine().config.max_upload_mb, kinds=["generate"]
    )


@bp.get("/accounts")
@page
def accounts() -> Response:
    """The user's platform accounts: add by pasting cookies, check the login, remove."""
    return _job_page("accounts.html", "accounts", _("Accounts"), platforms=_platforms())


@bp.get("/queue")
@page
def queue() -> Response:
    """The queue's figures, peaks, pool, per-user figures (admins) and the last hour's chart."""
    return no_store(make_response(render_page("queue.html", "queue", _("Queue"), {"interval": HISTORY_INTERVAL})))


@bp.get("/ui/queue/history")
@login_required
def queue_history() -> Response:
    """Queue size and processing every 10 s over the last hour (oldest first), for the chart."""
    return no_store(jsonify({"samples": engine().server.history(), "interval_seconds": HISTORY_INTERVAL}))
