"""Login guessing is slowed per address (across usernames) and per username (across addresses), with a
growing delay and Retry-After, while the real owner still gets in."""

from __future__ import annotations

import pytest
from support import LiveServer, wait_until
from web_session import WebLogin

pytestmark = pytest.mark.timeout(180)


def _password(name: str) -> str:
    return "pw-" + name + "-123"  # what Http.make_user gives


def _owner_gets_in(base: str, username: str, timeout: float, **headers: str) -> None:
    """The owner retries (as a person would, after the Retry-After) until the login succeeds."""
    owner = WebLogin(base, **headers)
    wait_until(lambda: owner.login(username, _password(username))[0] == 302, timeout, f"{username} to log in")
    assert owner.get("/api/me") == 200


def test_spraying_many_usernames_from_one_address_meets_429(live_server: LiveServer) -> None:
    live_server.make_user("alice", demo_account=False)
    attacker = WebLogin(live_server.base, X_Forwarded_For="203.0.113.7")  # ignored: no trusted proxy
    statuses, waits = [], []
    for i in range(30):
        status, headers = attacker.login(f"user{i}", "Winter2026!")
        statuses.append(status)
        if status == 429:
            waits.append(int(headers["Retry-After"]))
    assert 429 in statuses, statuses
    assert statuses[:10] == [401] * 10  # a few typos are free
    assert statuses.count(401) < 20, statuses  # most guesses were never checked
    assert all(1 <= w <= 60 for w in waits), waits
    # each guess that does get checked makes the next wait longer
    wait_until(lambda: attacker.login("user99", "Winter2026!")[0] == 401, 30, "the next guess to be checked")
    status, headers = attacker.login("user98", "Winter2026!")
    assert status == 429 and int(headers["Retry-After"]) >= 2
    # the owner, from the very same address (say behind the same NAT), gets in after the delay
    _owner_gets_in(live_server.base, "alice", timeout=60)


@pytest.mark.server(trusted_proxies=1)
def test_one_username_guessed_from_many_addresses_is_slowed_but_its_owner_gets_in(live_server: LiveServer) -> None:
    s = live_server
    s.make_user("bruno", demo_account=False)
    home = {"X_Forwarded_For": "198.51.100.20"}
    assert WebLogin(s.base, **home).login("bruno", _password("bruno"))[0] == 302  # a device bruno used before

    statuses = []
    for i in range(15):
        statuses.append(WebLogin(s.base, X_Forwarded_For=f"192.0.2.{i + 1}").login("bruno", "guess")[0])
    assert 429 in statuses and statuses[:5] == [401] * 5, statuses
    retry = WebLogin(s.base, X_Forwarded_For="192.0.2.200").login("bruno", _password("bruno"))
    assert retry[0] == 429 and int(retry[1]["Retry-After"]) >= 1  # even the right password waits its turn

    # from the address it logged in from before, the owner is judged on that pair only: in at once
    assert WebLogin(s.base, **home).login("bruno", _password("bruno"))[0] == 302
    # from a new address, after the delay
    _owner_gets_in(s.base, "bruno", timeout=120, X_Forwarded_For="192.0.2.201")
