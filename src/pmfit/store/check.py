"""``pmfit db check``: the database's own integrity check, then pmfit's.

pmfit's checks: the schema is this pmfit's; every project has a head that is its latest version;
version numbers run 1..n with each version's parent the one before (no partial or orphan version);
every delta chain is well formed; every version rebuilds to bytes matching its SHA-256 and its id
matches what it records.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from pmfit.store import content as codec
from pmfit.store.connect import display_url
from pmfit.store.errors import StoreError

if TYPE_CHECKING:
    from pmfit.store.repository import CheckReport, Store


def check_store(store: Store, project_ids: Sequence[str] | None = None) -> CheckReport:
    from pmfit.store import migrate
    from pmfit.store.repository import CheckReport, projects, results, version_id, versions

    report = CheckReport(display_url(store.url), store.revision())
    problems = report.problems
    if report.revision != migrate.head_revision():
        problems.append(f"schema revision is {report.revision}, expected {migrate.head_revision()}")
        return report
    with store.snapshot() as conn:
        if store.dialect == "sqlite":
            verdict = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                problems.extend(f"sqlite integrity_check: {line}" for line in verdict[:20])
            if project_ids is None:  # whole-store only: SQLite enforces the keys on every write anyway
                for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                    problems.append(f"sqlite foreign_key_check: table {row[0]} row {row[1]} -> {row[2]}")
        project_query = select(projects.c.id, projects.c.head)
        if project_ids is not None:
            project_query = project_query.where(projects.c.id.in_(list(project_ids)))
        project_rows = conn.execute(project_query.order_by(projects.c.id)).all()
        report.projects = len(project_rows)
        report.results = int(conn.execute(select(func.count()).select_from(results)).scalar() or 0)
        for project in project_rows:
            rows = conn.execute(select(versions).where(versions.c.project_id == project.id)
                                .order_by(versions.c.number)).all()
            report.versions += len(rows)
            where = f"project '{project.id}'"
            if not rows:
                problems.append(f"{where} has no versions")
                continue
            if project.head != rows[-1].id:
                problems.append(f"{where}: head {str(project.head)[:12]} is not its latest version "
                                f"({rows[-1].number})")
            rebuilt: OrderedDict[str, bytes] = OrderedDict()
            previous = None
            for row in rows:
                label = f"{project.id}@{row.number}"
                expected_number = 1 if previous is None else previous.number + 1
                if row.number != expected_number:
                    problems.append(f"{label}: numbered {row.number}, expected {expected_number}")
                if row.parent_id != (previous.id if previous is not None else None):
                    problems.append(f"{label}: its parent is not the version before it")
                if row.id != version_id(row.project_id, row.parent_id, row.base_id, row.content_hash, row.kind,
                                        row.author, row.created_at, row.message, row.source):
                    problems.append(f"{label}: its id does not match what it records (altered?)")
                problem = _rebuild_and_verify(store, conn, row, rebuilt)
                if problem:
                    problems.append(f"{label}: {problem}")
                previous = row
    return report


def _rebuild_and_verify(store: Store, conn: Any, row: Any, rebuilt: OrderedDict[str, bytes]) -> str | None:
    try:
        if row.encoding == codec.FULL:
            if row.chain != 0:
                return "a full copy with a chain length"
            document = codec.decode_full(bytes(row.payload))
        elif row.encoding == codec.DELTA:
            base = row.delta_base_id
            if base is None or not 0 < row.chain <= codec.MAX_CHAIN:
                return "a delta without a usable base"
            base_bytes = rebuilt.get(base)
            if base_bytes is None:
                base_bytes = store._rebuild(conn, base, use_cache=False)
            document = codec.decode_delta(base_bytes, bytes(row.payload))
        else:
            return f"unknown encoding {row.encoding!r}"
    except StoreError as exc:
        return str(exc.diagnostics[0].message)
    except Exception as exc:  # zlib.error, a malformed delta: the version is damaged
        return f"cannot be rebuilt ({exc})"
    if len(document) != row.size:
        return f"rebuilds to {len(document)} bytes, recorded {row.size}"
    if codec.content_hash(document) != row.content_hash:
        return "does not match its content hash"
    rebuilt[row.id] = document
    while len(rebuilt) > 4:
        rebuilt.popitem(last=False)
    return None
