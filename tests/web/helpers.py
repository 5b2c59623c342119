"""Server test helpers: a real SQLite file per test, an injected clock, cheap password hashing.

Until the store (issue 13) declares the ``projects`` table, a stand-in with only ``id`` is declared
here, for tests only; :func:`add_project` fills whatever columns the real table turns out to need.
"""

from __future__ import annotations

import datetime as dt
import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, TypeDecorator, insert
from sqlalchemy.orm import Session

import pmfit.store  # noqa: F401  (the store's own tables, once issue 13 declares them on import)
from pmfit.store.base import Base

#: True while the store (issue 13) is not merged and these tests run on a stand-in projects table.
PROJECTS_STAND_IN = "projects" not in Base.metadata.tables
if PROJECTS_STAND_IN:
    # the store's columns that access control reads: the id, and the bin (soft delete)
    Table("projects", Base.metadata, Column("id", String(64), primary_key=True),
          Column("deleted_at", DateTime, nullable=True))

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from pmfit.web import accounts  # noqa: E402
from pmfit.web.app import create_app  # noqa: E402
from pmfit.web.settings import TEST_HASHING, WebSettings  # noqa: E402

SECRET = "test-only-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
PASSWORD = "correct horse battery"
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Server:
    app: FastAPI
    clock: Clock
    settings: WebSettings
    db_path: Path
    clients: list[TestClient] = field(default_factory=list)

    def client(self, address: str = "testclient") -> TestClient:
        client = TestClient(self.app, base_url="https://testserver", client=(address, 50000))
        self.clients.append(client)
        return client

    def db(self) -> Session:
        return Session(self.app.state.engine)

    def add_user(self, name: str, password: str | None = PASSWORD, admin: bool = False) -> None:
        with self.db() as db:
            accounts.create_user(db, self.app.state.hasher, name, password, admin, self.clock())
            db.commit()

    def add_project(self, project_id: str) -> None:
        add_project(self.app, project_id)

    def add_member(self, project_id: str, name: str, role: str) -> None:
        with self.db() as db:
            accounts.set_member(db, project_id, accounts.get_user(db, name), role, self.clock())
            db.commit()

    def login(self, name: str, password: str = PASSWORD, address: str = "testclient") -> TestClient:
        client = self.client(address)
        answer = client.post("/api/v1/auth/login", json={"name": name, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client


def add_project(app: FastAPI, project_id: str) -> None:
    """A row in ``projects`` with dummy values for any other required column of the real table."""
    table = Base.metadata.tables["projects"]
    values: dict[str, Any] = {"id": project_id}
    for column in table.columns:
        if column.name in values or column.nullable or column.default is not None or column.server_default is not None:
            continue
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        if isinstance(kind, DateTime):
            values[column.name] = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        elif isinstance(kind, Boolean):
            values[column.name] = False
        elif isinstance(kind, Integer):
            values[column.name] = 0
        else:
            values[column.name] = project_id
    with app.state.engine.begin() as connection:
        connection.execute(insert(table).values(**values))


def make_server(tmp_path: Path, url: str | None = None, **overrides: Any) -> Server:
    """A server on a SQLite file in ``tmp_path``, or on ``url`` (then ``db_path`` names no file)."""
    clock = Clock()
    db_path = tmp_path / "store.db"
    settings = WebSettings(db_url=url or f"sqlite:///{db_path}", secret_key=SECRET, clock=clock,
                           hashing=TEST_HASHING, **overrides)
    return Server(create_app(settings), clock, settings, db_path)


@contextmanager
def server_with_examples(tmp_path: Path) -> Iterator[Server]:
    """A server on a SQLite file with the three examples loaded as ``make run`` loads them; closed after."""
    from pmfit.web.server import load_examples

    server = make_server(tmp_path)
    load_examples(server.app.state.engine, server.clock())
    try:
        yield server
    finally:
        for client in server.clients:
            client.close()
        server.app.state.engine.dispose()


BACKENDS = ("sqlite", "postgresql")


def backend_urls(backend: str, tmp_path: Path) -> Iterator[str]:
    """One store URL for the backend; iterate to the end afterwards to clean up (PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from postgres_schema()


def file_contains(server: Server, secret: str) -> bool:
    """Whether a secret is anywhere in a SQLite store's files (on PostgreSQL: ``False``, checked by rows)."""
    if not server.settings.db_url.startswith("sqlite"):
        return False
    files = [server.db_path, Path(f"{server.db_path}-wal")]
    return any(f.exists() and secret.encode() in f.read_bytes() for f in files)


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_schema() -> Iterator[str]:
    """A URL on a fresh PostgreSQL schema; the schema is dropped afterwards."""
    try:
        import psycopg

        connection = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2,
                                     autocommit=True)
    except Exception as exc:  # no server, no database: a clear skip, not a failure
        pytest.skip(f"PostgreSQL not available on 127.0.0.1:5432 (database 'test'): {exc}")
    name = f"pmfit_test_{secrets.token_hex(4)}"
    connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{name}"
    finally:
        connection.execute(f'DROP SCHEMA "{name}" CASCADE')
        connection.close()
