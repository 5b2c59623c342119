"""Alembic migrations, run from inside pmfit (no alembic.ini needed).

The migration scripts ship inside the package (``pmfit/store/migrations/versions``); each file is
one revision (``0001_plans``, ``0002_accounts``, ...). Upgrading runs in one transaction, so a failed
migration leaves the store at its previous revision on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from pmfit.store.connect import WRITE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@cache  # the scripts ship with pmfit: they do not change while it runs
def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


@cache
def head_revision() -> str:
    head = script().get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    return list(_revisions())


@cache
def _revisions() -> tuple[str, ...]:
    return tuple(rev.revision for rev in reversed(list(script().walk_revisions())))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, action: str, revision: str) -> None:
    with engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            cfg = config(connection)
            if action == "upgrade":
                command.upgrade(cfg, revision)
            else:
                command.downgrade(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)
