"""iCalendar (``.ics``, RFC 5545): read events and to-dos as tasks, write a plan's schedule as events.

Reading:

- each ``VEVENT`` and ``VTODO`` is a task (id from ``UID``, name from ``SUMMARY``); ``VJOURNAL``,
  ``VFREEBUSY`` and alarms are not tasks and are listed as dropped;
- ``DTSTART`` .. ``DTEND`` / ``DUE`` / ``DURATION`` give the dates; the duration is the working
  time in between (all-day events: working days; events within a day: their hours). Times are
  kept as the wall-clock time written in the file (its ``TZID`` or UTC), which the report notes;
- an event without predecessors keeps its start as a start-no-earlier-than constraint (a calendar
  entry sits where it was put); an event without an end is a milestone;
- ``RELATED-TO`` is the only link iCalendar has: ``RELTYPE=PARENT`` (the default) and ``CHILD``
  give the summary task; ``DEPENDS-ON`` and RFC 9253's ``FINISHTOSTART``, ``STARTTOSTART``,
  ``FINISHTOFINISH``, ``STARTTOFINISH`` (with ``GAP`` as lag) are dependencies on the referenced
  component (read, as RFC 9253 and task apps use them, from the waiting component's side);
  ``SIBLING`` and other types are not dependencies and are dropped with that reason;
- ``RRULE`` repeats are not expanded: the first occurrence is the task.

Writing (:func:`write_ics`): pmfit's schedule as one ``VEVENT`` per task with floating local
times, ``CATEGORIES`` Task / Milestone / Summary, the parent and the dependencies as
``RELATED-TO`` (RFC 9253 types and ``GAP``), and ``X-PMFIT-DURATION`` with the exact working
duration so that reading the file back gives the same plan.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.tabular import (
    IdMap,
    as_date,
    as_datetime,
    clean_links,
    count_read,
    decode_text,
    fail,
    finish_plan,
    parse_duration,
    pin_unlinked_starts,
    plural,
    read_file,
    strip_summary_work,
)
from pmfit.io.yamlplan import save_atomic
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan

MAX_DEPTH = 20
_TEMPORAL = {"FINISHTOSTART": "FS", "STARTTOSTART": "SS", "FINISHTOFINISH": "FF", "STARTTOFINISH": "SF",
             "DEPENDS-ON": "FS"}
_SUFFIX = "@pmfit"


def sniff(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").lstrip()[:15].upper().startswith(b"BEGIN:VCALENDAR")


# ---- parsing ----------------------------------------------------------------
class Component:
    """One ``BEGIN:X`` .. ``END:X`` block: its properties (name, params, value, line) and children."""

    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.line = line
        self.props: list[tuple[str, dict[str, str], str, int]] = []
        self.children: list[Component] = []

    def get(self, name: str) -> tuple[dict[str, str], str] | None:
        for key, params, value, _ in self.props:
            if key == name:
                return params, value
        return None

    def all(self, name: str) -> list[tuple[dict[str, str], str]]:
        return [(params, value) for key, params, value, _ in self.props if key == name]


def _split_line(line: str) -> tuple[str, dict[str, str], str] | None:
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:i], line[i + 1:]
            break
    else:
        return None
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    if not parts:
        return None
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        params[key.strip().upper()] = val.strip().strip('"')
    return parts[0].strip().upper(), params, value


def parse_ics(text: str, filename: str | None = None) -> list[Component]:
    """The top-level components of iCalendar text (raises PlanError ``bad_file`` with the line)."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    roots: list[Component] = []
    stack: list[Component] = []
    for number, line in lines:
        parsed = _split_line(line)
        if parsed is None:
            raise fail("bad_file", f"not an iCalendar line: {line[:60]!r}", filename, number)
        name, params, value = parsed
        if name == "BEGIN":
            if len(stack) >= MAX_DEPTH:
                raise fail("bad_file", f"components nested deeper than {MAX_DEPTH} levels", filename, number)
            comp = Component(value.strip().upper(), number)
            (stack[-1].children if stack else roots).append(comp)
            stack.append(comp)
        elif name == "END":
            if not stack or stack[-1].name != value.strip().upper():
                expected = stack[-1].name if stack else "nothing"
                raise fail("bad_file", f"END:{value.strip()[:30]} where END:{expected} was expected", filename,
                           number)
            stack.pop()
        elif stack:
            stack[-1].props.append((name, params, value, number))
        else:
            raise fail("bad_file", f"property {name[:30]} outside any BEGIN/END block", filename, number)
    if stack:
        raise fail("bad_file", f"the file ends inside {stack[-1].name} (BEGIN on line {stack[-1].line} has no END)",
                   filename, stack[-1].line)
    if not roots or roots[0].name != "VCALENDAR":
        raise fail("unknown_format", "not an iCalendar file (no BEGIN:VCALENDAR)", filename, 1)
    return roots


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n") \
        .replace("\n", "\\n")


def _moment(params: dict[str, str], value: str) -> tuple[dt.date | dt.datetime, bool]:
    """A DATE or DATE-TIME value and whether it was UTC (``Z``)."""
    text = value.strip().split(",")[0]
    if params.get("VALUE", "").upper() == "DATE" or re.fullmatch(r"\d{8}", text):
        return dt.datetime.strptime(text[:8], "%Y%m%d").date(), False
    match = re.fullmatch(r"(\d{8})T(\d{4})(\d{2})?(Z?)", text)
    if not match:
        raise ValueError(text)
    stamp = dt.datetime.strptime(match[1] + match[2] + (match[3] or "00"), "%Y%m%d%H%M%S")
    return stamp, bool(match[4])


def _weekdays(first: dt.date, last_exclusive: dt.date) -> int:
    days = (last_exclusive - first).days
    if days > 366 * 50:
        return days
    return sum(1 for i in range(days) if (first + dt.timedelta(days=i)).weekday() < 5)


def _length(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Duration:
    """Working time between two moments, as a planner would count it (Mon-Fri, 8h days)."""
    if not isinstance(start, dt.datetime) and not isinstance(end, dt.datetime):
        return Duration(max(0, _weekdays(start, end)), "d")
    a, b = (start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time(0)),
            end if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time(0)))
    if a.date() == b.date():
        minutes = min(480, max(0, int((b - a).total_seconds() // 60)))
        return Duration.from_minutes(minutes)
    last = b.date() if b.time() > dt.time(0) else b.date() - dt.timedelta(days=1)
    return Duration(max(1, _weekdays(a.date(), last + dt.timedelta(days=1))), "d")


def read(path: str) -> tuple[Plan, ImportReport]:
    """Read an iCalendar file's events and to-dos into a plan and an import report."""
    report = ImportReport("icalendar", path)
    text = decode_text(read_file(path), path, report)
    roots = parse_ics(text, path)
    items: list[Component] = []
    skipped: dict[str, int] = {}
    calendar_name = None
    for root in roots:
        named = root.get("X-WR-CALNAME")
        if named and calendar_name is None:
            calendar_name = unescape(named[1]).strip() or None
        for comp in root.children:
            if comp.name in ("VEVENT", "VTODO"):
                items.append(comp)
            elif comp.name != "VTIMEZONE":
                skipped[comp.name] = skipped.get(comp.name, 0) + 1
    for name, count in sorted(skipped.items()):
        report.dropped.append(f"{plural(count, name)} (not an event or to-do) not imported")
    if not items:
        raise fail("no_tasks", "the calendar has no events or to-dos", path)

    ids = IdMap("event")
    tasks: list[dict[str, Any]] = []
    uid_of: dict[str, str] = {}
    dates: dict[str, tuple[Any, Any]] = {}
    relations: list[tuple[str, dict[str, str], str, int]] = []
    bad: list[str] = []
    utc = zoned = repeats = from_ical = 0
    derived: set[str] = set()
    for comp in items:
        uid_prop = comp.get("UID")
        uid = unescape(uid_prop[1]).strip() if uid_prop else ""
        raw = uid[:-len(_SUFFIX)] if uid.endswith(_SUFFIX) else uid
        tid = ids.add(raw if raw else None)
        if uid:
            uid_of.setdefault(uid, tid)
        summary = comp.get("SUMMARY")
        task: dict[str, Any] = {"id": tid, "name": (unescape(summary[1]).strip() if summary else "") or tid}
        description = comp.get("DESCRIPTION")
        if description and unescape(description[1]).strip():
            task["notes"] = unescape(description[1]).strip()
        moments: dict[str, dt.date | dt.datetime] = {}
        for key in ("DTSTART", "DTEND", "DUE"):
            prop = comp.get(key)
            if prop is None:
                continue
            try:
                moments[key], was_utc = _moment(*prop)
            except ValueError:
                bad.append(f"line {comp.line} {key} {prop[1][:30]!r}")
                continue
            utc += was_utc
            zoned += "TZID" in prop[0]
        start = moments.get("DTSTART")
        end = moments.get("DTEND") or (moments.get("DUE") if comp.name == "VTODO" and start is not None else None)
        length = comp.get("DURATION")
        if end is None and length is not None and start is not None:
            try:
                parsed = parse_duration(length[1])
            except ValueError:
                parsed = None
                bad.append(f"line {comp.line} DURATION {length[1][:30]!r}")
            if parsed is not None:
                minutes = parsed[0].minutes(1440, 7)  # iCalendar durations are elapsed time
                try:
                    end = as_datetime(start) + dt.timedelta(minutes=max(0, minutes))
                except OverflowError:
                    bad.append(f"line {comp.line} DURATION {length[1][:30]!r}")
        if comp.name == "VTODO" and "DUE" in moments and start is None:
            task["deadline"] = moments["DUE"]
        exact = comp.get("X-PMFIT-DURATION")
        categories = {c.strip().lower() for _, v in comp.all("CATEGORIES") for c in unescape(v).split(",")}
        if start is not None and end is not None and as_datetime(end) < as_datetime(start):
            bad.append(f"line {comp.line} ends before it starts")
            end = None
        milestone = (comp.get("X-PMFIT-MILESTONE") is not None or "milestone" in categories
                     or (start is not None and end is None and isinstance(start, dt.datetime))
                     or (start is not None and end is not None and as_datetime(end) == as_datetime(start)))
        if exact is not None:
            try:
                given = Duration.parse(exact[1].strip())
                if given.is_negative:
                    raise ValueError("negative")
                task["duration"] = str(given)
                from_ical += 1
            except ValueError:
                bad.append(f"line {comp.line} X-PMFIT-DURATION {exact[1][:30]!r}")
        if milestone:
            task["milestone"] = True
            task.setdefault("duration", "0d")
        elif "duration" not in task:
            try:
                if start is not None and end is None:
                    end = start + dt.timedelta(days=1)  # an all-day event without an end lasts that day
                task["duration"] = str(_length(start, end)) if start is not None and end is not None else "0d"
            except OverflowError:
                bad.append(f"line {comp.line} dates at the end of the calendar")
                task["duration"] = "0d"
            derived.add(tid)
        if start is not None:
            dates[tid] = (start, end if end is not None else start)
        if comp.get("RRULE") or comp.get("RDATE"):
            repeats += 1
        status = comp.get("STATUS")
        tags = [c for c in (c.strip() for _, v in comp.all("CATEGORIES") for c in unescape(v).split(","))
                if c and c.lower() not in ("task", "milestone", "summary")]
        if status:
            tags.append(f"status: {status[1].strip().lower()}")
        if tags:
            task["tags"] = tags
        priority = comp.get("PRIORITY")
        if priority and priority[1].strip().isascii() and priority[1].strip().isdigit() and len(priority[1].strip()) < 3 \
                and 1 <= int(priority[1].strip()) <= 9:
            task["priority"] = 1000 - int(priority[1].strip()) * 100
        for params, value in comp.all("RELATED-TO"):
            relations.append((tid, params, unescape(value).strip(), comp.line))
        tasks.append(task)

    by_id = {t["id"]: t for t in tasks}
    dropped_kinds: dict[str, int] = {}
    unknown: list[str] = []
    for tid, params, other_uid, _line in relations:
        kind = params.get("RELTYPE", "PARENT").upper()
        other = uid_of.get(other_uid) or uid_of.get(other_uid.strip("<>"))
        if kind not in ("PARENT", "CHILD") and kind not in _TEMPORAL:
            dropped_kinds[kind] = dropped_kinds.get(kind, 0) + 1
            continue
        if other is None:
            unknown.append(f"{tid} {kind} {other_uid[:40]}")
            continue
        if kind == "PARENT":
            by_id[tid]["parent"] = other
        elif kind == "CHILD":
            by_id[other].setdefault("parent", tid)
        else:
            link: dict[str, Any] = {"task": other, "type": _TEMPORAL[kind]}
            if params.get("GAP"):
                try:
                    gap = parse_duration(params["GAP"])
                except ValueError:
                    gap = None
                if gap is not None and gap[0].amount != 0:
                    link["lag"] = str(gap[0])
            by_id[tid].setdefault("after", []).append(link)
    for kind, count in sorted(dropped_kinds.items()):
        report.dropped.append(f"{plural(count, 'RELATED-TO')} of type {kind} (not a parent or a dependency)")
    if unknown:
        report.dropped.append(f"{plural(len(unknown), 'RELATED-TO')} naming a UID that is not in the file: "
                              + ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else ""))
    _parent_cycles(tasks, report)
    parents = {t.get("parent") for t in tasks if t.get("parent")}
    for task in tasks:
        if task["id"] in parents and task["id"] in derived:
            task.pop("duration", None)  # a summary's length comes from its subtasks
    derived -= parents
    strip_summary_work(tasks, report, what="parent event")
    clean_links(tasks, report, break_cycles=True, what="dependency")

    starts = [s for s, _ in dates.values()]
    if starts:
        first = min(starts, key=as_datetime)
        project_start = as_date(first)
        origin: dt.date | dt.datetime = first
    else:
        project_start = origin = dt.date.today()
        report.approximated.append("no event has a start date: the project starts today")
    begins = {tid: start for tid, (start, _) in dates.items() if start is not None}
    pinned = pin_unlinked_starts(tasks, begins, project_start)
    if pinned:
        report.approximated.append("start-no-earlier-than constraints keep the start of "
                                   f"{plural(pinned, 'event')} without predecessors")
    if utc:
        report.approximated.append(f"{plural(utc, 'UTC time')} kept as UTC wall-clock times")
    if zoned:
        report.approximated.append(f"{plural(zoned, 'time')} with a TZID kept as that zone's wall-clock time")
    if repeats:
        report.dropped.append(f"{plural(repeats, 'repeating event')}: only the first occurrence imported")
    if derived:
        report.approximated.append("event lengths taken as working time (Mon-Fri, 8h days): an all-day event "
                                   "lasts its working days, a timed one its hours")
    if bad:
        report.dropped.append(f"{plural(len(bad), 'value')} that could not be read: " + "; ".join(bad[:5]))
    project = {"name": calendar_name or Path(path).stem, "start": origin}
    plan = finish_plan({"project": project, "tasks": tasks}, report, path)
    report.file_dates.update(dates)
    for tid in derived & set(dates):
        report.task_causes.setdefault(tid, []).append(
            "the event's length was taken as working time on a Mon-Fri, 8-hour calendar")
    ids.note(report)
    count_read(report, plan)
    return plan, report


def _parent_cycles(tasks: list[dict[str, Any]], report: ImportReport) -> None:
    parent = {t["id"]: t.get("parent") for t in tasks}
    by_id = {t["id"]: t for t in tasks}
    for tid in list(parent):
        seen = {tid}
        node = parent.get(tid)
        while node is not None:
            if node in seen:
                by_id[tid].pop("parent", None)
                parent[tid] = None
                report.dropped.append(f"RELATED-TO parents of {tid!r} go round in a circle: kept at the top level")
                break
            seen.add(node)
            node = parent.get(node)


# ---- writing ----------------------------------------------------------------
def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not parts else 74):
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _stamp(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _iso_duration(duration: Duration) -> str:
    sign = "-" if duration.amount < 0 else ""
    amount = abs(duration.amount)
    text = f"{amount:g}"
    if duration.unit == "d":
        return f"{sign}P{text}D"
    if duration.unit == "w":
        return f"{sign}P{text}W"
    if duration.unit == "mo":
        return f"{sign}P{amount * 20:g}D"
    return f"{sign}PT{text}{'H' if duration.unit == 'h' else 'M'}"


def ics_text(plan: Plan, stamp: dt.datetime | None = None, schedule: Any = None) -> str:
    """The plan's schedule as iCalendar text (see the module doc); dates from ``schedule`` (the
    caller's current schedule; an iCalendar file holds nothing else, so a plan that cannot be
    scheduled raises the reason it cannot)."""
    from pmfit.io.current import Unscheduled, current_schedule

    if isinstance(schedule, Unscheduled):
        raise schedule.error
    sched = current_schedule(plan, schedule, "iCalendar")
    assert sched is not None
    now = (stamp or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    summaries = plan.summary_ids()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//pmfit//pmfit plan export//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(plan.project.name)}"]
    for task in plan.tasks:
        timing = sched.tasks.get(task.id)
        if timing is None:
            continue
        kind = "Summary" if task.id in summaries else "Milestone" if timing.milestone else "Task"
        lines += ["BEGIN:VEVENT", f"UID:{escape(task.id)}{_SUFFIX}", f"DTSTAMP:{now}",
                  f"SUMMARY:{escape(task.name)}", f"DTSTART:{_stamp(timing.start)}"]
        if kind != "Milestone" and timing.finish > timing.start:
            lines.append(f"DTEND:{_stamp(timing.finish)}")
        categories = [kind, *(t.replace(",", " ") for t in task.tags)]
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in categories))
        if kind == "Milestone":
            lines.append("X-PMFIT-MILESTONE:TRUE")
        elif kind == "Task":
            lines.append(f"X-PMFIT-DURATION:{task.planned_duration()}")
        if task.notes:
            lines.append(f"DESCRIPTION:{escape(task.notes)}")
        if task.parent is not None:
            lines.append(f"RELATED-TO;RELTYPE=PARENT:{escape(task.parent)}{_SUFFIX}")
        for link in task.after:
            reltype = {"FS": "FINISHTOSTART", "SS": "STARTTOSTART", "FF": "FINISHTOFINISH",
                       "SF": "STARTTOFINISH"}[link.type.value]
            gap = f";GAP={_iso_duration(link.lag)}" if link.lag.amount != 0 else ""
            lines.append(f"RELATED-TO;RELTYPE={reltype}{gap}:{escape(link.task)}{_SUFFIX}")
        lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def write_ics(plan: Plan, path: str, stamp: dt.datetime | None = None, schedule: Any = None) -> None:
    """Write the plan's schedule as an iCalendar file (tasks and milestones as events), atomically."""
    save_atomic(ics_text(plan, stamp, schedule).encode("utf-8"), path)


def _write(plan: Plan, path: str, schedule: Any = None) -> None:
    write_ics(plan, path, schedule=schedule)


register(Format("icalendar", (".ics", ".ical", ".ifb"), sniff, read, _write,
                "iCalendar (.ics): events and to-dos in, the schedule out"))
