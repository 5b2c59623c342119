"""MS Project XML (MSPDI): the hub format MS Project, ProjectLibre and GanttProject open.

Reading keeps tasks and their outline (summary tasks), milestones, all four link
types with lag, constraints and deadlines, the project calendar (work week,
working times, exceptions, dated work weeks), resource calendars, resources,
assignments (units), baselines 0..10, actuals and percent complete. What the plan
model cannot carry is listed in the import report: elapsed and percentage lags
(converted to working time), task calendars, manually scheduled tasks, custom
fields, cost-per-use, per-weekday hours that differ.

Writing produces a file MS Project 2010+ and MPXJ-based tools read: elements in
schema order, dates from pmfit's own schedule, and the pmfit ids kept in a Text1
custom field named "pmfit id" so that a plan survives MSPDI -> plan -> MSPDI.

Codes used by the format: ``PredecessorLink/Type`` 0=FF 1=FS 2=SF 3=SS;
``LinkLag`` in tenths of a minute; ``LagFormat`` 3=m 4=em 5=h 6=eh 7=d 8=ed 9=w
10=ew 11=mo 12=emo 19=% 20=e% (+32: estimated); ``ConstraintType`` 0=ASAP 1=ALAP
2=MSO 3=MFO 4=SNET 5=SNLT 6=FNET 7=FNLT; ``WeekDay/DayType`` 1=Sunday .. 7=Saturday,
0=exception; resource ``Type`` 0=material 1=work 2=cost.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.importcheck import (
    Tally,
    calendar_data,
    calendar_week,
    clean_id,
    drop_custom_fields,
    finish_import,
    minutes_of_day,
    parse_xml,
)
from pmfit.io.safexml import local, read_bytes
from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.duration import MAX_MINUTES

if TYPE_CHECKING:
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.plan import Plan

NS = "http://schemas.microsoft.com/project"
LINK_BY_CODE = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
CODE_BY_LINK = {v: k for k, v in LINK_BY_CODE.items()}
CONSTRAINT_BY_CODE = {"0": "ASAP", "1": "ALAP", "2": "MSO", "3": "MFO", "4": "SNET", "5": "SNLT",
                      "6": "FNET", "7": "FNLT"}
CODE_BY_CONSTRAINT = {v: k for k, v in CONSTRAINT_BY_CODE.items()}
WEEKDAY_BY_DAYTYPE = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}
DAYTYPE_BY_WEEKDAY = {v: k for k, v in WEEKDAY_BY_DAYTYPE.items()}
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20}
PERCENT_FORMATS = {19, 20}
PMFIT_ID_ALIAS = "pmfit id"
TASK_TEXT1 = "188743731"
RESOURCE_TEXT1 = "205520904"
_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


# ---- small parsers ---------------------------------------------------------
def parse_duration(text: str | None) -> float | None:
    """``PT8H30M0S`` -> 510.0 working minutes (None when absent or not a duration)."""
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if not match:
        return None
    sign, years, months, days, hours, minutes, seconds = match.groups()
    total = (float(years or 0) * 525600 + float(months or 0) * 43200 + float(days or 0) * 1440
             + float(hours or 0) * 60 + float(minutes or 0) + float(seconds or 0) / 60)
    if not total <= MAX_MINUTES:  # P99999...D: held beyond any calendar, which then refuses it naming the task
        total = float(MAX_MINUTES)
    return -total if sign else total


def parse_datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is None else value.replace(tzinfo=None)


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(float(text)) if text not in (None, "") else default  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default


def _float(text: str | None, default: float = 0.0) -> float:
    try:
        value = float(text) if text not in (None, "") else default  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return value if value == value and abs(value) != float("inf") else default


def _bool(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true")


_REPEATED = frozenset({"PredecessorLink", "ExtendedAttribute", "Baseline", "WeekDay", "Exception",
                       "WorkWeek", "OutlineCode", "TimephasedData"})
_LOCAL: dict[str, str] = {}
#: The fields the reader reads as text: one holding elements (``<Duration>PT8H<b/></Duration>``) is refused.
_TEXT_FIELDS = frozenset(
    ["ActualCost", "ActualFinish", "ActualStart", "Alias", "ConstraintDate", "Cost", "CostPerUse", "CrossProject", "CurrencyCode", "DayWorking", "Deadline", "Duration", "DurationFormat", "FieldName", "Finish", "FixedCost", "FromDate", "Group", "IsBaseCalendar", "IsCostResource", "IsNull", "LagFormat", "LevelingDelay", "LinkLag", "Manual", "ManualDuration", "MaxUnits", "Milestone", "MinutesPerDay", "Name", "Notes", "Number", "OutlineLevel", "PercentComplete", "Priority", "Recurring", "RemainingDuration", "StandardRate", "Start", "StartDate", "StatusDate", "Title", "ToDate", "Units", "Value", "Work", "UID", "ID", "Type", "PredecessorUID", "FieldID", "DayType", "TaskUID", "ResourceUID", "BaseCalendarUID", "CalendarUID", "ConstraintType", "OutlineNumber", "WBS", "Summary"])


def _not_text(element: Element, tag: str, child: Element) -> PlanError:
    """A text field holding elements: refused, naming the field and the element it is in."""
    uid = next((c.text for c in element if local(c.tag) == "UID"), None)
    where = f"<{local(element.tag)}>" + (f" UID {str(uid).strip()[:20]}" if uid else "")
    return PlanError(Diagnostic("bad_xml", f"{where}: <{tag}> holds the element <{local(child[0].tag)}> "
                                f"where MS Project writes text"))


def _fields(element: Element) -> dict[str, Any]:
    """Children by local tag; repeated tags become lists, text for leaf elements."""
    out: dict[str, Any] = {}
    names = _LOCAL
    for child in element:
        tag = names.get(child.tag)
        if tag is None:
            tag = names[child.tag] = local(child.tag)
        if tag in _REPEATED:
            out.setdefault(tag, []).append(child)
        elif len(child):
            if tag in _TEXT_FIELDS:
                raise _not_text(element, tag, child)
            out[tag] = child
        else:
            out[tag] = child.text or ""
    return out


FORMAT_UNITS = {3: "m", 5: "h", 7: "d", 9: "w", 11: "mo"}
UNIT_FORMATS = {v: k for k, v in FORMAT_UNITS.items()}


def _in_format(minutes: float, mpd: int, dpw: int, duration_format: int) -> str | None:
    """The duration in the unit the file shows it in (``2.5d`` rather than ``20h``), when exact."""
    base = duration_format - 32 if duration_format > 32 else duration_format
    unit = FORMAT_UNITS.get(base)
    if unit is None:
        return None
    per = {"m": 1, "h": 60, "d": mpd, "w": mpd * dpw, "mo": mpd * 20}[unit]
    amount = minutes / per
    if amount != round(amount, 3) or amount < 0:
        return None
    from pmfit.model.duration import Duration

    return str(Duration(amount, unit))  # never 1.25e+07d, which no reader takes


def _duration_value(minutes: float, mpd: int) -> str:
    """A pmfit duration text for working minutes, in days when exact."""
    from pmfit.model.duration import Duration

    rounded = round(minutes)
    if abs(minutes - rounded) > 1e-6:
        return str(Duration(minutes / 60, "h"))
    if rounded % mpd and rounded % 30 == 0:
        return str(Duration(rounded / 60, "h"))  # 7.5h rather than 450m
    return str(Duration.from_minutes(rounded, mpd))


# ---- calendars -------------------------------------------------------------
class _Calendars:
    """The file's calendars, resolved through their base calendars."""

    def __init__(self, root_fields: dict[str, Any], tally: Tally, filename: str) -> None:
        self.raw: dict[str, dict[str, Any]] = {}
        self.tally = tally
        calendars = root_fields.get("Calendars")
        if isinstance(calendars, Element):
            for cal in calendars:
                f = _fields(cal)
                uid = str(f.get("UID", "")).strip()
                if uid:
                    self.raw[uid] = f
        self._cache: dict[str, dict[str, Any]] = {}

    def name(self, uid: str) -> str:
        f = self.raw.get(uid, {})
        return str(f.get("Name") or f"calendar {uid}")

    def _week_and_exceptions(self, uid: str, depth: int = 0) -> tuple[
            dict[str, list[tuple[int, int]]],
            list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]]]:
        f = self.raw.get(uid)
        if f is None or depth > 20:
            return {}, []
        base_uid = str(f.get("BaseCalendarUID", "")).strip()
        week: dict[str, list[tuple[int, int]]]
        if not _bool(f.get("IsBaseCalendar")) and base_uid and base_uid not in ("-1", uid):
            week, exceptions = self._week_and_exceptions(base_uid, depth + 1)
            week = dict(week)
            exceptions = list(exceptions)
        else:
            week, exceptions = {}, []
        days = f.get("WeekDays")
        if isinstance(days, Element):
            for day in days:
                d = _fields(day)
                day_type = str(d.get("DayType", "")).strip()
                shifts = _working_times(d.get("WorkingTimes"))
                if day_type in WEEKDAY_BY_DAYTYPE:
                    # DayWorking 1 with no times keeps the base day's times (derived calendars).
                    if _bool(d.get("DayWorking")):
                        week[WEEKDAY_BY_DAYTYPE[day_type]] = shifts or week.get(
                            WEEKDAY_BY_DAYTYPE[day_type], [(480, 720), (780, 1020)])
                    elif str(d.get("DayWorking", "")).strip() == "0":
                        week[WEEKDAY_BY_DAYTYPE[day_type]] = []
                elif day_type == "0":
                    period = d.get("TimePeriod")
                    first, last = _period(period)
                    if first is not None and last is not None:
                        exceptions.append((first, last, shifts if _bool(d.get("DayWorking")) else [], None))
        excs = f.get("Exceptions")
        if isinstance(excs, Element):
            for exc in excs:
                e = _fields(exc)
                first, last = _period(e.get("TimePeriod"))
                if first is None or last is None:
                    continue
                kind = str(e.get("Type", "1")).strip()
                name = str(e.get("Name") or "") or None
                if kind not in ("1", ""):
                    self.tally.drop(f"recurring exception '{name or first}' in calendar '{self.name(uid)}'",
                                    "only single and daily exceptions are kept")
                    continue
                shifts = _working_times(e.get("WorkingTimes")) if _bool(e.get("DayWorking")) else []
                exceptions.append((first, last, shifts, name))
        weeks = f.get("WorkWeeks")
        if isinstance(weeks, Element):
            for work_week in weeks:
                w = _fields(work_week)
                first, last = _period(w.get("TimePeriod"))
                if first is None or last is None:
                    continue
                own: dict[str, list[tuple[int, int]]] = dict(week)
                wdays = w.get("WeekDays")
                if isinstance(wdays, Element):
                    for day in wdays:
                        d = _fields(day)
                        key = WEEKDAY_BY_DAYTYPE.get(str(d.get("DayType", "")).strip())
                        if key:
                            own[key] = _working_times(d.get("WorkingTimes")) if _bool(d.get("DayWorking")) else []
                if (last - first).days > 800:
                    self.tally.drop(f"work week '{w.get('Name') or first}' in calendar '{self.name(uid)}'",
                                    "longer than two years: the default work week applies")
                    continue
                when = first
                while when <= last:
                    key = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[when.weekday()]
                    if own.get(key, []) != week.get(key, []):
                        exceptions.append((when, when, own.get(key, []), str(w.get("Name") or "") or None))
                    when += dt.timedelta(days=1)
        return week, exceptions

    def spec(self, uid: str) -> dict[str, Any] | None:
        if uid not in self.raw:
            return None
        if uid not in self._cache:
            week, exceptions = self._week_and_exceptions(uid)
            if not week:
                week = {d: [(480, 720), (780, 1020)] for d in ("mon", "tue", "wed", "thu", "fri")}
            self._cache[uid] = calendar_data(self.name(uid), week, exceptions, self.tally)
        return self._cache[uid]


def _working_times(element: Any) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if not isinstance(element, Element):
        return out
    for wt in element:
        w = _fields(wt)
        start, end = str(w.get("FromTime", "")), str(w.get("ToTime", ""))
        if not start or not end:
            continue
        try:
            a, b = minutes_of_day(start), minutes_of_day(end)
        except ValueError:
            continue
        if b == 0 or b <= a:
            b = 1440 if b == 0 else b
        if b > a:
            out.append((a, b))
    return out


def _period(element: Any) -> tuple[dt.date | None, dt.date | None]:
    if not isinstance(element, Element):
        return None, None
    p = _fields(element)
    first, last = parse_datetime(p.get("FromDate")), parse_datetime(p.get("ToDate"))
    if first is None or last is None:
        return None, None
    if last.time() == dt.time(0, 0) and last.date() > first.date():
        last -= dt.timedelta(minutes=1)
    return first.date(), last.date()


# ---- reading ---------------------------------------------------------------
def _sniff(head: bytes) -> bool:
    text = head[:8192]
    return b"<Project" in text and b"schemas.microsoft.com/project" in text


def read_mspdi(path: str) -> tuple[Plan, ImportReport]:
    """Read an MS Project XML file into a plan and an import report."""
    return read_mspdi_bytes(read_bytes(path), path)


def read_mspdi_bytes(data: bytes, filename: str, fmt: str = "mspdi") -> tuple[Plan, ImportReport]:
    root = parse_xml(data, filename)
    if local(root.tag) != "Project":
        raise PlanError(Diagnostic("bad_xml", f"not an MS Project XML file (the root element is "
                                   f"<{local(root.tag)}>, not <Project>)", file=filename, line=1))
    try:
        return _Reader(root, filename, fmt).read()
    except PlanError as exc:  # a diagnostic raised below without the file: name it
        if exc.diagnostics and exc.diagnostics[0].file is None:
            from dataclasses import replace

            raise PlanError([replace(d, file=filename) for d in exc.diagnostics]) from None
        raise


def _day_or_time(value: dt.datetime, day_clock: int | None) -> dt.date | dt.datetime:
    """A date when the time is the calendar's day start/end, else the exact datetime."""
    if day_clock is not None and value.hour * 60 + value.minute == day_clock:
        return value.date()
    return value


class _Reader:
    def __init__(self, root: Element, filename: str, fmt: str) -> None:
        self.root = root
        self.filename = filename
        self.report = ImportReport(fmt, filename)
        self.tally = Tally()

    def read(self) -> tuple[Plan, ImportReport]:
        data = self.build()
        return finish_import(data, self.report, self.tally), self.report

    def build(self) -> dict[str, Any]:
        """The plan as plain data, before validation (the report is filled as a side effect)."""
        tally, report = self.tally, self.report
        pf = _fields(self.root)
        calendars = _Calendars(pf, tally, self.filename)
        cal_uid = str(pf.get("CalendarUID", "")).strip()
        if cal_uid not in calendars.raw:
            base = [u for u, f in calendars.raw.items() if _bool(f.get("IsBaseCalendar"))]
            cal_uid = base[0] if base else cal_uid
        cal_spec = calendars.spec(cal_uid)
        from pmfit.model.calendar import CalendarSpec

        try:
            spec_model = CalendarSpec.model_validate(cal_spec) if cal_spec else CalendarSpec()
        except Exception:
            tally.approx("the project calendar", "could not be read; the standard calendar is used")
            cal_spec, spec_model = None, CalendarSpec()
        shifts = spec_model.day_shifts()
        day_start, day_end = shifts[0][0], shifts[-1][1]
        mpd = spec_model.minutes_per_day
        file_mpd = _int(pf.get("MinutesPerDay"), 480) or 480
        if file_mpd != mpd:
            tally.approx(f"the file's day is {file_mpd / 60:g} hours but its calendar works {mpd / 60:g}",
                         "durations are kept in hours")

        # custom fields: FieldID -> name
        custom: dict[str, str] = {}
        attrs = pf.get("ExtendedAttributes")
        if isinstance(attrs, Element):
            for attr in attrs:
                a = _fields(attr)
                fid = str(a.get("FieldID", "")).strip()
                if fid:
                    custom[fid] = str(a.get("Alias") or a.get("FieldName") or fid)
        pmfit_fields = {fid for fid, name in custom.items() if name.strip().lower() == PMFIT_ID_ALIAS}
        custom_used: dict[str, int] = {}

        def pmfit_id(f: dict[str, Any]) -> str | None:
            found = None
            for ea in f.get("ExtendedAttribute", []):
                e = _fields(ea)
                fid = str(e.get("FieldID", "")).strip()
                if fid in pmfit_fields and e.get("Value"):
                    found = str(e["Value"])
                elif fid and e.get("Value") not in (None, ""):
                    custom_used[fid] = custom_used.get(fid, 0) + 1
            return found

        start_value = parse_datetime(pf.get("StartDate"))
        project_name = str(pf.get("Title") or pf.get("Name") or "").strip() or "Imported project"
        currency = str(pf.get("CurrencyCode") or "").strip().upper()
        if str(pf.get("ScheduleFromStart", "1")).strip() in ("0", "false"):
            tally.approx("the project is scheduled from its finish date", "pmfit schedules forward from the start")

        # ---- tasks --------------------------------------------------------
        task_rows: list[dict[str, Any]] = []
        tasks_el = pf.get("Tasks")
        uid_to_id: dict[str, str] = {}
        used: set[str] = set()
        stack: list[tuple[int, str]] = []
        for el in (tasks_el if isinstance(tasks_el, Element) else []):
            f = _fields(el)
            uid = str(f.get("UID", "")).strip()
            level = _int(f.get("OutlineLevel"), 1)
            if not uid or _bool(f.get("IsNull")):
                continue
            if uid == "0" or level == 0:
                continue  # the project summary task
            if str(f.get("Active", "1")).strip() == "0":
                tally.drop("inactive task", "not scheduled in MS Project either", str(f.get("Name") or uid))
                continue
            ident = clean_id(pmfit_id(f) or uid, used)
            uid_to_id[uid] = ident
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else None
            stack.append((level, ident))
            task_rows.append({"f": f, "id": ident, "parent": parent})
        parents = {row["parent"] for row in task_rows if row["parent"] is not None}

        tasks: list[dict[str, Any]] = []
        progress: dict[str, dict[str, Any]] = {}
        baselines: dict[int, dict[str, Any]] = {}
        for row in task_rows:
            f, ident = row["f"], row["id"]
            name = str(f.get("Name") or "").strip()
            task: dict[str, Any] = {"id": ident}
            if name and name != ident:
                task["name"] = name
            if row["parent"] is not None:
                task["parent"] = row["parent"]
            is_summary = ident in parents
            minutes = parse_duration(f.get("Duration"))
            if minutes is None:
                minutes = parse_duration(f.get("ManualDuration")) or 0.0
            duration_format = _int(f.get("DurationFormat"), 7)
            if duration_format in ELAPSED_FORMATS or duration_format - 32 in ELAPSED_FORMATS:
                tally.approx("task with an elapsed duration", "kept as working time", ident,
                             "elapsed duration kept as working time")
            if _bool(f.get("Milestone")):
                task["milestone"] = True
                if minutes and minutes > 0 and not is_summary:
                    tally.approx("milestone with a duration", "kept as a zero-length milestone", ident,
                                 "milestone with a duration")
            elif not is_summary:
                task["duration"] = (_in_format(max(minutes, 0.0), mpd, spec_model.days_per_week, duration_format)
                                    or _duration_value(max(minutes, 0.0), mpd))
            if is_summary and _bool(f.get("Milestone")):
                task.pop("milestone", None)
            work = parse_duration(f.get("Work"))
            if work and work > 0 and not is_summary:
                task["work"] = _in_format(work, mpd, spec_model.days_per_week, 5) or _duration_value(work, mpd)
            if _bool(f.get("Manual")):
                tally.approx("manually scheduled task", "scheduled automatically by pmfit", ident,
                             "manually scheduled in the file")
            if f.get("Recurring") and _bool(f.get("Recurring")):
                tally.approx("recurring task", "kept as a summary of its occurrences", ident)
            priority = _int(f.get("Priority"), 500)
            if priority != 500:
                task["priority"] = min(max(priority, 0), 1000)
            ctype = CONSTRAINT_BY_CODE.get(str(f.get("ConstraintType", "0")).strip(), "ASAP")
            cdate = parse_datetime(f.get("ConstraintDate"))
            if ctype != "ASAP":
                if ctype == "ALAP":
                    task["constraint"] = {"type": "ALAP"}
                elif cdate is not None:
                    clock = day_end if ctype in ("FNET", "FNLT", "MFO") else day_start
                    task["constraint"] = {"type": ctype, "date": _day_or_time(cdate, clock)}
                else:
                    tally.drop("constraint without a date", "the task is scheduled as soon as possible", ident)
            deadline = parse_datetime(f.get("Deadline"))
            if deadline is not None:
                task["deadline"] = _day_or_time(deadline, day_end)
            fixed_cost = _float(f.get("FixedCost"))
            if fixed_cost > 0:
                task["cost"] = fixed_cost
            notes = str(f.get("Notes") or "").strip()
            if notes:
                task["notes"] = notes
            cal = str(f.get("CalendarUID", "-1")).strip()
            if cal not in ("-1", "", cal_uid) and cal in calendars.raw:
                cname = calendars.name(cal)
                tally.approx(f"task on calendar '{cname}'", "scheduled on the project calendar", ident,
                             f"task calendar '{cname}' (pmfit uses the project calendar)")
            if _int(f.get("LevelingDelay")) != 0:
                tally.drop("leveling delay", "pmfit levels by its own rules (pmfit level)", ident)
                self.tally.causes[ident].append("leveling delay in the file")
            links = []
            for pl in f.get("PredecessorLink", []):
                p = _fields(pl)
                pred_uid = str(p.get("PredecessorUID", "")).strip()
                if _bool(p.get("CrossProject")):
                    tally.drop("link to another project", "external predecessors are not kept", ident)
                    continue
                pred = uid_to_id.get(pred_uid)
                if pred is None:
                    tally.drop("link to a missing task", f"predecessor UID {pred_uid or '?'} is not in the file",
                               ident)
                    continue
                if pred == ident:
                    tally.drop("link from a task to itself", "ignored", ident)
                    continue
                kind = LINK_BY_CODE.get(str(p.get("Type", "1")).strip(), "FS")
                lag_tenths = _float(p.get("LinkLag"))
                lag_format = _int(p.get("LagFormat"), 7)
                base_format = lag_format - 32 if lag_format > 32 else lag_format
                lag_minutes = lag_tenths / 10
                if base_format in PERCENT_FORMATS:
                    pred_row = next((r for r in task_rows if r["id"] == pred), None)
                    pred_minutes = parse_duration(pred_row["f"].get("Duration")) if pred_row else 0
                    lag_minutes = (pred_minutes or 0) * lag_tenths / 100  # LinkLag is the percentage here
                    tally.approx("percentage lag", "kept as the working time it is today", ident,
                                 "percentage lag fixed to working time")
                elif base_format in ELAPSED_FORMATS:
                    tally.approx("elapsed lag", "kept as working-time lag", ident,
                                 "elapsed lag kept as working time")
                    lag_minutes = lag_minutes * mpd / 1440
                text = pred if kind == "FS" else f"{pred} {kind}"
                if abs(lag_minutes) >= 0.5:
                    lag_text = (_in_format(abs(lag_minutes), mpd, spec_model.days_per_week, base_format)
                                if base_format not in ELAPSED_FORMATS else None) \
                        or _duration_value(abs(lag_minutes), mpd)
                    text = f"{pred} {kind}{'+' if lag_minutes > 0 else '-'}{lag_text}"
                links.append(text)
            if links:
                task["after"] = links
            tasks.append(task)
            start, finish = parse_datetime(f.get("Start")), parse_datetime(f.get("Finish"))
            if start is not None or finish is not None:
                report.file_dates[ident] = (start, finish)
            # progress
            actual_start = parse_datetime(f.get("ActualStart"))
            actual_finish = parse_datetime(f.get("ActualFinish"))
            pct = _float(f.get("PercentComplete"))
            if actual_start is not None or pct > 0:
                entry: dict[str, Any] = {}
                if actual_start is not None:
                    entry["actual_start"] = _day_or_time(actual_start, day_start)
                entry["percent_complete"] = min(max(pct, 0.0), 100.0)
                if actual_finish is None and pct >= 100:
                    actual_finish = parse_datetime(f.get("Finish"))
                    tally.approx("task 100% complete without an actual finish",
                                 "its finish date is taken as the actual finish", ident)
                    if actual_finish is None:
                        entry["percent_complete"] = 99.99
                if actual_finish is not None:
                    entry["actual_finish"] = _day_or_time(actual_finish, day_end)
                remaining = parse_duration(f.get("RemainingDuration"))
                if remaining is not None and remaining >= 0 and not is_summary:
                    entry["remaining"] = _duration_value(remaining, mpd)
                actual_cost = _float(f.get("ActualCost"))
                if actual_cost > 0:
                    entry["actual_cost"] = actual_cost
                progress[ident] = entry
            for bl in f.get("Baseline", []):
                b = _fields(bl)
                number = _int(b.get("Number"), 0)
                bs, bf = parse_datetime(b.get("Start")), parse_datetime(b.get("Finish"))
                bd = parse_duration(b.get("Duration"))
                if bs is None or bf is None or bd is None:
                    if any(b.get(k) not in (None, "", "0") for k in ("Start", "Finish", "Duration", "Work", "Cost")):
                        tally.drop("baseline value without start, finish and duration",
                                   "not kept (a pmfit baseline task needs all three)", f"{ident} in baseline {number}")
                    continue
                btask: dict[str, Any] = {"start": bs, "finish": bf, "duration": _duration_value(max(bd, 0), mpd)}
                bw = parse_duration(b.get("Work"))
                if bw:
                    btask["work"] = _duration_value(abs(bw), mpd)
                bc = _float(b.get("Cost"))
                if bc:
                    btask["cost"] = bc
                baselines.setdefault(number, {})[ident] = btask

        # ---- resources ------------------------------------------------------
        resources: list[dict[str, Any]] = []
        res_ids: dict[str, str] = {}
        res_kind: dict[str, str] = {}
        res_used: set[str] = set()
        assignments_el = pf.get("Assignments")
        assigned = set()
        for el in (assignments_el if isinstance(assignments_el, Element) else []):
            assigned.add(str(_fields(el).get("ResourceUID", "")).strip())
        resources_el = pf.get("Resources")
        for el in (resources_el if isinstance(resources_el, Element) else []):
            f = _fields(el)
            uid = str(f.get("UID", "")).strip()
            if not uid or _bool(f.get("IsNull")):
                continue
            name = str(f.get("Name") or "").strip()
            if uid == "0" and (not name or uid not in assigned):
                continue
            ident = clean_id(pmfit_id(f) or name or f"R{uid}", res_used, f"R{uid}")
            res_ids[uid] = ident
            resource: dict[str, Any] = {"id": ident}
            if name and name != ident:
                resource["name"] = name
            kind = {"0": "material", "1": "work", "2": "cost"}.get(str(f.get("Type", "1")).strip(), "work")
            if _bool(f.get("IsCostResource")):
                kind = "cost"
            res_kind[ident] = kind
            if kind != "work":
                resource["kind"] = kind
            max_units = _float(f.get("MaxUnits"), 1.0)
            if kind == "work":
                if max_units > 0:
                    if max_units != 1.0:
                        resource["units"] = max_units
                else:
                    tally.approx("resource with zero max units", "given 1 unit", ident)
            rate = _float(f.get("StandardRate"))
            if rate > 0:
                resource["rate"] = {"amount": rate, "per": "h" if kind == "work" else "use"}
            per_use = _float(f.get("CostPerUse"))
            if per_use > 0 and rate <= 0 and kind == "work":
                resource["rate"] = {"amount": per_use, "per": "use"}  # a fee each time it is assigned
            elif per_use > 0:
                tally.drop("cost per use", "not kept (pmfit keeps one rate per resource)", ident)
            team = str(f.get("Group") or "").strip()
            if team:
                resource["team"] = team
            rcal = str(f.get("CalendarUID", "")).strip()
            if rcal and rcal != cal_uid and rcal in calendars.raw:
                spec = calendars.spec(rcal)
                if spec is not None and spec != cal_spec:
                    resource["calendar"] = spec
            resources.append(resource)

        # ---- assignments ----------------------------------------------------
        needs: dict[str, dict[str, float]] = {}
        for el in (assignments_el if isinstance(assignments_el, Element) else []):
            a = _fields(el)
            tid = uid_to_id.get(str(a.get("TaskUID", "")).strip())
            rid = res_ids.get(str(a.get("ResourceUID", "")).strip())
            if tid is None or rid is None:
                continue
            if tid in parents:
                tally.drop("assignment on a summary task", "pmfit puts work on leaf tasks only", tid)
                continue
            units = _float(a.get("Units"), 1.0)
            if units <= 0:
                work = parse_duration(a.get("Work")) or 0
                if res_kind.get(rid) == "work" and work > 0:
                    units = 1.0
                    tally.approx("assignment with zero units but work", "kept at 1 unit", tid)
                else:
                    tally.drop("assignment with zero units", "nothing to keep", tid)
                    continue
            needs.setdefault(tid, {})
            needs[tid][rid] = needs[tid].get(rid, 0.0) + units
        for task in tasks:
            if task["id"] in needs:
                task["needs"] = needs[task["id"]]

        drop_custom_fields(tally, {custom.get(fid, fid): n for fid, n in custom_used.items()})
        extra_cals = [u for u in calendars.raw if u != cal_uid]
        if extra_cals:
            report.read.append(f"{len(calendars.raw)} calendars (project calendar "
                               f"'{calendars.name(cal_uid)}'; others kept where resources use them)")

        project: dict[str, Any] = {"name": project_name,
                                   "start": _day_or_time(start_value, day_start) if start_value
                                   else dt.date.today()}
        if start_value is None:
            tally.approx("project without a start date", "starts today")
        if cal_spec:
            project["calendar"] = cal_spec
        if len(currency) == 3 and currency.isalpha():
            project["currency"] = currency
        data: dict[str, Any] = {"version": 1, "project": project, "resources": resources, "tasks": tasks}
        status = parse_datetime(pf.get("StatusDate"))
        if progress or status:
            data["progress"] = {"tasks": progress}
            if status:
                data["progress"]["status_date"] = _day_or_time(status, day_end)
        if baselines:
            data["baselines"] = [
                {"name": "baseline" if n == 0 else f"baseline{n}", "tasks": b}
                for n, b in sorted(baselines.items())
            ]
        n_links = sum(len(t.get("after", [])) for t in tasks)
        report.read[:0] = [f"{len(tasks)} tasks ({len(parents)} summary)", f"{n_links} links",
                           f"{len(resources)} resources", f"{sum(len(v) for v in needs.values())} assignments"]
        if baselines:
            report.read.append(f"{len(baselines)} baselines")
        if progress:
            report.read.append(f"progress on {len(progress)} tasks")
        return data


# ---- writing ---------------------------------------------------------------
def _x(text: object) -> str:
    return escape(str(text))


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _pt(minutes: float) -> str:
    minutes = round(minutes)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}PT{minutes // 60}H{minutes % 60}M0S"


def _clock(minute: int) -> str:
    return "00:00:00" if minute >= 1440 else f"{minute // 60:02d}:{minute % 60:02d}:00"


def _as_dt(value: dt.date | dt.datetime, clock: int) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day) + dt.timedelta(minutes=min(clock, 1439))


def _calendar_xml(uid: int, spec: CalendarSpec, name: str, base_uid: int | None = None) -> list[str]:
    out = ["<Calendar>", f"<UID>{uid}</UID>", f"<Name>{_x(name)}</Name>",
           f"<IsBaseCalendar>{0 if base_uid is not None else 1}</IsBaseCalendar>",
           f"<BaseCalendarUID>{base_uid if base_uid is not None else -1}</BaseCalendarUID>", "<WeekDays>"]
    week = calendar_week(spec)
    for key, code in sorted(DAYTYPE_BY_WEEKDAY.items(), key=lambda kv: int(kv[1])):
        shifts = week[key]
        out.append(f"<WeekDay><DayType>{code}</DayType><DayWorking>{1 if shifts else 0}</DayWorking>")
        if shifts:
            out.append("<WorkingTimes>" + "".join(
                f"<WorkingTime><FromTime>{_clock(a)}</FromTime><ToTime>{_clock(b)}</ToTime></WorkingTime>"
                for a, b in shifts) + "</WorkingTimes>")
        out.append("</WeekDay>")
    out.append("</WeekDays>")
    exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str]] = []
    for h in spec.holidays:
        exceptions.append((h.date, h.until or h.date, [], h.name or ""))
    for e in spec.exceptions:
        shifts = (sorted((s.start_minute, s.end_minute) for s in e.shifts) if e.shifts
                  else list(spec.day_shifts())) if e.working else []
        exceptions.append((e.date, e.until or e.date, shifts, e.name or ""))
    if spec.country:
        from pmfit.model.workingtime import country_holidays

        year = dt.date.today().year
        for y in range(year - 5, year + 11):
            for day in sorted(country_holidays(spec.country, spec.subdivision, y)):
                exceptions.append((day, day, [], f"{spec.country} public holiday"))
    if exceptions:
        out.append("<Exceptions>")
        for first, last, shifts, name in sorted(exceptions, key=lambda e: e[0]):
            out.append("<Exception><EnteredByOccurrence>0</EnteredByOccurrence>"
                       f"<TimePeriod><FromDate>{first:%Y-%m-%d}T00:00:00</FromDate>"
                       f"<ToDate>{last:%Y-%m-%d}T23:59:00</ToDate></TimePeriod>"
                       f"<Occurrences>{(last - first).days + 1}</Occurrences>"
                       + (f"<Name>{_x(name)}</Name>" if name else "") +
                       f"<Type>1</Type><DayWorking>{1 if shifts else 0}</DayWorking>")
            if shifts:
                out.append("<WorkingTimes>" + "".join(
                    f"<WorkingTime><FromTime>{_clock(a)}</FromTime><ToTime>{_clock(b)}</ToTime></WorkingTime>"
                    for a, b in shifts) + "</WorkingTimes>")
            out.append("</Exception>")
        out.append("</Exceptions>")
    out.append("</Calendar>")
    return out


def _outline(plan: Plan) -> list[tuple[Any, int, str]]:
    """Tasks in outline order with their level and outline number."""
    children: dict[str | None, list[Any]] = {}
    ids = {t.id for t in plan.tasks}
    for task in plan.tasks:
        parent = task.parent if task.parent in ids else None
        children.setdefault(parent, []).append(task)
    out: list[tuple[Any, int, str]] = []
    seen: set[str] = set()

    def walk(parent: str | None, level: int, prefix: str) -> None:
        stack = [(parent, level, prefix, 0)]
        while stack:
            node, lvl, pre, i = stack.pop()
            kids = children.get(node, [])
            if i >= len(kids):
                continue
            stack.append((node, lvl, pre, i + 1))
            task = kids[i]
            if task.id in seen:
                continue
            seen.add(task.id)
            number = f"{pre}{i + 1}"
            out.append((task, lvl, number))
            stack.append((task.id, lvl + 1, number + ".", 0))

    walk(None, 1, "")
    for task in plan.tasks:  # tasks caught in a parent cycle still get written
        if task.id not in seen:
            out.append((task, 1, str(len(out) + 1)))
    return out


def _duration_in_progress(planned: int, progress: Any, elapsed: int, mpd: int, dpw: int) -> int:
    """A started task's Duration as MS Project keeps it: ActualDuration + RemainingDuration, where the
    actual part is PercentComplete of the Duration. A remaining duration that disagrees with the
    planned one (75% done, 200 h left of 100 h) makes the Duration ``remaining / (1 - percent)``;
    near 100% (P6's physical percent of work that has barely begun) the worked time plus the remaining."""
    pct = progress.percent_complete or 0.0
    if progress.remaining is None or pct >= 100 or pct <= 0:
        return planned
    remaining = int(progress.remaining.minutes(mpd, dpw))
    if abs(remaining - planned * (1 - pct / 100)) <= max(1.0, planned * 0.01):
        return planned
    if pct >= 95:
        return max(elapsed, 0) + remaining
    return round(remaining / (1 - pct / 100))


def write_mspdi(plan: Plan, path: str, schedule: Any = None) -> None:
    """Write the plan as MS Project XML (dates from ``schedule``, the caller's current schedule;
    the plan's own current schedule when None)."""
    from pmfit.io.yamlplan import save_atomic

    save_atomic(mspdi_text(plan, schedule), path)


def mspdi_text(plan: Plan, schedule: Any = None) -> str:
    """The plan as MS Project XML text."""
    spec = plan.project.calendar
    mpd = spec.minutes_per_day
    dpw = spec.days_per_week
    shifts = spec.day_shifts()
    day_start, day_end = shifts[0][0], shifts[-1][1]
    from pmfit.io.current import current_schedule

    sched = current_schedule(plan, schedule, "MS Project XML")  # with progress: the status-date schedule
    rows: dict[str, Any] = sched.rows if sched is not None else {}
    start = _as_dt(plan.project.start, day_start)
    finish = sched.finish if sched is not None else start
    ordered = _outline(plan)
    numeric = all(t.id.isascii() and t.id.isdigit() and t.id != "0" and len(t.id) < 10 for t in plan.tasks)
    uid = {t.id: (int(t.id) if numeric else i + 1) for i, (t, _, _) in enumerate(ordered)}
    res_numeric = all(r.id.startswith("R") and r.id[1:].isascii() and r.id[1:].isdigit() and len(r.id) < 10 for r in plan.resources)
    ruid = {r.id: (int(r.id[1:]) if res_numeric else i + 1) for i, r in enumerate(plan.resources)}
    summaries = plan.summary_ids()
    progress = plan.progress.tasks if plan.progress else {}
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                      f'<Project xmlns="{NS}">', "<SaveVersion>14</SaveVersion>",
                      f"<Name>{_x(plan.project.name)}</Name>", f"<Title>{_x(plan.project.name)}</Title>",
                      "<ScheduleFromStart>1</ScheduleFromStart>",
                      f"<StartDate>{_iso(start)}</StartDate>", f"<FinishDate>{_iso(finish)}</FinishDate>",
                      f"<CurrencyCode>{_x(plan.project.currency)}</CurrencyCode>",
                      "<CalendarUID>1</CalendarUID>",
                      f"<DefaultStartTime>{_clock(day_start)}</DefaultStartTime>",
                      f"<DefaultFinishTime>{_clock(day_end)}</DefaultFinishTime>",
                      f"<MinutesPerDay>{mpd}</MinutesPerDay>", f"<MinutesPerWeek>{mpd * dpw}</MinutesPerWeek>",
                      "<DaysPerMonth>20</DaysPerMonth>", "<DurationFormat>7</DurationFormat>"]
    if plan.progress and plan.progress.status_date:
        out.append(f"<StatusDate>{_iso(_as_dt(plan.progress.status_date, day_end))}</StatusDate>")
    out.append("<ExtendedAttributes>"
               f"<ExtendedAttribute><FieldID>{TASK_TEXT1}</FieldID><FieldName>Text1</FieldName>"
               f"<Alias>{PMFIT_ID_ALIAS}</Alias></ExtendedAttribute>"
               f"<ExtendedAttribute><FieldID>{RESOURCE_TEXT1}</FieldID><FieldName>Text1</FieldName>"
               f"<Alias>{PMFIT_ID_ALIAS}</Alias></ExtendedAttribute></ExtendedAttributes>")
    out.append("<Calendars>")
    out.extend(_calendar_xml(1, spec, spec.name or "Standard"))
    res_cal: dict[str, int] = {}
    for r in plan.resources:
        if r.calendar is not None:
            res_cal[r.id] = len(res_cal) + 2
            out.extend(_calendar_xml(res_cal[r.id], r.calendar, r.calendar.name or r.name))
    out.append("</Calendars>")

    def mins(duration: Any) -> int:
        return int(duration.minutes(mpd, dpw))

    out.append("<Tasks>")
    out.append(f"<Task><UID>0</UID><ID>0</ID><Name>{_x(plan.project.name)}</Name><Type>1</Type>"
               "<IsNull>0</IsNull><OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel>"
               f"<Start>{_iso(start)}</Start><Finish>{_iso(finish)}</Finish><Summary>1</Summary></Task>")
    baselines = list(plan.baselines)[:11]
    for index, (task, level, number) in enumerate(ordered):
        summary = task.id in summaries
        row = rows.get(task.id)
        duration = 0 if (task.milestone or summary) else max(mins(task.planned_duration()), 0)
        if summary and row is not None:
            duration = max(row.duration, 0)
        p = progress.get(task.id)
        if p is not None and not summary and not task.milestone:
            duration = _duration_in_progress(duration, p, sched.elapsed.get(task.id, 0) if sched else 0, mpd, dpw)
        parts = [f"<UID>{uid[task.id]}</UID>", f"<ID>{index + 1}</ID>", f"<Name>{_x(task.name)}</Name>",
                 "<Active>1</Active>", "<Manual>0</Manual>", "<Type>1</Type>", "<IsNull>0</IsNull>",
                 f"<WBS>{number}</WBS>", f"<OutlineNumber>{number}</OutlineNumber>",
                 f"<OutlineLevel>{level}</OutlineLevel>", f"<Priority>{task.priority}</Priority>"]
        if row is not None:  # a started task starts at its actual start in MS Project, to the minute
            begin = _as_dt(p.actual_start, day_start) if p is not None and p.actual_start is not None else row.start
            end = _as_dt(p.actual_finish, day_end) if p is not None and p.actual_finish is not None else row.finish
            parts += [f"<Start>{_iso(begin)}</Start>", f"<Finish>{_iso(end)}</Finish>"]
        unit = task.duration.unit if task.duration is not None else "d"
        parts += [f"<Duration>{_pt(duration)}</Duration>", f"<DurationFormat>{UNIT_FORMATS[unit]}</DurationFormat>"]
        if task.work is not None and not summary:
            parts.append(f"<Work>{_pt(mins(task.work))}</Work>")
        parts += [
                  f"<Milestone>{1 if task.milestone else 0}</Milestone>", f"<Summary>{1 if summary else 0}</Summary>"]
        if task.cost:
            parts.append(f"<FixedCost>{task.cost:g}</FixedCost>")
        if p is not None:
            if p.percent_complete is not None:
                pct = 100 if p.percent_complete >= 100 else int(p.percent_complete)
                parts.append(f"<PercentComplete>{pct}</PercentComplete>")
            if p.actual_start is not None:
                parts.append(f"<ActualStart>{_iso(_as_dt(p.actual_start, day_start))}</ActualStart>")
            if p.actual_finish is not None:
                parts.append(f"<ActualFinish>{_iso(_as_dt(p.actual_finish, day_end))}</ActualFinish>")
            if p.percent_complete and not summary:  # MS Project: ActualDuration = Duration x % complete
                done = duration if p.percent_complete >= 100 else round(duration * p.percent_complete / 100)
                parts.append(f"<ActualDuration>{_pt(done)}</ActualDuration>")
            if p.actual_cost is not None:
                parts.append(f"<ActualCost>{p.actual_cost:g}</ActualCost>")
            if p.remaining is not None:
                parts.append(f"<RemainingDuration>{_pt(mins(p.remaining))}</RemainingDuration>")
        c = task.constraint
        parts.append(f"<ConstraintType>{CODE_BY_CONSTRAINT[c.type.value] if c else 0}</ConstraintType>")
        parts.append("<CalendarUID>-1</CalendarUID>")
        if c is not None and c.date is not None:
            clock = day_end if c.type.value in ("FNET", "FNLT", "MFO") else day_start
            parts.append(f"<ConstraintDate>{_iso(_as_dt(c.date, clock))}</ConstraintDate>")
        if task.deadline is not None:
            parts.append(f"<Deadline>{_iso(_as_dt(task.deadline, day_end))}</Deadline>")
        if task.notes:
            parts.append(f"<Notes>{_x(task.notes)}</Notes>")
        for link in task.after:
            if link.task not in uid:
                continue
            lag = link.lag.minutes(mpd, dpw)
            lag_format = {"m": 3, "h": 5, "d": 7, "w": 9, "mo": 11}[link.lag.unit]
            parts.append(f"<PredecessorLink><PredecessorUID>{uid[link.task]}</PredecessorUID>"
                         f"<Type>{CODE_BY_LINK[link.type.value]}</Type><CrossProject>0</CrossProject>"
                         f"<LinkLag>{lag * 10}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>")
        parts.append(f"<ExtendedAttribute><FieldID>{TASK_TEXT1}</FieldID><Value>{_x(task.id)}</Value>"
                     "</ExtendedAttribute>")
        for n, baseline in enumerate(baselines):
            b = baseline.tasks.get(task.id)
            if b is None:
                continue
            number_b = n if baseline.name in ("baseline", "baseline0") or not baseline.name.startswith("baseline") \
                else _int(baseline.name.removeprefix("baseline"), n)
            parts.append(f"<Baseline><Number>{min(max(number_b, 0), 10)}</Number><Start>{_iso(b.start)}</Start>"
                         f"<Finish>{_iso(b.finish)}</Finish><Duration>{_pt(mins(b.duration))}</Duration>"
                         "<DurationFormat>7</DurationFormat>"
                         + (f"<Work>{_pt(mins(b.work))}</Work>" if b.work is not None else "")
                         + f"<Cost>{b.cost:g}</Cost></Baseline>")
        out.append("<Task>" + "".join(parts) + "</Task>")
    out.append("</Tasks>")
    out.append("<Resources>")
    for i, r in enumerate(plan.resources):
        kind = {"material": 0, "work": 1, "cost": 2}[r.kind]
        parts = [f"<UID>{ruid[r.id]}</UID>", f"<ID>{i + 1}</ID>", f"<Name>{_x(r.name)}</Name>",
                 f"<Type>{kind}</Type>", "<IsNull>0</IsNull>"]
        if r.team:
            parts.append(f"<Group>{_x(r.team)}</Group>")
        if r.kind == "work":
            parts.append(f"<MaxUnits>{r.units:.10g}</MaxUnits>")
        if r.rate is not None and r.rate.per == "use" and r.kind == "work":
            # a fee per assignment is MS Project's cost per use, not an hourly rate
            parts += ["<StandardRate>0</StandardRate>", "<StandardRateFormat>2</StandardRateFormat>",
                      f"<CostPerUse>{r.rate.amount:g}</CostPerUse>"]
        elif r.rate is not None:  # material and cost resources: StandardRate is per unit
            hourly = r.rate.per_hour(spec.hours) if r.rate.per != "use" else r.rate.amount
            parts += [f"<StandardRate>{hourly:g}</StandardRate>", "<StandardRateFormat>2</StandardRateFormat>"]
        parts.append(f"<CalendarUID>{res_cal.get(r.id, 1)}</CalendarUID>")
        if r.kind == "cost":
            parts.append("<IsCostResource>1</IsCostResource>")
        parts.append(f"<ExtendedAttribute><FieldID>{RESOURCE_TEXT1}</FieldID><Value>{_x(r.id)}</Value>"
                     "</ExtendedAttribute>")
        out.append("<Resource>" + "".join(parts) + "</Resource>")
    out.append("</Resources>")
    out.append("<Assignments>")
    auid = 0
    for task, _, _ in ordered:
        row = rows.get(task.id)
        for rid, units in task.needs.items():
            if rid not in ruid:
                continue
            auid += 1
            work = max(mins(task.planned_duration()), 0) * units
            dates = (f"<Finish>{_iso(row.finish)}</Finish>" if row else "")
            starts = (f"<Start>{_iso(row.start)}</Start>" if row else "")
            out.append(f"<Assignment><UID>{auid}</UID><TaskUID>{uid[task.id]}</TaskUID>"
                       f"<ResourceUID>{ruid[rid]}</ResourceUID>{dates}{starts}<Units>{units:.10g}</Units>"
                       f"<Work>{_pt(work)}</Work></Assignment>")
    out.append("</Assignments>")
    out.append("</Project>")
    return "\n".join(out) + "\n"


def _read(path: str) -> tuple[Plan, ImportReport]:
    return read_mspdi(path)


register(Format("mspdi", (".xml",), _sniff, _read, write_mspdi,
                "MS Project XML (MSPDI): MS Project, ProjectLibre, GanttProject"))
