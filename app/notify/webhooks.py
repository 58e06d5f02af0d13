"""A user's webhooks: create (URL and secret sealed), list, delete, send a test, recent deliveries."""

from __future__ import annotations

import builtins
import logging
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select

from app.crypto import CookieBox
from app.db import Database, rowcount
from app.errors import Conflict, NotFound, ValidationError
from app.models import OutboxMessage, User, Webhook, utcnow
from app.notify import events, formats
from app.notify.address import AddressGuard
from app.timefmt import iso

log = logging.getLogger("examgen.notify")

MAX_WEBHOOKS_PER_USER = 20


def webhook_dict(hook: Webhook) -> dict[str, Any]:
    """A webhook as its owner sees it: never its full URL (it often holds a key) nor its secret."""
    return {
        "id": hook.id,
        "name": hook.name,
        "kind": hook.kind,
        "url": hook.url_hint,
        "events": list(hook.events or []),
        "created_at": iso(hook.created_at),
    }


def _hint(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"[:255]


class Webhooks:
    """The webhooks of each user; ``wake`` tells the notifier there is something to send."""

    def __init__(
        self, db: Database, box: CookieBox, guard: AddressGuard, wake: Callable[[], None] = lambda: None
    ) -> None:
        self.db = db
        self.box = box
        self.guard = guard
        self.wake = wake

    def create(
        self, user: User, name: str, kind: str, url: str, secret: str | None, wanted: list[str]
    ) -> dict[str, Any]:
        """Add a webhook; ValidationError names the bad field."""
        if kind not in formats.KINDS:
            raise ValidationError(f"kind must be one of {', '.join(formats.KINDS)}", fields={"kind": "unknown kind"})
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("url must be an http(s) URL", fields={"url": "not an http(s) URL"})
        refusal = self.guard.refusal(url)
        if refusal:
            raise ValidationError(
                f"url: webhooks may not reach {refusal}; an admin can allow a network with WEBHOOK_ALLOWED_NETWORKS",
                fields={"url": "private, loopback or reserved address"},
            )
        unknown = [e for e in wanted if e not in formats.EVENTS]
        if unknown or not wanted:
            raise ValidationError(
                f"events: one or more of {', '.join(formats.EVENTS)}", fields={"events": "unknown or empty"}
            )
        with self.db.write() as s:
            count = s.scalar(select(func.count()).select_from(Webhook).where(Webhook.user_id == user.id)) or 0
            if count >= MAX_WEBHOOKS_PER_USER:
                raise Conflict(f"At most {MAX_WEBHOOKS_PER_USER} webhooks per user; delete one first")
            hook = Webhook(
                user_id=user.id,
                name=name,
                kind=kind,
                target_encrypted=self.box.seal_json({"url": url, "secret": secret or None}),
                url_hint=_hint(url),
                events=sorted(set(wanted)),
                created_at=utcnow(),
            )
            s.add(hook)
            s.flush()
            out = webhook_dict(hook)
        log.info("Webhook %s (%s) of %s added for %s", out["id"], kind, user.username, ", ".join(out["events"]))
        return out

    def list(self, user: User) -> list[dict[str, Any]]:
        """The user's webhooks, oldest first."""
        with self.db.read() as s:
            return [
                webhook_dict(h)
                for h in s.scalars(select(Webhook).where(Webhook.user_id == user.id).order_by(Webhook.id))
            ]

    def delete(self, user: User, hook_id: int) -> None:
        """Remove a webhook and its undelivered messages."""
        with self.db.write() as s:
            if rowcount(s.execute(delete(Webhook).where(Webhook.id == hook_id, Webhook.user_id == user.id))) != 1:
                raise NotFound("No such webhook")
            s.execute(delete(OutboxMessage).where(OutboxMessage.webhook_id == hook_id))

    def send_test(self, user: User, hook_id: int) -> str:
        """Queue a test message to one webhook; returns its delivery id."""
        hook = self._own(user, hook_id)
        key = f"test:{uuid.uuid4()}"
        text = f"examgen: test message for {user.username}'s webhook {hook.name!r} ({hook.kind})"
        msg = events.message("test", text, {"user": user.username, "webhook": hook.name})
        with self.db.write() as s:
            row = OutboxMessage(webhook_id=hook.id, event="test", event_key=key, payload=msg)
            s.add(row)
            s.flush()
            delivery_id = row.delivery_id
        self.wake()
        return delivery_id

    def deliveries(self, user: User, hook_id: int, limit: int = 20) -> builtins.list[dict[str, Any]]:
        """The webhook's latest messages: event, status, attempts, last error."""
        self._own(user, hook_id)
        with self.db.read() as s:
            rows = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.webhook_id == hook_id)
                .order_by(OutboxMessage.id.desc())
                .limit(limit)
            )
            return [
                {
                    "delivery_id": m.delivery_id,
                    "event": m.event,
                    "status": m.status,
                    "attempts": m.attempts,
                    "last_error": m.last_error,
                    "created_at": iso(m.created_at),
                    "delivered_at": iso(m.delivered_at),
                }
                for m in rows
            ]

    def _own(self, user: User, hook_id: int) -> Webhook:
        with self.db.read() as s:
            hook = s.get(Webhook, hook_id)
        if hook is None or hook.user_id != user.id:
            raise NotFound("No such webhook")
        return hook
