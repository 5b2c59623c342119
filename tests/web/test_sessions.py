"""Sessions: cookie flags, rotation, ending on the server, CSRF, timeouts (with an injected clock)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select

from pmfit.store.accounts import AuthEvent, WebSession
from web.helpers import PASSWORD, Server, file_contains

COOKIE = "__Host-pmfit_session"
ME = "/api/v1/auth/me"


def _cookie_attributes(set_cookie: str) -> dict[str, str | bool]:
    parsed = SimpleCookie()
    parsed.load(set_cookie)
    morsel = parsed[COOKIE]
    lowered = set_cookie.lower()
    return {"value": morsel.value, "secure": morsel["secure"] is True or "; secure" in lowered,
            "httponly": morsel["httponly"] is True or "; httponly" in lowered,
            "samesite": str(morsel["samesite"]).lower(), "path": morsel["path"], "domain": morsel["domain"]}


def _events(server: Server) -> list[str]:
    with server.db() as db:
        return [e.kind for e in db.execute(select(AuthEvent).order_by(AuthEvent.id)).scalars()]


@pytest.fixture
def alice(server: Server) -> Server:
    server.add_user("alice")
    return server


def test_login_sets_a_host_prefixed_secure_httponly_lax_cookie(alice: Server) -> None:
    client = alice.client()
    answer = client.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    assert answer.status_code == 200
    attributes = _cookie_attributes(answer.headers["set-cookie"])
    assert attributes["secure"] and attributes["httponly"]
    assert attributes["samesite"] == "lax"
    assert attributes["path"] == "/" and attributes["domain"] == ""  # what __Host- demands
    assert len(str(attributes["value"])) >= 43  # 256 random bits
    assert answer.json()["user"]["name"] == "alice" and answer.json()["csrf_token"]
    # only the digest is stored: the cookie value is nowhere in the database
    with alice.db() as db:
        stored = db.execute(select(WebSession.id)).scalars().all()
    assert stored and attributes["value"] not in stored
    assert not file_contains(alice, str(attributes["value"]))


def test_wrong_password_and_unknown_user_get_the_same_answer(alice: Server) -> None:
    client = alice.client()
    wrong = client.post("/api/v1/auth/login", json={"name": "alice", "password": "not the password"})
    nobody = client.post("/api/v1/auth/login", json={"name": "mallory", "password": "not the password"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()
    assert wrong.json()["diagnostics"][0]["code"] == "bad_login"
    assert "set-cookie" not in wrong.headers
    assert _events(alice) == ["login_failed", "login_failed"]


def test_login_rotates_the_session(alice: Server) -> None:
    client = alice.login("alice")
    first = client.cookies[COOKIE]
    again = client.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    second = client.cookies[COOKIE]
    assert again.status_code == 200 and second != first
    # the pre-login session is dead: presenting it again is refused
    stale = alice.client()
    stale.cookies.set(COOKIE, first, domain="testserver.local")
    assert stale.get(ME).status_code == 401
    # a session id planted before login (fixation) is not adopted either
    planted = alice.client()
    planted.cookies.set(COOKIE, "attacker-chosen-value-0123456789abcdef0123456789", domain="testserver.local")
    login = planted.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    assert login.status_code == 200 and planted.cookies[COOKIE] != "attacker-chosen-value-0123456789abcdef0123456789"


def test_logout_ends_the_session_on_the_server(alice: Server) -> None:
    client = alice.login("alice")
    stolen = client.cookies[COOKIE]
    answer = client.post("/api/v1/auth/logout")
    assert answer.status_code == 204
    assert 'max-age=0' in answer.headers["set-cookie"].lower() or "expires=" in answer.headers["set-cookie"].lower()
    replay = alice.client()
    replay.cookies.set(COOKIE, stolen, domain="testserver.local")
    assert replay.get(ME).status_code == 401
    with alice.db() as db:
        assert db.execute(select(WebSession.end_reason)).scalars().all() == ["logout"]


def test_password_change_ends_every_session_and_keeps_this_browser_in(alice: Server) -> None:
    laptop = alice.login("alice")
    phone = alice.login("alice")
    changed = laptop.post("/api/v1/auth/password",
                          json={"current_password": PASSWORD, "new_password": "a much better passphrase"})
    assert changed.status_code == 200, changed.text
    laptop.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert laptop.get(ME).status_code == 200  # this browser got a new session
    assert phone.get(ME).status_code == 401  # the other one ended
    assert alice.client().post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD}).status_code == 401
    alice.login("alice", "a much better passphrase")


def test_password_change_needs_the_current_password_and_a_good_new_one(alice: Server) -> None:
    client = alice.login("alice")
    wrong = client.post("/api/v1/auth/password", json={"current_password": "guess guess", "new_password": "x" * 20})
    assert wrong.status_code == 401
    short = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and short.json()["diagnostics"][0]["code"] == "password_length"
    common = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "Trustno1"})
    assert common.status_code == 422 and common.json()["diagnostics"][0]["code"] == "password_common"
    assert client.get(ME).status_code == 200  # a refused change ends nothing


def test_disabling_an_account_ends_its_sessions(alice: Server) -> None:
    alice.add_user("root", admin=True)
    victim = alice.login("alice")
    admin = alice.login("root")
    assert admin.patch("/api/v1/users/alice", json={"disabled": True}).status_code == 200
    assert victim.get(ME).status_code == 401
    assert alice.client().post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD}).status_code == 401


def test_idle_timeout(alice: Server) -> None:
    client = alice.login("alice")
    alice.clock.advance(minutes=29)
    assert client.get(ME).status_code == 200  # activity restarts the idle clock
    alice.clock.advance(minutes=29)
    assert client.get(ME).status_code == 200
    alice.clock.advance(minutes=30, seconds=1)
    assert client.get(ME).status_code == 401
    alice.clock.advance(seconds=1)
    assert client.get(ME).status_code == 401  # ended for good, not merely asleep
    assert "session_expired" in _events(alice)


def test_absolute_timeout_even_when_active(alice: Server) -> None:
    client = alice.login("alice")
    for _ in range(47):  # 11 h 45 min of steady use
        alice.clock.advance(minutes=15)
        assert client.get(ME).status_code == 200
    alice.clock.advance(minutes=15)
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/auth/logout", None),
    ("post", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "another fine phrase"}),
])
def test_state_changes_need_the_csrf_token(alice: Server, method: str, path: str, body: object) -> None:
    client = alice.login("alice")
    token = client.headers.pop("X-CSRF-Token")
    missing = client.request(method, path, json=body)
    assert missing.status_code == 403 and missing.json()["diagnostics"][0]["code"] == "csrf_token"
    wrong = client.request(method, path, json=body, headers={"X-CSRF-Token": token[:-1] + ("1" if token.endswith("0") else "0")})
    assert wrong.status_code == 403
    assert client.get(ME).status_code == 200  # nothing happened
    assert "csrf_refused" in _events(alice)
    assert client.request(method, path, json=body, headers={"X-CSRF-Token": token}).status_code in (200, 204)


def test_csrf_token_of_another_session_is_refused(alice: Server) -> None:
    mine = alice.login("alice")
    theirs = alice.login("alice")
    answer = mine.post("/api/v1/auth/logout", headers={"X-CSRF-Token": theirs.headers["X-CSRF-Token"]})
    assert answer.status_code == 403


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "null"},
])
def test_cross_origin_state_changes_are_refused(alice: Server, headers: dict[str, str]) -> None:
    client = alice.login("alice")
    answer = client.post("/api/v1/auth/logout", headers=headers)
    assert answer.status_code == 403 and answer.json()["diagnostics"][0]["code"] == "cross_origin"
    assert client.get(ME).status_code == 200
    # login CSRF: a foreign page cannot log the victim into an attacker's account either
    login = alice.client().post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD}, headers=headers)
    assert login.status_code == 403 and "set-cookie" not in login.headers
    assert "cross_origin_refused" in _events(alice)


def test_same_origin_browser_requests_pass(alice: Server) -> None:
    client = alice.login("alice")
    answer = client.post("/api/v1/auth/logout",
                         headers={"Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 204


@pytest.mark.parametrize("path", ["/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/auth/login",
                                  "/api/v1/tokens/abc"])
def test_state_changing_routes_refuse_get(alice: Server, path: str) -> None:
    client = alice.login("alice")
    answer = client.get(path)
    assert answer.status_code == 405
    assert answer.json()["diagnostics"][0]["code"] == "method_not_allowed"
    assert client.get(ME).status_code == 200


def test_one_time_login_link(alice: Server) -> None:
    from pmfit.web import accounts

    with alice.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, "alice"), alice.clock(), alice.settings.login_link_lifetime)
        db.commit()
    client = alice.client()
    page = client.get("/api/v1/auth/link", params={"token": secret})
    assert page.status_code == 200 and "<form method=\"post\"" in page.text
    assert COOKIE not in client.cookies  # a GET never logs in
    used = client.post("/api/v1/auth/link", data={"token": secret}, follow_redirects=False)
    assert used.status_code == 303 and COOKIE in client.cookies
    assert client.get(ME).json()["user"]["name"] == "alice"
    again = alice.client().post("/api/v1/auth/link", data={"token": secret}, follow_redirects=False)
    assert again.status_code == 401  # once only


def test_login_link_expires(alice: Server) -> None:
    from pmfit.web import accounts

    with alice.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, "alice"), alice.clock(), alice.settings.login_link_lifetime)
        db.commit()
    alice.clock.advance(hours=1, seconds=1)
    assert alice.client().post("/api/v1/auth/link", data={"token": secret}).status_code == 401


def test_link_only_account_cannot_log_in_with_any_password(server: Server) -> None:
    server.add_user("local", password=None, admin=True)
    for guess in ("", "x" * 8, PASSWORD):
        answer = server.client().post("/api/v1/auth/login", json={"name": "local", "password": guess or "?"})
        assert answer.status_code == 401


def test_login_upgrades_a_hash_made_with_an_older_cost(alice: Server) -> None:
    from pmfit.store.accounts import User
    from pmfit.web.security.passwords import Hasher
    from pmfit.web.settings import PasswordHashing

    with alice.db() as db:
        old_hash = db.execute(select(User.password_hash)).scalar_one()
    assert "$argon2id$" in old_hash and "m=8," in old_hash
    alice.app.state.hasher = Hasher(PasswordHashing(time_cost=1, memory_cost_kib=16, parallelism=1))
    alice.login("alice")
    with alice.db() as db:
        new_hash = db.execute(select(User.password_hash)).scalar_one()
    assert "m=16," in new_hash and new_hash != old_hash
    alice.login("alice")  # and the upgraded hash still opens the account


def test_forms_carry_the_csrf_token_in_a_field(alice: Server) -> None:
    client = alice.login("alice")
    token = client.headers.pop("X-CSRF-Token")
    refused = client.post("/api/v1/auth/logout", data={"csrf_token": "0" * 64})
    assert refused.status_code == 403 and refused.json()["diagnostics"][0]["code"] == "csrf_token"
    assert client.post("/api/v1/auth/logout", data={"csrf_token": token}).status_code == 204
