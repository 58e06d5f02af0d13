"""Webhooks: the API, delivery to a local receiver, retries, a kill -9 in the middle, job events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from receiver import Receiver
from support import LiveServer, ServerProcess, article, wait_until


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(
        tmp_path_factory.mktemp("hooks") / "instance",
        max_concurrent_jobs=1,
        retry_base_delay=0.2,
        retry_max_delay=1,
        webhook_allowed_networks="127.0.0.1/32",  # the local receiver
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


def add_hook(srv: LiveServer | ServerProcess, token: str, url: str, **fields: object) -> dict:
    body = {"name": "team", "kind": "json", "url": url, "events": ["job_failed"], **fields}
    return srv.ok("POST", "/api/webhooks", body, token, 201)["webhook"]


def deliveries(srv: LiveServer | ServerProcess, token: str, hook_id: int) -> list[dict]:
    return srv.ok("GET", f"/api/webhooks/{hook_id}/deliveries", token=token)["deliveries"]


def test_webhooks_are_private_validated_and_never_show_their_url_or_secret(server: LiveServer) -> None:
    ann, bob = server.make_user("hook-ann", demo_account=False), server.make_user("hook-bob", demo_account=False)
    hook = add_hook(server, ann, "https://93.184.216.34/secret-key-123", secret="shh", kind="dingtalk")
    assert hook["url"] == "https://93.184.216.34/…" and "secret" not in hook
    listed = server.ok("GET", "/api/webhooks", token=ann)["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret-key-123" not in str(listed)
    assert server.ok("GET", "/api/webhooks", token=bob)["webhooks"] == []
    for path in (f"/api/webhooks/{hook['id']}/test", f"/api/webhooks/{hook['id']}/deliveries"):
        method = "POST" if path.endswith("test") else "GET"
        assert server.call(method, path, {} if method == "POST" else None, bob)[0] == 404
    assert server.call("DELETE", f"/api/webhooks/{hook['id']}", token=bob)[0] == 404
    good = {"name": "team", "kind": "json", "url": "https://93.184.216.34/h", "events": ["job_failed"]}
    for bad in ({"url": "ftp://x.example/h"}, {"kind": "pager"}, {"events": []}, {"events": ["nope"]}):
        status, data, _ = server.call("POST", "/api/webhooks", {**good, **bad}, ann)
        assert status == 400 and {f.split(".")[0] for f in data["error"]["fields"]} == set(bad), (bad, data)
    assert server.call("DELETE", f"/api/webhooks/{hook['id']}", token=ann)[0] == 204
    # the server's own network stays out of reach, whatever the spelling; 127.0.0.1 is allowed here
    for url in ("http://10.0.0.8/h", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/h"):
        status, data, _ = server.call("POST", "/api/webhooks", {**good, "url": url}, ann)
        assert status == 400 and data["error"]["fields"]["url"].startswith("private"), (url, data)
    assert server.ok("GET", "/api/webhooks", token=ann)["webhooks"] == []


def test_a_test_message_is_retried_after_500s_with_one_delivery_id(server: LiveServer, receiver: Receiver) -> None:
    token = server.make_user("hook-retry", demo_account=False)
    hook = add_hook(server, token, receiver.url + "/retry", kind="feishu", secret="fs")
    receiver.fail_next = 2
    delivery_id = server.ok("POST", f"/api/webhooks/{hook['id']}/test", {}, token, 202)["delivery_id"]
    wait_until(lambda: deliveries(server, token, hook["id"])[0]["status"] == "delivered", 60, "the delivery")
    got = receiver.got("/retry")
    assert [r["status"] for r in got] == [500, 500, 200]
    assert {r["headers"]["X-Examgen-Delivery"] for r in got} == {delivery_id}
    assert all(b["msg_type"] == "text" and b["sign"] for b in receiver.bodies("/retry"))
    (row,) = deliveries(server, token, hook["id"])
    assert (row["attempts"], row["event"], row["delivery_id"]) == (3, "test", delivery_id)


def test_a_failed_publish_and_a_logged_out_account_reach_the_webhook_once_each(
    server: LiveServer, receiver: Receiver
) -> None:
    token = server.make_user("hook-jobs")
    events = ["job_failed", "account_expired", "batch_finished", "job_needs_review"]
    hook = add_hook(server, token, receiver.url + "/jobs", events=events)
    server.knobs(reject_next=1)
    try:
        (job_id,) = server.publish(token, [article("[hook-jobs]", 0)])
        assert server.wait_final(token, [job_id])[job_id]["status"] == "failed"
    finally:
        server.ok("POST", "/demo/api/knobs/reset")
    wait_until(lambda: len(receiver.got("/jobs")) >= 2, 60, "two notifications")
    by_event = {b["event"]: b for b in receiver.bodies("/jobs")}
    assert set(by_event) == {"job_failed", "batch_finished"}
    assert by_event["job_failed"]["data"]["job_id"] == job_id
    assert by_event["batch_finished"]["data"]["counts"] == {"failed": 1}

    # the account logs out: its next job waits for fresh cookies, and the team is told
    server.knobs(logout_all=True)
    try:
        (waiting,) = server.publish(token, [article("[hook-jobs] later", 1)])
        wait_until(lambda: len(receiver.got("/jobs")) >= 3, 60, "the account_expired notification")
    finally:
        server.ok("POST", "/demo/api/knobs/reset")
    expired = receiver.bodies("/jobs")[2]
    assert expired["event"] == "account_expired" and expired["data"]["account"] == "main"
    assert server.job(token, waiting)["status"] == "queued"
    # a test message goes out on a later pass, which looks at the same jobs and account again
    server.ok("POST", f"/api/webhooks/{hook['id']}/test", {}, token, 202)
    wait_until(lambda: len(receiver.got("/jobs")) >= 4, 30, "the test message")
    assert [b["event"] for b in receiver.bodies("/jobs")].count("test") == 1
    assert len(receiver.got("/jobs")) == 4  # each event once
    assert len({b["id"] for b in receiver.bodies("/jobs")}) == 4


def test_a_delivery_cut_by_kill_9_is_sent_again_after_the_restart_with_the_same_id(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> None:
    instance = tmp_path_factory.mktemp("hooks-kill") / "instance"
    srv = ServerProcess(instance, MAX_CONCURRENT_JOBS=1, WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32").start()
    try:
        token = srv.make_user("hook-kill", demo_account=False)
        hook = add_hook(srv, token, receiver.url + "/kill", kind="json")
        receiver.hold.set()  # the receiver takes the message but has not answered when the server dies
        delivery_id = srv.ok("POST", f"/api/webhooks/{hook['id']}/test", {}, token, 202)["delivery_id"]
        wait_until(lambda: receiver.got("/kill"), 30, "the first delivery attempt")
        srv.kill9()
        receiver.hold.clear()
        receiver.release.set()
        srv.start()
        wait_until(lambda: deliveries(srv, token, hook["id"])[0]["status"] == "delivered", 60, "the redelivery")
        got = receiver.got("/kill")
        assert len(got) == 2  # at least once: the cut attempt, then the one after the restart
        assert {r["headers"]["X-Examgen-Delivery"] for r in got} == {delivery_id}
        assert {b["id"] for b in receiver.bodies("/kill")} == {delivery_id}  # the receiver can drop the repeat
    finally:
        srv.cleanup()
