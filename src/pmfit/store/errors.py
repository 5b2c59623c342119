"""The store's typed errors, each with a stable diagnostic id (``pmfit.model.diagnostics.CODES``).

They are :class:`~pmfit.model.diagnostics.PlanError` subclasses so that the CLI prints them as it
prints every other problem (message, code, exit 1) and the REST API can map each code to a status.
"""

from __future__ import annotations

from pmfit.model.diagnostics import Diagnostic, PlanError


class StoreError(PlanError):
    """A problem with the store; ``code`` is the stable diagnostic id."""

    default_code = "store_failed"

    def __init__(self, message: str, code: str | None = None, *, project: str | None = None) -> None:
        self.code = code or self.default_code
        self.project = project
        super().__init__(Diagnostic(self.code, message, file=project))


class StoreUnavailable(StoreError):
    """The store cannot be opened (bad URL, server down, not initialised, wrong schema)."""

    default_code = "store_unavailable"


class StoreWriteFailed(StoreError):
    """A write failed and was rolled back: nothing of it was saved, the previous version stands."""

    default_code = "store_failed"


class StoreCorrupt(StoreError):
    """Stored data does not match its hash, or a version is incomplete."""

    default_code = "store_corrupt"


class NotFound(StoreError):
    """An unknown project or version."""

    default_code = "unknown_project"


class ProjectExists(StoreError):
    default_code = "project_exists"


class HeadMoved(StoreError):
    """A change was based on ``base`` but the project's head is now ``head`` (someone else saved)."""

    default_code = "stale_version"

    def __init__(self, project: str, base: str, head: str) -> None:
        self.base = base
        self.head = head
        super().__init__(f"the change is based on version {base[:12]} but the project is now at {head[:12]}",
                         project=project)
