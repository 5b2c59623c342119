"""``pmfit serve``: the REST API (and the web app) on the store, with uvicorn."""

from __future__ import annotations

import typer

from pmfit.cli.common import err_console, fail

DbOption = typer.Option(None, "--db", help="The store: a database URL or a SQLite file "
                                           "(default: $PMFIT_DB, else sqlite:///pmfit.db).")


def serve(
    db: str = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Worker processes (they share the store, so they act as one server)."),
    link: bool = typer.Option(True, "--link/--no-link",
                              help="Print a one-time login link for the first administrator "
                                   "(only when listening on loopback)."),
    examples: bool = typer.Option(False, "--examples",
                                  help="Load the three example plans into the store (once) and make a local "
                                       "administrator without a password if there is none (what `make run` does)."),
    log_days: int = typer.Option(90, "--log-days", min=1, max=36500,
                                 help="Keep this many days of the security log; finished sessions and login "
                                      "links go after a day (cleaned at start and every minute)."),
) -> None:
    """Serve the web app at / and the REST API under /api/v1 (schema at /api/v1/openapi.json) on the store."""
    import os

    from pmfit.web.server import prepare_start
    from pmfit.web.settings import DB_ENV, LOG_RETENTION_ENV, SECRET_ENV, SecretKeyError

    try:
        start = prepare_start(db, host, port, link, examples=examples, log_days=log_days)
    except SecretKeyError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # a store that cannot be opened: say which, no traceback
        raise fail(f"cannot open the store {db or os.environ.get(DB_ENV) or 'pmfit.db'}: "
                   f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    err = err_console()
    err.print(f"pmfit: serving {start.settings.db_url.split('@')[-1]} on http://{host}:{port}/api/v1",
              highlight=False, markup=False)
    err.print(f"The web app: http://{host}:{port}/", highlight=False, markup=False)
    if start.login_link:
        err.print(f"Log in (link works once, for an hour):\n    {start.login_link}", highlight=False, markup=False)
    if start.note:
        err.print(start.note, highlight=False, markup=False)
    import uvicorn

    if workers == 1:
        from pmfit.web.app import create_app

        uvicorn.run(create_app(start.settings, prepare=False), host=host, port=port, log_level="info",
                    server_header=False, proxy_headers=True)
    else:
        os.environ[DB_ENV] = start.settings.db_url
        os.environ[SECRET_ENV] = start.settings.secret_key
        os.environ[LOG_RETENTION_ENV] = str(log_days)
        uvicorn.run("pmfit.web.server:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level="info", server_header=False, proxy_headers=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
