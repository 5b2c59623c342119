"""The store's contract suite runs on every backend: a SQLite file per test, and PostgreSQL when one
is reachable (127.0.0.1:5432, database ``test``, or ``$PMFIT_TEST_POSTGRES_URL``) in a schema of its
own that is dropped after the run. Without PostgreSQL those tests skip and say why."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]

SMALL_PLAN = """\
# a small plan for the store's tests
project:
  name: Store test
  start: 2027-01-04
resources:
  - {id: dev, units: 2}
tasks:
  - {id: a, name: Design, duration: 3d, needs: {dev: 1}}
  - {id: b, name: Build, duration: 5d, after: [a]}
  - {id: c, name: Docs, duration: 2d, after: [a]}
  - {id: d, name: Test, duration: 2d, after: [b, c]}
  - {id: m, name: Release, milestone: true, after: [d]}
"""


def wide_plan(tasks: int, name: str = "Wide") -> str:
    """A plan with ``tasks`` independent-ish tasks t0..tN-1 (a chain every tenth), as YAML text."""
    lines = [f"project:\n  name: {name}\n  start: 2027-01-04\ntasks:\n"]
    for i in range(tasks):
        after = f", after: [t{i - 1}]" if i % 10 else ""
        lines.append(f"  - {{id: t{i}, name: Task {i}, duration: {1 + i % 5}d{after}}}\n")
    return "".join(lines)


def _pg_base_url() -> str:
    return os.environ.get("PMFIT_TEST_POSTGRES_URL", DEFAULT_PG)


_pg_status: dict[str, str | None] = {}


def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    if "reason" not in _pg_status:
        try:
            import psycopg
            from sqlalchemy.engine import make_url

            url = make_url(_pg_base_url())
            with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                 password=url.password, dbname=url.database, connect_timeout=3):
                _pg_status["reason"] = None
        except Exception as exc:
            _pg_status["reason"] = (f"PostgreSQL backend skipped: no server at {_pg_base_url()} "
                                    f"({type(exc).__name__}: {str(exc).strip()[:120]})")
    return _pg_status["reason"]


def _pg_exec(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(_pg_base_url())
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_schema_url(schema: str) -> str:
    base = _pg_base_url()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


class PgSchemas:
    """Schemas made during the run, dropped at its end."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def new(self) -> str:
        name = f"pmfit_test_{uuid.uuid4().hex[:10]}"
        _pg_exec(f"CREATE SCHEMA {name}")
        self.made.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.made:
            with contextlib.suppress(Exception):  # the run is over; a leftover schema is harmless
                _pg_exec(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PgSchemas]:
    schemas = PgSchemas()
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pmfit.store import Store

    path = tmp_path_factory.mktemp("template") / "store.db"
    store = Store(str(path), must_exist=False)
    store.init()
    store.close()
    return path


@pytest.fixture(scope="session")
def _pg_shared(pg_schemas: PgSchemas) -> str | None:
    if pg_unreachable():
        return None
    from pmfit.store import Store

    url = pg_schema_url(pg_schemas.new())
    store = Store(url, must_exist=False)
    store.init()
    store.close()
    return url


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            if names:
                conn.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and (reason := pg_unreachable()):
        pytest.skip(reason)
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, _sqlite_template: Path, _pg_shared: str | None) -> str:
    """An initialised, empty store on the backend."""
    if backend == "sqlite":
        path = tmp_path / "pmfit.db"
        shutil.copyfile(_sqlite_template, path)
        return f"sqlite:///{path}"
    assert _pg_shared is not None
    _truncate(_pg_shared)
    return _pg_shared


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, pg_schemas: PgSchemas) -> str:
    """A database with nothing in it (for migrations)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return pg_schema_url(pg_schemas.new())


@pytest.fixture
def store(store_url: str) -> Iterator[object]:
    from pmfit.store import Store

    opened = Store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def workspace(store_url: str) -> Iterator[object]:
    from pmfit.workspace import Workspace

    ws = Workspace.open(store_url)
    yield ws
    ws.close()
