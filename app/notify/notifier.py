"""The ``notifier`` thread: finds new events, then delivers due outbox messages with backoff.

Delivery is at least once: a message is marked delivered only after the receiver's 2xx, so a
crash in between sends it again after the restart, with the same ``X-Examgen-Delivery`` id (and
the same ``id`` in a generic JSON body) for the receiver to drop the repeat. Jobs never wait for
any of this: they only write their own rows, which this thread reads.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import delete, select, update

from app.crypto import CookieBox
from app.db import Database
from app.engine.retry import backoff_delay
from app.models import OutboxMessage, Webhook, utcnow
from app.notify import events, formats
from app.notify.address import AddressGuard, RefusedAddress

log = logging.getLogger("examgen.notify")

MAX_ATTEMPTS = 10
BATCH = 20  # messages per pass: one slow receiver delays the others by at most a pass
CATCH_UP = timedelta(hours=1)  # at start: events of jobs that ended this long ago are still sent
KEEP = timedelta(days=7)  # delivered and failed messages are kept this long (they also dedupe events)


class Notifier:
    """Owned by the job server (a supervised thread, stopped by the server's stop event)."""

    def __init__(
        self,
        db: Database,
        box: CookieBox,
        stop: threading.Event,
        base_delay: float = 5.0,
        max_delay: float = 3600.0,
        timeout: float = 10.0,
        interval: float = 2.0,
        guard: AddressGuard | None = None,
    ) -> None:
        self.db = db
        self.box = box
        self.stop = stop
        self.base_delay, self.max_delay = base_delay, max_delay
        self.timeout = timeout
        self.interval = interval
        self.opener = (guard or AddressGuard()).opener()
        self._wake = threading.Event()
        self._since = utcnow() - CATCH_UP
        self._purged = utcnow() - timedelta(days=1)

    def wake(self) -> None:
        """Look for events now (a job just ended, a test message was queued)."""
        self._wake.set()

    def loop(self) -> None:
        """The thread body; a pass's error is logged and the next pass runs as usual."""
        while not self.stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("Notifier pass failed; trying again shortly")
            self._wake.wait(self.interval)
            self._wake.clear()

    def run_once(self) -> int:
        """Queue the new events, deliver what is due; returns the messages delivered."""
        now = utcnow()
        found = events.job_events(self.db, self._since - events.OVERLAP)
        events.queue_events(self.db, found)
        self._since = now
        if now - self._purged > timedelta(hours=1):
            with self.db.write() as s:
                s.execute(
                    delete(OutboxMessage).where(
                        OutboxMessage.status != "pending", OutboxMessage.created_at < now - KEEP
                    )
                )
            self._purged = now
        return self.deliver_due()

    def deliver_due(self) -> int:
        """Send every message whose time has come (at most BATCH); returns how many were taken."""
        with self.db.read() as s:
            due = s.execute(
                select(OutboxMessage, Webhook)
                .join(Webhook, Webhook.id == OutboxMessage.webhook_id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow())
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            ).all()
        delivered = 0
        for message, hook in due:
            if self.stop.is_set():
                break
            error, permanent = self._send(message, hook)
            delivered += self._record(message, hook, error, permanent)
        return delivered

    def _send(self, message: OutboxMessage, hook: Webhook) -> tuple[str | None, bool]:
        """(None, _) when delivered; else (why, whether retrying is pointless)."""
        target = self.box.open_json(hook.target_encrypted)
        if not isinstance(target, dict) or not target.get("url"):
            return "the webhook's URL cannot be decrypted (ENCRYPTION_KEY changed?)", True
        request = formats.build(hook.kind, target["url"], target.get("secret"), message.payload, message.delivery_id)
        req = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
        try:
            with self.opener.open(req, timeout=self.timeout) as answer:
                return formats.accepted(hook.kind, answer.status, answer.read(65536)), False
        except urllib.error.HTTPError as exc:
            # a redirect (never followed) or a 4xx other than 408/429 will not get better by itself
            return f"HTTP {exc.code}", 300 <= exc.code < 500 and exc.code not in (408, 429)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, RefusedAddress):
                return str(exc.reason), True
            return f"{type(exc).__name__}: {exc}"[:300], False
        except (OSError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}"[:300], False

    def _record(self, message: OutboxMessage, hook: Webhook, error: str | None, permanent: bool) -> int:
        now = utcnow()
        attempts = message.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "last_error": error}
        if error is None:
            values.update(status="delivered", delivered_at=now)
            log.info("Notification %s (%s) delivered to webhook %s", message.delivery_id, message.event, hook.id)
        elif permanent or attempts >= MAX_ATTEMPTS:
            values["status"] = "failed"
            log.warning(
                "Notification %s to webhook %s given up after %d attempts: %s",
                message.delivery_id,
                hook.id,
                attempts,
                error,
            )
        else:
            delay = backoff_delay(attempts, self.base_delay, self.max_delay)
            values["next_attempt_at"] = now + timedelta(seconds=delay)
            log.info(
                "Notification %s to webhook %s failed (%s); retry in %.1f s", message.delivery_id, hook.id, error, delay
            )
        with self.db.write() as s:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.status == "pending")
                .values(**values)
            )
        return 1 if error is None else 0
