"""Sessions end for real (logout, password change, disabling) and API tokens can be listed, revoked and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from support import ADMIN_TOKEN, LiveServer
from web_session import WebLogin

from app.models import ApiToken, utcnow

pytestmark = pytest.mark.timeout(120)


def _password(name: str) -> str:
    return "pw-" + name + "-123"  # what Http.make_user gives


def test_a_copied_session_cookie_is_worthless_after_logout(live_server: LiveServer) -> None:
    live_server.make_user("lou", demo_account=False)
    browser = WebLogin(live_server.base)
    assert browser.login("lou", _password("lou"))[0] == 302
    stolen = browser.cookie
    assert browser.get("/api/me", stolen) == 200
    other_device = WebLogin(live_server.base)
    assert other_device.login("lou", _password("lou"))[0] == 302

    assert browser.logout() == 302
    assert browser.get("/api/me", stolen) == 401  # the replayed cookie
    assert other_device.get("/api/me") == 401  # logout ends the user's sessions everywhere
    assert browser.get("/", stolen) == 302  # pages send it to the login form
    assert browser.login("lou", _password("lou"))[0] == 302 and browser.get("/api/me") == 200


def test_a_password_change_ends_every_session_but_renews_the_callers(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("pia", demo_account=False)
    elsewhere = WebLogin(s.base)
    assert elsewhere.login("pia", _password("pia"))[0] == 302
    stolen = elsewhere.cookie

    wrong = s.call("POST", "/api/me/password", {"current_password": "nope", "new_password": "new-pass-99"}, token)
    assert wrong[0] == 400 and wrong[1]["error"]["code"] == "wrong_password"
    assert elsewhere.get("/api/me") == 200
    short = s.call("POST", "/api/me/password", {"current_password": _password("pia"), "new_password": "short"}, token)
    assert short[0] == 400 and "new_password" in short[1]["error"]["fields"]

    s.ok("POST", "/api/me/password", {"current_password": _password("pia"), "new_password": "new-pass-99"}, token)
    assert elsewhere.get("/api/me", stolen) == 401
    assert WebLogin(s.base).login("pia", _password("pia"))[0] == 401
    assert WebLogin(s.base).login("pia", "new-pass-99")[0] == 302
    assert s.call("GET", "/api/me", token=token)[0] == 200  # tokens are separate: revoke them one by one


def test_disabling_a_user_ends_their_sessions_and_tokens(live_server: LiveServer) -> None:
    s = live_server
    token = s.make_user("dan", demo_account=False)
    browser = WebLogin(s.base)
    assert browser.login("dan", _password("dan"))[0] == 302
    stolen = browser.cookie
    admin = WebLogin(s.base)
    assert admin.login("admin", "admin-password-1")[0] == 302

    assert admin.post_json("/ui/admin/users/dan/disabled", {"disabled": True}) == 200
    assert browser.get("/api/me", stolen) == 401
    assert s.call("GET", "/api/me", token=token)[0] == 401
    assert admin.post_json("/ui/admin/users/dan/disabled", {"disabled": False}) == 200
    assert browser.get("/api/me", stolen) == 401  # enabling again does not revive old sessions
    assert s.call("GET", "/api/me", token=token)[0] == 200
    assert browser.login("dan", _password("dan"))[0] == 302 and browser.get("/api/me") == 200


def test_tokens_are_listed_without_secrets_and_revoked_one_by_one(live_server: LiveServer) -> None:
    s = live_server
    first = s.make_user("tia", demo_account=False)
    made = s.ok("POST", "/api/tokens", {"name": "ci runner", "expires_in_days": 30}, first, 201)
    second = made["token"]
    assert made["name"] == "ci runner" and made["expires_at"] and made["last_used_at"] is None
    assert s.call("GET", "/api/me", token=second)[1]["username"] == "tia"

    listed = s.ok("GET", "/api/tokens", token=first)["tokens"]
    assert [t["name"] for t in listed] == ["initial", "ci runner"]
    assert all(t["last_used_at"] for t in listed)  # both were used just now
    text = str(listed)
    assert first not in text and second not in text and "hash" not in text

    # a write at most once a minute per token: a second use within the minute changes nothing
    before = s.ok("GET", "/api/tokens", token=first)["tokens"][1]["last_used_at"]
    s.ok("GET", "/api/me", token=second)
    assert s.ok("GET", "/api/tokens", token=first)["tokens"][1]["last_used_at"] == before

    # the token in use cannot revoke itself (a client would lock itself out half-way)
    in_use = s.call("DELETE", f"/api/tokens/{made['id']}", token=second)
    assert in_use[0] == 409
    s.ok("DELETE", f"/api/tokens/{made['id']}", token=first)
    assert s.call("GET", "/api/me", token=second)[0] == 401
    assert s.call("DELETE", f"/api/tokens/{made['id']}", token=first)[0] == 404
    assert s.call("GET", "/api/me", token=first)[0] == 200


def test_others_tokens_are_invisible_and_admins_revoke_anybodys(live_server: LiveServer) -> None:
    s = live_server
    ann = s.make_user("ann", demo_account=False)
    bob = s.make_user("bob", demo_account=False)
    bob_id = s.ok("GET", "/api/tokens", token=bob)["tokens"][0]["id"]
    assert s.call("DELETE", f"/api/tokens/{bob_id}", token=ann)[0] == 404  # not hers: as if it did not exist
    assert s.call("GET", "/api/users/bob/tokens", token=ann)[0] == 403
    assert s.call("GET", "/api/me", token=bob)[0] == 200

    assert [t["id"] for t in s.ok("GET", "/api/users/bob/tokens", token=ADMIN_TOKEN)["tokens"]] == [bob_id]
    assert s.call("DELETE", f"/api/users/ann/tokens/{bob_id}", token=ADMIN_TOKEN)[0] == 404
    s.ok("DELETE", f"/api/users/bob/tokens/{bob_id}", token=ADMIN_TOKEN)
    assert s.call("GET", "/api/me", token=bob)[0] == 401
    assert s.call("GET", "/api/users/nobody/tokens", token=ADMIN_TOKEN)[0] == 404


def test_an_expired_token_is_refused(live_server: LiveServer) -> None:
    s = live_server
    owner = s.make_user("eve", demo_account=False)
    made = s.ok("POST", "/api/tokens", {"name": "short-lived", "expires_in_days": 1}, owner, 201)
    assert s.call("GET", "/api/me", token=made["token"])[0] == 200
    with s.engine.db.write() as session:  # a day passes
        session.execute(
            update(ApiToken).where(ApiToken.id == made["id"]).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    status, body, _ = s.call("GET", "/api/me", token=made["token"])
    assert status == 401 and "expired" in body["error"]["message"]
    bad = s.call("POST", "/api/tokens", {"name": "x", "expires_in_days": 0}, owner)
    assert bad[0] == 400 and "expires_in_days" in bad[1]["error"]["fields"]
