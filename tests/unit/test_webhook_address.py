"""Webhooks cannot reach the server's own network: refused when saved, and again when dialled."""

from __future__ import annotations

import ipaddress
import socket
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.notify.address import AddressGuard, RefusedAddress

REFUSED = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fd00::5]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_and_reserved_addresses_are_refused(url: str) -> None:
    refusal = AddressGuard().refusal(url)
    assert refusal is not None and "private, loopback or reserved" in refusal


def test_public_addresses_are_accepted() -> None:
    guard = AddressGuard()
    assert guard.refusal("https://93.184.216.34/hook") is None
    assert guard.refusal("https://[2606:4700::1111]/hook") is None


def test_a_name_that_does_not_resolve_now_is_accepted_for_delivery_to_check_again() -> None:
    def unknown(host: str, port: int, **_: object) -> list[tuple]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert AddressGuard(resolve=unknown).refusal("https://hooks.example/secret") is None


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    def resolve(host: str, port: int, **_: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ("93.184.216.34", "10.0.0.7")]

    assert "10.0.0.7" in (AddressGuard(resolve=resolve).refusal("https://mixed.example/h") or "")


def test_networks_the_operator_allows_are_reachable() -> None:
    guard = AddressGuard([ipaddress.ip_network("10.0.0.0/8")])
    assert guard.refusal("http://10.20.30.40/hook") is None
    assert guard.refusal("http://192.168.1.1/hook") is not None


@pytest.fixture()
def local_http() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records each request and answers 302 to /redirect, else 200."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.path)
            self.send_response(302 if self.path == "/redirect" else 200)
            self.send_header("Location", "/landed")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="local-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_opener_does_not_dial_a_refused_address_even_if_the_url_was_accepted(
    local_http: tuple[str, list[str]],
) -> None:
    base, seen = local_http
    # a name that resolved to a public address when saved and to loopback now (DNS rebinding)
    port = int(base.rsplit(":", 1)[1])

    def rebinding(host: str, port_: int, **_: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    with pytest.raises(urllib.error.URLError) as caught:
        AddressGuard(resolve=rebinding).opener().open(f"http://rebind.example:{port}/hook", data=b"{}", timeout=5)
    assert isinstance(caught.value.reason, RefusedAddress)
    assert seen == []


def test_the_opener_reaches_allowed_networks_and_never_follows_a_redirect(local_http: tuple[str, list[str]]) -> None:
    base, seen = local_http
    opener = AddressGuard([ipaddress.ip_network("127.0.0.1/32")]).opener()
    with opener.open(base + "/hook", data=b"{}", timeout=5) as answer:
        assert answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(base + "/redirect", data=b"{}", timeout=5)
    assert caught.value.code == 302
    assert seen == ["/hook", "/redirect"]  # /landed was never asked for
