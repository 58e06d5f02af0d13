"""The platform accounts endpoints: add (cookies stored encrypted), list, remove, check the login."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.errors import ValidationError
from app.http.api.schemas import AccountIn, AccountPatch, AccountRef
from app.http.common import components, current_user, login_required, parse
from app.kinds.check_login import login_check_job

bp = Blueprint("api_accounts", __name__, url_prefix="/api/accounts")

# ids are 32-bit in every supported database; a larger one cannot exist (and would overflow SQLite)
ACCOUNT_ID = "<int(max=2147483647):account_id>"


@bp.get("")
@login_required
def list_accounts() -> Response:
    """The caller's accounts, without their cookies."""
    return jsonify({"accounts": components().accounts.list(current_user())})


@bp.post("")
@login_required
def save_account() -> tuple[Response, int]:
    """Add an account or replace its cookies; the cookies are never returned."""
    body = parse(AccountIn)
    cookies = [c.as_stored() for c in body.cookies]
    pacing = body.model_dump(include={"concurrency", "min_interval"}, exclude_unset=True)
    try:
        account, created = components().accounts.save(current_user(), body.platform, body.name, cookies, pacing)
    except IntegrityError:
        # a concurrent request created the same account first (possible outside SQLite): replace its cookies
        account, created = components().accounts.save(current_user(), body.platform, body.name, cookies, pacing)
    components().server.account_changed(current_user().id, account["platform"], account["id"])
    return jsonify({"success": True, "account": account}), 201 if created else 200


def patch_account(account_id: int) -> Response:
    """Set the account's own pacing: ``{"concurrency": 2, "min_interval": 10}``; null: the platform's."""
    body = parse(AccountPatch)
    account = components().accounts.set_pacing(current_user(), account_id, body.model_dump(exclude_unset=True))
    components().server.account_changed(current_user().id, account["platform"], account["id"])
    return jsonify({"success": True, "account": account})


@bp.delete("")
@login_required
def delete_account_by_name() -> tuple[str, int]:
    """Remove ``?platform=&name=`` (or a JSON body with them)."""
    platform = request.args.get("platform")
    name = request.args.get("name")
    if (platform is None or name is None) and request.get_data():
        body = parse(AccountRef)
        platform, name = body.platform, body.name
    if not platform:
        raise ValidationError("Name the account: ?platform=…&name=…", fields={"platform": "required"})
    components().accounts.remove(current_user(), platform, name or "main")
    return "", 204


# one rule for both methods: two rules with a bounded converter make werkzeug answer 405, not 404
@bp.route(f"/{ACCOUNT_ID}", methods=["DELETE", "PATCH"])
@login_required
def account_by_id(account_id: int) -> Response | tuple[str, int]:
    """``DELETE``: remove one of the caller's accounts by id; ``PATCH``: set its pacing."""
    if request.method == "PATCH":
        return patch_account(account_id)
    components().accounts.remove(current_user(), None, None, account_id)
    return "", 204


@bp.post(f"/{ACCOUNT_ID}/check")
@login_required
def check_account(account_id: int) -> tuple[Response, int]:
    """Queue a ``check_login`` job: does this account's cookies still log in, and as whom? (202)."""
    user = current_user()
    parts = components()
    account = parts.accounts.get(user, account_id)
    job = login_check_job(account)
    jobs, _ = parts.desk.submit(user, [job], priority=0)
    return jsonify({"success": True, "job": jobs[0]}), 202
