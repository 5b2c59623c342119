"""Alembic environment: the store's one metadata (plans, and accounts when that module exists)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import pmfit.store.tables
from pmfit.store.base import Base

try:
    import pmfit.store.accounts  # type: ignore[import-not-found,unused-ignore]  # noqa: F401  (0002_accounts)
except ModuleNotFoundError as exc:
    if exc.name != "pmfit.store.accounts":
        raise

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # the `alembic` command line, with sqlalchemy.url set in its config
        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite:///pmfit.db")
        with engine.begin() as own:
            context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
