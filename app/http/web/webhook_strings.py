"""The strings of the settings page's webhooks section: kinds, events, delivery statuses and messages.

Placeholders are ``{name}``; the script fills them in. The keys match the API's values.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# app/notify/formats.KINDS, in the order the form offers them
HOOK_KINDS = {
    "wecom": _l("WeCom group robot (企业微信)"),
    "dingtalk": _l("DingTalk robot (钉钉)"),
    "feishu": _l("Feishu / Lark bot (飞书)"),
    "slack": _l("Slack incoming webhook"),
    "json": _l("JSON, for your own program"),
}

# app/notify/formats.EVENTS, plus the test message a user sends from this page
HOOK_EVENTS = {
    "batch_finished": _l("A batch finished"),
    "job_failed": _l("A job failed"),
    "job_needs_review": _l("A job needs review"),
    "account_expired": _l("An account's login expired"),
    "test": _l("Test message"),
}

DELIVERY_STATUS = {
    "pending": _l("Sending"),
    "delivered": _l("Delivered"),
    "failed": _l("Not delivered"),
}

HOOK_TEXT = {
    "noHooks": _l("No webhooks yet. Add one below to be told in your team's chat."),
    "sendTest": _l("Send a test message"),
    "testQueued": _l("A test message to “{name}” is on its way."),
    "noDeliveries": _l("No messages sent yet."),
    "deliveriesOf": _l("Latest messages of “{name}”"),
    "deliveryEvent": _l("Message"),
    "deliveryStatus": _l("Status"),
    "deliveryAttempts": _l("Attempts"),
    "deliveryError": _l("Last error"),
    "deliveryTime": _l("Created"),
    "confirmDeleteHook": _l("Delete the webhook “{name}”? Its messages not yet sent are dropped."),
    "hookDeleted": _l("The webhook “{name}” was deleted."),
    "hookAdded": _l("The webhook “{name}” was added."),
    "hookNeedName": _l("Give the webhook a name (at most 64 characters)."),
    "hookNeedUrl": _l("Enter the address the chat tool gave you, starting with http:// or https://."),
    "hookPrivateUrl": _l("This address is on a private or local network: webhooks only reach public addresses."),
    "hookNeedEvent": _l("Choose at least one event."),
    "hookBadKind": _l("Choose one of the kinds offered."),
    "hookBadSecret": _l("The secret is too long (at most 500 characters)."),
    "hookLimit": _l("You have as many webhooks as allowed: delete one first."),
}


def webhook_strings() -> dict[str, Any]:
    """The webhook strings, translated into the request's language (merged into the ``#i18n`` block)."""
    return {
        "hookKinds": {k: str(v) for k, v in HOOK_KINDS.items()},
        "hookEvents": {k: str(v) for k, v in HOOK_EVENTS.items()},
        "deliveryStatus": {k: str(v) for k, v in DELIVERY_STATUS.items()},
    }
