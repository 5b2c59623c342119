"""Write a plan as an MPX file (MS Project 4.0-98 exchange text; MS Project 98, MPXJ and pmfit read it).

English MPX 4.0, ANSI (cp1252), comma-separated, dates as ``dd/mm/yyyy hh:mm`` (record 12 says so).
Tasks in outline order with ``Outline Level``, predecessors by task ID (``3FS+2d``), constraints,
milestones, priorities, % complete and actual dates, the first baseline, the pmfit id in Text1;
resources with max units, standard rate, cost per use and group; assignments with units; one base
calendar with its work week, hours and holidays. Task and resource ids are numbered 1, 2, ...
(MPX ids are row numbers); pmfit's own task ids ride along in Text1.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

_CONSTRAINTS = {"ASAP": "As Soon As Possible", "ALAP": "As Late As Possible", "MSO": "Must Start On",
                "MFO": "Must Finish On", "SNET": "Start No Earlier Than", "SNLT": "Start No Later Than",
                "FNET": "Finish No Earlier Than", "FNLT": "Finish No Later Than"}
_PRIORITIES = ((150, "Lowest"), (250, "Very Low"), (350, "Lower"), (450, "Low"), (550, "Medium"),
               (650, "High"), (750, "Higher"), (850, "Very High"), (950, "Highest"), (10**9, "Do Not Level"))
_DAY_NUMBERS = {"sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "$", "AUD": "$"}
_TASK_FIELDS = (90, 98, 1, 3, 40, 44, 50, 51, 58, 59, 70, 81, 91, 68, 95, 35, 4, 56, 57, 41)
_TASK_NAMES = ("ID", "Unique ID", "Name", "Outline Level", "Duration", "% Complete", "Start", "Finish",
               "Actual Start", "Actual Finish", "Predecessors", "Milestone", "Constraint Type", "Constraint Date",
               "Priority", "Fixed Cost", "Text1", "Baseline Start", "Baseline Finish", "Baseline Duration")
_RESOURCE_FIELDS = (40, 49, 1, 41, 42, 44, 3)
_RESOURCE_NAMES = ("ID", "Unique ID", "Name", "Max Units", "Standard Rate", "Cost Per Use", "Group")


def _field(value: object) -> str:
    """One MPX field: quoted when it holds the separator, a quote or a line break."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if any(c in text for c in ',"'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _when(value: dt.date | dt.datetime | None, clock: int = 480) -> str:
    if value is None:
        return "NA"
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time()) + dt.timedelta(minutes=clock)
    return value.strftime("%d/%m/%Y %H:%M")


def _span(minutes: float, unit: str = "h") -> str:
    """A duration in MPX notation, in hours unless whole days were asked for."""
    if unit == "d" and minutes % 480 == 0:
        return f"{minutes / 480:g}d"
    return f"{minutes / 60:g}h"


def mpx_text(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as MPX text, and the export report's notes (feature -> line); dates from ``schedule``
    (the caller's current schedule), else the plan's own current schedule."""
    from pmfit.io.current import current_schedule

    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    day_start, day_end = spec.day_shifts()[0][0], spec.day_shifts()[-1][1]
    sched = current_schedule(plan, schedule, "MPX")
    rows: dict[str, Any] = sched.rows if sched is not None else {}
    progress = plan.progress.tasks if plan.progress else {}
    baseline = plan.baselines[0] if plan.baselines else None
    ordered = _ordered(plan)
    number = {task.id: i for i, (task, _) in enumerate(ordered, start=1)}
    res_number = {r.id: i for i, r in enumerate(plan.resources, start=1)}
    symbol = _SYMBOLS.get(plan.project.currency, "$")
    lines = ["MPX,Microsoft Project for Windows,4.0,ANSI",
             f'10,{symbol},1,2,",",.',  # symbol before the amount
             f"11,2,0,1,{spec.hours:.2f},{spec.hours * dpw:.2f},{symbol}0.00/h,{symbol}0.00/h,1,1",
             f"12,1,1,{day_start},/,:,am,pm,0,1",
             "20," + _field(spec.name or "Standard") + ","
             + ",".join("1" if d in spec.workweek else "0" for d in ("sun", "mon", "tue", "wed", "thu", "fri", "sat"))]
    shifts = spec.day_shifts()
    for day in ("sun", "mon", "tue", "wed", "thu", "fri", "sat"):
        times = [f"{a // 60:02d}:{a % 60:02d},{b // 60:02d}:{b % 60:02d}" for a, b in shifts[:3]]
        lines.append(f"25,{_DAY_NUMBERS[day]}" + ("," + ",".join(times) if day in spec.workweek else ""))
    for holiday in spec.holidays:
        lines.append(f"26,{_when(holiday.date, 0)[:10]},{_when(holiday.until or holiday.date, 0)[:10]},0")
    finish = sched.finish if sched is not None else None
    lines.append("30," + ",".join(_field(v) for v in (
        plan.project.name, plan.project.organisation or "", "", spec.name or "Standard",
        _when(plan.project.start, day_start), _when(finish), 0,
        _when(plan.progress.status_date, day_end) if plan.progress and plan.progress.status_date else "NA")))
    lines.append("40," + ",".join(_RESOURCE_NAMES))
    lines.append("41," + ",".join(map(str, _RESOURCE_FIELDS)))
    for r in plan.resources:
        rate = r.rate.per_hour(spec.hours) if r.rate is not None and r.rate.per != "use" else 0.0
        per_use = r.rate.amount if r.rate is not None and r.rate.per == "use" else 0.0
        lines.append("50," + ",".join(_field(v) for v in (
            res_number[r.id], res_number[r.id], r.name, f"{r.units:g}", f"{symbol}{rate:.2f}/h",
            f"{symbol}{per_use:.2f}", r.team or "")))
    lines.append("60," + ",".join(_TASK_NAMES))
    lines.append("61," + ",".join(map(str, _TASK_FIELDS)))
    summaries = plan.summary_ids()
    for task, level in ordered:
        row = rows.get(task.id)
        p = progress.get(task.id)
        summary = task.id in summaries
        minutes = 0 if task.milestone else (row.duration if summary and row is not None
                                            else task.planned_duration().minutes(mpd, dpw))
        unit = task.duration.unit if task.duration is not None else "d"
        preds = []
        for link in task.after:
            if link.task not in number:
                continue
            lag = link.lag.minutes(mpd, dpw)
            text = f"{number[link.task]}{link.type.value}"
            if lag:
                text += ("+" if lag > 0 else "-") + _span(abs(lag), link.lag.unit)
            preds.append(text)
        c = task.constraint
        b = baseline.tasks.get(task.id) if baseline is not None else None
        priority = next(word for limit, word in _PRIORITIES if task.priority < limit)
        begin = p.actual_start if p is not None and p.actual_start is not None else (row.start if row else None)
        end = p.actual_finish if p is not None and p.actual_finish is not None else (row.finish if row else None)
        values = (number[task.id], number[task.id], task.name, level, _span(max(minutes, 0), unit),
                  f"{(p.percent_complete or 0) if p else 0:g}%", _when(begin, day_start), _when(end, day_end),
                  _when(p.actual_start, day_start) if p and p.actual_start else "NA",
                  _when(p.actual_finish, day_end) if p and p.actual_finish else "NA",
                  ",".join(preds), "Yes" if task.milestone else "No",
                  _CONSTRAINTS[c.type.value] if c else "As Soon As Possible",
                  _when(c.date, day_end if c.type.value in ("FNET", "FNLT", "MFO") else day_start)
                  if c is not None and c.date is not None else "NA",
                  priority, f"{symbol}{task.cost or 0:.2f}", task.id,
                  _when(b.start) if b else "NA", _when(b.finish) if b else "NA",
                  _span(b.duration.minutes(mpd, dpw)) if b else "")
        lines.append("70," + ",".join(_field(v) for v in values))
        if task.notes:
            lines.append("71," + _field(task.notes))
        for rid, units in task.needs.items():
            if rid in res_number:
                lines.append(f"75,{res_number[rid]},{units:g}")
    notes: dict[str, str] = {}
    if any(not t.id.isdigit() or int(t.id) != number[t.id] for t in plan.tasks):
        notes["ids"] = (f"{len(plan.tasks)} tasks numbered 1..{len(plan.tasks)} as MPX rows; pmfit's ids are "
                        "kept in Text1")
    return "\r\n".join(lines) + "\r\n", notes


def _ordered(plan: Plan) -> list[tuple[Any, int]]:
    """Tasks in outline order with their outline level (1 = top)."""
    known = {t.id for t in plan.tasks}
    children: dict[str | None, list[Any]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent if task.parent in known else None, []).append(task)
    out: list[tuple[Any, int]] = []
    stack = [(t, 1) for t in reversed(children.get(None, []))]
    while stack:
        task, level = stack.pop()
        out.append((task, level))
        stack.extend((c, level + 1) for c in reversed(children.get(task.id, [])))
    return out


def write_mpx(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as an MPX file (cp1252; characters outside it become '?'); returns report notes."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = mpx_text(plan, schedule)
    data = text.encode("cp1252", errors="replace")
    if data.count(b"?") > text.count("?"):
        notes["text"] = "characters outside Windows-1252 written as '?' (MPX is ANSI text)"
    save_atomic(data, path)
    return notes
