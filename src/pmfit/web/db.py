"""The server's connection to the store: one engine per app, one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from pmfit.store.base import Base


def make_engine(url: str) -> Engine:
    """An engine for the store; SQLite gets foreign keys on and a busy timeout (two workers, one file)."""
    if url.startswith("sqlite"):
        from pmfit.store.connect import create_private, sqlite_path

        path = sqlite_path(url)
        if path is not None and path.parent.exists():
            create_private(path)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL, as the store's own engine: a saved edit survives a power cut too (issue 13)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def prepare_database(engine: Engine) -> None:
    """Bring the store's tables up to date: the store's Alembic history (``pmfit.store.migrate``,
    issue 13; revision ``0002_accounts`` holds the accounts tables), or, on a tree without it,
    ``create_all`` of the declared tables."""
    import importlib

    import pmfit.store.accounts  # noqa: F401  (declares the accounts tables on Base)

    try:
        migrate = importlib.import_module("pmfit.store.migrate")
    except ModuleNotFoundError as exc:
        if exc.name != "pmfit.store.migrate":
            raise
        migrate = None
    if migrate is not None:
        migrate.upgrade(engine)
        return
    if "projects" not in Base.metadata.tables:
        raise RuntimeError("the store's projects table is not declared (pmfit.store is not installed)")
    Base.metadata.create_all(engine)


async def db_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session committed when the route returns, rolled back when it raises;
    then the request's security events are written (:func:`pmfit.web.security.audit.flush`).

    An async generator on purpose: FastAPI runs a sync one in the thread pool, two thread hops per
    request that cost more than the commit they wrap. The routes themselves stay sync (thread pool).
    """
    from pmfit.web.security import audit

    factory: sessionmaker[Session] = request.app.state.sessions
    try:
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                _log_refusal(request, exc)
                raise
    finally:
        audit.flush(request)


def _log_refusal(request: Request, exc: BaseException) -> None:
    """Failed authorisations anywhere in a route (a foreign token id, a project named in a body) are
    logged like the gates' own refusals."""
    from pmfit.web.errors import ApiError
    from pmfit.web.security import audit

    if isinstance(exc, ApiError) and exc.status in (401, 403, 404) and exc.code != "bad_login":
        audit.record_denial(request, exc.status, exc.code)


def project_state(session: Session, project_id: str) -> str | None:
    """``"live"``, ``"deleted"`` (in the store's bin, if its projects table has ``deleted_at``) or ``None``."""
    projects = Base.metadata.tables["projects"]
    deleted_at = projects.c.get("deleted_at")
    columns = [projects.c.id] + ([deleted_at] if deleted_at is not None else [])
    row = session.execute(select(*columns).where(projects.c.id == project_id)).first()
    if row is None:
        return None
    return "deleted" if deleted_at is not None and row[1] is not None else "live"


def project_exists(session: Session, project_id: str) -> bool:
    """Whether the store holds a live project with this id (the store's ``projects.id``)."""
    return project_state(session, project_id) == "live"
