"""Write a plan as a GanttProject ``.gan`` file (GanttProject 3 reads it; so do MPXJ and pmfit).

GanttProject counts in whole working days: durations and lags are rounded up to days, a task's
``start`` is the day its current schedule starts, milestones are ``meeting`` tasks. Links sit in the
predecessor (``<depend id=successor type=1 SS, 2 FS, 3 FF, 4 SF difference=days>``); summary tasks
nest their children. Resources carry a day rate, allocations a load in percent; holidays go into the
calendar and a resource's own holidays into ``<vacations>``; baselines into ``<previous>``.
Ids are GanttProject's integers: numeric pmfit ids are kept, others are numbered in plan order.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

_TYPES = {"SS": 1, "FS": 2, "FF": 3, "SF": 4}
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _numbers(ids: list[str]) -> tuple[dict[str, int], bool]:
    """GanttProject ids for pmfit ids: the same numbers when every id is one, else 0, 1, 2 ..."""
    if ids and all(i.isdigit() and len(i) < 9 for i in ids) and len(set(map(int, ids))) == len(ids):
        return {i: int(i) for i in ids}, False
    return {i: n for n, i in enumerate(ids)}, True


def _day(value: dt.date | dt.datetime) -> str:
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def gan_text(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as .gan XML, and the export report's notes (feature -> line); dates from ``schedule``
    (the caller's current schedule), else the plan's own current schedule."""
    from pmfit.io.current import current_schedule

    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    sched = current_schedule(plan, schedule, "GanttProject")
    rows: dict[str, Any] = sched.rows if sched is not None else {}
    number, renumbered = _numbers([t.id for t in plan.tasks])
    res_number, res_renumbered = _numbers([r.id for r in plan.resources])
    summaries = plan.summary_ids()
    progress = plan.progress.tasks if plan.progress else {}
    notes: dict[str, str] = {}
    rounded = 0

    def days(minutes: float, count: bool = True) -> int:
        nonlocal rounded
        whole = math.ceil(minutes / mpd - 1e-9) if minutes > 0 else -math.ceil(-minutes / mpd - 1e-9)
        if count and abs(whole * mpd - minutes) > 0.5:
            rounded += 1
        return whole

    children: dict[str | None, list[Any]] = {}
    known = {t.id for t in plan.tasks}
    for task in plan.tasks:
        children.setdefault(task.parent if task.parent in known else None, []).append(task)
    successors: dict[str, list[tuple[str, Any]]] = {}
    for task in plan.tasks:
        for link in task.after:
            if link.task in known:
                successors.setdefault(link.task, []).append((task.id, link))

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<project name={quoteattr(plan.project.name)} company={quoteattr(plan.project.organisation or "")} '
           f'webLink="" view-date="{_day(plan.project.start)}" view-index="0" gantt-divider-location="300" '
           'resource-divider-location="300" version="3.2.3240" locale="en">']
    out.append(f"<description>{escape(plan.project.description or '')}</description>")
    week = " ".join(f'{d}="{0 if d in spec.workweek else 1}"' for d in _DAYS)
    out += ["<calendars>", "<day-types>", '<day-type id="0"/>', '<day-type id="1"/>',
            f'<default-week id="1" name="default" {week}/>', '<only-show-weekends value="false"/>',
            "<overriden-day-types/>", "<days/>", "</day-types>"]
    for holiday in spec.holidays:
        for day in holiday.days():
            out.append(f'<date year="{day.year}" month="{day.month}" date="{day.day}" type="HOLIDAY"/>')
    out.append("</calendars>")
    out.append('<tasks empty-milestones="true">')
    out.append("<taskproperties>" + "".join(
        f'<taskproperty id="tpd{i}" name="{name}" type="default" valuetype="{kind}"/>'
        for i, (name, kind) in enumerate((("type", "icon"), ("priority", "icon"), ("info", "icon"), ("name", "text"),
                                          ("begindate", "date"), ("enddate", "date"), ("duration", "int"),
                                          ("completion", "int"), ("coordinator", "text"),
                                          ("predecessorsr", "text")))) + "</taskproperties>")

    def write_task(task: Any, depth: int) -> None:
        row = rows.get(task.id)
        start = row.start if row is not None else plan.project.start
        summary = task.id in summaries
        minutes = 0 if task.milestone else (row.duration if summary and row is not None
                                            else task.planned_duration().minutes(mpd, dpw))
        p = progress.get(task.id)
        pct = 0 if p is None or p.percent_complete is None else int(p.percent_complete)
        attrs = (f'id="{number[task.id]}" name={quoteattr(task.name)} meeting="{str(task.milestone).lower()}" '
                 f'start="{_day(start)}" duration="{max(days(minutes, not summary), 0)}" complete="{pct}"')
        c = task.constraint
        if c is not None and c.type.value == "SNET" and c.date is not None:
            attrs += f' thirdDate="{_day(c.date)}" thirdDate-constraint="1"'
        if task.priority != 500:
            attrs += f' priority="{0 if task.priority < 400 else 2 if task.priority > 600 else 1}"'
        if task.cost:
            attrs += f' cost-manual-value="{task.cost:g}" cost-calculated="false"'
        out.append(f'{"  " * depth}<task {attrs} expand="true">')
        if task.notes:
            out.append(f"<notes><![CDATA[{task.notes.replace(']]>', ']]]]><![CDATA[>')}]]></notes>")
        for succ, link in successors.get(task.id, []):
            lag = days(link.lag.minutes(mpd, dpw))
            out.append(f'<depend id="{number[succ]}" type="{_TYPES[link.type.value]}" difference="{lag}" '
                       'hardness="Strong"/>')
        for child in children.get(task.id, []):
            write_task(child, depth + 1)
        out.append(f'{"  " * depth}</task>')

    for task in children.get(None, []):
        write_task(task, 1)
    out.append("</tasks>")
    out.append("<resources>")
    for r in plan.resources:
        out.append(f'<resource id="{res_number[r.id]}" name={quoteattr(r.name)} function="Default:0" '
                   'contacts="" phone="">')
        if r.rate is not None and r.rate.per != "use":
            out.append(f'<rate name="standard" value="{r.rate.per_hour(spec.hours) * spec.hours:g}"/>')
        out.append("</resource>")
    out.append("</resources>")
    out.append("<allocations>")
    for task in plan.tasks:
        for rid, units in task.needs.items():
            if rid in res_number:
                out.append(f'<allocation task-id="{number[task.id]}" resource-id="{res_number[rid]}" '
                           f'function="Default:0" responsible="false" load="{units * 100:g}"/>')
    out.append("</allocations>")
    out.append("<vacations>")
    project_days = {d for h in spec.holidays for d in h.days()}
    for r in plan.resources:
        for holiday in (r.calendar.holidays if r.calendar is not None else []):
            if set(holiday.days()) - project_days:
                out.append(f'<vacation start="{holiday.date.isoformat()}" '
                           f'end="{(holiday.until or holiday.date).isoformat()}" resourceid="{res_number[r.id]}"/>')
    out.append("</vacations>")
    out.append("<previous>")
    for baseline in plan.baselines:
        out.append(f"<previous-tasks name={quoteattr(baseline.name)}>")
        for tid, b in baseline.tasks.items():
            if tid in number:
                out.append(f'<previous-task id="{number[tid]}" start="{_day(b.start)}" '
                           f'duration="{max(days(b.duration.minutes(mpd, dpw)), 0)}" '
                           f'meeting="{str(b.milestone).lower()}" super="{str(tid in summaries).lower()}"/>')
        out.append("</previous-tasks>")
    out.append("</previous>")
    out.append('<roles roleset-name="Default"/>')
    out.append("</project>")
    if renumbered:
        notes["ids"] = f"{len(plan.tasks)} task ids numbered 0..{len(plan.tasks) - 1} (GanttProject ids are numbers)"
    if res_renumbered and plan.resources:
        notes["resource_ids"] = f"{len(plan.resources)} resource ids numbered (GanttProject ids are numbers)"
    if rounded:
        notes["durations"] = f"{rounded} durations or lags rounded up to whole days (GanttProject counts days)"
    return "\n".join(out) + "\n", notes


def write_gan(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as a GanttProject file, atomically; returns the export report's notes."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = gan_text(plan, schedule)
    save_atomic(text, path)
    return notes
