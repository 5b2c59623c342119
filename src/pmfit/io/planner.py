"""GNOME Planner ``.planner`` files (mrproject-version 2): tasks, links, calendars, resources.

How the file maps:

- ``<task>`` elements nest (a task with subtasks is a summary); ``type="milestone"``;
  ``start`` / ``work-start`` / ``end`` are ``20040701T080000Z`` date-times (local
  wall-clock time despite the Z); ``work`` is effort in seconds.
- A task's duration is the working time between its work start and its end on the
  project calendar (as MPXJ computes it); ``work`` is kept as the task's effort.
- ``<predecessor predecessor-id type lag>``: FS/SS/FF/SF, lag in seconds of elapsed
  time (kept as working time, noted in the report).
- ``<constraint type="must-start-on|start-no-earlier-than" time>`` -> MSO / SNET.
- Calendars: ``default-week`` gives each weekday a day type (0 working, 1 non-working,
  2 use the parent calendar); the working day type's ``<interval>`` s are the shifts;
  ``<day date type="day-type" id>`` entries are holidays or working exceptions.
- ``<resource>`` (type 1 work, 2 material; ``std-rate`` per hour; ``group``) and
  ``<allocation units="%">`` -> resources and task needs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.safexml import local
from pmfit.io.tabular import (
    IdMap,
    clean_links,
    count_read,
    fail,
    finish_plan,
    parse_xml,
    plural,
    read_file,
    seconds_to_duration,
    strip_summary_work,
)
from pmfit.model.diagnostics import Diagnostic
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?Z?)?$")


def sniff(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf")[:8192]
    return b"<project" in text and b"mrproject-version" in text


def _stamp(text: str | None) -> dt.datetime | None:
    match = _STAMP.match((text or "").strip())
    if not match:
        return None
    y, mo, d, h, mi, s = match.groups()
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None


def _day(value: dt.datetime) -> dt.date | dt.datetime:
    return value.date() if value.time() == dt.time(0) else value


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(float(text)) if text not in (None, "") else default  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default


def _hhmm(text: str | None) -> int | None:
    text = (text or "").strip()
    if not re.fullmatch(r"\d{3,4}", text):
        return None
    value = int(text[:-2]) * 60 + int(text[-2:])
    return value if 0 <= value <= 24 * 60 else None


class _Calendar:
    def __init__(self, el: Element, parent: _Calendar | None) -> None:
        self.id = el.get("id", "")
        self.name = el.get("name") or self.id
        self.parent = parent
        week = next((c for c in el if local(c.tag) == "default-week"), None)
        self.week = {d: (week.get(d) if week is not None else None) or "2" for d in _DAYS}
        self.intervals: dict[str, list[tuple[int, int]]] = {}
        self.days: list[tuple[dt.date, str]] = []
        for child in el:
            tag = local(child.tag)
            if tag == "overridden-day-types":
                for odt in child:
                    spans = []
                    for interval in odt:
                        start, end = _hhmm(interval.get("start")), _hhmm(interval.get("end"))
                        if start is None or end is None:
                            continue
                        if end <= start:
                            end = 24 * 60 if end == 0 else end
                        if end > start:
                            spans.append((start, end))
                    self.intervals[odt.get("id", "")] = spans
            elif tag == "days":
                for day in child:
                    stamp = _stamp(day.get("date"))
                    if stamp is not None and day.get("type", "day-type") == "day-type":
                        self.days.append((stamp.date(), day.get("id", "")))

    def day_type(self, day: str) -> str:
        kind = self.week.get(day, "2")
        if kind == "2":
            return self.parent.day_type(day) if self.parent else "0" if day not in ("sat", "sun") else "1"
        return kind

    def spans(self, kind: str) -> list[tuple[int, int]] | None:
        if self.intervals.get(kind):
            return self.intervals[kind]
        return self.parent.spans(kind) if self.parent else None

    def all_days(self) -> list[tuple[dt.date, str]]:
        inherited = self.parent.all_days() if self.parent else []
        own = {d for d, _ in self.days}
        return [(d, k) for d, k in inherited if d not in own] + self.days

    def spec(self, report: ImportReport | None) -> dict[str, Any]:
        working = self.spans("0") or [(8 * 60, 12 * 60), (13 * 60, 17 * 60)]
        workweek = []
        other_hours = False
        for day in _DAYS:
            kind = self.day_type(day)
            if kind == "1":
                continue
            if kind != "0":
                spans = self.spans(kind)
                if not spans:
                    continue
                other_hours = other_hours or spans != working
            workweek.append(day)
        if other_hours and report is not None:
            report.approximated.append(f"calendar {self.name!r}: weekdays with their own hours use the normal "
                                       "working hours (pmfit's calendar has one set of shifts)")
        spec: dict[str, Any] = {"name": self.name, "workweek": workweek, "shifts": [_shift(s) for s in working]}
        holidays, exceptions = [], []
        for date, kind in self.all_days():
            spans = working if kind == "0" else self.spans(kind) if kind != "1" else None
            if not spans:
                holidays.append({"date": date})
            else:
                exceptions.append({"date": date, "working": True, "shifts": [_shift(s) for s in spans]})
        if holidays:
            spec["holidays"] = holidays
        if exceptions:
            spec["exceptions"] = exceptions
        return spec


def _shift(span: tuple[int, int]) -> str:
    start, end = span
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _calendars(root: Element, report: ImportReport) -> dict[str, _Calendar]:
    out: dict[str, _Calendar] = {}
    cals = next((c for c in root if local(c.tag) == "calendars"), None)

    def walk(node: Element, parent: _Calendar | None, depth: int) -> None:
        for el in node:
            if local(el.tag) == "calendar" and depth < 50:
                cal = _Calendar(el, parent)
                out.setdefault(cal.id, cal)
                walk(el, cal, depth + 1)

    if cals is not None:
        walk(cals, None, 0)
    return out


def read(path: str) -> tuple[Plan, ImportReport]:
    """Read a GNOME Planner file into a plan and an import report."""
    report = ImportReport("planner", path)
    root = parse_xml(read_file(path), path)
    if local(root.tag) != "project":
        raise fail("unknown_format", f"not a Planner file (the root element is <{local(root.tag)}>)", path)
    calendars = _calendars(root, report)
    default = calendars.get(root.get("calendar") or "") or next(iter(calendars.values()), None)
    calendar = default.spec(report) if default is not None else {}
    project_start = _stamp(root.get("project-start"))

    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.workingtime import CalendarError, WorkingTime

    ids = IdMap("task")
    tasks: list[dict[str, Any]] = []
    dates: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    raw_links: list[tuple[str, str, dict[str, Any]]] = []
    progress: dict[str, dict[str, Any]] = {}
    lags = 0
    constraints_dropped = 0
    tasks_el = next((c for c in root if local(c.tag) == "tasks"), None)

    def walk(node: Element, parent: str | None, depth: int) -> None:
        nonlocal lags, constraints_dropped
        for el in node:
            if local(el.tag) != "task":
                continue
            tid = ids.add(el.get("id"))
            task: dict[str, Any] = {"id": tid, "name": (el.get("name") or "").strip() or tid}
            if parent is not None:
                task["parent"] = parent
            start = _stamp(el.get("work-start")) or _stamp(el.get("start"))
            end = _stamp(el.get("end"))
            if start is not None and end is not None and end >= start:
                dates[tid] = (start, end)
            if el.get("type") == "milestone":
                task["milestone"] = True
            work = _int(el.get("work"), 0)
            if 0 < work <= 10**9:
                task["work"] = str(seconds_to_duration(work))
            if (el.get("note") or "").strip():
                task["notes"] = el.get("note", "").strip()
            pct = _int(el.get("percent-complete"), 0)
            if pct > 0 and start is not None:
                progress[tid] = {"percent_complete": float(min(100, pct)), "actual_start": _day(start)}
                if pct >= 100:
                    progress[tid]["actual_finish"] = _day(end if end is not None and end >= start else start)
            for child in el:
                tag = local(child.tag)
                if tag == "predecessors":
                    for pred in child:
                        if local(pred.tag) != "predecessor":
                            continue
                        link: dict[str, Any] = {"type": (pred.get("type") or "FS").upper()}
                        if link["type"] not in ("FS", "SS", "FF", "SF"):
                            link["type"] = "FS"
                        lag = _int(pred.get("lag"), 0)
                        if lag and abs(lag) <= 10**9:
                            link["lag"] = str(seconds_to_duration(lag)) if lag > 0 else \
                                str(-seconds_to_duration(-lag))
                            lags += 1
                            # the per-task cause a schedule difference gets: not "a calendar rule"
                            report.task_causes.setdefault(tid, []).append(
                                f"an elapsed lag of {lag / 3600:g} h (calendar time in Planner) on its "
                                "predecessor, kept as working time")
                        raw_links.append((pred.get("predecessor-id") or "", tid, link))
                elif tag == "constraint":
                    when = _stamp(child.get("time"))
                    kind = {"must-start-on": "MSO", "start-no-earlier-than": "SNET"}.get(child.get("type") or "")
                    if kind and when is not None:
                        task["constraint"] = {"type": kind, "date": _day(when)}
                    else:
                        constraints_dropped += 1
            tasks.append(task)
            if depth < 200:
                walk(el, tid, depth + 1)

    if tasks_el is not None:
        walk(tasks_el, None, 0)
    if not tasks and project_start is None:
        raise fail("no_tasks", "the Planner file has no tasks", path)
    if project_start is None:
        starts = [d[0] for d in dates.values()]
        if not starts:
            raise fail("missing_field", "the Planner file has no project-start and no task dates", path)
        project_start = min(starts)

    by_id = {t["id"]: t for t in tasks}
    unknown = 0
    for pred_raw, succ, link in raw_links:
        pred = ids.get(pred_raw)
        if pred is None:
            unknown += 1
            continue
        by_id[succ].setdefault("after", []).append({"task": pred, **link})
    if unknown:
        report.dropped.append(f"{plural(unknown, 'predecessor')} name a task id that is not in the file")
    if lags:
        report.approximated.append(f"{plural(lags, 'lag')} are elapsed time in Planner: kept as working time")
    if constraints_dropped:
        report.dropped.append(f"{plural(constraints_dropped, 'constraint')} of a kind pmfit does not know")

    summaries = {t.get("parent") for t in tasks if t.get("parent") is not None}
    try:
        clock: WorkingTime | None = WorkingTime(CalendarSpec.model_validate(calendar), project_start)
    except (CalendarError, ValueError):
        clock = None
        report.approximated.append("the Planner calendar has no working time; pmfit's default calendar is used")
        calendar = {}
    for task in tasks:
        tid = task["id"]
        if tid in summaries or task.get("milestone"):
            if task.get("milestone"):
                task["duration"] = "0d"
            continue
        minutes = _working_minutes(clock, dates.get(tid))
        if minutes is not None and clock is not None:
            task["duration"] = str(Duration.from_minutes(minutes, clock.minutes_per_day))
        elif "work" in task:
            task["duration"] = task["work"]
    resources, needs = _resources(root, ids, calendars, calendar, report)
    for tid, need in needs.items():
        by_id[tid]["needs"] = need
    strip_summary_work(tasks, report)
    clean_links(tasks, report, what="dependency")

    project: dict[str, Any] = {"name": (root.get("name") or "").strip() or Path(path).stem,
                               "start": _day(project_start)}
    if calendar:
        project["calendar"] = calendar
    if root.get("company"):
        project["organisation"] = root.get("company")
    data: dict[str, Any] = {"project": project, "resources": resources, "tasks": tasks}
    if progress:
        data["progress"] = {"tasks": progress}
        report.approximated.append(f"{plural(len(progress), 'task')} with % complete: Planner stores no actual "
                                   "dates, so the planned start is taken as the actual start")
    if root.get("manager"):
        report.dropped.append(f"project manager {root.get('manager')!r} and phase not imported")
    if any(local(c.tag) == "properties" and len(c) for c in root):
        report.dropped.append("custom properties not imported")
    if tasks:
        plan = finish_plan(data, report, path)
    else:  # resources and calendars only (a plan not started yet): valid, and said so
        plan = Plan.model_validate(data)
        report.warnings.append(Diagnostic("no_tasks", "the file has no tasks (only its calendar and resources "
                                          "were read)", severity="warning", file=path))
    for tid, (start, end) in dates.items():
        if clock is not None:  # the same instants in working time, written as pmfit writes them
            try:
                begin = clock.offset(start)
                start = clock.start_at(begin)
                end = clock.finish_at(clock.offset(end)) if clock.offset(end) > begin else start
            except (CalendarError, ValueError, OverflowError):
                continue
        report.file_dates[tid] = (start, max(start, end))
    if default is not None:
        report.read.append(f"calendar {default.name!r}: working days {', '.join(calendar.get('workweek', []))}; "
                           f"{plural(len(calendar.get('holidays', [])), 'holiday')}, "
                           f"{plural(len(calendar.get('exceptions', [])), 'working exception')}")
        others = len(calendars) - 1
        if others:
            report.read.append(f"{plural(others, 'other calendar')} (used by resources where named)")
    ids.note(report)
    count_read(report, plan)
    return plan, report


def _working_minutes(clock: Any, span: tuple[dt.datetime, dt.datetime] | None) -> int | None:
    """Working minutes between a task's start and end on the project calendar, if it can place them."""
    from pmfit.model.workingtime import CalendarError

    if clock is None or span is None:
        return None
    try:
        return max(0, int(clock.offset(span[1]) - clock.offset(span[0])))
    except (CalendarError, ValueError, OverflowError):
        return None


def _resources(root: Element, ids: IdMap, calendars: dict[str, _Calendar], project_calendar: dict[str, Any],
               report: ImportReport) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    groups = {g.get("id", ""): g.get("name", "") for g in root.iter("group")}
    res_ids = IdMap("resource")
    resources: list[dict[str, Any]] = []
    by_raw: dict[str, dict[str, Any]] = {}
    for el in root.iter("resource"):
        rid = res_ids.add(el.get("id"))
        resource: dict[str, Any] = {"id": rid, "name": (el.get("name") or "").strip() or rid}
        if el.get("type") == "2":
            resource["kind"] = "material"
        try:
            rate = float(el.get("std-rate") or 0)
        except ValueError:
            rate = 0.0
        if rate > 0 and rate == rate and rate != float("inf"):
            resource["rate"] = f"{rate:g}/h"
        if groups.get(el.get("group") or ""):
            resource["team"] = groups[el.get("group") or ""]
        cal = calendars.get(el.get("calendar") or "")
        if cal is not None:
            spec = cal.spec(None)
            if {k: v for k, v in spec.items() if k != "name"} != \
                    {k: v for k, v in project_calendar.items() if k != "name"}:
                resource["calendar"] = spec
        resources.append(resource)
        by_raw[el.get("id") or ""] = resource
    needs: dict[str, dict[str, float]] = {}
    skipped = 0
    for alloc in root.iter("allocation"):
        tid = ids.get(alloc.get("task-id"))
        target = by_raw.get(alloc.get("resource-id") or "")
        if tid is None or target is None:
            skipped += 1
            continue
        units = _int(alloc.get("units"), 100) / 100.0
        if units > 0:
            needs.setdefault(tid, {})[target["id"]] = units
            if units > 1:
                target["units"] = max(float(target.get("units", 1.0)), units)
    if skipped:
        report.dropped.append(f"{plural(skipped, 'allocation')} name a task or resource that is not in the file")
    res_ids.note(report)
    return resources, needs


def _write(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    from pmfit.io.plannerwrite import write_planner

    return write_planner(plan, path, schedule)


register(Format("planner", (".planner", ".mrproject"), sniff, read, _write, "GNOME Planner (.planner)"))
