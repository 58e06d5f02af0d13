"""A web-UI login over real HTTP with the session cookie kept by hand, so tests can copy and replay it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)
COOKIE = "examgen_session"


def request(
    base: str,
    method: str,
    path: str,
    cookie: str = "",
    data: dict[str, str] | None = None,
    json_body: Any = None,
    **headers: str,
) -> tuple[int, str, dict[str, str]]:
    """(status, body text, headers) of one request that sends ``cookie`` as the session cookie."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    if cookie:
        hdrs["Cookie"] = f"{COOKIE}={cookie}"
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=body, method=method, headers=hdrs)
    try:
        with _opener.open(req, timeout=30) as r:
            return r.status, r.read().decode(errors="replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), dict(e.headers)


def session_cookie(headers: dict[str, str], default: str = "") -> str:
    """The session cookie a response sets (or ``default`` when it sets none)."""
    found = re.search(rf"{COOKIE}=([^;]*)", headers.get("Set-Cookie", ""))
    return found.group(1) if found else default


class WebLogin:
    """One browser's session: log in through the form, then call with the cookie it got."""

    def __init__(self, base: str, **headers: str) -> None:
        self.base = base
        self.headers = headers
        self.cookie = ""
        self.csrf = ""

    def login(self, username: str, password: str) -> tuple[int, dict[str, str]]:
        """Post the login form; (status, headers). 302 is a success."""
        status, html, headers = request(self.base, "GET", "/login", self.cookie, **self.headers)
        self.cookie = session_cookie(headers, self.cookie)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        form = {"username": username, "password": password, "csrf_token": csrf}
        status, _, headers = request(self.base, "POST", "/login", self.cookie, form, **self.headers)
        self.cookie = session_cookie(headers, self.cookie)
        if status == 302:
            page = request(self.base, "GET", "/", self.cookie, **self.headers)[1]
            self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return status, headers

    def get(self, path: str, cookie: str | None = None) -> int:
        """The status of GET ``path`` with this session's cookie (or another one)."""
        return request(self.base, "GET", path, self.cookie if cookie is None else cookie, **self.headers)[0]

    def post_json(self, path: str, body: Any) -> int:
        """POST JSON with the session cookie and its CSRF header (as the UI's scripts do)."""
        return request(self.base, "POST", path, self.cookie, json_body=body, X_CSRF_Token=self.csrf, **self.headers)[0]

    def logout(self) -> int:
        """Post the logout form."""
        status, _, headers = request(
            self.base, "POST", "/logout", self.cookie, {"csrf_token": self.csrf}, **self.headers
        )
        self.cookie = session_cookie(headers, self.cookie)
        return status
