"""Starting the server: settings from the command line and environment, the one-time login link,
and the app factory uvicorn's worker processes call."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from fastapi import FastAPI

from pmfit.web.settings import DB_ENV, SECRET_ENV, WebSettings, resolve_db_url, resolve_secret


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


def prepare_start(db_option: str | None, host: str, port: int, want_link: bool) -> StartInfo:
    """Settings for ``pmfit serve``, the store's tables, and a one-time login link for a local start.

    The link logs in the oldest active administrator and is printed only when the server listens on
    loopback, where whoever reads the console is the one person using this machine's store.
    """
    from pmfit.web import accounts
    from pmfit.web.db import make_engine, prepare_database

    url = resolve_db_url(db_option)
    settings = WebSettings(db_url=url, secret_key=resolve_secret(url))
    engine = make_engine(url)
    try:
        prepare_database(engine)
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
        return StartInfo(settings, f"{base_url(host, port)}/api/v1/auth/link?token={secret}", None)
    finally:
        engine.dispose()


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes (``pmfit serve --workers N`` sets the environment)."""
    from pmfit.web.app import create_app

    url = resolve_db_url(os.environ.get(DB_ENV))
    return create_app(WebSettings(db_url=url, secret_key=os.environ.get(SECRET_ENV) or resolve_secret(url)),
                      prepare=False)
