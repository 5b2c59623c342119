"""The load step: read a file (io), then the checks that need the engine.

The readers in :mod:`pmfit.io` build a plan (and an import report) and run no
engine. Everything that loads a plan for a user goes through here:

- :func:`checked` runs :func:`pmfit.engine.checks.schedule_checks` (dependency
  cycles, dates a calendar cannot hold, resource calendars without working time)
  and locates each problem (file, line) with the YAML source map the reader
  kept on the plan; :func:`read_plan_text`, :func:`load_file` and
  :func:`import_file` are the readers' entry points with it;
- :func:`check_schedule` reschedules an imported plan with pmfit's CPM, listing
  every task whose dates differ from the dates stored in the file, with the
  difference and the probable cause (actuals, calendar, constraint, link type,
  manual scheduling, a moved predecessor).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

from pmfit.io.importcheck import MAX_LISTED_DIFFERENCES, _as_datetime
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pmfit.io.formats import ImportReport
    from pmfit.model.plan import Plan


def checked(plan: Plan, filename: str | None = None) -> Plan:
    """``plan`` once the checks that need the engine pass; else :class:`PlanError`, located.

    The diagnostics are located with the source map the reader kept on the plan (then
    dropped), or named by ``filename``. As when the reader checked everything, the error
    lists the plan's warnings first. The network compiled for the checks is the one the
    plan keeps while it lives, so scheduling it next compiles nothing.
    """
    from pmfit.engine.checks import schedule_checks
    from pmfit.io.yamlplan import plan_warnings, take_source_map

    source = take_source_map(plan)
    if not plan.tasks:  # a calendar-only import: nothing to schedule (formats.load refuses it)
        return plan
    problems = schedule_checks(plan)
    if not problems:
        return plan
    file = source.filename if source is not None and source.filename is not None else filename
    located = [d.located(file, source.line(d.path) if source is not None else None) for d in problems]
    if any(d.severity == "error" for d in located):
        raise PlanError([*(d.located(file) for d in plan_warnings(plan)), *located])
    object.__setattr__(plan, "__pmfit_warnings__", [*plan_warnings(plan), *located])
    return plan


def with_dated_progress(plan: Plan, report: ImportReport) -> Plan:
    """``plan`` with the progress its file stated without actual dates (``report.undated_progress``:
    TaskJuggler's ``complete``) dated from the plan's schedule, as TaskJuggler itself reads it: a task
    started at its scheduled start and, when complete, finished at its scheduled finish — neither
    after the status date. A milestone is done or not: a partial ``complete`` of one is not kept."""
    if not report.undated_progress or not plan.tasks:
        return plan
    from pmfit.engine.schedule import schedule
    from pmfit.model.plan import Progress, TaskProgress

    try:
        rows = schedule(plan).tasks
    except (PlanError, ValueError, OverflowError):  # an unschedulable plan is still read, undated
        return plan
    now = plan.progress.status_date if plan.progress is not None else None
    if now is not None and not isinstance(now, dt.datetime):
        now = dt.datetime.combine(now, dt.time(17))
    tasks = dict(plan.progress.tasks) if plan.progress is not None else {}
    for task_id, percent in report.undated_progress.items():
        row = rows.get(task_id)
        if row is None or task_id in tasks or (row.milestone and percent < 100):
            continue
        start = row.start if now is None else min(row.start, now)
        finish = max(start, row.finish if now is None else min(row.finish, now)) if percent >= 100 else None
        tasks[task_id] = TaskProgress(percent_complete=min(percent, 100.0), actual_start=start, actual_finish=finish)
    progress = (plan.progress or Progress()).model_copy(update={"tasks": tasks})
    return plan.model_copy(update={"progress": progress})


def read_plan_text(text: str, filename: str | None = None) -> Plan:
    """Parse and validate YAML plan text, the engine's checks included."""
    from pmfit.io.importcheck import no_gc
    from pmfit.io.yamlplan import read_plan_text as read

    with no_gc():  # as the readers build a plan: millions of objects, no cycles to collect
        return checked(read(text, filename), filename)


def load_file(path: str | os.PathLike[str]) -> Plan:
    """Read any supported plan file (format detected by content) into a validated plan."""
    from pmfit.io.formats import import_file as read_file
    from pmfit.io.formats import require_tasks
    from pmfit.io.importcheck import no_gc

    with no_gc():  # the checks compile the plan: the collector would re-scan its millions of objects
        plan, report = read_file(path)
        require_tasks(plan, path)
        return with_dated_progress(checked(plan, os.fspath(path)), report)


def import_file(path: str | os.PathLike[str], check: bool = True,
                projects: Sequence[str] | None = None) -> tuple[Plan, ImportReport]:
    """Read any supported file into a plan with its import report; with ``check``, the schedule check.

    ``projects`` picks the projects of a multi-project Primavera XER file (short names or ids).
    """
    from pmfit.io.formats import import_file as read_file
    from pmfit.io.importcheck import no_gc

    with no_gc():
        plan, report = read_file(path, projects=projects)
        plan = with_dated_progress(checked(plan, os.fspath(path)), report)
        if check and report.file_dates:
            check_schedule(plan, report)
    return plan, report


def check_schedule(plan: Plan, report: ImportReport) -> None:
    """Reschedule ``plan`` with pmfit's CPM; list tasks whose dates differ from the file's.

    Each entry of ``report.schedule_differences`` holds the task, the file's
    and pmfit's start and finish, the differences in working days and the
    probable causes. A plan that cannot be scheduled adds a warning instead.
    """
    if not report.file_dates or not plan.tasks:
        return
    from pmfit.engine.schedule import schedule
    from pmfit.engine.workcal import CalendarError

    try:
        result = schedule(plan)
        rows = result.tasks
    except (PlanError, CalendarError, ValueError, OverflowError) as exc:
        message = exc.diagnostics[0].message if isinstance(exc, PlanError) else str(exc)
        report.warnings.append(Diagnostic("import_mapped", f"the schedule check could not run: {message}",
                                          severity="warning", file=report.source))
        return
    cal = result.calendar
    mpd = cal.minutes_per_day
    causes = getattr(report, "task_causes", {}) or {}
    progress = plan.progress.tasks if plan.progress else {}
    by_id = {t.id: t for t in plan.tasks}
    resource_calendars = {r.id for r in plan.resources
                          if r.calendar is not None and r.calendar.model_dump(exclude={"name"})
                          != plan.project.calendar.model_dump(exclude={"name"})}
    moved: set[str] = set()
    diffs: list[dict[str, Any]] = []

    def working_diff(a: dt.datetime, b: dt.datetime) -> float:
        """Working days from a to b (0 when they are the same moment of working time)."""
        try:
            return (cal.offset(b) - cal.offset(a)) / mpd
        except (ValueError, OverflowError, IndexError, ArithmeticError):
            return (b - a).total_seconds() / 86400

    # Plan order is outline order: predecessors are usually earlier, but a
    # moved predecessor is only known after its own check, so do two passes.
    checks: list[tuple[str, dt.datetime | None, dt.datetime | None, Any]] = []
    for tid, (file_start, file_finish) in report.file_dates.items():
        row = rows.get(tid)
        if row is None:
            continue
        fs, ff = _as_datetime(file_start), _as_datetime(file_finish)
        start_off = _differs(file_start, row.start, working_diff, cal, mpd, "start")
        finish_off = _differs(file_finish, row.finish, working_diff, cal, mpd, "finish")
        if start_off or finish_off:
            moved.add(tid)
            checks.append((tid, fs, ff, row))
    for tid, fs, ff, row in checks:
        task = by_id[tid]
        why: list[str] = []
        if tid in progress:
            p = progress[tid]
            if p.actual_start is not None or (p.percent_complete or 0) > 0:
                why.append("actuals: the file dates follow recorded progress; pmfit plans the "
                           "remaining work from the project start")
        why.extend(causes.get(tid, []))
        if task.constraint is not None and task.constraint.type.value not in ("ASAP",):
            why.append(f"constraint {task.constraint.type.value}"
                       + (f" {task.constraint.date:%Y-%m-%d}" if task.constraint.date else ""))
        movers = [link.task for link in task.after if link.task in moved]
        if movers:
            why.append("predecessor moved: " + ", ".join(f"'{m}'" for m in movers[:3]))
        odd_links = sorted({link.type.value for link in task.after if link.type.value != "FS"})
        if odd_links and not movers:
            why.append(f"link type {'/'.join(odd_links)}")
        parent = by_id.get(task.parent) if task.parent is not None else None
        if parent is not None and parent.id in moved and (parent.after or parent.constraint) and not task.after:
            why.append(f"summary '{parent.id}' moved")
        own_calendars = [r for r in task.needs if r in resource_calendars]
        if own_calendars:
            why.append("resource calendar of " + ", ".join(f"'{r}'" for r in own_calendars[:3])
                       + " (pmfit schedules on the project calendar)")
        if row.summary:
            why.append("summary: its dates roll up from tasks that moved")
        if not why:
            off_days = [d for d in (fs, ff) if d is not None and not _working_day(cal, d)]
            if off_days:
                why.append(f"calendar: the file has it on {off_days[0]:%a %Y-%m-%d}, a non-working day on "
                           "pmfit's project calendar")
        if not why:
            why.append("calendar or scheduling rule: the file's tool placed it differently")
        diffs.append({
            "task": tid,
            "name": task.name,
            "file_start": fs.isoformat(timespec="minutes") if fs else None,
            "file_finish": ff.isoformat(timespec="minutes") if ff else None,
            "pmfit_start": row.start.isoformat(timespec="minutes"),
            "pmfit_finish": row.finish.isoformat(timespec="minutes"),
            "start_diff_days": round(working_diff(fs, row.start), 3) if fs else None,
            "finish_diff_days": round(working_diff(ff, row.finish), 3) if ff else None,
            "start_diff_minutes": round(working_diff(fs, row.start) * mpd) if fs else None,
            "finish_diff_minutes": round(working_diff(ff, row.finish) * mpd) if ff else None,
            "causes": list(dict.fromkeys(why)),
        })
    report.schedule_differences = diffs[:MAX_LISTED_DIFFERENCES]
    report.schedule_checked = len(report.file_dates)


def _working_day(cal: Any, moment: dt.datetime) -> bool:
    """Whether pmfit's calendar works on that day (a finish at 00:00 belongs to the day before)."""
    day = moment.date() - dt.timedelta(days=1) if moment.time() == dt.time(0, 0) else moment.date()
    try:
        return bool(cal.is_working_day(day))
    except (ValueError, OverflowError, IndexError, ArithmeticError):
        return True


def _differs(file_value: Any, ours: dt.datetime, working_diff: Any, cal: Any, mpd: int, kind: str) -> bool:
    """Whether pmfit's date differs from the file's (a bare date is compared as a day)."""
    if file_value is None:
        return False
    if isinstance(file_value, dt.date) and not isinstance(file_value, dt.datetime):
        if ours.date() == file_value:
            return False
        try:  # a finish at the very end of one working day is the start of the next
            edge = cal.day_start(file_value) if kind == "finish" else cal.day_end(file_value)
            return bool(cal.offset(ours) != edge)
        except (ValueError, OverflowError, IndexError, ArithmeticError):
            return True
    moment = _as_datetime(file_value)
    if moment is None or moment == ours:
        return False
    # Friday 17:00 and Monday 08:00 are the same moment of working time.
    return bool(abs(working_diff(moment, ours)) * mpd >= 1)


__all__ = ["check_schedule", "checked", "import_file", "load_file", "read_plan_text", "with_dated_progress"]
