"""Migrations: from an empty database and from every earlier schema to head, and one step down,
on both backends, with a seeded store whose export is the same before and after."""

from __future__ import annotations

import pytest
from tests.store.conftest import SMALL_PLAN

from pmfit.store import Store, migrate

PLAN_TABLES = ("projects", "versions", "results")


def _seed(store: Store) -> None:
    from pmfit.workspace import Workspace

    ws = Workspace(store)
    v1 = ws.import_bytes(SMALL_PLAN.encode(), "seeded.yaml", author="alice").version
    v2 = ws.commit("seeded", v1.id, text=ws.text(v1).replace("duration: 5d", "duration: 6d"), author="bob").version
    ws.save_baseline("seeded", v2.id, author="pm")
    ws.store_result(v2, "schedule", {"v": 1}, b"cached")
    store.delete_project(ws.import_bytes(SMALL_PLAN.encode(), "binned.yaml").project.id, author="x")  # type: ignore[union-attr]


def test_the_schema_of_the_tables_is_what_the_migrations_build(empty_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from pmfit.store.base import Base

    store = Store(empty_url, must_exist=False)
    try:
        store.init()
        with store.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert differences == []
    finally:
        store.close()


@pytest.mark.parametrize("start", ["empty", *migrate.revisions()])
def test_upgrade_from_every_earlier_schema_to_head_keeps_the_data(empty_url: str, start: str) -> None:
    revisions = migrate.revisions()
    store = Store(empty_url, must_exist=False)
    try:
        if start != "empty":
            migrate.upgrade(store.engine, start)
            assert store.revision() == start
        before = None
        if start != "empty":  # every schema has the plan tables: seed at the old schema
            _seed(store)
            before = store.dump(PLAN_TABLES)
        store.init()
        assert store.revision() == revisions[-1]
        if before is None:
            _seed(store)
            before = store.dump(PLAN_TABLES)
        assert store.dump(PLAN_TABLES) == before
        assert store.check().ok
    finally:
        store.close()


def test_one_step_down_and_up_again(empty_url: str) -> None:
    revisions = migrate.revisions()
    store = Store(empty_url, must_exist=False)
    try:
        store.init()
        _seed(store)
        before = store.dump(PLAN_TABLES)
        previous = revisions[-2] if len(revisions) > 1 else "base"
        migrate.downgrade(store.engine, previous)
        assert store.revision() == (None if previous == "base" else previous)
        with pytest.raises(Exception) as outdated:
            store.require_current()
        assert getattr(outdated.value, "code", "") in ("store_outdated", "store_not_initialised")
        store.init()
        if previous == "base":  # below the first schema there are no plans: the step down empties the store
            assert store.dump(PLAN_TABLES) == {name: [] for name in PLAN_TABLES}
        else:
            assert store.dump(PLAN_TABLES) == before
        assert store.check().ok
    finally:
        store.close()


def test_a_store_newer_than_this_pmfit_is_refused(empty_url: str) -> None:
    from sqlalchemy import text

    store = Store(empty_url, must_exist=False)
    try:
        store.init()
        with store.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        with pytest.raises(Exception) as newer:
            store.require_current()
        assert getattr(newer.value, "code", "") == "store_outdated" and "newer" in str(newer.value)
    finally:
        store.close()
