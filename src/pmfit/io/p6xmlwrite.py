"""Write a plan as Primavera P6 XML (``<APIBusinessObjects>``; P6, MPXJ and pmfit read it).

P6 XML holds the objects of an XER file under other names, so the writer builds the XER tables
(:func:`pmfit.io.xer.xer_export`: WBS, activities with their current and planned dates, summary
links through milestones, relationships, resources, rates, assignments, notes) and writes each
row as its P6 XML object. Calendars come from the plan's calendars; percentages are fractions,
durations and lags hours, and a work period ends on its last working minute (``11:59``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.plan import Plan

NAMESPACE = "http://xmlns.oracle.com/Primavera/P6Professional/V8.4/API/BusinessObjects"
_DAY_NAMES = {"sun": "Sunday", "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
              "fri": "Friday", "sat": "Saturday"}


def _invert(table: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in table.items()}


def _when(text: str) -> str:
    """``2027-03-01 08:00`` (XER) -> ``2027-03-01T08:00:00``."""
    return text.replace(" ", "T") + ":00" if text else ""


def _text(value: object) -> str:
    # characters beyond the Basic Multilingual Plane (emoji) as character references: MPXJ's P6 XML
    # reader turns them into two replacement characters when they are written as UTF-8
    return "".join(c if ord(c) < 0x10000 else f"&#x{ord(c):X};" for c in escape(str(value)))


def _element(name: str, fields: list[tuple[str, object]], inner: str = "") -> str:
    body = "".join(f"<{k}>{_text(v)}</{k}>" for k, v in fields if v not in (None, ""))
    return f"<{name}>{body}{inner}</{name}>"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}:00"


def _calendar(object_id: int, spec: CalendarSpec, name: str, default: bool) -> str:
    from pmfit.io.importcheck import calendar_week

    week = calendar_week(spec)

    def times(shifts: list[tuple[int, int]]) -> str:
        return "".join(f"<WorkTime><Start>{_clock(a)}</Start><Finish>{_clock(max(b - 1, a))}</Finish></WorkTime>"
                       for a, b in shifts)

    days = "".join(f"<StandardWorkHours><DayOfWeek>{_DAY_NAMES[key]}</DayOfWeek>{times(week.get(key, []))}"
                   "</StandardWorkHours>" for key in _DAY_NAMES)
    exceptions = []
    for holiday in spec.holidays:
        for day in holiday.days():
            exceptions.append(f"<HolidayOrException><Date>{day.isoformat()}T00:00:00</Date></HolidayOrException>")
    for exc in spec.exceptions:
        day = exc.date
        shifts = (sorted((s.start_minute, s.end_minute) for s in exc.shifts) if exc.shifts
                  else list(spec.day_shifts())) if exc.working else []
        for one in _days(day, exc.until or day):
            exceptions.append(f"<HolidayOrException><Date>{one.isoformat()}T00:00:00</Date>{times(shifts)}"
                              "</HolidayOrException>")
    return _element("Calendar", [("HoursPerDay", f"{spec.hours:g}"), ("HoursPerWeek", f"{spec.hours * spec.days_per_week:g}"),
                                 ("IsDefault", 1 if default else 0), ("Name", name), ("ObjectId", object_id),
                                 ("Type", "Global" if default else "Resource")],
                    f"<StandardWorkWeek>{days}</StandardWorkWeek><HolidayOrExceptions>{''.join(exceptions)}"
                    "</HolidayOrExceptions>")


def _days(first: Any, last: Any) -> list[Any]:
    import datetime as dt

    out = []
    while first <= last:
        out.append(first)
        first += dt.timedelta(days=1)
    return out


def p6xml_text(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as P6 XML, and the export report's notes (feature -> line); dates from ``schedule``
    (the caller's current schedule; see :mod:`pmfit.io.current`)."""
    from pmfit.io.current import no_schedule
    from pmfit.io.p6xml import CONSTRAINTS, LINKS, PCT_TYPES, PRIORITIES, STATUS, TASK_TYPES
    from pmfit.io.xer import parse_tables, xer_export

    if schedule is None:
        raise no_schedule(plan, "P6 XML")
    xer, notes = xer_export(plan, schedule=schedule)
    _, tables = parse_tables(xer)
    task_types, status, links = _invert(TASK_TYPES), _invert(STATUS), _invert(LINKS)
    constraints, pct_types, priorities = _invert(CONSTRAINTS), _invert(PCT_TYPES), _invert(PRIORITIES)
    project = tables["PROJECT"][0]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<APIBusinessObjects xmlns="{NAMESPACE}">']
    out.append(_element("Currency", [("Id", plan.project.currency), ("Name", plan.project.currency),
                                     ("ObjectId", 1)]))
    out.append(_calendar(1, plan.project.calendar, plan.project.calendar.name or "Standard", True))
    resource_calendar = {row.get("rsrc_short_name", ""): row.get("clndr_id", "1") for row in tables.get("RSRC", [])}
    for r in plan.resources:
        if r.calendar is not None:
            out.append(_calendar(int(resource_calendar.get(r.id, "1")), r.calendar, r.calendar.name or r.name, False))
    kinds = {"RT_Labor": "Labor", "RT_Mat": "Material", "RT_Equip": "Nonlabor"}
    for row in tables.get("RSRC", []):
        out.append(_element("Resource", [
            ("CalendarObjectId", row.get("clndr_id")), ("Id", row.get("rsrc_short_name")),
            ("MaxUnitsPerTime", row.get("def_qty_per_hr")), ("Name", row.get("rsrc_name")),
            ("ObjectId", row.get("rsrc_id")), ("ParentObjectId", row.get("parent_rsrc_id")),
            ("ResourceType", kinds.get(row.get("rsrc_type", ""), "Labor"))]))
    for row in tables.get("RSRCRATE", []):
        out.append(_element("ResourceRate", [
            ("EffectiveDate", _when(row.get("start_date", ""))), ("MaxUnitsPerTime", row.get("max_qty_per_hr")),
            ("ObjectId", row.get("rsrc_rate_id")), ("PricePerUnit", row.get("cost_per_qty")),
            ("ResourceObjectId", row.get("rsrc_id"))]))
    pid = project.get("proj_id", "1")
    inner: list[str] = []
    nodes = {w.get("wbs_id", "") for w in tables.get("PROJWBS", []) if w.get("proj_node_flag") == "Y"}
    for w in tables.get("PROJWBS", []):
        if w.get("wbs_id") in nodes:
            continue
        parent = w.get("parent_wbs_id", "")
        inner.append(_element("WBS", [("Code", w.get("wbs_short_name")), ("Name", w.get("wbs_name")),
                                      ("ObjectId", w.get("wbs_id")),
                                      ("ParentObjectId", "" if parent in nodes else parent),
                                      ("ProjectObjectId", pid), ("SequenceNumber", w.get("seq_num"))]))
    for t in tables.get("TASK", []):
        wbs = t.get("wbs_id", "")
        pct = float(t.get("phys_complete_pct") or 0) / 100
        inner.append(_element("Activity", [
            ("ActualFinishDate", _when(t.get("act_end_date", ""))),
            ("ActualStartDate", _when(t.get("act_start_date", ""))),
            ("CalendarObjectId", t.get("clndr_id")), ("FinishDate", _when(t.get("early_end_date", ""))),
            ("Id", t.get("task_code")), ("LevelingPriority", priorities.get(t.get("priority_type", ""), "Normal")),
            ("Name", t.get("task_name")), ("ObjectId", t.get("task_id")),
            ("PercentCompleteType", pct_types.get(t.get("complete_pct_type", ""), "Duration")),
            ("PhysicalPercentComplete", f"{pct:g}"), ("PlannedDuration", t.get("target_drtn_hr_cnt")),
            ("PlannedFinishDate", _when(t.get("target_end_date", ""))),
            ("PlannedLaborUnits", t.get("target_work_qty")),
            ("PlannedStartDate", _when(t.get("target_start_date", ""))),
            ("PrimaryConstraintDate", _when(t.get("cstr_date", ""))),
            ("PrimaryConstraintType", constraints.get(t.get("cstr_type", ""), "")),
            ("ProjectObjectId", pid), ("RemainingDuration", t.get("remain_drtn_hr_cnt")),
            ("RemainingEarlyFinishDate", _when(t.get("reend_date", ""))),
            ("RemainingEarlyStartDate", _when(t.get("restart_date", ""))),
            ("StartDate", _when(t.get("early_start_date", ""))),
            ("Status", status.get(t.get("status_code", ""), "Not Started")),
            ("Type", task_types.get(t.get("task_type", ""), "Task Dependent")),
            ("WBSObjectId", "" if wbs in nodes else wbs)]))
    for n in tables.get("TASKNOTE", []):
        inner.append(_element("ActivityNote", [("ActivityObjectId", n.get("task_id")),
                                               ("Note", (n.get("task_notes") or "").replace("\x7f\x7f", "\n")),
                                               ("ProjectObjectId", pid)]))
    for r in tables.get("TASKPRED", []):
        inner.append(_element("Relationship", [
            ("Lag", r.get("lag_hr_cnt")), ("ObjectId", r.get("task_pred_id")),
            ("PredecessorActivityObjectId", r.get("pred_task_id")), ("PredecessorProjectObjectId", pid),
            ("SuccessorActivityObjectId", r.get("task_id")), ("SuccessorProjectObjectId", pid),
            ("Type", links.get(r.get("pred_type", ""), "Finish to Start"))]))
    for a in tables.get("TASKRSRC", []):
        inner.append(_element("ResourceAssignment", [
            ("ActivityObjectId", a.get("task_id")), ("ObjectId", a.get("taskrsrc_id")),
            ("PlannedUnits", a.get("target_qty")), ("PlannedUnitsPerTime", a.get("target_qty_per_hr")),
            ("ProjectObjectId", pid), ("RemainingUnits", a.get("remain_qty")),
            ("RemainingUnitsPerTime", a.get("target_qty_per_hr")), ("ResourceObjectId", a.get("rsrc_id"))]))
    out.append(_element("Project", [
        ("ActivityDefaultCalendarObjectId", project.get("clndr_id")), ("DataDate", _when(project.get("last_recalc_date", ""))),
        ("Id", project.get("proj_short_name")), ("Name", plan.project.name), ("ObjectId", pid),
        ("PlannedStartDate", _when(project.get("plan_start_date", ""))),
        ("ScheduledFinishDate", _when(project.get("scd_end_date", "")))], "".join(inner)))
    out.append("</APIBusinessObjects>")
    return "\n".join(out) + "\n", notes


def write_p6xml(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as P6 XML, atomically; returns the export report's notes."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = p6xml_text(plan, schedule)
    save_atomic(text, path)
    return notes
