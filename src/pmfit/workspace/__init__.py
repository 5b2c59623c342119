"""Stored plans for people and programs: import, history, diff, commit with merge, baselines, results.

The CLI (``pmfit db``) and the REST API call this; it composes :mod:`pmfit.store` with the
readers and writers of :mod:`pmfit.io` and the field-level merge of :mod:`pmfit.workspace.merge`.
"""

from __future__ import annotations

from pmfit.store import CheckReport, VersionInfo
from pmfit.store.connect import display_url
from pmfit.store.prune import Pruned, Retention
from pmfit.workspace.merge import FieldChange, FieldConflict, changes, merge3
from pmfit.workspace.service import (
    AttributedChange,
    EditConflict,
    Saved,
    Snapshot,
    Workspace,
    project_id_for,
)


def check_store(url: str | None = None) -> CheckReport:
    """Check a store as it is (no schema upgrade, nothing written): the database's own integrity
    check, then every version's hash and history. ``pmfit db check`` calls this."""
    from pmfit.store import Store

    store = Store(url)
    try:
        return store.check()
    finally:
        store.close()


__all__ = [
    "AttributedChange",
    "CheckReport",
    "EditConflict",
    "FieldChange",
    "FieldConflict",
    "Pruned",
    "Retention",
    "Saved",
    "Snapshot",
    "VersionInfo",
    "Workspace",
    "changes",
    "check_store",
    "display_url",
    "merge3",
    "project_id_for",
]
