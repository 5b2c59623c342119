"""The one SQLAlchemy declarative base every pmfit table is declared on.

Plans, versions and cached results (``pmfit.store``) and accounts, sessions and
memberships (``pmfit.store.accounts``) share this metadata, so one Alembic history
covers the whole store. Constraint names follow a fixed convention so that
migrations name the same constraint the same way on SQLite and PostgreSQL.

Conventions other modules rely on:
- table ``projects`` has primary key ``id``: ``String(64)``, a URL-safe project id;
- table ``versions`` has primary key ``id``: ``String(64)``, the version id;
- Alembic revision ids are ``0001_plans`` (projects, versions, results), then ``0002_accounts``.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
