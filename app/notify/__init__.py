"""Notifications: per-user webhooks, fed from a durable outbox by the ``notifier`` thread."""
