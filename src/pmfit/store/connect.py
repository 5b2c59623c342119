"""Which database the store is in (``--db URL``, ``PMFIT_DB``, else ``pmfit.db``) and how to connect.

SQLite: WAL (readers never block the writer), ``synchronous=FULL`` (a commit is on disk when it
returns), foreign keys on, a 30 s busy timeout, and writes that take the write lock at ``BEGIN
IMMEDIATE`` so that two writers queue instead of deadlocking on a lock upgrade.
PostgreSQL: ``postgresql+psycopg://user@host/db`` (psycopg 3), READ COMMITTED plus row locks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from pmfit.store.errors import StoreUnavailable

ENV_VAR = "PMFIT_DB"
DEFAULT_FILE = "pmfit.db"
#: execution option marking a connection whose transaction will write (SQLite: BEGIN IMMEDIATE)
WRITE = "pmfit_write"
#: execution option for transactions that mostly read and may write (the server's requests): on SQLite
#: no BEGIN until the first write, which then takes the write lock at once (BEGIN IMMEDIATE)
BEGIN_ON_WRITE = "pmfit_begin_on_write"
#: connections per engine: a server request may hold one for its session while the store opens another,
#: and each worker runs up to 40 requests at once (anyio's thread pool); 2 workers stay within
#: PostgreSQL's default 100 connections
POOL: dict[str, Any] = {"pool_size": 5, "max_overflow": 40}
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def resolve_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The store URL: ``url``, else ``$PMFIT_DB``, else ``pmfit.db`` here. A bare path is a SQLite file."""
    env = os.environ if env is None else env
    chosen = url or env.get(ENV_VAR) or DEFAULT_FILE
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix):]
    return chosen


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other backends and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def create_private(path: Path) -> None:
    """Create a new SQLite store file readable by its owner only (it holds plans and password hashes);
    SQLite gives its -wal and -shm files the same mode. An existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the store {path}: {exc.strerror}", "store_unavailable") from None


def make_engine(url: str, *, must_exist: bool = False) -> Engine:
    """An engine for ``url`` with pmfit's connection settings; raises :class:`StoreUnavailable`."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"'{url}' is not a database URL (sqlite:///FILE or "
                               "postgresql+psycopg://USER@HOST/DB)", "bad_store_url") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            if must_exist and not path.exists():
                raise StoreUnavailable(f"there is no store at {path} (create it with `pmfit db init`)",
                                       "store_not_initialised")
            if not path.parent.exists():
                raise StoreUnavailable(f"the folder {path.parent} does not exist", "store_unavailable")
            create_private(path)
        engine = create_engine(url, connect_args={"timeout": 30}, **POOL)
        _sqlite_settings(engine)
        return engine
    if backend == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, **POOL)
        except ModuleNotFoundError:
            raise StoreUnavailable("PostgreSQL needs psycopg: pip install 'pmfit[postgres]'",
                                   "store_unavailable") from None
    raise StoreUnavailable(f"pmfit stores plans in SQLite or PostgreSQL, not {backend}", "bad_store_url")


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's own transaction handling
        # would start transactions late and could not take the write lock up front).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(BEGIN_ON_WRITE, False):
            return  # reads run on their own until the first write (see _begin_before_write)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE, False) else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_write(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        # A request reads its session row, then may write (its last-seen time, a log row). Had it begun
        # with a plain BEGIN, that write would be a lock upgrade, which SQLite refuses at once (no busy
        # wait) whenever another worker wrote meanwhile; beginning at the first write avoids the upgrade.
        if not connection.get_execution_options().get(BEGIN_ON_WRITE, False):
            return
        if cursor.connection.in_transaction:
            return
        if statement.lstrip()[:9].upper().startswith(_WRITE_VERBS):
            cursor.execute("BEGIN IMMEDIATE")


def begin_on_write(engine: Engine) -> Engine:
    """The same engine (one pool) whose transactions begin at their first write on SQLite.

    For work that mostly reads and sometimes writes, like the server's requests: reads never hold a
    snapshot that a later write would have to upgrade. PostgreSQL is unaffected.
    """
    return engine.execution_options(**{BEGIN_ON_WRITE: True})
