"""Write a plan as a GNOME Planner ``.planner`` file (mrproject-version 2; Planner, MPXJ and pmfit read it).

Tasks nest; each carries its current schedule (``work-start``, ``end`` as local wall-clock stamps
``20270301T080000Z``), its effort in seconds and ``fixed-duration`` scheduling so that Planner keeps
the duration. Links carry type and lag (seconds); start-no-earlier-than and must-start-on are
Planner's two constraints. One calendar: the work week, the day's shifts and the holidays.
Resources carry an hourly ``std-rate``; allocations a percentage. Ids are Planner's integers:
numeric pmfit ids are kept, others numbered from 1.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CONSTRAINTS = {"SNET": "start-no-earlier-than", "MSO": "must-start-on"}


def _stamp(value: dt.date | dt.datetime) -> str:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.strftime("%Y%m%dT%H%M%SZ")


def _numbers(ids: list[str]) -> tuple[dict[str, int], bool]:
    # MPXJ skips id 0 (Planner's own files use it for a project summary); so numbers start at 1
    if ids and all(i.isdigit() and 0 < len(i) < 9 and int(i) > 0 for i in ids) and len(set(map(int, ids))) == len(ids):
        return {i: int(i) for i in ids}, False
    return {i: n for n, i in enumerate(ids, start=1)}, True


def planner_text(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as Planner XML, and the export report's notes (feature -> line); dates from ``schedule``
    (the caller's current schedule), else the plan's own current schedule."""
    from pmfit.io.current import current_schedule

    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    sched = current_schedule(plan, schedule, "Planner")
    rows: dict[str, Any] = sched.rows if sched is not None else {}
    number, renumbered = _numbers([t.id for t in plan.tasks])
    res_number, res_renumbered = _numbers([r.id for r in plan.resources])
    progress = plan.progress.tasks if plan.progress else {}
    known = {t.id for t in plan.tasks}
    children: dict[str | None, list[Any]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent if task.parent in known else None, []).append(task)
    notes: dict[str, str] = {}
    out = ['<?xml version="1.0"?>',
           f'<project name={quoteattr(plan.project.name)} company={quoteattr(plan.project.organisation or "")} '
           f'manager="" phase="" project-start="{_stamp(plan.project.start)}" mrproject-version="2" calendar="1">',
           "<properties/>", "<phases/>", "<calendars>", "<day-types>",
           '<day-type id="0" name="Working" description="A default working day"/>',
           '<day-type id="1" name="Nonworking" description="A default non working day"/>',
           '<day-type id="2" name="Use base" description="Use day from base calendar"/>', "</day-types>",
           f'<calendar id="1" name={quoteattr(spec.name or "Default")}>',
           "<default-week " + " ".join(f'{d}="{0 if d in spec.workweek else 1}"' for d in _DAYS) + "/>",
           '<overridden-day-types><overridden-day-type id="0">'
           + "".join(f'<interval start="{a // 60:02d}{a % 60:02d}" end="{b // 60:02d}{b % 60:02d}"/>'
                     for a, b in spec.day_shifts())
           + "</overridden-day-type></overridden-day-types>", "<days>"]
    for holiday in spec.holidays:
        for day in holiday.days():
            out.append(f'<day date="{day:%Y%m%d}" type="day-type" id="1"/>')
    out += ["</days>", "</calendar>", "</calendars>", "<tasks>"]
    dropped_constraints = 0

    def write_task(task: Any) -> None:
        nonlocal dropped_constraints
        row = rows.get(task.id)
        begin = row.start if row is not None else plan.project.start
        end = row.finish if row is not None else begin
        p = progress.get(task.id)
        pct = 0 if p is None or p.percent_complete is None else int(p.percent_complete)
        effort = task.work if task.work is not None else task.planned_duration()
        seconds = 0 if task.milestone else int(max(effort.minutes(mpd, dpw), 0) * 60)
        day = begin.date() if isinstance(begin, dt.datetime) else begin
        attrs = (f'id="{number[task.id]}" name={quoteattr(task.name)} note={quoteattr(task.notes or "")} '
                 f'work="{seconds}" start="{_stamp(day)}" end="{_stamp(end)}" work-start="{_stamp(begin)}" '
                 f'percent-complete="{pct}" priority="{task.priority * 10}" '
                 f'type="{"milestone" if task.milestone else "normal"}" scheduling="fixed-duration"')
        out.append(f"<task {attrs}>")
        c = task.constraint
        if c is not None and c.type.value in _CONSTRAINTS and c.date is not None:
            out.append(f'<constraint type="{_CONSTRAINTS[c.type.value]}" time="{_stamp(c.date)}"/>')
        elif c is not None:
            dropped_constraints += 1
        links = [x for x in task.after if x.task in number]
        if links:
            out.append("<predecessors>")
            for i, link in enumerate(links, start=1):
                lag = int(link.lag.minutes(mpd, dpw) * 60)
                out.append(f'<predecessor id="{i}" predecessor-id="{number[link.task]}" type="{link.type.value}" '
                           f'lag="{lag}"/>')
            out.append("</predecessors>")
        for child in children.get(task.id, []):
            write_task(child)
        out.append("</task>")

    for task in children.get(None, []):
        write_task(task)
    out += ["</tasks>", "<resource-groups/>", "<resources>"]
    for r in plan.resources:
        rate = r.rate.per_hour(spec.hours) if r.rate is not None and r.rate.per != "use" else 0
        out.append(f'<resource id="{res_number[r.id]}" name={quoteattr(r.name)} short-name={quoteattr(r.id)} '
                   f'type="{2 if r.kind == "material" else 1}" units="0" email="" note="" std-rate="{rate:g}"/>')
    out += ["</resources>", "<allocations>"]
    rounded = 0
    for task in plan.tasks:
        for rid, units in task.needs.items():
            if rid in res_number:
                percent = max(round(units * 100), 1)  # Planner keeps whole percents
                rounded += abs(percent - units * 100) > 1e-6
                out.append(f'<allocation task-id="{number[task.id]}" resource-id="{res_number[rid]}" '
                           f'units="{percent}"/>')
    if rounded:
        notes["assignments"] = f"{rounded} assignment units rounded to whole percents (Planner keeps whole percents)"
    out += ["</allocations>", "</project>"]
    if renumbered:
        notes["ids"] = f"{len(plan.tasks)} task ids numbered 1..{len(plan.tasks)} (Planner ids are numbers)"
    if res_renumbered and plan.resources:
        notes["resource_ids"] = f"{len(plan.resources)} resource ids numbered (Planner ids are numbers)"
    if dropped_constraints:
        notes["constraints"] = (f"{dropped_constraints} date constraints other than start-no-earlier-than and "
                                "must-start-on dropped (Planner has only those two)")
    return "\n".join(out) + "\n", notes


def write_planner(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as a Planner file, atomically; returns the export report's notes."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = planner_text(plan, schedule)
    save_atomic(text, path)
    return notes
