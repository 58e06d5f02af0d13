"""What each chat tool expects: the request (URL, headers, body) for one notification.

Generic JSON carries the whole event; WeCom (企业微信), DingTalk (钉钉), Feishu/Lark (飞书) and
Slack get a short text. DingTalk and Feishu sign with the webhook's secret as they document;
generic JSON signs its body (``X-Examgen-Signature``) when a secret is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

KINDS = ("json", "wecom", "dingtalk", "feishu", "slack")
EVENTS = ("batch_finished", "job_failed", "job_needs_review", "account_expired")


@dataclass(frozen=True)
class Delivery:
    """One HTTP POST ready to send."""

    url: str
    headers: dict[str, str]
    body: bytes


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), url-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark: base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def json_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """Generic JSON: hex HMAC-SHA256 of ``timestamp.body`` with the secret (like Stripe's scheme)."""
    return hmac.new(secret.encode(), str(timestamp_s).encode() + b"." + body, hashlib.sha256).hexdigest()


def summary(message: dict[str, Any]) -> str:
    """The one-paragraph text chat tools show."""
    return str(message.get("text") or message.get("event"))


def build(
    kind: str, url: str, secret: str | None, message: dict[str, Any], delivery_id: str, now: float | None = None
) -> Delivery:
    """The request for ``message`` (``{"event", "text", "data", ...}``) to a webhook of ``kind``."""
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Examgen-Delivery": delivery_id}
    text = summary(message)
    body: dict[str, Any]
    if kind == "json":
        raw = json.dumps({"id": delivery_id, **message}, ensure_ascii=False).encode()
        if secret:
            ts = int(now)
            headers["X-Examgen-Timestamp"] = str(ts)
            headers["X-Examgen-Signature"] = "sha256=" + json_signature(secret, ts, raw)
        return Delivery(url, headers, raw)
    if kind == "wecom":
        body = {"msgtype": "text", "text": {"content": text}}
    elif kind == "dingtalk":
        body = {"msgtype": "text", "text": {"content": text}}
        if secret:
            ts_ms = int(now * 1000)
            url = f"{url}{'&' if '?' in url else '?'}timestamp={ts_ms}&sign={dingtalk_sign(secret, ts_ms)}"
    elif kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
    elif kind == "slack":
        body = {"text": text}
    else:
        raise ValueError(f"unknown webhook kind {kind!r}")
    return Delivery(url, headers, json.dumps(body, ensure_ascii=False).encode())


def accepted(kind: str, status: int, body: bytes) -> str | None:
    """None when the tool took the message; else why not (chat tools answer 200 with an error code)."""
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if kind in ("wecom", "dingtalk", "feishu"):
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return None  # a 2xx without JSON: nothing says it failed
        code = doc.get("errcode", doc.get("code", doc.get("StatusCode", 0))) if isinstance(doc, dict) else 0
        if code not in (0, None):
            return f"error {code}: {str(doc.get('errmsg') or doc.get('msg') or '')[:200]}"
    return None
