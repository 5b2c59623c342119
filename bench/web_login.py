"""What a password-guessing flood costs the server: a blocked guess vs a guess that is hashed.

Drives the ASGI app in-process (no sockets) on a SQLite store in a temp folder, with the production
argon2id cost (19 MiB, 2 passes). Compared side by side in the same run:

- a guess refused by the login rate limit (429): one indexed query and one log row, no hash;
- the named alternative, a server without the short-circuit: every guess hashed (401, argon2id);
- a GET of the cached OpenAPI schema: the framework's floor.

Run:  PYTHONPATH=src python bench/web_login.py [--blocked 2000] [--hashed 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, String, Table
from sqlalchemy.orm import Session

import pmfit.store  # noqa: F401
from pmfit.store.base import Base

if "projects" not in Base.metadata.tables:  # until the store (issue 13) is merged
    Table("projects", Base.metadata, Column("id", String(64), primary_key=True))

from pmfit.web import accounts
from pmfit.web.app import create_app
from pmfit.web.settings import LoginLimits, WebSettings

SECRET = "bench-only-key-5f4e3d2c1b0a99887766554433221100"


async def _request(app: Any, method: str, path: str, address: str, body: bytes = b"") -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "https",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"bench"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": (address, 40000), "server": ("bench", 443)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def _login_body(i: int) -> bytes:
    return json.dumps({"name": "alice", "password": f"guess number {i}"}).encode()


async def _timed(app: Any, n: int, method: str, path: str, address: str, body: Any, want: int) -> list[float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        status = await _request(app, method, path, address, body(i))
        times.append(time.perf_counter() - start)
        assert status == want, (status, want)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocked", type=int, default=2000, help="blocked guesses to time")
    parser.add_argument("--hashed", type=int, default=40, help="hashed guesses to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        # the hashed series needs a limit it never reaches; the blocked series the normal one
        roomy = LoginLimits(per_account_address=10**9, per_address=10**9, per_account=10**9)
        stores = {}
        for name, limits in (("blocked", LoginLimits()), ("hashed", roomy)):
            settings = WebSettings(db_url=f"sqlite:///{Path(folder) / (name + '.db')}", secret_key=SECRET,
                                   login_limits=limits)
            app = create_app(settings)
            with Session(app.state.engine) as db:
                accounts.create_user(db, app.state.hasher, "alice", "the real passphrase", False, settings.clock())
                db.commit()
            stores[name] = app

        async def run() -> dict[str, list[float]]:
            blocked_app = stores["blocked"]
            for i in range(5):  # five wrong guesses block this address for this account
                await _request(blocked_app, "POST", "/api/v1/auth/login", "203.0.113.7", _login_body(i))
            await _request(blocked_app, "GET", "/api/v1/openapi.json", "203.0.113.7")  # build the schema once
            return {
                "blocked guess (429, rate limit, no hash)": await _timed(
                    blocked_app, args.blocked, "POST", "/api/v1/auth/login", "203.0.113.7", _login_body, 429),
                "hashed guess (401, argon2id 19 MiB t=2)": await _timed(
                    stores["hashed"], args.hashed, "POST", "/api/v1/auth/login", "203.0.113.8", _login_body, 401),
                "GET /api/v1/openapi.json (framework floor)": await _timed(
                    blocked_app, args.blocked, "GET", "/api/v1/openapi.json", "203.0.113.9", lambda i: b"", 200),
            }

        results = asyncio.run(run())
        for app in stores.values():
            app.state.engine.dispose()
    print(f"| {'request':<44} | {'n':>5} | {'median ms':>9} | {'p95 ms':>7} | {'per s':>7} |")
    print(f"|{'-' * 46}|{'-' * 7}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for label, times in results.items():
        ordered = sorted(times)
        median = statistics.median(ordered) * 1000
        p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
        print(f"| {label:<44} | {len(times):>5} | {median:>9.2f} | {p95:>7.2f} | {1000 / median:>7.0f} |")
    blocked = statistics.median(results["blocked guess (429, rate limit, no hash)"])
    hashed = statistics.median(results["hashed guess (401, argon2id 19 MiB t=2)"])
    print(f"\na hashed guess costs {hashed / blocked:.0f}x a blocked one")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
