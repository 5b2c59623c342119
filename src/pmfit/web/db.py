"""The server's connection to the store: the store's engine (one pool per database), one transaction per request."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from pmfit.store.base import Base
from pmfit.store.connect import begin_on_write, make_engine

if TYPE_CHECKING:
    from pmfit.store.prune import Pruned
    from pmfit.web.settings import WebSettings

_PRUNE_LOCK = threading.Lock()

__all__ = ["db_session", "make_engine", "prepare_database", "project_exists", "project_state", "prune_if_due",
           "request_sessions"]


def request_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests on the store's own engine and pool (:func:`pmfit.store.connect.make_engine`):
    on SQLite their transactions begin at the first write, since most requests only read."""
    return sessionmaker(begin_on_write(engine), expire_on_commit=False)


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
    then, after the request's transaction, the bookkeeping writes: the request's security events
    (:func:`pmfit.web.security.audit.flush`), the session's last-seen time
    (:func:`pmfit.web.security.sessions.write_touches`) and, once a minute, the clean-up.

    An async generator on purpose: FastAPI runs a sync one in the thread pool, two thread hops per
    request that cost more than the commit they wrap. The routes themselves stay sync (thread pool).
    The bookkeeping takes one thread hop, and only when there is some: on SQLite a write may wait for
    the write lock (a store commit holds it while it merges), and the event loop must not wait with it.
    A plain read of the plan therefore never writes at all.
    """
    from pmfit.web.security.sessions import TOUCHES

    factory: sessionmaker[Session] = request.app.state.sessions
    touches: dict[str, dt.datetime] = {}
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
                touches = session.info.pop(TOUCHES, {})
    finally:
        due = _prune_due(request.app)
        if touches or due is not None or getattr(request.state, "audit_events", None):
            await run_in_threadpool(_after_request, request, touches, due)


def _after_request(request: Request, touches: dict[str, dt.datetime], prune_at: dt.datetime | None) -> None:
    from pmfit.web.security import audit
    from pmfit.web.security.sessions import write_touches

    audit.flush(request)
    if touches:
        write_touches(request.app.state.sessions, touches)
    if prune_at is not None:
        _prune(request.app, prune_at)


def prune_if_due(app: Any) -> Pruned | None:
    """Delete finished accounts rows (:func:`pmfit.store.prune.prune_accounts`) if this worker has not for
    ``settings.prune_every``: a few indexed DELETEs at most once a minute. A failure is logged and tried
    again next time; it never fails a request."""
    now = _prune_due(app)
    return None if now is None else _prune(app, now)


def _prune_due(app: Any) -> dt.datetime | None:
    """The time to prune at, if due now (and then marked done, so one thread of the worker does it)."""
    settings: WebSettings = app.state.settings
    now = settings.clock()
    with _PRUNE_LOCK:
        last: dt.datetime | None = getattr(app.state, "pruned_at", None)
        if last is not None and now - last < settings.prune_every:
            return None
        app.state.pruned_at = now
    return now


def _prune(app: Any, now: dt.datetime) -> Pruned | None:
    from pmfit.store.prune import prune_accounts

    try:
        with app.state.sessions.begin() as db:
            return prune_accounts(db.connection(), now, app.state.settings.retention())
    except Exception:
        logging.getLogger("pmfit.web").exception("cannot delete finished sessions and log rows (will retry)")
        return None


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
