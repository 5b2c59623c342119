"""The schedule an export writes: the plan's current schedule, as the target tool shows it.

A plan with progress is written with its status-date schedule (finished work where it happened,
work in progress from its actual start with the remaining duration after the status date), as
MS Project and P6 keep the dates of a plan in progress; a plan without progress with its plain
CPM schedule. Writers compute neither (io runs no engine): the caller above passes the dates it
has — :func:`pmfit.api.export_dates` gives :class:`pmfit.Project`'s, so exports and every other
command show the same dates — or :class:`Unscheduled` for a plan that cannot be scheduled, which
the writers that can write without computed dates do. A writer given nothing raises
``no_schedule``; it never computes dates of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan


@dataclass(frozen=True)
class CurrentSchedule:
    """Dates per task id (``rows``, as :class:`pmfit.engine.schedule.Schedule` has them), the project
    finish, and per started task its worked and remaining working minutes (``elapsed``, ``remaining``)."""

    schedule: Any
    rows: dict[str, Any]
    elapsed: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)
    status_date: Any = None

    @property
    def finish(self) -> Any:
        return self.schedule.finish

    @property
    def tasks(self) -> dict[str, Any]:
        """The rows, under the name :class:`pmfit.engine.schedule.Schedule` gives them (writers take either)."""
        return self.rows

    @classmethod
    def of(cls, schedule: Any, status: Any = None) -> CurrentSchedule:
        """From a schedule and, for a plan in progress, its status-date schedule (duck-typed: io
        imports no engine; the caller above computes both)."""
        if isinstance(schedule, CurrentSchedule):
            return schedule
        if status is None:
            return cls(schedule, schedule.tasks)
        started = {tid: st for tid, st in status.tasks.items() if st.started}
        return cls(status.schedule, status.schedule.tasks, {tid: st.elapsed for tid, st in started.items()},
                   {tid: st.remaining for tid, st in started.items()}, status.status_date)


def has_progress(plan: Plan) -> bool:
    return plan.progress is not None and bool(plan.progress.tasks)


@dataclass(frozen=True)
class Unscheduled:
    """What a caller passes for a plan that cannot be scheduled: writers that can write the plan
    without computed dates do; those whose format holds nothing else raise ``error``."""

    error: Exception


def no_schedule(plan: Plan, writer: str) -> PlanError:
    """The error of a writer called without the dates it writes."""
    return PlanError(Diagnostic(
        "no_schedule", f"the {writer} writer writes the plan's current schedule and was given none: pass "
        "schedule= (pmfit.api.export_dates(plan) gives it), or write through pmfit.export_file",
        ))


def current_schedule(plan: Plan, given: Any, writer: str = "export") -> CurrentSchedule | None:
    """The schedule a writer writes: ``given`` (the caller's current schedule, as a schedule or a
    :class:`CurrentSchedule`), or None for :class:`Unscheduled` (write without computed dates).

    Raises ``no_schedule`` when ``given`` is None: io computes no dates of its own.
    """
    if given is None:
        raise no_schedule(plan, writer)
    if isinstance(given, Unscheduled):
        return None
    return CurrentSchedule.of(given)


def planned_dates_for_reader(plan: Plan) -> CurrentSchedule | None:
    """The plan's CPM schedule without progress, for a reader that needs it to read the file at all
    (TaskJuggler's ``complete`` without actual dates: the scheduled dates stand in), or None when
    the plan cannot be scheduled.

    The one engine use left in io (``KNOWN_DEBT`` in tests/test_import_rules.py): it should move to
    the load step above the readers. Writers never call it.
    """
    from pmfit.engine.schedule import schedule

    try:
        return CurrentSchedule.of(schedule(plan))
    except Exception:  # an unschedulable plan is still read, without these dates
        return None
