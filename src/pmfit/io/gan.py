"""GanttProject ``.gan`` files: nested tasks and their dependencies at every level, calendar, resources.

What the file holds and how it maps:

- ``<task>`` elements nest; a task with subtasks is a summary task. ``start`` is a
  date, ``duration`` is in working days, ``meeting="true"`` is a milestone.
- ``<depend id="X" type="T" difference="L">`` sits inside the *predecessor* and
  names the successor X. T: 1=SS, 2=FS, 3=FF, 4=SF; L is a lag in days.
  Dependencies are read at every nesting level (MPXJ keeps only top-level ones).
- GanttProject places a task without predecessors where the user put it; pmfit
  keeps that date as a start-no-earlier-than constraint so nothing moves.
- ``<calendars>``: the weekend from ``default-week`` (1 = non-working) and
  ``<date>`` holidays (without a year: every year of the plan).
- ``<resources>``, ``<allocations load="%">`` -> resources and task needs;
  ``<rate name="standard">`` is a day rate; ``<vacations>`` become holidays
  of that resource's calendar; ``<previous>`` baselines become baselines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.safexml import local
from pmfit.io.tabular import (
    IdMap,
    as_date,
    clean_links,
    count_read,
    fail,
    finish_plan,
    parse_xml,
    pin_unlinked_starts,
    plural,
    read_file,
    strip_summary_work,
)
from pmfit.model.diagnostics import Diagnostic
from pmfit.model.plan import Plan

_LINK_TYPES = {"1": "SS", "2": "FS", "3": "FF", "4": "SF"}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PRIORITY = {"3": 100, "0": 300, "1": 500, "2": 700, "4": 900}  # lowest, low, normal, high, highest


def sniff(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf")[:8192]
    if b"<project" not in text or b"mrproject-version" in text:
        return False
    return any(marker in text for marker in (b"gantt-divider-location", b"<taskproperties",
                                             b"<tasks empty-milestones", b"view-date="))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(float(text)) if text not in (None, "") else default  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if value is not None and value == value and abs(value) != float("inf") else None


def _calendar(root: Element, report: ImportReport) -> tuple[dict[str, Any], list[tuple[int | None, int, int, str]]]:
    """Workweek and holiday entries (year or None, month, day, name) from ``<calendars>``."""
    calendar: dict[str, Any] = {}
    entries: list[tuple[int | None, int, int, str]] = []
    cals = next((c for c in root if local(c.tag) == "calendars"), None)
    if cals is None:
        return calendar, entries
    week = next(cals.iter("default-week"), None)
    if week is not None:
        workweek = [d for d in _DAYS if week.get(d, "0" if d not in ("sat", "sun") else "1") == "0"]
        if workweek:
            calendar["workweek"] = workweek
    working_days = 0
    for node in cals:
        if local(node.tag) != "date":
            continue
        kind = (node.get("type") or "HOLIDAY").upper()
        month, day = _int(node.get("month")), _int(node.get("date"))
        year = _int(node.get("year")) or None
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        if kind == "HOLIDAY":
            entries.append((year, month, day, (node.text or "").strip()))
        else:
            working_days += 1
    if working_days:
        report.dropped.append(f"{working_days} calendar days marked other than HOLIDAY (working weekend "
                              "days) not imported")
    base = cals.get("base-id")
    if base and base != "none":
        report.dropped.append(f"GanttProject base calendar {base!r} (a country holiday list) not imported; "
                              "set project.calendar.country to add public holidays")
    return calendar, entries


def _holidays(entries: list[tuple[int | None, int, int, str]], first: int, last: int,
              report: ImportReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    recurring = 0
    for year, month, day, name in entries:
        years = [year] if year else list(range(first, last + 1))
        recurring += year is None
        for y in years:
            try:
                entry: dict[str, Any] = {"date": dt.date(y, month, day)}
            except ValueError:
                continue
            if name:
                entry["name"] = name
            out.append(entry)
    if recurring:
        report.approximated.append(f"{recurring} yearly holidays written out for each year {first}-{last}")
    return out


def read(path: str) -> tuple[Plan, ImportReport]:
    """Read a GanttProject file into a plan and an import report."""
    report = ImportReport("ganttproject", path)
    root = parse_xml(read_file(path), path)
    if local(root.tag) != "project":
        raise fail("unknown_format", f"not a GanttProject file (the root element is <{local(root.tag)}>)", path)
    tasks_el = next((c for c in root if local(c.tag) == "tasks"), None)
    ids = IdMap("task")
    tasks: list[dict[str, Any]] = []
    starts: dict[str, dt.date] = {}
    raw_days: dict[str, int] = {}
    raw_links: list[tuple[str, str, dict[str, Any]]] = []
    strong = 0
    custom_names: dict[str, str] = {}
    custom_values: dict[str, int] = {}
    progress: dict[str, dict[str, Any]] = {}
    summary_progress = 0
    no_start = 0
    priorities = 0
    if tasks_el is not None:
        for prop in tasks_el.iter("taskproperty"):
            if prop.get("type") == "custom":
                custom_names[prop.get("id", "")] = prop.get("name", prop.get("id", ""))

    def walk(node: Element, parent: str | None, depth: int) -> None:
        nonlocal strong, summary_progress, no_start, priorities
        for el in node:
            if local(el.tag) != "task":
                continue
            tid = ids.add(el.get("id"))
            task: dict[str, Any] = {"id": tid, "name": (el.get("name") or "").strip() or tid}
            if parent is not None:
                task["parent"] = parent
            start = _date(el.get("start"))
            if start is None:
                no_start += 1
            else:
                starts[tid] = start
            days = max(0, _int(el.get("duration"), 0))
            raw_days[tid] = 0 if el.get("meeting") == "true" else days
            milestone = el.get("meeting") == "true"
            subtasks = [c for c in el if local(c.tag) == "task"]
            if milestone:
                task["milestone"] = True
                task["duration"] = "0d"
            elif not subtasks:
                task["duration"] = f"{days}d"
            complete = _int(el.get("complete"), 0)
            if complete > 0:
                if subtasks:
                    summary_progress += 1
                else:
                    progress[tid] = {"percent": min(100, complete), "start": start, "days": days}
            if el.get("priority") in _PRIORITY and el.get("priority") != "1":
                task["priority"] = _PRIORITY[el.get("priority", "1")]
                priorities += 1
            third = _date(el.get("thirdDate"))
            if third is not None and el.get("thirdDate-constraint") == "1":
                task["constraint"] = {"type": "SNET", "date": third}
            cost = _float(el.get("cost-manual-value"))
            if cost and cost > 0 and el.get("cost-calculated") != "true":
                task["cost"] = cost
            for child in el:
                tag = local(child.tag)
                if tag == "notes" and (child.text or "").strip():
                    task["notes"] = (child.text or "").strip()
                elif tag == "depend":
                    kind = _LINK_TYPES.get(child.get("type", "2"), "FS")
                    lag = _int(child.get("difference"), 0)
                    link: dict[str, Any] = {"type": kind}
                    if lag:
                        link["lag"] = f"{lag}d"
                    rubber = child.get("hardness", "Strong") != "Strong"
                    strong += not rubber
                    raw_links.append((el.get("id") or "", child.get("id") or "", link | {"_rubber": rubber}))
                elif tag == "customproperty":
                    key = child.get("taskproperty-id", "")
                    custom_values[key] = custom_values.get(key, 0) + 1
            tasks.append(task)
            if depth < 200:
                walk(el, tid, depth + 1)

    if tasks_el is not None:
        walk(tasks_el, None, 0)
    by_id = {t["id"]: t for t in tasks}
    unknown_links = 0
    for pred_raw, succ_raw, link in raw_links:
        pred, succ = ids.get(pred_raw), ids.get(succ_raw)
        if succ is None or pred is None:
            unknown_links += 1
            continue
        rubber = link.pop("_rubber")
        by_id[succ].setdefault("after", []).append({"task": pred, **link})
        if rubber:
            report.task_causes.setdefault(succ, []).append(
                f"a 'rubber' dependency on '{pred}': GanttProject lets this task sit later than it requires")
    if unknown_links:
        report.dropped.append(f"{plural(unknown_links, 'dependency')} name a task id that is not in the file")

    project_start = min(starts.values()) if starts else None
    if project_start is None:
        if tasks:
            raise fail("missing_field", "no task in the file has a start date, so the plan has no start", path)
        held = sum(1 for _ in root.iter("resource"))
        # A resource pool (GanttProject shares one between projects): its people, rates, calendar and
        # vacations are read; the start is the day the file was viewed, else its first vacation.
        pool_dates = [d for d in [_date(root.get("view-date"))] + [_date(v.get("start")) for v in root.iter("vacation")]
                      if d is not None]
        project_start = pool_dates[0] if pool_dates else dt.date(dt.date.today().year, 1, 1)
        report.read.append(f"a resource pool: {plural(held, 'resource')} and no tasks" if held
                           else "no tasks and no resources (a calendar only)")
    last = (max(starts.values()) if starts else project_start).year + 1

    # A task without predecessors (its own or its summaries') stays where the user put it.
    pinned = pin_unlinked_starts(tasks, starts, as_date(project_start))
    if pinned:
        report.approximated.append("start-no-earlier-than constraints keep the start date of "
                                   f"{plural(pinned, 'task')} without predecessors (GanttProject places them by hand)")
    if strong:
        report.approximated.append(plural(strong, "'strong' dependency") + " (the successor sits exactly at the "
                                   "lag) kept as ordinary at-least dependencies")

    calendar, entries = _calendar(root, report)
    holidays = _holidays(entries, project_start.year, last, report)
    if holidays:
        calendar["holidays"] = holidays

    resources, needs_by_task = _resources(root, ids, calendar, report)
    for tid, needs in needs_by_task.items():
        by_id[tid]["needs"] = needs

    name = (root.get("name") or "").strip() or Path(path).stem
    project: dict[str, Any] = {"name": name, "start": project_start}
    if calendar:
        project["calendar"] = calendar
    description = next((c for c in root if local(c.tag) == "description"), None)
    if description is not None and (description.text or "").strip():
        project["description"] = (description.text or "").strip()
    if root.get("company"):
        project["organisation"] = root.get("company")

    data: dict[str, Any] = {"project": project, "resources": resources, "tasks": tasks}
    dates = _file_dates(calendar, project_start, raw_days, starts)
    finishes = {k: v[1] for k, v in dates.items()}
    if progress:
        records: dict[str, Any] = {}
        for tid, info in progress.items():
            if info["start"] is None:
                continue
            record: dict[str, Any] = {"percent_complete": float(info["percent"]), "actual_start": info["start"]}
            if info["percent"] >= 100:
                record["actual_finish"] = finishes.get(tid, info["start"])
                if raw_days.get(tid, 0) == 0 and tid in dates:
                    # a finished milestone happened at one instant: where GanttProject draws it
                    # (the end of the previous working day), not at the start of its day
                    record["actual_start"] = record["actual_finish"] = dates[tid][0]
            records[tid] = record
        if records:
            data["progress"] = {"tasks": records}
            report.approximated.append(f"{plural(len(records), 'task')} with % complete: GanttProject stores no actual "
                                       "dates, so their planned start is taken as the actual start")
    if summary_progress:
        report.dropped.append(f"% complete of {summary_progress} summary tasks not kept (it rolls up)")
    baselines = _baselines(root, ids, calendar, project_start, report)
    if baselines:
        data["baselines"] = baselines
    strip_summary_work(tasks, report)
    clean_links(tasks, report, what="dependency")
    if custom_values:
        for key, count in custom_values.items():
            label = custom_names.get(key, key)
            report.dropped.append(f"custom column {label!r} not imported ({plural(count, 'task')} with a value)")
    if no_start:
        report.approximated.append(f"{no_start} tasks without a start date are scheduled from the project start")
    report.read.append("calendar: working days " + ", ".join(calendar.get("workweek", _DAYS[:5]))
                       + f"; {plural(len(holidays), 'holiday')}")
    if priorities:
        report.read.append(f"{priorities} task priorities")
    report.dropped.append("display settings (colours, column layout, zoom) not imported")
    if tasks:
        plan = finish_plan(data, report, path)
    else:  # a resource pool: the plan is valid without tasks, and says so
        plan = Plan.model_validate(data)
        report.warnings.append(Diagnostic("no_tasks", "the file has no tasks (a resource pool: its resources and "
                                          "calendar were read)", severity="warning", file=path))
    for tid, span in dates.items():
        report.file_dates[tid] = span
    ids.note(report)
    count_read(report, plan)
    return plan, report


def _file_dates(calendar: dict[str, Any], origin: dt.date, days: dict[str, int],
                starts: dict[str, dt.date]) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Start and finish of each task as GanttProject shows them: start + duration working days."""
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.workingtime import CalendarError, WorkingTime

    out: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    try:
        clock = WorkingTime(CalendarSpec.model_validate(calendar), origin)
        for tid, start in starts.items():
            begin = clock.offset(start)
            first = clock.start_at(begin)
            length = days.get(tid, 0) * clock.minutes_per_day
            if length <= 0 and begin > 0:  # a milestone sits at the end of the previous working day
                first = clock.finish_at(begin)
            out[tid] = (first, clock.finish_at(begin + length) if length > 0 else first)
    except (CalendarError, ValueError, OverflowError):
        return {}
    return out


def _resources(root: Element, ids: IdMap, calendar: dict[str, Any],
               report: ImportReport) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    roles = {r.get("id", ""): r.get("name", "") for r in root.iter("role")}
    res_ids = IdMap("resource")
    resources: list[dict[str, Any]] = []
    by_raw: dict[str, dict[str, Any]] = {}
    default_roles = 0
    for el in root.iter("resource"):
        rid = res_ids.add(el.get("id"))
        resource: dict[str, Any] = {"id": rid, "name": (el.get("name") or "").strip() or rid}
        function = el.get("function") or ""
        if function.startswith("Default:"):
            default_roles += 1
        elif roles.get(function):
            resource["skills"] = [roles[function]]
        for rate in el.iter("rate"):
            value = _float(rate.get("value"))
            if rate.get("name", "standard") == "standard" and value is not None and value >= 0:
                resource["rate"] = f"{value:g}/d"
        resources.append(resource)
        by_raw[el.get("id") or ""] = resource
    if default_roles:
        report.dropped.append(f"{plural(default_roles, 'resource')} with a built-in GanttProject role: role "
                              "not imported")
    vacations = 0
    for vac in root.iter("vacation"):
        owner = by_raw.get(vac.get("resourceid") or "")
        start, end = _date(vac.get("start")), _date(vac.get("end"))
        if owner is None or start is None:
            continue
        end = end if end is not None and end >= start else start
        cal = owner.setdefault("calendar", {k: v for k, v in calendar.items() if k != "holidays"}
                                  | {"holidays": list(calendar.get("holidays", []))})
        cal["holidays"].append({"date": start, "until": end, "name": "vacation"})
        vacations += 1
    if vacations:
        report.read.append(f"{plural(vacations, 'resource vacation')} (as holidays on the resource's calendar)")
    needs: dict[str, dict[str, float]] = {}
    skipped = 0
    for alloc in root.iter("allocation"):
        tid = ids.get(alloc.get("task-id"))
        target = by_raw.get(alloc.get("resource-id") or "")
        load = _float(alloc.get("load"))
        if tid is None or target is None:
            skipped += 1
            continue
        units = (load if load is not None else 100.0) / 100.0
        if units <= 0:
            continue
        needs.setdefault(tid, {})[target["id"]] = round(units, 6)
        if units > 1:
            target["units"] = max(float(target.get("units", 1.0)), units)
    if skipped:
        report.dropped.append(f"{skipped} allocations name a task or resource that is not in the file")
    res_ids.note(report)
    return resources, needs


def _baselines(root: Element, ids: IdMap, calendar: dict[str, Any], origin: dt.date,
               report: ImportReport) -> list[dict[str, Any]]:
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.workingtime import CalendarError, WorkingTime

    out: list[dict[str, Any]] = []
    try:
        clock = WorkingTime(CalendarSpec.model_validate(calendar), origin)
    except (CalendarError, ValueError):
        return out
    for block in root.iter("previous-tasks"):
        tasks: dict[str, Any] = {}
        for el in block.iter("previous-task"):
            tid, start = ids.get(el.get("id")), _date(el.get("start"))
            if tid is None or start is None:
                continue
            days = max(0, _int(el.get("duration"), 0))
            try:
                begin = clock.offset(start)
                tasks[tid] = {"start": clock.start_at(begin),
                              "finish": clock.finish_at(begin + days * clock.minutes_per_day),
                              "duration": f"{days}d"}
            except (CalendarError, ValueError, OverflowError):
                report.dropped.append(f"baseline {block.get('name') or ''!r}: task {tid!r} has dates the "
                                      "calendar cannot place")
        if tasks:
            out.append({"name": block.get("name") or f"baseline {len(out) + 1}", "tasks": tasks})
    if out:
        report.read.append(f"{len(out)} baseline{'s' if len(out) > 1 else ''} "
                           f"({', '.join(b['name'] for b in out)})")
    return out


def _write(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    from pmfit.io.ganwrite import write_gan

    return write_gan(plan, path, schedule)


register(Format("ganttproject", (".gan",), sniff, read, _write, "GanttProject (.gan)"))
