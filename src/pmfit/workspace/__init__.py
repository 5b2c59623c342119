"""Stored plans for people and programs: import, history, diff, commit with merge, baselines, results.

The CLI (``pmfit db``) and the REST API call this; it composes :mod:`pmfit.store` with the
readers and writers of :mod:`pmfit.io` and the field-level merge of :mod:`pmfit.workspace.merge`.
"""

from __future__ import annotations

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

__all__ = [
    "AttributedChange",
    "EditConflict",
    "FieldChange",
    "FieldConflict",
    "Pruned",
    "Retention",
    "Saved",
    "Snapshot",
    "Workspace",
    "changes",
    "merge3",
    "project_id_for",
]
