"""The checks of a plan that need the scheduler: dependency cycles, dates a calendar cannot hold,
resource calendars without working time.

:func:`pmfit.model.validate.validate_plan` checks what the plan's fields mean without scheduling;
these run after it, in the load step above the readers (:mod:`pmfit.importing`), on the one
compiled network the plan keeps while it lives (:func:`pmfit.engine.network.compile_plan`), so
the project that schedules the plan next does not compile it again. Each diagnostic carries a
``path`` into the plan (``("tasks", 3, "after")``) that the load step turns into a line.
"""

from __future__ import annotations

import datetime as dt

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Plan


def schedule_checks(plan: Plan) -> list[Diagnostic]:
    """Every problem with ``plan`` that only compiling and scheduling it finds (empty when none).

    ``plan`` must have passed :func:`~pmfit.model.validate.validate_plan` without errors.
    """
    return [*_cycles(plan), *_resource_calendars(plan)]


def _cycles(plan: Plan) -> list[Diagnostic]:
    from pmfit.engine.cpm import critical_path_method
    from pmfit.engine.network import compile_plan
    from pmfit.engine.schedule import _check_dates_fit

    try:
        network = compile_plan(plan)
        if network.calendar is not None:  # a duration or lag of centuries: say so now, not at schedule time
            _check_dates_fit(network, critical_path_method(network), network.calendar)
    except PlanError as exc:
        index = {t.id: i for i, t in enumerate(plan.tasks)}
        return [
            Diagnostic(d.code, d.message, d.severity, task=d.task,
                       path=("tasks", index[d.task], "after") if d.task in index else ())
            for d in exc.diagnostics
        ]
    except ValueError as exc:  # a calendar without working time, or a date centuries away
        far = _farthest_date(plan)
        if far is not None and ("too little working time" in str(exc) or "outside the years" in str(exc)):
            path, when, tid = far
            return [Diagnostic("bad_calendar", f"{'task ' + repr(tid) if tid else 'the project'} has the date "
                               f"{when}, too far from the project start ({plan.project.start}) for a calendar "
                               f"(over 400 years, or outside the years 1-9999)", task=tid, path=path)]
        return [Diagnostic("bad_calendar", str(exc), path=("project", "calendar"))]
    return []


def _resource_calendars(plan: Plan) -> list[Diagnostic]:
    """A resource calendar without working time would stop leveling and reports later."""
    from pmfit.engine.workcal import WorkingTime

    out: list[Diagnostic] = []
    for index, resource in enumerate(plan.resources):
        if resource.calendar is None:
            continue
        try:
            WorkingTime(resource.calendar, plan.project.start)
        except ValueError as exc:  # CalendarError
            out.append(Diagnostic("bad_calendar", f"resource '{resource.id}': {exc}",
                                  path=("resources", index, "calendar")))
    return out


def _farthest_date(plan: Plan) -> tuple[tuple[str | int, ...], object, str | None] | None:
    """The constraint date or deadline farthest from the project start (where a calendar gives up)."""

    def day(value: dt.date) -> dt.date:
        return value.date() if isinstance(value, dt.datetime) else value

    start = day(plan.project.start)
    found: list[tuple[int, tuple[str | int, ...], object, str | None]] = []
    if plan.project.deadline is not None:
        found.append((abs((day(plan.project.deadline) - start).days), ("project", "deadline"),
                      plan.project.deadline, None))
    for index, task in enumerate(plan.tasks):
        if task.constraint is not None and task.constraint.date is not None:
            found.append((abs((day(task.constraint.date) - start).days), ("tasks", index, "constraint"),
                          task.constraint.date, task.id))
        if task.deadline is not None:
            found.append((abs((day(task.deadline) - start).days), ("tasks", index, "deadline"),
                          task.deadline, task.id))
    if not found:
        return None
    days, path, when, tid = max(found, key=lambda f: f[0])
    return (path, when, tid) if days > 366 * 100 else None


__all__ = ["schedule_checks"]
