"""Diagnostics: every problem pmfit reports has a stable id, a place and a message.

Tests assert the ``code``, never the wording. The place is the file, the line
and the task, whichever are known.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning", "info"]

#: Every diagnostic id pmfit emits, with what it means (the README lists them).
CODES: dict[str, str] = {
    "bad_file": "the file cannot be read at all (missing, unreadable, not text)",
    "bad_yaml": "the file is not valid YAML",
    "file_too_large": "the file is larger than pmfit accepts",
    "unknown_format": "the file is not in a format pmfit reads",
    "bad_field": "a field has the wrong type or value",
    "unknown_field": "a field pmfit does not know (a typo?)",
    "missing_field": "a required field is missing",
    "bad_duration": "a duration that is not like 5d, 3h or 2w",
    "negative_duration": "a task duration below zero",
    "bad_link": "a dependency that is not like 'design' or 'design SS+2d'",
    "duplicate_id": "two tasks, resources or risks share an id",
    "unknown_task": "a reference to a task id that does not exist",
    "unknown_resource": "a reference to a resource id that does not exist",
    "self_dependency": "a task that depends on itself",
    "dependency_cycle": "tasks that depend on each other in a circle",
    "parent_cycle": "summary tasks that contain each other",
    "invalid_constraint": "a date constraint without a usable date, or an unknown type",
    "bad_estimate": "a three-point estimate not ordered optimistic <= likely <= pessimistic",
    "bad_probability": "a risk probability outside 0..1",
    "bad_progress": "progress data that contradicts itself",
    "not_a_yaml_plan": "level --apply/--clear and progress write into YAML plan files only (convert with export)",
    "actual_after_data_date": "an imported activity with an actual date after the file's data date (read, "
                              "scheduled from the data date as P6 does)",
    "negative_float": "a hard constraint or deadline the dependencies cannot meet",
    "constraint_conflict": "a must-start/must-finish date earlier than the predecessors allow",
    "deadline_missed": "a task finishes after its deadline",
    "summary_has_work": "a summary task with its own duration or resource needs (ignored)",
    "no_duration": "a task (not a milestone) with no duration, estimate or work: it takes no time",
    "no_tasks": "a plan without tasks",
    "bad_calendar": "a calendar without any working time",
    "over_capacity": "a task needs more units of a resource than the resource has",
    "bad_xml": "an XML file that is not well-formed",
    "hostile_file": "a file that uses entity expansion, external entities or other tricks pmfit refuses",
    # the server (pmfit serve, the REST API)
    "auth_required": "the request needs a logged-in session or an API token",
    "forbidden": "the account may not do this (its role in the project is too weak)",
    "not_found": "no such object, or none this account may see",
    "method_not_allowed": "the route exists but not with this HTTP method (state changes refuse GET)",
    "cross_origin": "a state-changing request from another site (Origin / Sec-Fetch-Site)",
    "csrf_token": "a state-changing browser request without the session's CSRF token",
    "rate_limited": "too many failed logins from this account or address; wait and try again",
    "request_too_large": "a request body larger than the server accepts",
    "bad_request": "a request whose parameters or body do not match the API",
    "conflict": "the request contradicts the current state (a name taken, the last owner or admin)",
    "base_version_required": "a change that does not name its base version (If-Match: \"<version>\")",
    "stale_version": "a change based on a version that is no longer the latest (the answer says what changed)",
    "bad_login": "wrong user name or password (which of the two is not said)",
    "password_length": "a password shorter than 8 or longer than 128 characters",
    "password_common": "a password among the 3,000 most common ones",
    "internal_error": "the server failed; the log has the details, the answer never does",
    "zip_bomb": "a zip container (an .xlsx workbook) whose member unpacks more than 100 times its packed size",
    "too_many_rows": "a worksheet with more rows than pmfit reads (Excel's own limit, 1,048,576)",
    "too_many_tasks": "an imported file with more tasks than pmfit imports (1,000,000)",
    "import_mapped": "something in an imported file that pmfit mapped approximately",
    "import_dropped": "something in an imported file that pmfit could not keep",
    "mpp_needs_mpxj": "an .mpp file, which pmfit reads only through MPXJ (pip install 'pmfit[mpp]' and Java)",
    "pod_refused": "a ProjectLibre .pod file (a Java object dump): save it as MS Project XML instead",
    "resource_overallocated": "a resource is needed above its units by tasks that leveling may not move",
    "cp_unavailable": "the CP-SAT leveling method was asked for but OR-Tools is missing (pip install ortools)",
    "level_rounded": "a very long plan was leveled on a coarser time step (durations and dates rounded up)",
    "plan_too_long": "a plan whose time span is too long to level",
    "no_baseline": "earned value or a diff needs a baseline and the plan has none",
    "unknown_baseline": "a baseline name the plan (or its sidecar) does not have",
    "baseline_exists": "a baseline of that name exists already (pass --force to replace it)",
    "bad_status_date": "a status date before the project starts",
    "progress_on_summary": "progress recorded on a summary task (its subtasks carry progress; ignored)",
    "start_overdue": "a task that should have started by the status date but has not (moved past it)",
    "not_in_baseline": "a task added after the baseline was set: it has no budget, so no planned or earned value",
    "derived_actual_cost": "a started task without actual_cost: its actual cost was derived from rates and time",
    "bad_salaries": "a PM salary table (--salaries, project.pm_salaries) that cannot be used",
    "bad_brief": "a project brief with no text the role advisor can read",
    "no_plans": "a portfolio folder or list without any plan files",
    "unknown_stakeholder": "report --for names nobody among the plan's stakeholders",
    # the store (pmfit db, the web app's shared place)
    "store_unavailable": "the store cannot be opened (missing file or folder, server down, refused)",
    "store_not_initialised": "there is no pmfit store at that URL yet (run `pmfit db init`)",
    "store_outdated": "the store's schema is not this pmfit's (run `pmfit db init` to upgrade it)",
    "bad_store_url": "a --db / PMFIT_DB value that is not a SQLite or PostgreSQL URL",
    "store_failed": "a save failed and was rolled back: nothing was saved, the previous version stands",
    "store_corrupt": "stored data does not match its hash or a version is incomplete (`pmfit db check`)",
    "unknown_project": "no project with that id in the store (or it is deleted)",
    "project_exists": "a project with that id is in the store already",
    "bad_project_id": "a project id that is not letters, digits, '.', '_' and '-' (at most 64)",
    "unknown_version": "no version with that number or id in the project",
    "edit_conflict": "a change based on an older version edits what someone else changed since",
    "bad_backup": "a backup file that cannot be written or restored",
    "pdf_unavailable": "a PDF report without WeasyPrint or its system libraries (pip install 'pmfit[pdf]', Pango)",
    "export_unavailable": "a Gantt export whose library is missing (PDF: pip install 'pmfit[pdf]'; PNG: 'pmfit[png]')",
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a plan, with a stable ``code``."""

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    task: str | None = None
    path: tuple[str | int, ...] = field(default=())

    def located(self, file: str | None = None, line: int | None = None) -> Diagnostic:
        return replace(
            self,
            file=self.file if file is None else file,
            line=self.line if line is None else line,
        )

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or (f"line {self.line}" if self.line else "")

    def __str__(self) -> str:
        where = self.where
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity} [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "task": self.task,
        }


class PlanError(Exception):
    """Input that pmfit cannot use; carries every diagnostic found, errors first."""

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = sorted(
            diagnostics, key=lambda d: (d.severity != "error", d.line or 0)
        )
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` — did you mean 'design'?`` for the nearest candidate, or ``''``."""
    # never the word itself: "unknown field 'resources' — did you mean 'resources'?" helps nobody
    matches = difflib.get_close_matches(word, [c for c in candidates if c != word], n=1, cutoff=0.6)
    return f" — did you mean {matches[0]!r}?" if matches else ""
