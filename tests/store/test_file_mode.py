"""A new SQLite store is private: it holds every plan and, with the server, the password hashes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from pmfit.store import Store
from pmfit.store.connect import make_engine as web_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'plans.db'}", must_exist=False)
    store.close()
    assert _mode(tmp_path / "plans.db") == 0o600


def test_the_server_creates_its_store_private_too(tmp_path: Path) -> None:
    engine = web_engine(f"sqlite:///{tmp_path / 'web.db'}")
    with engine.connect():
        pass
    engine.dispose()
    assert _mode(tmp_path / "web.db") == 0o600


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    store = Store(f"sqlite:///{path}", must_exist=False)
    store.close()
    assert _mode(path) == 0o640


def test_the_server_writes_the_store_as_durably_as_the_cli(tmp_path: Path) -> None:
    """The server runs on the store's own engine: WAL with synchronous=FULL, so a saved edit survives a
    power cut, not only a crash; its request sessions too (they begin at their first write)."""
    from sqlalchemy import text

    from pmfit.web.app import create_app
    from pmfit.web.settings import TEST_HASHING, WebSettings

    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'durable.db'}", hashing=TEST_HASHING,
                                 secret_key="test-only-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"))
    try:
        assert app.state.sessions.kw["bind"].pool is app.state.engine.pool  # one pool for the store and the requests
        with app.state.sessions() as db:
            assert db.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert db.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        app.state.engine.dispose()


def test_request_transactions_begin_at_their_first_write(tmp_path: Path) -> None:
    """A request that read before another connection wrote can still write: its reads held no snapshot
    to upgrade (with a plain BEGIN, SQLite refuses that write at once: 'database is locked')."""
    from sqlalchemy import text

    from pmfit.store.connect import begin_on_write

    engine = web_engine(f"sqlite:///{tmp_path / 'race.db'}")
    try:
        with engine.begin() as setup:
            setup.execute(text("CREATE TABLE t (n INTEGER)"))
            setup.execute(text("INSERT INTO t VALUES (0)"))
        requests = begin_on_write(engine)
        with requests.connect() as request:
            assert request.execute(text("SELECT n FROM t")).scalar() == 0
            with engine.begin() as other:  # another worker writes between the read and the write
                other.execute(text("UPDATE t SET n = 1"))
            request.execute(text("UPDATE t SET n = n + 1"))
            request.commit()
        with engine.connect() as check:
            assert check.execute(text("SELECT n FROM t")).scalar() == 2
        with engine.connect() as plain:  # the store's default, for contrast: a snapshot from the read
            plain.execute(text("SELECT n FROM t")).scalar()
            with engine.begin() as other:
                other.execute(text("UPDATE t SET n = 5"))
            with pytest.raises(OperationalError, match="locked"):
                plain.execute(text("UPDATE t SET n = n + 1"))
    finally:
        engine.dispose()
