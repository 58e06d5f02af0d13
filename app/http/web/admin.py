"""The admin page: users (create, disable/enable, new token, new password, delete) and everybody's jobs.

404 for non-admins."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import jsonify, make_response
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, StrictBool
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import normal_username, set_disabled, user_id_by_name
from app.errors import Conflict, NotFound
from app.http.common import components, current_user, parse
from app.http.web.common import admin_page, bp, no_store, render_page
from app.models import JobStatus, User
from app.timefmt import iso
from app.tokens import issue
from app.users import delete_user, generated_password, set_password

log = logging.getLogger("examgen.web")


class DisabledIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disabled: StrictBool


def _admin() -> User:
    """The calling admin; anybody else is told the endpoint does not exist, like the page."""
    user = current_user()
    if not user.is_admin:
        raise NotFound("Not found")
    return user


@bp.get("/admin")
@admin_page
def admin() -> Response:
    """Users and everybody's jobs."""
    data = {"kinds": sorted(components().server.kinds), "statuses": [s.value for s in JobStatus]}
    return no_store(make_response(render_page("admin.html", "admin", _("Admin"), data)))


@bp.get("/ui/admin/users")
def list_users() -> Response:
    """Every user with the figures the admin page shows."""
    _admin()
    with components().db.read() as s:
        users = s.scalars(select(User).order_by(User.username)).all()
        rows = [
            {
                "username": u.username,
                "admin": u.is_admin,
                "disabled": u.disabled,
                "created_at": iso(u.created_at),
            }
            for u in users
        ]
    return no_store(jsonify({"users": rows}))


@bp.post("/ui/admin/users/<username>/disabled")
def set_user_disabled(username: str) -> Response:
    """Disable or enable a user (not oneself: an admin must not lock the door from inside)."""
    me = _admin()
    body = parse(DisabledIn)
    username = normal_username(username)
    if username == me.username and body.disabled:
        raise Conflict("You cannot disable yourself", code="self_disable")
    if not set_disabled(components().db, username, body.disabled):
        raise NotFound("No such user")
    log.info("User %s %s by %s", username, "disabled" if body.disabled else "enabled", me.username)
    return jsonify({"success": True, "username": username, "disabled": body.disabled})


@bp.post("/ui/admin/users/<username>/token")
def issue_token(username: str) -> Response:
    """A new API token for a user, shown once (the old ones keep working)."""
    me = _admin()
    token, _info = issue(components().db, user_id_by_name(components().db, username), f"issued by {me.username}"[:64])
    log.info("New API token for %s issued by %s", username, me.username)
    return no_store(jsonify({"success": True, "username": username, "token": token}))


@bp.post("/ui/admin/users/<username>/password")
def reset_password(username: str) -> Response:
    """A new server-generated password for a user, shown once; every session of theirs ends."""
    me = _admin()
    username = normal_username(username)
    if username == me.username:
        raise Conflict("Change your own password on the settings page", code="self_reset")
    password = generated_password()
    set_password(components().db, username, password)
    log.info("New password for %s set by %s; their sessions are ended", username, me.username)
    return no_store(jsonify({"success": True, "username": username, "password": password}))


@bp.post("/ui/admin/users/<username>/delete")
def remove_user(username: str) -> Response:
    """Delete a user with their jobs (unfinished ones cancelled first), files, accounts, tokens and webhooks."""
    me = _admin()
    desk = components().desk

    def stop(job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            try:
                desk.cancel(me, job_id)
            except (Conflict, NotFound):
                continue  # finished or gone meanwhile

    gone = delete_user(components().db, components().server.work_root, username, me.username, stop)
    return jsonify({"success": True, "username": gone.username, "jobs": gone.jobs})
