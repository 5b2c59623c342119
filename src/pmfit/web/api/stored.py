"""What the plan routes share: the workspace over the app's store, one :class:`pmfit.Project` per
version, version references from the query, and the store's errors as HTTP answers.

Workers stay stateless: the store is the truth, and the cache of compiled projects here is keyed
by version id (a version never changes), so a stale entry cannot exist, only a missing one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pmfit.model.diagnostics import Diagnostic
from pmfit.store import HeadMoved, NotFound, ProjectExists, Store, StoreError
from pmfit.web.api.schemas import Text
from pmfit.web.api.versioning import register_conflict
from pmfit.web.errors import error_body
from pmfit.workspace import EditConflict, Snapshot, Workspace

if TYPE_CHECKING:
    from pmfit.project import Project
    from pmfit.store import VersionInfo

#: compiled projects kept per worker (each holds its schedules, simulations, ...)
PROJECT_CACHE_SIZE = 16

VersionRef = Annotated[Text | None, Query(
    max_length=64, pattern=r"^(head|latest|-?[0-9]{1,9}|[0-9a-f]{6,64})$",
    description="a version number (3), id or id prefix, or head (default: the latest)")]


class ProjectCache:
    """Version id -> compiled :class:`Project`, least recently used out first. Thread-safe."""

    def __init__(self, size: int = PROJECT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Project] = OrderedDict()
        self._views: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, snapshot: Snapshot) -> Project:
        from pmfit.project import Project

        key = snapshot.version.id
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = Project(snapshot.plan, source=snapshot.version.label)
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.size:
                evicted, _ = self._items.popitem(last=False)
                for view in [v for v in self._views if v[0] == evicted]:
                    del self._views[view]
        return made

    def peek(self, version_id: str) -> Project | None:
        with self._lock:
            return self._items.get(version_id)

    def view(self, snapshot: Snapshot, name: str, compute: Callable[[Project], Any]) -> Any:
        """A JSON-ready view of the version's project, computed once (a version never changes)."""
        key = (snapshot.version.id, name)
        with self._lock:
            if key in self._views:
                return self._views[key]
        value = compute(self.get(snapshot))
        with self._lock:
            if snapshot.version.id in self._items:  # not for a project evicted meanwhile
                self._views[key] = value
        return value


_LOCAL = threading.local()
_STORE_LOCK = threading.Lock()


def workspace(request: Request) -> Workspace:
    """A workspace over the app's store: one store per app (thread-safe), one workspace per thread
    (its parsed-plan cache is a plain dict, not meant to be shared between threads)."""
    app = request.app
    with _STORE_LOCK:
        store: Store | None = getattr(app.state, "plan_store", None)
        if store is None:
            store = Store(engine=app.state.engine)
            app.state.plan_store = store
    spaces: dict[int, Workspace] = getattr(_LOCAL, "spaces", None) or {}
    _LOCAL.spaces = spaces
    found = spaces.get(id(store))
    if found is None or found.store is not store:
        found = spaces[id(store)] = Workspace(store)
    return found


def projects_cache(request: Request) -> ProjectCache:
    found: ProjectCache | None = getattr(request.app.state, "project_cache", None)
    if found is None:
        found = ProjectCache()
        request.app.state.project_cache = found
    return found


def snapshot(request: Request, project_id: str, ref: str | None = None) -> Snapshot:
    """A version with its text and plan; the plan of a version compiled already is not parsed again."""
    space = workspace(request)
    version = space.version(project_id, ref)
    compiled = projects_cache(request).peek(version.id)
    if compiled is None:
        return space.get(project_id, version.id)
    return Snapshot(space.project(project_id), version, space.text(version), compiled.plan)


def project_of(request: Request, snap: Snapshot) -> Project:
    return projects_cache(request).get(snap)


def release_request_session(db: Session) -> None:
    """End the request's own transaction before the store writes on its own connection.

    The gate's bookkeeping (a session's last-seen time) holds SQLite's write lock until the request
    ends; a store write from another connection would wait for it.
    """
    db.commit()


def version_dict(version: VersionInfo) -> dict[str, Any]:
    return version.to_dict()


def json_answer(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(jsonable_encoder(content), status_code=status_code, headers=headers)


def install_store_errors(app: FastAPI) -> None:
    """The store's errors as answers: unknown project/version 404, exists 409, a stale base 409 with what
    changed since (the workspace's description), anything else of the store 503."""
    register_conflict(app, EditConflict, lambda exc: exc.to_dict(), lambda exc: exc.head.id)

    async def _not_found(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoreError)
        return JSONResponse(error_body(exc.diagnostics), status_code=404)

    async def _exists(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoreError)
        return JSONResponse(error_body(exc.diagnostics), status_code=409)

    async def _moved(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HeadMoved)
        body = error_body(exc.diagnostics)
        body["conflict"] = {"code": "stale_version", "base": exc.base, "head": exc.head}
        return JSONResponse(body, status_code=409, headers={"ETag": f'"{exc.head}"'} if exc.head else None)

    async def _store(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoreError)
        status = 422 if exc.code == "bad_project_id" else 503
        return JSONResponse(error_body([Diagnostic(exc.code, exc.diagnostics[0].message)]), status_code=status)

    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(ProjectExists, _exists)
    app.add_exception_handler(HeadMoved, _moved)
    app.add_exception_handler(StoreError, _store)
