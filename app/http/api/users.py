"""Users: admins create them (with a token shown once) and list them."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from app.auth import create_user
from app.http.api.schemas import UserIn
from app.http.common import admin_required, components, current_user, login_required, parse
from app.models import User
from app.timefmt import iso

bp = Blueprint("api_users", __name__, url_prefix="/api")


@bp.post("/users")
@admin_required
def add_user() -> tuple[Response, int]:
    """Create a user; its API token is in the answer and nowhere else."""
    body = parse(UserIn)
    created = create_user(components().db, body.username, body.password, admin=body.admin)
    return jsonify(
        {"success": True, "username": created.user.username, "admin": body.admin, "token": created.token}
    ), 201


@bp.get("/users")
@admin_required
def list_users() -> Response:
    with components().db.read() as s:
        users = s.scalars(select(User).order_by(User.username)).all()
        return jsonify(
            {
                "users": [
                    {
                        "username": u.username,
                        "admin": u.is_admin,
                        "disabled": u.disabled,
                        "created_at": iso(u.created_at),
                    }
                    for u in users
                ]
            }
        )


@bp.get("/me")
@login_required
def me() -> Response:
    user = current_user()
    return jsonify({"username": user.username, "admin": user.is_admin})
