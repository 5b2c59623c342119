"""10,000 password guesses: none gets in, the rate limit answers 429, the real user is never locked
out for good, and two workers (two apps on one store) count the guesses as one.

The flood goes straight to the ASGI app (no HTTP client, no thread per request): the same code path
a request from uvicorn takes, at a cost that keeps 10,000 requests within seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmfit.store.accounts import AuthEvent
from pmfit.web import accounts
from pmfit.web.app import create_app
from pmfit.web.security.passwords import common_passwords
from pmfit.web.settings import TEST_HASHING, WebSettings
from web.helpers import PASSWORD, SECRET, Clock, Server, postgres_schema


@pytest.fixture
def server(sqlite_server: Server) -> Server:
    """This module tests the HTTP layer: SQLite is enough (the session and matrix tests run on both)."""
    return sqlite_server


GUESSES = 10_000


def _guesses() -> list[str]:
    common = sorted(common_passwords())
    variants = (f"{word}!{n}" for n in itertools.count() for word in common)
    return list(itertools.islice(itertools.chain(common, variants), GUESSES))


def _login(client: object, password: str) -> int:
    answer = client.post("/api/v1/auth/login", json={"name": "alice", "password": password})  # type: ignore[attr-defined]
    return int(answer.status_code)


async def _asgi_login(app: Any, address: str, password: str, name: str = "alice") -> tuple[int, dict[str, str]]:
    body = json.dumps({"name": name, "password": password}).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "https",
             "path": "/api/v1/auth/login", "raw_path": b"/api/v1/auth/login", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": (address, 40000), "server": ("testserver", 443)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    start: dict[str, Any] = {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)

    await app(scope, receive, send)
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_ten_thousand_guesses(server: Server) -> None:
    server.add_user("alice")
    guesses = _guesses()
    assert PASSWORD not in guesses and len(set(guesses)) == GUESSES
    limits = server.settings.login_limits
    statuses: Counter[int] = Counter()

    async def flood() -> None:
        # half the guesses from one address: it is blocked after 5; the real user elsewhere is not
        for guess in guesses[:5000]:
            statuses[(await _asgi_login(server.app, "203.0.113.7", guess))[0]] += 1
        assert statuses[401] == limits.per_account_address and statuses[429] == 5000 - limits.per_account_address
        assert (await _asgi_login(server.app, "198.51.100.20", PASSWORD))[0] == 200
        # the other half spread over 1,000 addresses, 5 each: the account is blocked after 100 in all
        for i, guess in enumerate(guesses[5000:]):
            statuses[(await _asgi_login(server.app, f"10.0.{i // 1250}.{(i // 5) % 250}", guess))[0]] += 1

    asyncio.run(flood())
    assert statuses[200] == 0, "a guess got in"
    assert statuses[401] == limits.per_account
    assert statuses[429] == GUESSES - limits.per_account
    real_user = server.client("198.51.100.20")
    blocked = real_user.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert blocked.json()["diagnostics"][0]["code"] == "rate_limited"

    # ... but only for a while: the block ends by itself and the real user is in
    server.clock.advance(minutes=15, seconds=1)
    assert _login(real_user, PASSWORD) == 200
    with server.db() as db:
        logged = dict(db.execute(select(AuthEvent.kind, func.count()).group_by(AuthEvent.kind)).all())  # type: ignore[arg-type]
    assert logged["login_failed"] == limits.per_account
    assert logged["login_throttled"] == GUESSES - limits.per_account + 1
    assert logged["login"] == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_count_as_one(tmp_path: Path, backend: str) -> None:
    """Two apps on one store (as two worker processes would be): 3 guesses on each, one shared count."""
    urls = iter([f"sqlite:///{tmp_path / 'store.db'}"]) if backend == "sqlite" else postgres_schema()
    url = next(urls)
    settings = WebSettings(db_url=url, secret_key=SECRET, clock=Clock(), hashing=TEST_HASHING)
    first_app, second_app = create_app(settings), create_app(settings)
    with Session(first_app.state.engine) as db:
        accounts.create_user(db, first_app.state.hasher, "alice", PASSWORD, False, settings.clock())
        db.commit()
    first = TestClient(first_app, base_url="https://testserver", client=("203.0.113.9", 1))
    second = TestClient(second_app, base_url="https://testserver", client=("203.0.113.9", 2))
    answers = [_login(client, f"wrong guess {i}") for i, client in enumerate([first, second] * 3)]
    assert answers == [401] * 5 + [429]
    assert _login(second, PASSWORD) == 429 and _login(first, PASSWORD) == 429
    for client, app in ((first, first_app), (second, second_app)):
        client.close()
        app.state.engine.dispose()
    for _ in urls:  # PostgreSQL: drop the schema
        pass


def test_blocked_attempts_are_refused_before_any_hashing(server: Server, monkeypatch: object) -> None:
    server.add_user("alice")
    attacker = server.client("203.0.113.7")
    for i in range(5):
        assert _login(attacker, f"wrong guess {i}") == 401
    calls = []
    hasher = server.app.state.hasher
    original = hasher.verify
    monkeypatch.setattr(hasher, "verify", lambda *a: calls.append(a) or original(*a))  # type: ignore[attr-defined]
    assert _login(attacker, PASSWORD) == 429  # even the right password, while blocked
    assert calls == []
