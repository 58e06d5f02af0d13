"""Each chat tool's payload shape and signature, checked against the vendors' documented recipes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from app.notify.formats import KINDS, accepted, build, dingtalk_sign, feishu_sign, json_signature

MESSAGE = {"event": "job_failed", "text": "examgen: 发布失败 job failed", "data": {"job_id": "j1"}}
NOW = 1_760_000_000.5


def test_dingtalk_signs_timestamp_newline_secret_with_the_secret_and_url_encodes_it() -> None:
    secret = "SEC000example"
    d = build("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc", secret, MESSAGE, "d-1", NOW)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(d.url).query)
    ts = int(NOW * 1000)
    assert query["access_token"] == ["abc"] and query["timestamp"] == [str(ts)]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    assert query["sign"] == [expected.decode()]  # parse_qs decodes the url-encoding once
    assert dingtalk_sign(secret, ts) == urllib.parse.quote_plus(expected.decode())
    assert json.loads(d.body) == {"msgtype": "text", "text": {"content": MESSAGE["text"]}}


def test_feishu_signs_with_timestamp_newline_secret_as_the_key_and_puts_it_in_the_body() -> None:
    secret = "feishu-secret"
    d = build("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", secret, MESSAGE, "d-2", NOW)
    body = json.loads(d.body)
    ts = int(NOW)
    expected = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    assert body == {"timestamp": str(ts), "sign": expected, "msg_type": "text", "content": {"text": MESSAGE["text"]}}
    assert feishu_sign(secret, ts) == expected
    assert "sign" not in json.loads(build("feishu", "https://x.example/h", None, MESSAGE, "d", NOW).body)


def test_wecom_and_slack_bodies() -> None:
    wecom = build("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", None, MESSAGE, "d-3", NOW)
    assert json.loads(wecom.body) == {"msgtype": "text", "text": {"content": MESSAGE["text"]}}
    assert wecom.url.endswith("key=k")
    slack = build("slack", "https://hooks.slack.com/services/T/B/X", "ignored", MESSAGE, "d-4", NOW)
    assert json.loads(slack.body) == {"text": MESSAGE["text"]}


def test_generic_json_carries_the_event_with_its_delivery_id_and_an_optional_body_signature() -> None:
    d = build("json", "https://hooks.example/in", "s3cret", MESSAGE, "d-5", NOW)
    body = json.loads(d.body)
    assert body["id"] == "d-5" and body["event"] == "job_failed" and body["data"] == {"job_id": "j1"}
    ts = d.headers["X-Examgen-Timestamp"]
    mac = hmac.new(b"s3cret", ts.encode() + b"." + d.body, hashlib.sha256).hexdigest()
    assert d.headers["X-Examgen-Signature"] == f"sha256={mac}" == "sha256=" + json_signature("s3cret", int(ts), d.body)
    unsigned = build("json", "https://hooks.example/in", None, MESSAGE, "d-6", NOW)
    assert "X-Examgen-Signature" not in unsigned.headers


@pytest.mark.parametrize("kind", KINDS)
def test_every_delivery_names_its_idempotency_id_and_is_utf8_json(kind: str) -> None:
    d = build(kind, "https://hooks.example/in", "k", MESSAGE, "d-7", NOW)
    assert d.headers["X-Examgen-Delivery"] == "d-7"
    assert d.headers["Content-Type"].startswith("application/json")
    assert "发布失败" in d.body.decode("utf-8")


def test_what_counts_as_accepted() -> None:
    assert accepted("slack", 200, b"ok") is None
    assert accepted("json", 503, b"") == "HTTP 503"
    assert accepted("dingtalk", 200, b'{"errcode": 0, "errmsg": "ok"}') is None
    assert accepted("dingtalk", 200, b'{"errcode": 310000, "errmsg": "sign not match"}').startswith("error 310000")
    assert accepted("feishu", 200, b'{"code": 19021, "msg": "sign match fail"}').startswith("error 19021")
    assert accepted("wecom", 200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}').startswith("error 93000")
    with pytest.raises(ValueError):
        build("pager", "https://x.example", None, MESSAGE, "d", NOW)
