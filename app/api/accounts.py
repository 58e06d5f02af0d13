"""The platform accounts endpoints: add (cookies stored encrypted), list, remove, check the login."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.api.common import current_user, engine, login_required, parse
from app.api.schemas import AccountIn, AccountRef
from app.errors import ValidationError
from app.jobs import NewJob

bp = Blueprint("api_accounts", __name__, url_prefix="/api/accounts")

# ids are 32-bit in every supported database; a larger one cannot exist (and would overflow SQLite)
ACCOUNT_ID = "<int(max=2147483647):account_id>"


@bp.get("")
@login_required
def list_accounts() -> Response:
    """The caller's accounts, without their cookies."""
    return jsonify({"accounts": engine().accounts.list(current_user())})


@bp.post("")
@login_required
def save_account() -> tuple[Response, int]:
    """Add an account or replace its cookies; the cookies are never returned."""
    body = parse(AccountIn)
    cookies = [c.as_stored() for c in body.cookies]
    try:
        account, created = engine().accounts.save(current_user(), body.platform, body.name, cookies)
    except IntegrityError:
        # a concurrent request created the same account first (possible outside SQLite): replace its cookies
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
    if not platform:
        raise ValidationError("Name the account: ?platform=…&name=…", fields={"platform": "required"})
    engine().accounts.remove(current_user(), platform, name or "main")
    return "", 204


@bp.delete(f"/{ACCOUNT_ID}")
@login_required
def delete_account(account_id: int) -> tuple[str, int]:
    """Remove one of the caller's accounts by id."""
    engine().accounts.remove(current_user(), None, None, account_id)
    return "", 204


@bp.post(f"/{ACCOUNT_ID}/check")
@login_required
def check_account(account_id: int) -> tuple[Response, int]:
    """Queue a ``check_login`` job: does this account's cookies still log in, and as whom? (202)."""
    user = current_user()
    eng = engine()
    account = eng.accounts.get(user, account_id)
    job = NewJob(
        kind="check_login",
        payload={"platform": account.platform},
        title=f"Check login: {account.platform}/{account.name}",
        platform=account.platform,
        account_id=account.id,
        account_name=account.name,
    )
    jobs, _ = eng.service.submit(user, [job], priority=0)
    return jsonify({"success": True, "job": jobs[0]}), 202
