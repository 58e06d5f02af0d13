"""API tokens (list, create, revoke; admins for anybody) and the caller's password."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, session

from app.auth import change_password, user_id_by_name
from app.errors import Conflict, ExamgenError, NotFound
from app.http.api.schemas import PasswordIn, TokenIn
from app.http.common import admin_required, components, current_user, login_required, parse
from app.models import User
from app.sessions import start_session
from app.tokens import issue, list_tokens, revoke

bp = Blueprint("api_tokens", __name__, url_prefix="/api")


def _revoke(user_id: int, token_id: int) -> Response:
    if g.get("token_id") == token_id:
        # a client that revokes the token it is using would lock itself out mid-way
        raise Conflict("This request is authenticated with that token; revoke it with another one or the web UI")
    if not revoke(components().db, user_id, token_id):
        raise NotFound("No such token")
    return jsonify({"success": True, "id": token_id})


@bp.get("/tokens")
@login_required
def my_tokens() -> Response:
    """The caller's tokens: name, created, last used, expiry; never the secret."""
    return jsonify({"tokens": list_tokens(components().db, current_user().id)})


@bp.post("/tokens")
@login_required
def new_token() -> tuple[Response, int]:
    """A new named token for the caller, shown once in this answer."""
    body = parse(TokenIn)
    secret, info = issue(components().db, current_user().id, body.name, body.expires_in_days)
    return jsonify({"success": True, "token": secret, **info}), 201


@bp.delete("/tokens/<int(max=2147483647):token_id>")
@login_required
def revoke_mine(token_id: int) -> Response:
    """Revoke one of the caller's tokens: it answers 401 from now on."""
    return _revoke(current_user().id, token_id)


@bp.get("/users/<username>/tokens")
@admin_required
def user_tokens(username: str) -> Response:
    """Admins: one user's tokens."""
    return jsonify({"tokens": list_tokens(components().db, user_id_by_name(components().db, username))})


@bp.delete("/users/<username>/tokens/<int(max=2147483647):token_id>")
@admin_required
def revoke_users(username: str, token_id: int) -> Response:
    """Admins: revoke one token of any user."""
    return _revoke(user_id_by_name(components().db, username), token_id)


@bp.post("/me/password")
@login_required
def new_password() -> Response:
    """Change the caller's password; every session of the user ends (the caller's own is renewed)."""
    body = parse(PasswordIn)
    user = current_user()
    if not change_password(components().db, user.id, body.current_password, body.new_password):
        raise ExamgenError(
            "The current password is wrong", code="wrong_password", status=400, fields={"current_password": "wrong"}
        )
    if session.get("uid") == user.id:
        with components().db.read() as s:
            fresh = s.get(User, user.id)
        if fresh is not None:  # users are disabled, never deleted; a missing row would have no session to renew
            start_session(session, fresh)
            session.permanent = True
    return jsonify({"success": True})
