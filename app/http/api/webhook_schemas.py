"""What the webhook endpoints accept and answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.http.api.schemas import Name, Out, Strict, Text

Kind = Literal["json", "wecom", "dingtalk", "feishu", "slack"]
EventName = Literal["batch_finished", "job_failed", "job_needs_review", "account_expired"]


class WebhookIn(Strict):
    name: Name
    kind: Kind = Field(description="json (generic), wecom (企业微信), dingtalk (钉钉), feishu (飞书/Lark), slack")
    url: Annotated[Text, Field(min_length=8, max_length=2000, description="http(s); stored encrypted")]
    secret: Annotated[Text, Field(max_length=500, description="signing secret (dingtalk, feishu, json)")] | None = None
    events: Annotated[list[EventName], Field(min_length=1, max_length=4)]


class WebhookOut(Out):
    id: int
    name: str
    kind: Kind
    url: str = Field(description="scheme and host only: the full URL often holds a key")
    events: list[EventName]
    created_at: str


class WebhookList(Out):
    webhooks: list[WebhookOut]


class WebhookSaved(Out):
    success: Literal[True]
    webhook: WebhookOut


class TestQueued(Out):
    success: Literal[True]
    delivery_id: str = Field(description="also sent as the X-Examgen-Delivery header")


class DeliveryOut(Out):
    delivery_id: str
    event: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_error: str | None
    created_at: str
    delivered_at: str | None


class DeliveryList(Out):
    deliveries: list[DeliveryOut]


WEBHOOK_REQUEST_MODELS: tuple[type[BaseModel], ...] = (WebhookIn,)
WEBHOOK_RESPONSE_MODELS: tuple[type[BaseModel], ...] = (WebhookOut, WebhookList, WebhookSaved, TestQueued, DeliveryList)
