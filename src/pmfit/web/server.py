"""Starting the server: settings from the command line and environment, the one-time login link,
and the app factory uvicorn's worker processes call."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine

from pmfit.web.settings import (
    DB_ENV,
    LOG_RETENTION_ENV,
    SECRET_ENV,
    WebSettings,
    resolve_db_url,
    resolve_secret,
)


@dataclass(frozen=True)
class StartInfo:
    settings: WebSettings
    login_link: str | None
    note: str | None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


LOCAL_ADMIN = "admin"


def load_examples(engine: Engine, now: dt.datetime) -> list[str]:
    """``pmfit serve --examples`` (``make run``): the bundled example plans in the store, once, and a
    local administrator without a password (it logs in by the one-time link) who owns them.

    Returns the ids of the projects imported now (none on later starts). The examples go to the oldest
    active administrator; only when there is none is ``admin`` made.
    """
    from importlib.resources import files

    from sqlalchemy.orm import Session

    from pmfit.store import Store
    from pmfit.web import accounts
    from pmfit.web.security.passwords import Hasher
    from pmfit.web.settings import PasswordHashing
    from pmfit.workspace import Workspace, project_id_for

    workspace = Workspace(Store(engine=engine))
    existing = {p.id for p in workspace.list_projects(include_deleted=True)}
    added = []
    folder = files("pmfit").joinpath("examples")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml") and project_id_for(entry.name) not in existing:
            saved = workspace.import_bytes(entry.read_bytes(), entry.name, author="pmfit serve --examples",
                                           message=f"example {entry.name}")
            assert saved.project is not None
            added.append(saved.project.id)
    with Session(engine) as db:
        admin = accounts.local_admin(db)
        if admin is None:
            admin = accounts.create_user(db, Hasher(PasswordHashing()), LOCAL_ADMIN, None, True, now)
        for project_id in added:
            accounts.set_member(db, project_id, admin, "owner", now)
        db.commit()
    return added


def prepare_start(db_option: str | None, host: str, port: int, want_link: bool,
                  examples: bool = False, log_days: int | None = None) -> StartInfo:
    """Settings for ``pmfit serve``, the store's tables, and a one-time login link for a local start.

    The link logs in the oldest active administrator and is printed only when the server listens on
    loopback, where whoever reads the console is the one person using this machine's store.
    ``examples`` loads the example plans first (:func:`load_examples`). Finished sessions, login links,
    throttle counts and security-log rows older than ``log_days`` (default 90) are deleted at start.
    """
    from pmfit.store.prune import prune_accounts
    from pmfit.web import accounts
    from pmfit.web.db import make_engine, prepare_database

    url = resolve_db_url(db_option)
    settings = settings_for(url, resolve_secret(url), log_days)
    engine = make_engine(url)
    try:
        prepare_database(engine)
        with engine.begin() as connection:
            prune_accounts(connection, settings.clock(), settings.retention())
        if examples:
            load_examples(engine, settings.clock())
        if not want_link or not is_loopback(host):
            return StartInfo(settings, None, None)
        from sqlalchemy.orm import Session

        with Session(engine) as db:
            user = accounts.local_admin(db)
            if user is None:
                return StartInfo(settings, None, "no accounts yet: create the first with "
                                                 "`pmfit user add NAME --admin` (then start again for a login link)")
            secret = accounts.make_login_link(db, user, settings.clock(), settings.login_link_lifetime)
            db.commit()
        return StartInfo(settings, f"{base_url(host, port)}/login?token={secret}", None)
    finally:
        engine.dispose()


def settings_for(url: str, secret_key: str, log_days: int | None = None) -> WebSettings:
    """The settings of every worker of one server (``log_days``: security-log retention in days)."""
    if log_days is None:
        return WebSettings(db_url=url, secret_key=secret_key)
    return WebSettings(db_url=url, secret_key=secret_key, auth_log_retention=dt.timedelta(days=log_days))


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes (``pmfit serve --workers N`` sets the environment)."""
    from pmfit.web.app import create_app

    url = resolve_db_url(os.environ.get(DB_ENV))
    days = os.environ.get(LOG_RETENTION_ENV)
    return create_app(settings_for(url, os.environ.get(SECRET_ENV) or resolve_secret(url),
                                   int(days) if days else None), prepare=False)
