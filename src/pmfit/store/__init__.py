"""The store: plan documents as immutable versions, in SQLite (default) or PostgreSQL.

This package may import ``pmfit.model``, SQLAlchemy and Alembic only: it stores bytes and
metadata and computes nothing. Parsing, diffing and merging plans is :mod:`pmfit.workspace`'s job.
"""

from __future__ import annotations

from pmfit.store.connect import ENV_VAR, resolve_url
from pmfit.store.errors import (
    HeadMoved,
    NotFound,
    ProjectExists,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
    StoreWriteFailed,
)
from pmfit.store.repository import (
    UNDO_DELETE,
    CheckReport,
    ProjectInfo,
    Store,
    VersionInfo,
    open_store,
)

__all__ = [
    "ENV_VAR",
    "UNDO_DELETE",
    "CheckReport",
    "HeadMoved",
    "NotFound",
    "ProjectExists",
    "ProjectInfo",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreUnavailable",
    "StoreWriteFailed",
    "VersionInfo",
    "open_store",
    "resolve_url",
]
