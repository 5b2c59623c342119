"""Alembic revision 0002_accounts builds exactly the tables that pmfit.store.accounts declares.

Until the store's Alembic environment (revision 0001_plans) is merged, the revision's ``upgrade()``
runs here on its own, on top of a projects table, and alembic's own comparison checks the result.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, MetaData, String, Table, create_engine, inspect

import pmfit.store.accounts
from pmfit.store.accounts import ACCOUNT_TABLES
from pmfit.store.base import Base

MIGRATION = Path(pmfit.store.accounts.__file__).parent / "migrations" / "versions" / "0002_accounts.py"


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0002_accounts", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table_of(diff: Any) -> str | None:
    """The table an alembic diff is about (diffs are tuples, or lists of tuples for column changes)."""
    if isinstance(diff, list):
        diff = diff[0]
    for part in diff[1:]:
        if isinstance(part, str) and (part in Base.metadata.tables or part in ACCOUNT_TABLES):
            return part
        table = getattr(part, "table", None) if not isinstance(part, Table) else part
        if table is None and hasattr(part, "parent"):  # a foreign key or constraint
            table = getattr(part.parent, "table", part.parent)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            return name
    return None


def _touches_accounts(diff: Any) -> bool:
    return _table_of(diff) in ACCOUNT_TABLES


def test_revision_ids() -> None:
    module = _load()
    assert module.revision == "0002_accounts" and module.down_revision == "0001_plans"


def test_upgrade_matches_the_models_and_downgrade_removes_them(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    projects = MetaData()
    Table("projects", projects, Column("id", String(64), primary_key=True))
    projects.create_all(engine)
    module = _load()
    with engine.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            module.upgrade()
        assert set(ACCOUNT_TABLES) <= set(inspect(connection).get_table_names())
        diffs = [d for d in compare_metadata(context, Base.metadata) if _touches_accounts(d)]
        assert diffs == [], diffs
        with Operations.context(context):
            module.downgrade()
        assert set(inspect(connection).get_table_names()) == {"projects"}
    engine.dispose()
