"""The FastAPI app: ``create_app(settings)``. Stateless: every fact lives in the store database, so
any number of workers on one database behave as one server."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from pmfit import __version__
from pmfit.web.errors import install_error_handlers
from pmfit.web.security.guard import GuardMiddleware, Scope
from pmfit.web.security.passwords import Hasher
from pmfit.web.security.throttle import LoginThrottler
from pmfit.web.settings import WebSettings

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


def create_app(settings: WebSettings, engine: Engine | None = None, prepare: bool = True) -> FastAPI:
    """The server app on the store at ``settings.db_url`` (or on ``engine``).

    ``prepare`` creates missing tables (see :func:`pmfit.web.db.prepare_database`).
    """
    from pmfit.web.api import auth, gantt, members, parts, projects, tokens, users, views
    from pmfit.web.api.stored import install_store_errors
    from pmfit.web.db import make_engine, prepare_database

    engine = engine or make_engine(settings.db_url)
    if prepare:
        prepare_database(engine)
    app = FastAPI(
        title="pmfit",
        version=__version__,
        summary="Plans, schedules, risk, earned value and role advice for a team, over one store.",
        openapi_url=OPENAPI_URL,
        # Swagger UI and ReDoc load scripts from a CDN: no outbound calls, no third-party scripts
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.hasher = Hasher(settings.hashing)
    app.state.throttler = LoginThrottler(engine, settings.login_limits)
    install_error_handlers(app)
    install_store_errors(app)
    for router in (auth.router, users.router, tokens.router, members.router, projects.router, views.router,
                   parts.router, gantt.router):
        app.include_router(router, prefix=API_PREFIX)
    from pmfit.web.pages.routes import router as pages

    app.include_router(pages)  # the HTML pages, behind the same gates
    from pmfit.web.pages.analysis import router as engine_pages

    app.include_router(engine_pages)  # one page per engine (leveling, risk, earned value, advice)
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes,  # type: ignore[arg-type]
                       trusted_origins=settings.trusted_origins, on_cross_origin=_log_cross_origin(app))
    _document_security(app)
    return app


def _log_cross_origin(app: FastAPI) -> Any:
    def log(scope: Scope, why: str) -> None:
        from pmfit.store.accounts import AuthEvent
        from pmfit.web.security.audit import loggable

        client = scope.get("client")
        try:
            with app.state.sessions() as db:
                db.add(AuthEvent(at=app.state.settings.clock(), kind="cross_origin_refused",
                                 address=loggable(client[0] if client else None, 64),
                                 method=loggable(str(scope.get("method")), 10),
                                 path=loggable(str(scope.get("path")), 300), detail=loggable(why, 300)))
                db.commit()
        except Exception:  # the refusal stands even if the log cannot be written
            logging.getLogger("pmfit.web").exception("cannot log a cross-origin refusal")

    return log


def _document_security(app: FastAPI) -> None:
    """Describe the two ways in (cookie session, bearer token) in the OpenAPI document."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {})["securitySchemes"] = {
            "session": {"type": "apiKey", "in": "cookie", "name": "__Host-pmfit_session"},
            "token": {"type": "http", "scheme": "bearer", "description": "an API token from POST /api/v1/tokens"},
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
