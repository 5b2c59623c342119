"""The workspace: what the CLI (``pmfit db``) and the REST API do with stored plans.

It composes the store (bytes and metadata, :mod:`pmfit.store`), the readers and writers
(:mod:`pmfit.io`) and the merge (:mod:`pmfit.workspace.merge`):

- a plan document is the YAML plan text; an imported YAML file is kept byte for byte (comments
  too), other formats are converted to YAML once, at import;
- every change names the version it was made on. If someone saved since, the change is merged
  field by field with what they saved; if both changed the same field differently the change is
  refused with :class:`EditConflict`, which lists the conflicting fields and every change made
  since (who, when, old and new values). Nothing is ever overwritten silently.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.store import (
    HeadMoved,
    NotFound,
    ProjectInfo,
    Store,
    StoreUnavailable,
    StoreWriteFailed,
    VersionInfo,
    open_store,
)
from pmfit.workspace.merge import FieldChange, FieldConflict, changes, merge3
from pmfit.workspace.writer import PlanTextWriter, with_parts_of

if TYPE_CHECKING:
    import datetime as dt

    from pmfit.engine.diff import PlanDiff
    from pmfit.io.formats import ImportReport
    from pmfit.model.plan import Plan, Progress
    from pmfit.store import CheckReport
    from pmfit.store.prune import Pruned, Retention

#: how many versions saved since a change's base are read to say who changed what
MAX_ATTRIBUTED = 25
_PLANS_LOCK = threading.Lock()
DEFAULT_AUTHOR = "unknown"


@dataclass(frozen=True)
class Snapshot:
    """One version of a project: metadata, the document text and the validated plan."""

    project: ProjectInfo
    version: VersionInfo
    text: str
    plan: Plan


@dataclass(frozen=True)
class Saved:
    """What a save did: the version now at the head, whether it is new, and whether it was merged."""

    version: VersionInfo
    created: bool
    merged: bool = False
    report: ImportReport | None = None
    project: ProjectInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version.to_dict(), "created": self.created, "merged": self.merged,
                "report": self.report.to_dict() if self.report else None}


@dataclass(frozen=True)
class AttributedChange:
    """A change saved since someone's base version: what, who, when, in which version."""

    change: FieldChange
    author: str
    at: Any
    version: str

    def describe(self) -> str:
        return f"{self.change.describe()} ({self.author}, {self.at:%Y-%m-%d %H:%M} UTC, {self.version})"

    def to_dict(self) -> dict[str, Any]:
        return {**self.change.to_dict(), "author": self.author, "at": self.at.isoformat(), "version": self.version}


class EditConflict(PlanError):
    """A change made on an older version collides with changes saved since (code ``edit_conflict``).

    ``conflicts`` are the fields both sides changed differently; ``changes_since`` is everything saved
    after ``base`` up to ``head``, with who and when.
    """

    def __init__(self, project: str, base: VersionInfo, head: VersionInfo, conflicts: list[FieldConflict],
                 changes_since: list[AttributedChange], problems: list[Diagnostic] | None = None) -> None:
        self.project = project
        self.base = base
        self.head = head
        self.conflicts = conflicts
        self.changes_since = changes_since
        self.problems = problems or []
        lead = (f"your change was made on {base.label} but {head.label} was saved since "
                f"({len(changes_since)} change{'s' if len(changes_since) != 1 else ''}); ")
        diagnostics = [Diagnostic("edit_conflict", lead + c.describe(), file=project,
                                  task=c.id if c.entity == "task" else None) for c in conflicts]
        diagnostics += [Diagnostic("edit_conflict", lead + "merged, the plan would be invalid: " + d.message,
                                   file=project, task=d.task) for d in (problems or [])]
        super().__init__(diagnostics or [Diagnostic("edit_conflict", lead.rstrip("; "), file=project)])

    def to_dict(self) -> dict[str, Any]:
        return {"code": "edit_conflict", "project": self.project, "base": self.base.to_dict(),
                "head": self.head.to_dict(), "conflicts": [c.to_dict() for c in self.conflicts],
                "changes_since": [c.to_dict() for c in self.changes_since],
                "messages": [d.message for d in self.diagnostics]}


def project_id_for(filename: str) -> str:
    """A project id from a file name: ``ERP Rollout v2.xml`` -> ``erp-rollout-v2``."""
    stem = Path(filename).name
    for suffix in (".baselines.yaml", ".yaml", ".yml"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    else:
        stem = Path(stem).stem
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return (slug or "plan")[:64]


@dataclass
class Workspace:
    """Stored plans with versions, merges and conflicts; the one thing the CLI and the API call."""

    store: Store
    _plans: dict[str, Plan] = field(default_factory=dict, repr=False)
    _writer: PlanTextWriter = field(default_factory=PlanTextWriter, repr=False)
    #: a server sets this: when a head version is first read, its text is written once in the background
    #: so the first edit of a large plan reuses every unchanged part (else it emits the whole plan, ~1 s)
    warm_edits: bool = False
    _warmed: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = False) -> Workspace:
        return cls(open_store(url, create=create))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- projects ------------------------------------------------------------------------
    def import_bytes(self, data: bytes, filename: str, *, project_id: str | None = None,
                     author: str = DEFAULT_AUTHOR, message: str | None = None, update: bool = False) -> Saved:
        """A plan file's bytes (any format pmfit reads) as a new project, or with ``update`` as the next
        version of an existing one. An unchanged document saves nothing and returns the current version."""
        # the upload's name picks the format by its extension; nothing else of it reaches the disk
        name = re.sub(r"[^\w.\- ]", "_", Path(filename.replace("\\", "/")).name).strip(" .") or "plan.yaml"
        with tempfile.TemporaryDirectory(prefix="pmfit-import-") as work:
            path = Path(work) / name
            path.write_bytes(data)
            try:
                saved = self._import(path, name, project_id, author, message, update, sidecar=False)
            except PlanError as exc:
                if type(exc) is not PlanError:  # the store's own errors (project_exists, …) name no file
                    raise
                raise PlanError([_as_uploaded(d, work, name) for d in exc.diagnostics]) from None
        # the server's scratch folder is nobody's business: the report names the upload as it was sent
        if saved.report is not None:
            saved.report.source = name
            saved.report.warnings = [_as_uploaded(d, work, name) for d in saved.report.warnings]
        return saved

    def import_file(self, path: str | os.PathLike[str], *, project_id: str | None = None,
                    author: str = DEFAULT_AUTHOR, message: str | None = None, update: bool = True) -> Saved:
        """A plan file (with the baselines of its sidecar) as a project's next version."""
        return self._import(Path(path), str(path), project_id, author, message, update, sidecar=True)

    def _import(self, path: Path, shown: str, project_id: str | None, author: str, message: str | None,
                update: bool, sidecar: bool) -> Saved:
        from pmfit.importing import import_file
        from pmfit.io.yamlplan import read_text_file, write_plan_text

        plan, report = import_file(path, check=False)
        if report.format == "yaml":
            text = read_text_file(path)  # the user's own bytes: comments and layout stay
            if sidecar:
                from pmfit.io.baselines import insert_baselines_text, read_sidecar

                extra = [b for b in read_sidecar(path) if b.name not in {own.name for own in plan.baselines}]
                if extra:
                    text = insert_baselines_text(text, [*plan.baselines, *extra])
        else:
            text = write_plan_text(plan)
        project_id = project_id or project_id_for(shown)
        message = message or f"import {Path(shown).name}"
        source = Path(shown).name
        try:
            existing = self.store.project(project_id)
        except NotFound as exc:
            if exc.code != "unknown_project" or "deleted" in str(exc):
                raise
            existing = None
        if existing is None:
            project, version = self.store.create_project(project_id, plan.project.name, text.encode("utf-8"),
                                                         author=author, message=message, kind="import",
                                                         source=source)
            return Saved(version, True, report=report, project=project)
        if not update:
            from pmfit.store import ProjectExists

            raise ProjectExists(f"project '{project_id}' exists already", project=project_id)
        assert existing.head is not None
        saved = self._save(project_id, existing.head, text, author=author, message=message, kind="import",
                           source=source, validated=True)
        if saved.created and existing.name != plan.project.name:
            self.store.rename_project(project_id, plan.project.name)
        return Saved(saved.version, saved.created, saved.merged, report, self.store.project(project_id))

    def list_projects(self, include_deleted: bool = False) -> list[ProjectInfo]:
        return self.store.list_projects(include_deleted)

    def project(self, project_id: str) -> ProjectInfo:
        return self.store.project(project_id)

    def delete_project(self, project_id: str, *, author: str = DEFAULT_AUTHOR) -> ProjectInfo:
        """Move the project to the bin; :meth:`undelete_project` brings it back for 30 days."""
        return self.store.delete_project(project_id, author=author)

    def undelete_project(self, project_id: str) -> ProjectInfo:
        return self.store.undelete_project(project_id)

    def purge_deleted(self) -> list[str]:
        return self.store.purge_deleted()

    def prune_accounts(self, retention: Retention | None = None, now: dt.datetime | None = None) -> Pruned:
        """Delete the server's finished rows: ended or timed-out sessions, used or expired login links,
        spent login-throttle counts, security-log rows past ``retention.auth_log`` (default 90 days)."""
        import datetime as dt

        from pmfit.store.prune import Retention, prune_accounts

        with self.store.engine.begin() as connection:
            return prune_accounts(connection, now or dt.datetime.now(dt.UTC), retention or Retention())

    # ---- versions ------------------------------------------------------------------------
    def history(self, project_id: str, limit: int | None = None, before: int | None = None) -> list[VersionInfo]:
        """Versions newest first; ``limit`` and ``before`` (a version number) page through long histories."""
        return self.store.history(project_id, limit, before=before)

    def version(self, project_id: str, ref: str | int | None = None) -> VersionInfo:
        return self.store.version(project_id, ref)

    def text(self, version: VersionInfo) -> str:
        return self.store.content(version.id).decode("utf-8")

    def get(self, project_id: str, ref: str | int | None = None) -> Snapshot:
        """A version (the head by default) with its document text and validated plan."""
        project = self.store.project(project_id)
        version = self.store.version(project_id, ref)
        text = self.text(version)
        snapshot = Snapshot(project, version, text, self._plan(version, text))
        if self.warm_edits and ref is None:
            self._warm(snapshot.version.content_hash, snapshot.plan)
        return snapshot

    def _warm(self, content_hash: str, plan: Plan) -> None:
        with _PLANS_LOCK:
            if content_hash in self._warmed:
                return
            self._warmed.add(content_hash)
            if len(self._warmed) > 1000:
                self._warmed.clear()
        threading.Thread(target=self._writer.write, args=(plan,), name="pmfit-warm-edits", daemon=True).start()

    def _plan(self, version: VersionInfo, text: str | None = None) -> Plan:
        with _PLANS_LOCK:  # one workspace may serve many threads (web workers)
            plan = self._plans.get(version.content_hash)
        if plan is None:
            from pmfit.importing import read_plan_text

            plan = read_plan_text(text if text is not None else self.text(version), version.label)
            self._keep_plan(version.content_hash, plan)
        return plan

    def diff(self, project_id: str, old: str | int | None, new: str | int | None = None) -> PlanDiff:
        """What changed between two versions and what it did to the finish date (schedules both)."""
        from pmfit.engine.diff import diff_plans

        a, b = self.store.version(project_id, old), self.store.version(project_id, new)
        return diff_plans(self._plan(a), self._plan(b), old_label=a.label, new_label=b.label)

    def changes(self, project_id: str, old: str | int | None, new: str | int | None = None) -> list[FieldChange]:
        """Every field that differs between two versions (no scheduling: cheap)."""
        a, b = self.store.version(project_id, old), self.store.version(project_id, new)
        return changes(self._data(a), self._data(b))

    def _data(self, version: VersionInfo) -> dict[str, Any]:
        from pmfit.io.yamlplan import plan_to_data

        return plan_to_data(self._plan(version))

    def commit(self, project_id: str, base: str, *, plan: Plan | None = None, text: str | None = None,
               author: str = DEFAULT_AUTHOR, message: str = "", kind: str = "edit") -> Saved:
        """Save a changed plan (or YAML text) made on version ``base`` (an id).

        Merged with anything saved since, field by field; raises :class:`EditConflict` when the same
        field was changed differently, :class:`pmfit.PlanError` when the text is not a valid plan.
        """
        if (plan is None) == (text is None):
            raise ValueError("give the changed plan or its text, not both")
        if plan is not None:
            return self._save_plan(project_id, base, plan, author=author, message=message, kind=kind)
        assert text is not None
        return self._save(project_id, base, text, author=author, message=message, kind=kind)

    def _save_plan(self, project_id: str, base: str, plan: Plan, *, author: str, message: str,
                   kind: str) -> Saved:
        """A plan object is valid field by field already: check its meaning, no YAML round trip.

        The text is written part by part (unchanged tasks keep their text, see
        :class:`~pmfit.workspace.writer.PlanTextWriter`), and the saved plan is kept for the next read,
        so an edit neither emits nor parses the whole plan.
        """
        from pmfit.api import validate
        from pmfit.io.yamlplan import plan_to_data

        errors = [d for d in validate(plan) if d.severity == "error"]
        if errors:
            raise PlanError([d.located(f"{project_id} (your change)") for d in errors])
        with suppress(PlanError):  # (no such base: _save says so)
            # the parts the change left as they were become the base's objects: the writer has their text
            plan = with_parts_of(plan, self._plan(self.store.version(project_id, base)))
        saved = self._save(project_id, base, self._writer.write(plan), author=author, message=message,
                           kind=kind, validated=True, data=lambda: plan_to_data(plan))
        if saved.created and not saved.merged:  # the stored text is this plan's own: reading it gives it back
            self._keep_plan(saved.version.content_hash, plan)
        return saved

    def _keep_plan(self, content_hash: str, plan: Plan) -> None:
        with _PLANS_LOCK:
            self._plans[content_hash] = plan
            while len(self._plans) > 8:
                self._plans.pop(next(iter(self._plans)))

    def _save(self, project_id: str, base: str, text: str, *, author: str, message: str, kind: str,
              source: str | None = None, validated: bool = False,
              data: Callable[[], dict[str, Any]] | None = None) -> Saved:
        from pmfit.importing import read_plan_text
        from pmfit.io.yamlplan import plan_to_data

        parsed: list[dict[str, Any]] = []

        def yours() -> dict[str, Any]:
            if not parsed:
                parsed.append(data() if data is not None else
                              plan_to_data(read_plan_text(text, f"{project_id} (your change)")))
            return parsed[0]

        if not validated:
            yours()  # an invalid plan is refused before anything reaches the store
        merged_onto: list[str] = []

        def rebase(head: str) -> bytes:
            # Runs inside the store's transaction with the project locked: merge once, never overtaken.
            merged_onto.append(head)
            return self._merged(project_id, base, head, yours()).encode("utf-8")

        try:
            document, commit_base, based_on = text, base, None
            try:
                head = self.store.project(project_id).head
            except StoreUnavailable as exc:  # the save's first read: it failed before anything was written
                raise StoreWriteFailed(f"the store could not save ({exc.diagnostics[0].message}); nothing was "
                                       "saved and the previous version is unchanged", project=project_id) from exc
            if head is not None and head != base:
                # Someone saved since your base: merge now, outside the store's write lock (on a big plan
                # the merge is the slow part, and SQLite has one writer), then save onto that head. The
                # store still compares and swaps: if yet another save came in between, it merges again,
                # inside the lock, from your original base.
                document = self._merged(project_id, base, head, yours())
                merged_onto.append(head)
                commit_base, based_on = head, base
            version, created = self.store.commit(project_id, commit_base, document.encode("utf-8"), author=author,
                                                 message=message, kind=kind, source=source, based_on=based_on,
                                                 rebase=rebase)
        except EditConflict as conflict:  # say who changed what since, now that the lock is released
            since = self._changes_since(project_id, conflict.base, conflict.head)
            raise EditConflict(project_id, conflict.base, conflict.head, _attribute(conflict.conflicts, since),
                               since, conflict.problems) from None
        return Saved(version, created, bool(merged_onto))

    def _merged(self, project_id: str, base_id: str, head_id: str, yours: dict[str, Any]) -> str:
        from pmfit.io.yamlplan import plan_from_data, write_plan_text

        base = self._by_id(project_id, base_id)
        head = self._by_id(project_id, head_id)
        theirs = self._data(head)
        result = merge3(self._data(base), theirs, yours)
        if result.conflicts:
            raise EditConflict(project_id, base, head, result.conflicts, [])
        if result.data == theirs:  # your change is in the head already: keep its bytes (no new version)
            return self.text(head)
        try:
            plan = plan_from_data(result.data)
        except PlanError as exc:
            raise EditConflict(project_id, base, head, [], [],
                               [d for d in exc.diagnostics if d.severity == "error"]) from None
        return write_plan_text(plan)

    def _by_id(self, project_id: str, version_id: str) -> VersionInfo:
        return self.store.version(project_id, version_id)

    def _changes_since(self, project_id: str, base: VersionInfo, head: VersionInfo) -> list[AttributedChange]:
        later = [v for v in self.store.versions_after(project_id, base.id) if v.number <= head.number]
        if not later:
            return []
        out: list[AttributedChange] = []
        if len(later) > MAX_ATTRIBUTED:  # too many to read one by one: the net change, credited to the head
            last = later[-1]
            return [AttributedChange(c, last.author, last.created_at, f"{last.label} (and earlier)")
                    for c in changes(self._data(base), self._data(last))]
        previous = self._data(base)
        for version in later:
            current = self._data(version)
            out.extend(AttributedChange(c, version.author, version.created_at, version.label)
                       for c in changes(previous, current))
            previous = current
        return out

    # ---- baselines, progress, reverts ------------------------------------------------------
    def save_baseline(self, project_id: str, base: str, name: str = "baseline", *, author: str = DEFAULT_AUTHOR,
                      replace: bool = False) -> Saved:
        """Freeze the current schedule of version ``base`` as a baseline: a new version."""
        from pmfit.api import baseline

        snapshot = self.get(project_id, base)
        plan = baseline(snapshot.plan, name, replace=replace)
        text = _with_baselines(snapshot.text, plan)
        return self._save(project_id, snapshot.version.id, text, author=author,
                          message=f"baseline '{name}' set", kind="baseline")

    def record_progress(self, project_id: str, base: str, progress: Progress | dict[str, Any], *,
                        author: str = DEFAULT_AUTHOR, message: str = "") -> Saved:
        """Replace the plan's progress (status date and actuals per task): a new version."""
        from pmfit.model.plan import Progress

        snapshot = self.get(project_id, base)
        value = progress if isinstance(progress, Progress) else Progress.model_validate(progress)
        plan = snapshot.plan.model_copy(update={"progress": value})
        status = f" as of {value.status_date}" if value.status_date else ""
        return self._save_plan(project_id, snapshot.version.id, plan, author=author,
                               message=message or f"progress{status}", kind="progress")

    def revert(self, project_id: str, ref: str | int, *, base: str | int | None = None,
               author: str = DEFAULT_AUTHOR, message: str = "") -> Saved:
        """Restore version ``ref``'s document as a new version on top of the head (history is kept:
        nothing is removed or rewritten; the new version's kind is ``revert``).

        ``base`` names the version the caller believes is the head (what it read). A revert replaces
        the whole plan, so it is never merged into changes saved since: if the head is not ``base``
        any more, :class:`EditConflict` says who changed what since; a ``base`` that is no version of
        the project raises :class:`pmfit.store.HeadMoved`. Restoring the head's own document saves
        nothing (``created`` is false).
        """
        old = self.store.version(project_id, ref)
        head = self.store.version(project_id)
        if base is not None:
            try:
                seen = self.store.version(project_id, base)
            except NotFound:
                raise HeadMoved(project_id, str(base), head.id) from None
            if seen.id != head.id:
                raise EditConflict(project_id, seen, head, [], self._changes_since(project_id, seen, head))
        try:
            version, created = self.store.commit(project_id, head.id, self.store.content(old.id), author=author,
                                                 message=message or f"revert to {old.label}", kind="revert")
        except HeadMoved as moved:  # saved by someone else between the check and the commit
            now = self.store.version(project_id, moved.head)
            raise EditConflict(project_id, head, now, [], self._changes_since(project_id, head, now)) from None
        return Saved(version, created, False)

    def export(self, project_id: str, ref: str | int | None, path: str | os.PathLike[str],
               format: str | None = None) -> VersionInfo:
        """Write a version to a file: YAML byte for byte as stored, other formats through their writers."""
        from pmfit.api import export_file  # the writers get the current schedule from pmfit.Project
        from pmfit.io.yamlplan import save_atomic

        version = self.store.version(project_id, ref)
        target = str(path)
        if format in (None, "yaml") and Path(target).suffix.lower() in (".yaml", ".yml", ""):
            save_atomic(self.store.content(version.id), target)
        else:
            export_file(self._plan(version), target, format)
        return version

    # ---- computed results ------------------------------------------------------------------
    def cached_result(self, version: VersionInfo, kind: str, params: dict[str, Any] | None = None) -> bytes | None:
        return self.store.get_result(version.content_hash, kind, params)

    def store_result(self, version: VersionInfo, kind: str, params: dict[str, Any] | None, payload: bytes) -> None:
        self.store.put_result(version.content_hash, kind, params, payload)

    def result(self, project_id: str, ref: str | int | None, kind: str, params: dict[str, Any] | None,
               compute: Callable[[Plan], bytes]) -> bytes:
        """A version's result from the cache, computed (and cached) when missing."""
        version = self.store.version(project_id, ref)
        cached = self.cached_result(version, kind, params)
        if cached is not None:
            return cached
        payload = compute(self._plan(version))
        self.store_result(version, kind, params, payload)
        return payload

    def drop_results(self) -> int:
        return self.store.drop_results()

    # ---- maintenance ---------------------------------------------------------------------
    def check(self) -> CheckReport:
        return self.store.check()

    def backup(self, path: str) -> None:
        self.store.backup(path)

    def restore(self, path: str) -> None:
        self.store.restore(path)
        self._plans.clear()


def _with_baselines(text: str, plan: Plan) -> str:
    """The document with the plan's baselines, the rest of the user's text untouched when possible."""
    from pmfit.io.baselines import insert_baselines_text
    from pmfit.io.yamlplan import write_plan_text

    try:
        return insert_baselines_text(text, plan.baselines)
    except Exception:  # a document the text editor cannot handle: write it canonically
        return write_plan_text(plan)


def _attribute(conflicts: list[FieldConflict], since: list[AttributedChange]) -> list[FieldConflict]:
    """Each conflict with the last saved change to its field (who, when, which version)."""
    from dataclasses import replace

    last: dict[tuple[str, str, str], AttributedChange] = {}
    for change in since:
        last[change.change.path] = change
    out = []
    for conflict in conflicts:
        who = last.get((conflict.entity, conflict.id, conflict.field))
        out.append(replace(conflict, changed_by=who.author, changed_at=who.at, changed_in=who.version)
                   if who else conflict)
    return out


def _as_uploaded(diagnostic: Diagnostic, work: str, name: str) -> Diagnostic:
    """A diagnostic about an upload, located in the file the user sent rather than the scratch copy."""
    from dataclasses import replace

    scratch = str(Path(work) / name)
    file = name if diagnostic.file and diagnostic.file.startswith(work) else diagnostic.file
    return replace(diagnostic, file=file, message=diagnostic.message.replace(scratch, name).replace(work, "."))
