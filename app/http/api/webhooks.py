"""The caller's webhooks: list, add, delete, send a test message, see the latest deliveries."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.http.api.webhook_schemas import WebhookIn
from app.http.common import components, current_user, login_required, parse

bp = Blueprint("api_webhooks", __name__, url_prefix="/api/webhooks")
HOOK_ID = "<int(max=2147483647):hook_id>"


@bp.get("")
@login_required
def list_webhooks() -> Response:
    """The caller's webhooks (the URL shown as scheme and host only; never the secret)."""
    return jsonify({"webhooks": components().webhooks.list(current_user())})


@bp.post("")
@login_required
def add_webhook() -> tuple[Response, int]:
    """Add a webhook for the events chosen (201)."""
    body = parse(WebhookIn)
    hook = components().webhooks.create(current_user(), body.name, body.kind, body.url, body.secret, list(body.events))
    return jsonify({"success": True, "webhook": hook}), 201


@bp.delete(f"/{HOOK_ID}")
@login_required
def delete_webhook(hook_id: int) -> tuple[str, int]:
    """Remove one of the caller's webhooks and its undelivered messages (204)."""
    components().webhooks.delete(current_user(), hook_id)
    return "", 204


@bp.post(f"/{HOOK_ID}/test")
@login_required
def test_webhook(hook_id: int) -> tuple[Response, int]:
    """Queue a test message; follow it with ``GET …/deliveries`` (202)."""
    delivery_id = components().webhooks.send_test(current_user(), hook_id)
    return jsonify({"success": True, "delivery_id": delivery_id}), 202


@bp.get(f"/{HOOK_ID}/deliveries")
@login_required
def webhook_deliveries(hook_id: int) -> Response:
    """The webhook's latest messages: event, status (pending, delivered, failed), attempts, last error."""
    return jsonify({"deliveries": components().webhooks.deliveries(current_user(), hook_id)})
