"""The platform accounts endpoints: add (cookies stored encrypted), list, remove."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from app.api.common import current_user, engine, login_required, parse
from app.api.schemas import AccountIn, AccountRef

bp = Blueprint("api_accounts", __name__, url_prefix="/api/accounts")


@bp.get("")
@login_required
def list_accounts() -> Response:
    return jsonify({"accounts": engine().accounts.list(current_user())})


@bp.post("")
@login_required
def save_account() -> tuple[Response, int]:
    """Add an account or replace its cookies; the cookies are never returned."""
    body = parse(AccountIn)
    cookies = [c.as_stored() for c in body.cookies]
    account, created = engine().accounts.save(current_user(), body.platform, body.name, cookies)
    return jsonify({"success": True, "account": account}), 201 if created else 200


@bp.delete("")
@login_required
def delete_account_by_name() -> tuple[str, int]:
    """Remove ``?platform=&name=`` (or a JSON body with them)."""
    platform = request.args.get("platform")
    name = request.args.get("name")
    if (platform is None or name is None) and request.get_data():
        body = parse(AccountRef)
        platform, name = body.platform, body.name
    engine().accounts.remove(current_user(), platform or "", name or "main")
    return "", 204


@bp.delete("/<int:account_id>")
@login_required
def delete_account(account_id: int) -> tuple[str, int]:
    engine().accounts.remove(current_user(), None, None, account_id)
    return "", 204
