"""Where webhooks may go: public addresses, plus the networks the operator allows (WEBHOOK_ALLOWED_NETWORKS).

A user's webhook URL must not turn the server into a probe of its own network (loopback, the cloud's
metadata address, the office LAN). The URL is checked when it is saved, and every connection is
checked again at delivery against the address actually dialled, so a name that later resolves
elsewhere (DNS rebinding) or a redirect cannot reach a refused address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class RefusedAddress(OSError):
    """The webhook's host is, or resolves only to, an address webhooks may not reach."""


class AddressGuard:
    """Allows global unicast addresses and the operator's networks; refuses every other address."""

    def __init__(self, allowed: list[IPNetwork] | None = None, resolve: Callable[..., Any] = socket.getaddrinfo):
        self.allowed = list(allowed or [])
        self.resolve = resolve

    def allows(self, address: IPAddress) -> bool:
        """Whether a connection to ``address`` may be made."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
        if any(address in network for network in self.allowed):
            return True
        return address.is_global and not address.is_multicast

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be a webhook, or None. A name that does not resolve now is accepted:
        delivery checks again, and fails on its own if the name never resolves."""
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            addresses = self._addresses(host, 443)
        except OSError:
            return None
        refused = [a for a in addresses if not self.allows(a)]
        if refused:
            return f"{host} is a private, loopback or reserved address ({refused[0]})"
        return None

    def create_connection(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        """``socket.create_connection`` that dials only allowed addresses of the name."""
        host, port = address
        candidates = [a for a in self._addresses(host, port) if self.allows(a)]
        if not candidates:
            raise RefusedAddress(f"{host} resolves only to private, loopback or reserved addresses")
        error: OSError | None = None
        for candidate in candidates:
            try:
                return socket.create_connection((str(candidate), port), timeout, source_address)
            except OSError as exc:
                error = exc
        assert error is not None
        raise error

    def opener(self) -> urllib.request.OpenerDirector:
        """An opener through this guard: no proxy (it would dial for us), no redirects."""
        guard = self

        def guarded(cls: type[http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
            def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
                connection = cls(host, **kwargs)
                connection._create_connection = guard.create_connection  # type: ignore[attr-defined]
                return connection

            return make

        class Http(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(guarded(http.client.HTTPConnection), req)

        class Https(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(guarded(http.client.HTTPSConnection), req, context=self._context)  # type: ignore[attr-defined]

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None  # the 3xx reaches the caller as an HTTPError

        return urllib.request.build_opener(urllib.request.ProxyHandler({}), Http, Https, NoRedirect)

    def _addresses(self, host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        infos = self.resolve(host, port, type=socket.SOCK_STREAM)
        # a scoped IPv6 address ("fe80::1%eth0") loses its scope: the address alone decides
        return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
