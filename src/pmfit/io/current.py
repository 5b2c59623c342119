"""The schedule an export writes: the plan's current schedule, as the target tool shows it.

A plan with progress is written with its status-date schedule (finished work where it happened,
work in progress from its actual start with the remaining duration after the status date), as
MS Project and P6 keep the dates of a plan in progress; a plan without progress with its plain
CPM schedule. Every writer asks this one function, so that switching the source of "the current
schedule" (for example to :class:`pmfit.Project`'s cached one) is a change here only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


def current_schedule(plan: Plan, given: Any = None) -> CurrentSchedule | None:
    """The schedule a writer writes: ``given`` (the caller's current schedule, as a schedule or a
    :class:`CurrentSchedule`) when there is one, else the plan's own, or None when it cannot be scheduled.

    Computing it here is a fallback for callers that pass none; :mod:`pmfit.api` passes the one
    :class:`pmfit.Project` computed, so exports and every other command show the same dates.
    """
    if given is not None:
        return CurrentSchedule.of(given)
    try:
        if has_progress(plan):
            from pmfit.engine.status import status_schedule

            status = status_schedule(plan)
            return CurrentSchedule.of(status.schedule, status)
        from pmfit.engine.schedule import schedule

        return CurrentSchedule.of(schedule(plan))
    except Exception:  # an unschedulable plan is still written, without computed dates
        return None
