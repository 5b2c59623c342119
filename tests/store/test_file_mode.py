"""A new SQLite store is private: it holds every plan and, with the server, the password hashes."""

from __future__ import annotations

import stat
from pathlib import Path

from pmfit.store import Store
from pmfit.web.db import make_engine as web_engine


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
    """WAL with synchronous=FULL on both engines: a saved edit survives a power cut, not only a crash."""
    from sqlalchemy import text

    from pmfit.store.connect import make_engine as store_engine

    for make in (web_engine, store_engine):
        engine = make(f"sqlite:///{tmp_path / 'durable.db'}")
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        engine.dispose()
