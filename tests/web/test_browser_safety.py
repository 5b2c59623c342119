"""Headers, size caps, errors without stack traces, no outbound connections, pagination."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from fastapi.testclient import TestClient

from web.helpers import PASSWORD, Server, make_server


@pytest.fixture
def server(sqlite_server: Server) -> Server:
    """This module tests the HTTP layer: SQLite is enough (the session and matrix tests run on both)."""
    return sqlite_server


REQUIRED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _check_headers(headers: Any, https: bool = True) -> None:
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    for name, value in REQUIRED_HEADERS.items():
        assert headers[name] == value
    assert ("strict-transport-security" in headers) == https


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/openapi.json", 200),
    ("GET", "/api/v1/auth/me", 401),
    ("GET", "/api/v1/no/such/route", 404),
    ("GET", "/api/v1/auth/logout", 405),
    ("POST", "/api/v1/auth/login", 422),
])
def test_security_headers_on_every_answer(server: Server, method: str, path: str, status: int) -> None:
    answer = server.client().request(method, path)
    assert answer.status_code == status
    _check_headers(answer.headers)
    if path.startswith("/api/"):
        assert answer.headers["cache-control"] == "no-store"
    if status >= 400:
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["ok"] is False and answer.json()["diagnostics"][0]["code"]


def test_hsts_only_behind_tls(server: Server) -> None:
    plain = TestClient(server.app, base_url="http://testserver")
    _check_headers(plain.get("/api/v1/openapi.json").headers, https=False)
    plain.close()


def test_interactive_docs_that_load_cdn_scripts_are_off(server: Server) -> None:
    client = server.client()
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_upload_size_cap_413(tmp_path: Any) -> None:
    server = make_server(tmp_path, max_body_bytes=1000)
    server.add_user("alice")
    client = server.login("alice")
    declared = client.post("/api/v1/auth/login", content=b"x" * 1001, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["diagnostics"][0]["code"] == "request_too_large"
    _check_headers(declared.headers)

    def chunks() -> Any:  # no Content-Length: the cap is enforced while the body streams in
        for _ in range(20):
            yield b"y" * 100

    streamed = client.post("/api/v1/tokens", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    bogus = client.post("/api/v1/auth/login", content=b"{}", headers={"content-length": "-5"})
    assert bogus.status_code in (400, 413)
    server.app.state.engine.dispose()


def test_unexpected_errors_are_json_500_without_a_stack_trace(server: Server) -> None:
    def explode() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    server.app.add_api_route("/api/v1/explode", explode, methods=["GET"])
    client = TestClient(server.app, base_url="https://testserver", raise_server_exceptions=False)
    answer = client.get("/api/v1/explode")
    assert answer.status_code == 500
    assert answer.json()["diagnostics"][0]["code"] == "internal_error"
    for leak in ("Traceback", "secret internal detail", "RuntimeError", 'File "', "/etc/passwd"):
        assert leak not in answer.text
    _check_headers(answer.headers)
    client.close()


def test_validation_errors_name_the_field_with_a_diagnostic_id(server: Server) -> None:
    answer = server.client().post("/api/v1/auth/login", json={"name": "alice", "pasword": "typo"})
    assert answer.status_code == 422
    codes = {d["code"] for d in answer.json()["diagnostics"]}
    assert codes == {"bad_request"}
    assert any("pasword" in d["message"] for d in answer.json()["diagnostics"])  # unknown fields are refused


def test_no_outbound_network_connection(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every route, on a SQLite store: any connect() to a non-loopback address fails the test."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)
        attempts.append(address)
        raise OSError(f"outbound connection to {address} refused by the test")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: guarded_connect(
        socket.socket(), address))
    server.add_project("p1")
    server.add_user("root", admin=True)
    server.add_user("alice")
    server.add_member("p1", "alice", "owner")
    admin = server.login("root")
    alice = server.login("alice")
    calls = [
        admin.get("/api/v1/users"), admin.post("/api/v1/users", json={"name": "bob", "password": PASSWORD}),
        admin.get("/api/v1/users/bob"), admin.patch("/api/v1/users/bob", json={"disabled": True}),
        admin.get("/api/v1/audit"), alice.get("/api/v1/auth/me"),
        alice.put("/api/v1/projects/p1/members/root", json={"role": "viewer"}),
        alice.get("/api/v1/projects/p1/members"), alice.delete("/api/v1/projects/p1/members/root"),
        alice.post("/api/v1/tokens", json={"name": "t", "role": "viewer", "projects": ["p1"]}),
        alice.get("/api/v1/tokens"), alice.get("/api/v1/openapi.json"),
        alice.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "quite new phrase"}),
    ]
    assert all(c.status_code < 400 for c in calls), [(c.request.url.path, c.status_code) for c in calls]
    assert attempts == []
    with pytest.raises(OSError):  # the trap works: a connection out would have been caught
        socket.create_connection(("192.0.2.1", 80))
    assert attempts == [("192.0.2.1", 80)]


def test_lists_are_paginated(server: Server) -> None:
    server.add_user("root", admin=True)
    for i in range(7):
        server.add_user(f"user{i}")
    admin = server.login("root")
    first = admin.get("/api/v1/users", params={"limit": 3}).json()
    assert [u["name"] for u in first["items"]] == ["root", "user0", "user1"]
    assert first["total"] == 8 and first["next_offset"] == 3
    last = admin.get("/api/v1/users", params={"limit": 3, "offset": 6}).json()
    assert [u["name"] for u in last["items"]] == ["user5", "user6"] and last["next_offset"] is None
    assert admin.get("/api/v1/users", params={"limit": 1000}).status_code == 422
    assert admin.get("/api/v1/users", params={"offset": -1}).status_code == 422


def test_user_names_are_one_account_whatever_the_case(server: Server) -> None:
    server.add_user("root", admin=True)
    admin = server.login("root")
    assert admin.post("/api/v1/users", json={"name": "Alice", "password": PASSWORD}).status_code == 201
    again = admin.post("/api/v1/users", json={"name": "alice", "password": PASSWORD})
    assert again.status_code == 409 and again.json()["diagnostics"][0]["code"] == "conflict"
    assert server.client().post("/api/v1/auth/login", json={"name": "ALICE", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("password, code", [
    ("1234567", "password_length"), ("x" * 129, "password_length"), ("password1", "password_common"),
    ("Qwertyuiop", "password_common"), ("ILoveYou", "password_common"),
])
def test_password_policy(server: Server, password: str, code: str) -> None:
    server.add_user("root", admin=True)
    answer = server.login("root").post("/api/v1/users", json={"name": "weak", "password": password})
    assert answer.status_code == 422 and answer.json()["diagnostics"][0]["code"] == code


@pytest.mark.parametrize("password", ["12345678aZ", "correct horse", "ÄÖÜ äöü ß 8+", "        ", "x" * 128])
def test_any_long_enough_uncommon_password_is_accepted(server: Server, password: str) -> None:
    server.add_user("root", admin=True)
    answer = server.login("root").post("/api/v1/users", json={"name": "fine", "password": password})
    assert answer.status_code == 201, answer.text
    assert server.client().post("/api/v1/auth/login", json={"name": "fine", "password": password}).status_code == 200


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "/api/v1/auth/login", {"name": "ali\x00ce", "password": PASSWORD}, 422),
    ("POST", "/api/v1/auth/login", {"name": "alice", "password": "pass\ud800word"}, 422),
    ("GET", "/api/v1/projects/p%00x/members", None, 404),
    ("GET", "/api/v1/audit?user=a%00b", None, 422),
    ("GET", "/api/v1/no%00such/route", None, 404),
    ("POST", "/api/v1/projects/p%00/members/x%00y", None, 405),
])
def test_text_no_database_can_hold_is_refused_up_front(backend_server: Server, method: str, path: str, body: Any,
                                                       status: int) -> None:
    """NUL and lone surrogates broke PostgreSQL queries (found by schemathesis): refused before any query."""
    backend_server.add_user("root", admin=True)
    client = backend_server.login("root")
    answer = client.request(method, path, content=None if body is None else
                            __import__("json").dumps(body).encode(), headers={"content-type": "application/json"})
    assert answer.status_code == status and answer.json()["ok"] is False
    cross_site = client.post("/api/v1/auth/log%00out", headers={"Origin": b"https://evil.example\xc3\xa9"})
    assert cross_site.status_code == 403  # and its log row was storable
