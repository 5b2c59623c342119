"""Recording progress on one task, as MS Project's Update Tasks does (pure: a new Plan out).

- ``done``: 100% complete; the actual start is the one recorded, else the scheduled start; the
  actual finish is the one given, else the scheduled finish (no later than the status date).
- ``percent``: above 0 the task has started (at its scheduled start unless one is recorded);
  100 is done.
- an actual finish makes the task 100% complete; a remaining duration is the work left.

Every change is checked as the plan loader checks progress (``bad_progress``,
``bad_status_date``) and a date before the project start is refused, so a recorded plan
always loads again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pmfit.model.diagnostics import Diagnostic, PlanError, did_you_mean
from pmfit.model.duration import Duration, DurationError
from pmfit.model.plan import Plan, Progress, TaskProgress

Day = dt.date | dt.datetime


def _day(value: Day) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def record_progress(
    plan: Plan, task: str, *, done: bool = False, percent: float | None = None,
    actual_start: Day | None = None, actual_finish: Day | None = None,
    remaining: Duration | str | None = None, actual_cost: float | None = None,
    status_date: Day | None = None, scheduled: tuple[dt.datetime, dt.datetime] | None = None,
    source: str | None = None,
) -> Plan:
    """A new plan with progress recorded on ``task``; ``scheduled`` is the task's (start, finish) in
    the current schedule, used where MS Project would fill in a date. Raises PlanError."""

    def bad(code: str, message: str) -> PlanError:
        return PlanError(Diagnostic(code, message, file=source, task=task if code != "unknown_task" else None))

    ids = [t.id for t in plan.tasks]
    if task not in ids:
        return _raise(bad("unknown_task", f"no task '{task}' in the plan{did_you_mean(task, ids)}"))
    if percent is not None and not 0 <= percent <= 100:
        return _raise(bad("bad_progress", f"task '{task}': percent complete must be between 0 and 100, "
                                          f"not {percent:g}"))
    if actual_cost is not None and not 0 <= actual_cost <= 1e15:
        return _raise(bad("bad_progress", f"task '{task}': the actual cost must be 0 or more, not {actual_cost:g}"))
    if isinstance(remaining, str):
        try:
            remaining = Duration.parse(remaining)
        except DurationError as exc:
            return _raise(bad("bad_progress", f"task '{task}': remaining {exc}"))
    if remaining is not None and remaining.is_negative:
        return _raise(bad("bad_progress", f"task '{task}': the remaining duration cannot be negative ({remaining})"))
    start_day = _day(plan.project.start)
    for label, value in (("actual start", actual_start), ("actual finish", actual_finish),
                         ("status date", status_date)):
        if value is not None and _day(value) < start_day:
            code = "bad_status_date" if label == "status date" else "bad_progress"
            return _raise(bad(code, f"task '{task}': the {label} {value} is before the project starts "
                                    f"({plan.project.start})"))
    if actual_start is not None and actual_finish is not None and _day(actual_finish) < _day(actual_start):
        return _raise(bad("bad_progress", f"task '{task}': the actual finish {actual_finish} is before the "
                                          f"actual start {actual_start}"))

    progress = plan.progress or Progress()
    old = progress.tasks.get(task, TaskProgress())
    fields: dict[str, Any] = old.model_dump(exclude_unset=False)
    is_milestone = next(t.milestone for t in plan.tasks if t.id == task)
    if percent is not None and percent >= 100:
        done = True
    if actual_finish is not None:
        done = True
    status = status_date if status_date is not None else progress.status_date
    started = actual_start is not None or done or (percent is not None and percent > 0)
    if actual_start is not None:
        fields["actual_start"] = actual_start
    elif started and fields["actual_start"] is None and scheduled is not None:
        begun = _as_day(scheduled[0])  # work done by the status date began by it
        fields["actual_start"] = status if status is not None and _day(begun) > _day(status) else begun
    if done:
        fields["percent_complete"] = 100.0
        fields["remaining"] = None
        if actual_finish is not None:
            fields["actual_finish"] = actual_finish
        elif fields["actual_finish"] is None and scheduled is not None:
            finish = _as_day(scheduled[1])
            if status is not None and _day(finish) > _day(status):
                finish = status
            fields["actual_finish"] = finish
    elif percent is not None:
        fields["percent_complete"] = float(percent)
        if percent < 100:
            fields["actual_finish"] = None
    if is_milestone and percent is not None and 0 < percent < 100:
        return _raise(bad("bad_progress", f"task '{task}' is a milestone: it is 0% or 100% complete, "
                                          f"not {percent:g}% (use --done)"))
    if remaining is not None:
        fields["remaining"] = remaining
    if actual_cost is not None:
        fields["actual_cost"] = float(actual_cost)
    if fields["actual_start"] is not None and fields["actual_finish"] is not None and \
            _day(fields["actual_finish"]) < _day(fields["actual_start"]):
        return _raise(bad("bad_progress", f"task '{task}': the actual finish {fields['actual_finish']} is before "
                                          f"the actual start {fields['actual_start']}"))
    if status is None:  # as of the latest thing known about the task
        known = [v for v in (fields["actual_finish"], fields["actual_start"]) if v is not None]
        status = max(known, key=_day) if known else None
    record = TaskProgress(**fields)
    new_progress = progress.model_copy(update={"status_date": status, "tasks": {**progress.tasks, task: record}})
    new = plan.model_copy(update={"progress": new_progress})
    from pmfit.model.validate import progress_diagnostics

    errors = [d for d in progress_diagnostics(new) if d.severity == "error"
              and (d.task in (None, task)) and d.code in ("bad_progress", "bad_status_date")]
    if errors:
        first = errors[0]
        hint = " (pass --status-date to move the status date on)" if "after the status date" in first.message else ""
        raise PlanError(Diagnostic(first.code, first.message + hint, file=source, task=task))
    return new


def _as_day(moment: dt.datetime) -> Day:
    """A scheduled moment filled in as a day (the plan file's usual precision for actuals)."""
    return moment.date()


def _raise(error: PlanError) -> Plan:
    raise error


__all__ = ["record_progress"]
