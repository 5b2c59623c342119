"""Column types the store's tables share (plans and accounts alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every backend; a naive one is refused rather than guessed.

    ``timezone=True`` (the plan tables) is ``timestamptz`` on PostgreSQL; ``timezone=False`` (the
    accounts tables, revision ``0002_accounts``) is a plain ``timestamp`` holding UTC. SQLite keeps no
    zone either way: values are written as naive UTC and read back as aware UTC.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=timezone)
        self.timezone = timezone

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pmfit stores UTC times only")
        value = value.astimezone(dt.UTC)
        return value if self.timezone and dialect.name != "sqlite" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if not isinstance(value, dt.datetime):
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
