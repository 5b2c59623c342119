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


def has_progress(plan: Plan) -> bool:
    return plan.progress is not None and bool(plan.progress.tasks)


def current_schedule(plan: Plan) -> CurrentSchedule | None:
    """The plan's current schedule for an export, or None when the plan cannot be scheduled."""
    try:
        if has_progress(plan):
            from pmfit.engine.status import status_schedule

            status = status_schedule(plan)
            started = {tid: st for tid, st in status.tasks.items() if st.started}
            return CurrentSchedule(status.schedule, status.schedule.tasks,
                                   {tid: st.elapsed for tid, st in started.items()},
                                   {tid: st.remaining for tid, st in started.items()}, status.status_date)
        from pmfit.engine.schedule import schedule

        plain = schedule(plan)
        return CurrentSchedule(plain, plain.tasks)
    except Exception:  # an unschedulable plan is still written, without computed dates
        return None
