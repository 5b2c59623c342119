"""Online backup and restore, and the full export they are verified by.

A backup is a complete pmfit store in one SQLite file, whatever the source backend: open it with
``--db sqlite:///backup.db`` to read it, restore it into any store (SQLite or PostgreSQL).
- SQLite source: ``VACUUM INTO`` copies one consistent snapshot while other connections write.
- PostgreSQL source: every table is read in one ``REPEATABLE READ READ ONLY`` transaction (the
  snapshot ``pg_dump`` uses) into a fresh SQLite store at the same schema revision.
Restore replaces the target's rows in one transaction: others see the old store or the restored
one, never a mix, and a failed restore leaves the old store as it was.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, insert, inspect, select, update

from pmfit.store.errors import StoreError, StoreUnavailable

if TYPE_CHECKING:
    from pmfit.store.repository import Store

BATCH = 500


def _tables() -> list[Table]:
    import pmfit.store.tables
    from pmfit.store.base import Base

    try:
        import pmfit.store.accounts  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "pmfit.store.accounts":
            raise
    return list(Base.metadata.sorted_tables)


def _order(table: Table) -> list[Any]:
    if table.name == "versions":
        return [table.c.project_id, table.c.number]
    return list(table.primary_key.columns) or list(table.columns)


def backup(store: Store, path: str) -> None:
    """Write a consistent copy of the whole store to a new SQLite file ``path``."""
    target = Path(path).resolve()
    if target.exists():
        raise StoreError(f"{target} exists already; a backup never overwrites a file", "bad_backup")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist", "bad_backup")
    store.require_current()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        if store.dialect == "sqlite":
            raw = store.engine.raw_connection()
            try:
                raw.driver_connection.execute("VACUUM INTO ?", (str(tmp),))  # type: ignore[union-attr]
            finally:
                raw.close()
        else:
            _copy_to_sqlite(store, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _copy_to_sqlite(store: Store, path: Path) -> None:
    from pmfit.store import migrate
    from pmfit.store.repository import Store as StoreClass

    revision = store.revision()
    copy = StoreClass(f"sqlite:///{path}", must_exist=False)
    try:
        migrate.upgrade(copy.engine, revision or "head")
        with store.engine.connect() as source:
            source = source.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with source.begin(), copy.write() as target:
                _copy_rows(source, target)
    finally:
        copy.close()


def _copy_rows(source: Connection, target: Connection) -> None:
    """Every row of every store table, in an order the foreign keys accept."""
    present = set(inspect(source).get_table_names()) & set(inspect(target).get_table_names())
    heads: list[tuple[str, str]] = []
    for table in _tables():
        if table.name not in present:
            continue
        result = source.execution_options(yield_per=BATCH).execute(select(table).order_by(*_order(table)))
        for rows in result.partitions():
            batch = [dict(row._mapping) for row in rows]
            if table.name == "projects":  # the head points at a version: set it once versions are in
                heads.extend((row["id"], row["head"]) for row in batch if row["head"] is not None)
                for row in batch:
                    row["head"] = None
            target.execute(insert(table), batch)
    projects = next(t for t in _tables() if t.name == "projects")
    for project_id, head in heads:
        target.execute(update(projects).where(projects.c.id == project_id).values(head=head))
    if target.dialect.name == "postgresql":
        _advance_sequences(target, [t for t in _tables() if t.name in present])


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows copied with their ids leave PostgreSQL's id sequences behind: move each past its table's ids."""
    from sqlalchemy import Integer, text

    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].autoincrement not in (True, "auto"):
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                {"table": table.name, "column": keys[0].name}).scalar()
        if sequence:
            conn.execute(text(f'SELECT setval(:sequence, COALESCE((SELECT MAX("{keys[0].name}") FROM "{table.name}"), 1), '
                              f'(SELECT MAX("{keys[0].name}") FROM "{table.name}") IS NOT NULL)'),
                         {"sequence": sequence})


def restore(store: Store, path: str) -> None:
    """Replace everything in ``store`` with the backup at ``path`` (checked first, then one transaction)."""
    from pmfit.store import migrate
    from pmfit.store.repository import Store as StoreClass

    source_path = Path(path)
    if not source_path.is_file():
        raise StoreError(f"{path}: no such backup file", "bad_backup")
    with source_path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise StoreError(f"{path} is not a pmfit backup (not a SQLite file)", "bad_backup")
    with tempfile.TemporaryDirectory(prefix="pmfit-restore-") as work:
        # Work on a copy: an older backup is upgraded to this pmfit's schema without touching it.
        copy_path = Path(work) / "backup.db"
        source = StoreClass(f"sqlite:///{source_path.resolve()}")
        try:
            raw = source.engine.raw_connection()
            try:
                raw.driver_connection.execute("VACUUM INTO ?", (str(copy_path),))  # type: ignore[union-attr]
            finally:
                raw.close()
        except Exception as exc:
            raise StoreError(f"{path} is not a readable pmfit backup ({exc})", "bad_backup") from None
        finally:
            source.close()
        backup_store = StoreClass(f"sqlite:///{copy_path}")
        try:
            revision = backup_store.revision()
            if revision is None or revision not in migrate.revisions():
                raise StoreError(f"{path} is not a pmfit backup this pmfit can read (schema {revision})",
                                 "bad_backup")
            backup_store.init()
            report = backup_store.check()
            if not report.ok:
                raise StoreError(f"{path} fails its check, so it was not restored: {report.problems[0]}",
                                 "bad_backup")
            store.init()
            with backup_store.read() as source_conn, store.write() as target:
                _clear(target)
                _copy_rows(source_conn, target)
        except StoreUnavailable as exc:
            raise StoreError(f"{path} is not a readable pmfit backup ({exc.diagnostics[0].message})",
                             "bad_backup") from None
        finally:
            backup_store.close()


def _clear(conn: Connection) -> None:
    tables = _tables()
    present = set(inspect(conn).get_table_names())
    projects = next(t for t in tables if t.name == "projects")
    conn.execute(update(projects).values(head=None))
    for table in reversed(tables):
        if table.name in present:
            conn.execute(delete(table))


def dump(store: Store, tables: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row of the store's tables (binary columns as SHA-256), in key order: equal stores dump equal."""
    out: dict[str, list[dict[str, Any]]] = {}
    with store.snapshot() as conn:
        present = set(inspect(conn).get_table_names())
        for table in _tables():
            if table.name not in present or (tables is not None and table.name not in tables):
                continue
            rows = []
            for row in conn.execute(select(table).order_by(*_order(table))):
                rows.append({key: _plain(value) for key, value in row._mapping.items()})
            out[table.name] = rows
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
