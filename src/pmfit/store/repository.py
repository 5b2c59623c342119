"""The store: projects, their immutable versions, the result cache.

Every save is a new row in ``versions`` (never an UPDATE of an old one) and a compare-and-swap of
the project's head inside the same transaction::

    UPDATE projects SET head = :new WHERE id = :project AND head = :base

If another writer moved the head first, the swap matches no row and the whole transaction is
rolled back: the change is refused with :class:`HeadMoved`, and the caller (``pmfit.workspace``)
merges or reports the conflict. PostgreSQL also locks the project row (``SELECT ... FOR UPDATE``),
SQLite takes its write lock at ``BEGIN IMMEDIATE``; either way, the swap is what guarantees that no
update is lost, for single saves and bulk ones alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from pmfit.store import content as codec
from pmfit.store.connect import WRITE, display_url, make_engine, resolve_url
from pmfit.store.errors import (
    HeadMoved,
    NotFound,
    ProjectExists,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
    StoreWriteFailed,
)
from pmfit.store.tables import ProjectRow, ResultRow, VersionRow

projects = cast(Table, ProjectRow.__table__)
versions = cast(Table, VersionRow.__table__)
results = cast(Table, ResultRow.__table__)

#: how long a deleted project can be brought back
UNDO_DELETE = dt.timedelta(days=30)
PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
KINDS = ("import", "edit", "merge", "baseline", "progress", "revert")

_CHAIN_SQL = text("""
WITH RECURSIVE chain(id, delta_base_id, encoding, payload, content_hash, depth) AS (
    SELECT id, delta_base_id, encoding, payload, content_hash, 0 FROM versions WHERE id = :id
    UNION ALL
    SELECT v.id, v.delta_base_id, v.encoding, v.payload, v.content_hash, c.depth + 1
    FROM versions v JOIN chain c ON v.id = c.delta_base_id
)
SELECT id, encoding, payload, content_hash FROM chain ORDER BY depth DESC
""")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    name: str
    head: str | None
    head_number: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
    deleted_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "head": self.head, "head_number": self.head_number,
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
                "deleted_at": self.deleted_at.isoformat() if self.deleted_at else None,
                "deleted_by": self.deleted_by}


@dataclass(frozen=True)
class VersionInfo:
    """A version's metadata (the document itself comes from :meth:`Store.content`)."""

    id: str
    project_id: str
    number: int
    parent_id: str | None
    base_id: str | None
    kind: str
    author: str
    message: str
    created_at: dt.datetime
    content_hash: str
    size: int
    source: str | None = None

    @property
    def label(self) -> str:
        return f"{self.project_id}@{self.number}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "project": self.project_id, "number": self.number, "parent": self.parent_id,
                "based_on": self.base_id, "kind": self.kind, "author": self.author, "message": self.message,
                "created_at": self.created_at.isoformat(), "content_hash": self.content_hash,
                "size": self.size, "source": self.source}


@dataclass
class CheckReport:
    """What :meth:`Store.check` looked at and every problem it found (empty: the store is sound)."""

    url: str
    revision: str | None
    projects: int = 0
    versions: int = 0
    results: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "url": self.url, "revision": self.revision, "projects": self.projects,
                "versions": self.versions, "results": self.results, "problems": self.problems}


def version_id(project: str, parent: str | None, base: str | None, digest: str, kind: str, author: str,
               created: dt.datetime, message: str, source: str | None) -> str:
    """A version's id: the SHA-256 of everything it records, so ``check`` can tell if a row was altered."""
    parts = [project, parent or "", base or "", digest, kind, author, created.isoformat(), message, source or ""]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def params_key(params: dict[str, Any] | None) -> tuple[str, str]:
    canonical = json.dumps(params or {}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest(), canonical


def _version_info(row: Any) -> VersionInfo:
    return VersionInfo(id=row.id, project_id=row.project_id, number=row.number, parent_id=row.parent_id,
                       base_id=row.base_id, kind=row.kind, author=row.author, message=row.message,
                       created_at=row.created_at, content_hash=row.content_hash, size=row.size,
                       source=row.source)


_VERSION_COLUMNS = [versions.c[name] for name in (
    "id", "project_id", "number", "parent_id", "base_id", "kind", "author", "message", "created_at",
    "content_hash", "size", "source")]


class Store:
    """One store (a SQLite file or a PostgreSQL database). Safe to share between threads."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, must_exist: bool = True) -> None:
        self.url = resolve_url(url) if engine is None else engine.url.render_as_string(hide_password=False)
        self.engine = engine if engine is not None else make_engine(self.url, must_exist=must_exist)
        self._rebuilt: OrderedDict[str, bytes] = OrderedDict()  # version id -> document (immutable)
        self._rebuilt_lock = threading.Lock()  # web workers share one store between threads

    # ---- life cycle ------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def init(self) -> str:
        """Create the store or upgrade it to this pmfit's schema; returns the revision."""
        from pmfit.store import migrate

        try:
            migrate.upgrade(self.engine)
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot open the store {display_url(self.url)}: {_reason(exc)}") from None
        return migrate.head_revision()

    def revision(self) -> str | None:
        from pmfit.store import migrate

        try:
            return migrate.current_revision(self.engine)
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot open the store {display_url(self.url)}: {_reason(exc)}") from None

    def require_current(self) -> None:
        """Refuse to work on a store without this pmfit's schema (never half-migrate silently)."""
        from pmfit.store import migrate

        current = self.revision()
        if current is None:
            raise StoreUnavailable(f"{display_url(self.url)} is not a pmfit store yet (run `pmfit db init`)",
                                   "store_not_initialised")
        if current not in migrate.revisions():
            raise StoreUnavailable(f"the store is at schema {current}, newer than this pmfit knows "
                                   "(upgrade pmfit)", "store_outdated")
        if current != migrate.head_revision():
            raise StoreUnavailable(f"the store is at schema {current}; run `pmfit db init` to upgrade it "
                                   f"to {migrate.head_revision()}", "store_outdated")

    # ---- transactions ----------------------------------------------------------------------
    @contextmanager
    def _transaction(self, write: bool, snapshot: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                if write:
                    connection.execution_options(**{WRITE: True})
                elif snapshot and self.dialect == "postgresql":
                    # one snapshot for every statement (SQLite's read transactions are snapshots already)
                    connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with connection.begin():
                    yield connection
        except StoreError:
            raise
        except Exception as exc:
            # SQLAlchemy wraps driver errors, except those raised around commit and rollback
            if not isinstance(exc, (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)):
                raise
            if write:
                raise StoreWriteFailed(f"the store could not save ({_reason(exc)}); nothing was saved and "
                                       "the previous version is unchanged") from exc
            raise StoreUnavailable(f"cannot read the store {display_url(self.url)}: {_reason(exc)}") from exc

    def write(self) -> Any:
        """A write transaction (commit on success, rollback on any error)."""
        return self._transaction(True)

    def read(self) -> Any:
        return self._transaction(False)

    def snapshot(self) -> Any:
        """A read-only transaction that sees one consistent state of the whole store, while others write."""
        return self._transaction(False, snapshot=True)

    # ---- projects --------------------------------------------------------------------------
    def create_project(self, project_id: str, name: str, document: bytes, *, author: str, message: str = "",
                       kind: str = "import", source: str | None = None) -> tuple[ProjectInfo, VersionInfo]:
        """A new project whose first version is ``document`` (one transaction: both or neither)."""
        if not PROJECT_ID.match(project_id):
            raise StoreError(f"'{project_id}' is not a project id (letters, digits, '.', '_', '-'; "
                             "at most 64, starting with a letter or digit)", "bad_project_id")
        now = utcnow()
        with self.write() as conn:
            existing = conn.execute(select(projects.c.deleted_at).where(projects.c.id == project_id)).first()
            if existing is not None:
                hint = " (it is deleted; undelete it or pick another id)" if existing.deleted_at else ""
                raise ProjectExists(f"project '{project_id}' exists already{hint}", project=project_id)
            try:
                conn.execute(insert(projects).values(id=project_id, name=name[:300], head=None, created_at=now,
                                                     updated_at=now))
            except IntegrityError:  # created by someone else a moment ago
                raise ProjectExists(f"project '{project_id}' exists already", project=project_id) from None
            info = self._insert_version(conn, project_id, None, None, 0, None, document, author=author,
                                        message=message, kind=kind, source=source, now=now)
            conn.execute(update(projects).where(projects.c.id == project_id).values(head=info.id))
        project = ProjectInfo(project_id, name[:300], info.id, 1, now, now)
        return project, info

    def list_projects(self, include_deleted: bool = False) -> list[ProjectInfo]:
        query = self._project_query()
        if not include_deleted:
            query = query.where(projects.c.deleted_at.is_(None))
        with self.read() as conn:
            return [_project_info(row) for row in conn.execute(query.order_by(projects.c.id))]

    def project(self, project_id: str, include_deleted: bool = False) -> ProjectInfo:
        with self.read() as conn:
            row = conn.execute(self._project_query().where(projects.c.id == project_id)).first()
        if row is None:
            raise NotFound(f"there is no project '{project_id}'", project=project_id)
        if row.deleted_at is not None and not include_deleted:
            raise NotFound(f"project '{project_id}' is deleted (`pmfit db undelete {project_id}` brings it back)",
                           project=project_id)
        return _project_info(row)

    def _project_query(self) -> Any:
        return select(projects, versions.c.number.label("head_number")).outerjoin(
            versions, versions.c.id == projects.c.head)

    def rename_project(self, project_id: str, name: str) -> None:
        with self.write() as conn:
            conn.execute(update(projects).where(projects.c.id == project_id).values(name=name[:300]))

    def delete_project(self, project_id: str, *, author: str) -> ProjectInfo:
        """Put the project in the bin: hidden, read-only, and back with :meth:`undelete_project`."""
        self.project(project_id)
        with self.write() as conn:
            conn.execute(update(projects).where(projects.c.id == project_id, projects.c.deleted_at.is_(None))
                         .values(deleted_at=utcnow(), deleted_by=author[:200]))
        return self.project(project_id, include_deleted=True)

    def undelete_project(self, project_id: str) -> ProjectInfo:
        info = self.project(project_id, include_deleted=True)
        if info.deleted_at is None:
            return info
        with self.write() as conn:
            conn.execute(update(projects).where(projects.c.id == project_id)
                         .values(deleted_at=None, deleted_by=None))
        return self.project(project_id)

    def purge_deleted(self, older_than: dt.timedelta = UNDO_DELETE, now: dt.datetime | None = None) -> list[str]:
        """Remove for good the projects deleted more than ``older_than`` ago; returns their ids."""
        from pmfit.store.base import Base

        cutoff = (now or utcnow()) - older_than
        with self.write() as conn:
            doomed = list(conn.execute(select(projects.c.id).where(projects.c.deleted_at < cutoff)).scalars())
            if not doomed:
                return []
            conn.execute(update(projects).where(projects.c.id.in_(doomed)).values(head=None))
            # rows of other tables (memberships, ...) that name the project go first
            for table in reversed(Base.metadata.sorted_tables):
                if table.name in ("projects", "versions"):
                    continue
                for fk in table.foreign_keys:
                    if fk.column.table.name == "projects" and fk.column.name == "id":
                        conn.execute(delete(table).where(fk.parent.in_(doomed)))
            # versions point at each other (parent, delta base): one statement removes them together
            conn.execute(delete(versions).where(versions.c.project_id.in_(doomed)))
            conn.execute(delete(projects).where(projects.c.id.in_(doomed)))
            live = select(versions.c.content_hash)
            conn.execute(delete(results).where(results.c.content_hash.not_in(live)))
        return doomed

    # ---- versions --------------------------------------------------------------------------
    def commit(self, project_id: str, base: str, document: bytes, *, author: str, message: str = "",
               kind: str = "edit", source: str | None = None, based_on: str | None = None,
               rebase: Callable[[str], bytes] | None = None) -> tuple[VersionInfo, bool]:
        """Save ``document`` as the project's next version, if its head is still ``base``.

        Returns the version and whether it is new (a document equal to the head's is not saved again).
        ``based_on`` records the version a merged change was originally made on.
        When someone else saved first, ``rebase(head)`` (if given) returns the document to save on top
        of the new head instead — it runs while this project is locked, so it is asked at most once and
        is never overtaken — or raises to refuse. Without ``rebase`` :class:`HeadMoved` is raised.
        Either way nothing is written unless the head is still what the new version's parent is.
        """
        digest = codec.content_hash(document)
        with self.write() as conn:
            row = conn.execute(select(projects.c.head, projects.c.deleted_at)
                               .where(projects.c.id == project_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"there is no project '{project_id}'", project=project_id)
            if row.deleted_at is not None:
                raise NotFound(f"project '{project_id}' is deleted", project=project_id)
            if row.head != base:
                if rebase is None or row.head is None:
                    raise HeadMoved(project_id, base, row.head or "")
                document = rebase(row.head)
                digest = codec.content_hash(document)
                based_on = based_on or base
                base = row.head
            parent = conn.execute(select(versions.c.number, versions.c.chain, versions.c.content_hash)
                                  .where(versions.c.id == base)).one()
            if parent.content_hash == digest:
                head = conn.execute(select(*_VERSION_COLUMNS).where(versions.c.id == base)).one()
                return _version_info(head), False
            info = self._insert_version(conn, project_id, base, based_on, parent.number, parent.chain, document,
                                        author=author, message=message, kind=kind, source=source, now=utcnow(),
                                        digest=digest)
            swapped = conn.execute(update(projects).where(and_(projects.c.id == project_id, projects.c.head == base))
                                   .values(head=info.id, updated_at=info.created_at))
            if swapped.rowcount != 1:
                now_head = conn.execute(select(projects.c.head).where(projects.c.id == project_id)).scalar()
                raise HeadMoved(project_id, base, now_head or "")
        return info, True

    def _insert_version(self, conn: Connection, project_id: str, parent: str | None, based_on: str | None,
                        parent_number: int, parent_chain: int | None, document: bytes, *, author: str,
                        message: str, kind: str, source: str | None, now: dt.datetime,
                        digest: str | None = None) -> VersionInfo:
        if kind not in KINDS:
            raise ValueError(f"unknown version kind {kind!r}")
        digest = digest or codec.content_hash(document)
        base_bytes = self._rebuild(conn, parent) if parent is not None else None
        encoded, chain = codec.encode(document, base_bytes, parent_chain if parent_chain is not None else 0)
        author, source = author[:200], (source[:500] if source else None)
        vid = version_id(project_id, parent, based_on, digest, kind, author, now, message, source)
        conn.execute(insert(versions).values(
            id=vid, project_id=project_id, number=parent_number + 1, parent_id=parent, base_id=based_on,
            kind=kind, author=author, message=message, created_at=now, source=source, content_hash=digest,
            size=len(document), encoding=encoded.encoding,
            delta_base_id=parent if encoded.encoding == codec.DELTA else None, chain=chain,
            payload=encoded.payload))
        self._remember(vid, document)
        return VersionInfo(vid, project_id, parent_number + 1, parent, based_on, kind, author, message, now, digest,
                           len(document), source)

    def history(self, project_id: str, limit: int | None = None, include_deleted: bool = False,
                before: int | None = None) -> list[VersionInfo]:
        """The project's versions, newest first; ``before=N`` starts below version N (for paging)."""
        self.project(project_id, include_deleted=include_deleted)
        query = select(*_VERSION_COLUMNS).where(versions.c.project_id == project_id).order_by(
            versions.c.number.desc())
        if before is not None:
            query = query.where(versions.c.number < before)
        if limit is not None:
            query = query.limit(limit)
        with self.read() as conn:
            return [_version_info(row) for row in conn.execute(query)]

    def versions_after(self, project_id: str, version: str) -> list[VersionInfo]:
        """The versions saved after ``version``, oldest first (history is a line: each head's child)."""
        with self.read() as conn:
            number = conn.execute(select(versions.c.number).where(versions.c.id == version)).scalar()
            if number is None:
                raise NotFound(f"there is no version {version[:12]}", "unknown_version", project=project_id)
            rows = conn.execute(select(*_VERSION_COLUMNS).where(
                versions.c.project_id == project_id, versions.c.number > number).order_by(versions.c.number))
            return [_version_info(row) for row in rows]

    def version(self, project_id: str, ref: str | int | None = None, include_deleted: bool = False) -> VersionInfo:
        """A version by number (``3``), id or id prefix (6+ hex digits), or ``head``/None for the latest."""
        project = self.project(project_id, include_deleted=include_deleted)
        query = select(*_VERSION_COLUMNS).where(versions.c.project_id == project_id)
        text_ref = "" if ref is None else str(ref).strip()
        if text_ref in ("", "head", "latest"):
            query = query.where(versions.c.id == project.head)
        elif text_ref.isdigit() and len(text_ref) >= 6:
            # six or more digits: a version number or an id prefix made only of digits (ids are hex)
            query = query.where(or_(versions.c.number == int(text_ref),
                                    versions.c.id.startswith(text_ref, autoescape=True)))
        elif text_ref.lstrip("-").isdigit():
            number = int(text_ref)
            if number <= 0:  # @-1: one before the head
                number = (project.head_number or 0) + number
            query = query.where(versions.c.number == number)
        elif re.fullmatch(r"[0-9a-f]{6,64}", text_ref):
            query = query.where(versions.c.id.startswith(text_ref, autoescape=True))
        else:
            raise NotFound(f"'{text_ref}' is not a version (a number like 3, or an id)", "unknown_version",
                           project=project_id)
        with self.read() as conn:
            rows = conn.execute(query.limit(2)).all()
        if not rows:
            raise NotFound(f"project '{project_id}' has no version {text_ref}", "unknown_version",
                           project=project_id)
        if len(rows) > 1:
            raise NotFound(f"version prefix {text_ref} is ambiguous in project '{project_id}'", "unknown_version",
                           project=project_id)
        return _version_info(rows[0])

    def content(self, version_id: str) -> bytes:
        """The version's document, rebuilt and checked against its hash (raises :class:`StoreCorrupt`)."""
        with self._rebuilt_lock:
            cached = self._rebuilt.get(version_id)
        if cached is not None:
            return cached
        with self.read() as conn:
            return self._rebuild(conn, version_id)

    def _remember(self, version: str, document: bytes) -> None:
        with self._rebuilt_lock:
            self._rebuilt[version] = document
            self._rebuilt.move_to_end(version)
            while len(self._rebuilt) > 8:
                self._rebuilt.popitem(last=False)

    def _rebuild(self, conn: Connection, version: str, use_cache: bool = True) -> bytes:
        if use_cache:
            with self._rebuilt_lock:
                cached = self._rebuilt.get(version)
            if cached is not None:
                return cached
        rows = conn.execute(_CHAIN_SQL, {"id": version}).all()
        if not rows:
            raise NotFound(f"there is no version {version[:12]}", "unknown_version")
        document: bytes | None = None
        try:
            for row in rows:  # the full copy first, then each delta on top of it
                payload = bytes(row.payload)
                if row.encoding == codec.FULL:
                    document = codec.decode_full(payload)
                elif row.encoding == codec.DELTA and document is not None:
                    document = codec.decode_delta(document, payload)
                else:
                    raise ValueError(f"version {row.id[:12]} has no usable encoding ({row.encoding})")
        except (ValueError, OSError, Exception) as exc:  # zlib.error is an Exception subclass
            if isinstance(exc, StoreError):
                raise
            raise StoreCorrupt(f"version {version[:12]} cannot be rebuilt: {exc}") from None
        assert document is not None
        if codec.content_hash(document) != rows[-1].content_hash:
            raise StoreCorrupt(f"version {version[:12]} does not match its content hash")
        if use_cache:
            self._remember(version, document)
        return document

    # ---- result cache ----------------------------------------------------------------------
    def get_result(self, digest: str, kind: str, params: dict[str, Any] | None = None) -> bytes | None:
        key, _ = params_key(params)
        with self.read() as conn:
            payload = conn.execute(select(results.c.payload).where(
                results.c.content_hash == digest, results.c.kind == kind, results.c.params_key == key)).scalar()
        return None if payload is None else bytes(payload)

    def put_result(self, digest: str, kind: str, params: dict[str, Any] | None, payload: bytes) -> None:
        """Cache a result; a result already there for the same key is kept (they are equal by definition)."""
        key, canonical = params_key(params)
        try:
            with self.write() as conn:
                exists = conn.execute(select(func.count()).select_from(results).where(
                    results.c.content_hash == digest, results.c.kind == kind, results.c.params_key == key)).scalar()
                if not exists:
                    conn.execute(insert(results).values(content_hash=digest, kind=kind[:32], params_key=key,
                                                        params=canonical, created_at=utcnow(), payload=payload))
        except StoreWriteFailed as exc:
            if isinstance(exc.__cause__, IntegrityError):  # a concurrent writer cached it first
                return
            raise

    def drop_results(self, digest: str | None = None) -> int:
        """Forget cached results (all, or those of one document); they are recomputed when asked for."""
        with self.write() as conn:
            query = delete(results)
            if digest is not None:
                query = query.where(results.c.content_hash == digest)
            return int(conn.execute(query).rowcount or 0)

    # ---- maintenance -----------------------------------------------------------------------
    def check(self, project_ids: Sequence[str] | None = None) -> CheckReport:
        from pmfit.store.check import check_store

        return check_store(self, project_ids)

    def backup(self, path: str) -> None:
        from pmfit.store.backup import backup

        backup(self, path)

    def restore(self, path: str) -> None:
        from pmfit.store.backup import restore

        restore(self, path)
        with self._rebuilt_lock:
            self._rebuilt.clear()

    def dump(self, tables: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        from pmfit.store.backup import dump

        return dump(self, tables)


def _project_info(row: Any) -> ProjectInfo:
    return ProjectInfo(row.id, row.name, row.head, row.head_number, row.created_at, row.updated_at,
                       row.deleted_at, row.deleted_by)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text_ = str(orig if orig is not None else exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__


def open_store(url: str | None = None, *, create: bool = False) -> Store:
    """The store at ``url`` (``--db``/``PMFIT_DB``/``pmfit.db``); ``create`` makes or upgrades it first."""
    store = Store(url, must_exist=not create)
    try:
        if create:
            store.init()
        else:
            store.require_current()
    except BaseException:
        store.close()
        raise
    return store
