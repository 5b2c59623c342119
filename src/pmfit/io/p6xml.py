"""Primavera P6 XML (PMXML, ``<APIBusinessObjects>``): read.

P6 XML carries the same objects as an XER file under other names. This reader
turns each object into the row an XER file would hold (Activity -> TASK,
Relationship -> TASKPRED, WBS -> PROJWBS, Resource -> RSRC, ResourceAssignment ->
TASKRSRC, Calendar -> CALENDAR) and builds the plan with the XER reader, so both
formats keep and report exactly the same things. Differences: percentages are
fractions (0.25 = 25 %), durations and lags are hours, and working times end on
the last working minute (``11:59`` means up to 12:00).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.importcheck import Tally, calendar_data, minutes_of_day, parse_xml
from pmfit.io.safexml import local, read_bytes
from pmfit.io.xer import build_plan
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

TASK_TYPES = {"Task Dependent": "TT_Task", "Resource Dependent": "TT_Rsrc", "Level of Effort": "TT_LOE",
              "Start Milestone": "TT_Mile", "Finish Milestone": "TT_FinMile", "WBS Summary": "TT_WBS"}
STATUS = {"Not Started": "TK_NotStart", "In Progress": "TK_Active", "Completed": "TK_Complete"}
LINKS = {"Finish to Start": "PR_FS", "Start to Start": "PR_SS", "Finish to Finish": "PR_FF",
         "Start to Finish": "PR_SF"}
CONSTRAINTS = {"Start On": "CS_MSO", "Start On or Before": "CS_MSOB", "Start On or After": "CS_MSOA",
               "Finish On": "CS_MEO", "Finish On or Before": "CS_MEOB", "Finish On or After": "CS_MEOA",
               "As Late As Possible": "CS_ALAP", "Mandatory Start": "CS_MANDSTART",
               "Mandatory Finish": "CS_MANDFIN"}
PCT_TYPES = {"Physical": "CP_Phys", "Duration": "CP_Drtn", "Units": "CP_Units"}
PRIORITIES = {"Lowest": "PT_Lowest", "Low": "PT_Low", "Normal": "PT_Normal", "High": "PT_High", "Top": "PT_Top"}
RESOURCE_TYPES = {"Labor": "RT_Labor", "Nonlabor": "RT_Equip", "Material": "RT_Mat"}
DAYS = {"Sunday": "sun", "Monday": "mon", "Tuesday": "tue", "Wednesday": "wed", "Thursday": "thu",
        "Friday": "fri", "Saturday": "sat"}


def _sniff(head: bytes) -> bool:
    return b"<APIBusinessObjects" in head[:8192]


def _text(element: Element) -> dict[str, str]:
    return {local(c.tag): (c.text or "").strip() for c in element if len(c) == 0}


def _date(text: str | None) -> str:
    """``2012-05-01T08:00:00`` -> ``2012-05-01 08:00`` (the XER form)."""
    if not text:
        return ""
    return text.strip()[:16].replace("T", " ")


def _pct(text: str | None) -> str:
    try:
        return f"{float(text or 0) * 100:g}"
    except ValueError:
        return "0"


def _work_times(element: Element) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for wt in element:
        if local(wt.tag) != "WorkTime":
            continue
        f = _text(wt)
        try:
            a, b = minutes_of_day(f.get("Start", "")), minutes_of_day(f.get("Finish", ""))
        except ValueError:
            continue
        if b % 60 == 59:
            b += 1  # P6 gives the last working minute
        if b == 0:
            b = 1440
        if b > a:
            out.append((a, b))
    return out


def _calendar(element: Element, tally: Tally) -> dict[str, Any]:
    import datetime as dt

    f = _text(element)
    week: dict[str, list[tuple[int, int]]] = {}
    exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]] = []
    for part in element:
        tag = local(part.tag)
        if tag == "StandardWorkWeek":
            for hours in part:
                day = DAYS.get(_text(hours).get("DayOfWeek", ""))
                if day:
                    week[day] = _work_times(hours)
        elif tag == "HolidayOrExceptions":
            for exc in part:
                text = _text(exc).get("Date", "")[:10]
                try:
                    day_date = dt.date.fromisoformat(text)
                except ValueError:
                    continue
                exceptions.append((day_date, day_date, _work_times(exc), None))
    if not any(week.values()):
        try:
            day_hours = float(f.get("HoursPerDay") or 8)
        except ValueError:
            day_hours = 8.0
        day_hours = min(max(day_hours, 0.5), 24.0) if day_hours == day_hours else 8.0  # NaN: the default day
        week = {d: [(480, 480 + int(day_hours * 60))] for d in ("mon", "tue", "wed", "thu", "fri")}
    return calendar_data(f.get("Name") or None, week, exceptions, tally)


def read_p6xml(path: str) -> tuple[Plan, ImportReport]:
    """Read a Primavera P6 XML file (every project in it) into a plan and an import report."""
    root = parse_xml(read_bytes(path), path)
    if local(root.tag) != "APIBusinessObjects":
        raise PlanError(Diagnostic("bad_xml", f"not a P6 XML file (the root element is <{local(root.tag)}>)",
                                   file=path, line=1))
    tally = Tally()
    report = ImportReport("p6xml", path)
    tables: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "PROJECT", "CALENDAR", "PROJWBS", "TASK", "TASKPRED", "RSRC", "RSRCRATE", "TASKRSRC", "TASKNOTE",
        "UDFTYPE", "UDFVALUE", "TASKACTV", "CURRTYPE")}
    udf_names: dict[str, str] = {}

    def calendar_row(element: Element) -> None:
        f = _text(element)
        tables["CALENDAR"].append({"clndr_id": f.get("ObjectId", ""), "clndr_name": f.get("Name", ""),
                                   "default_flag": "Y" if f.get("IsDefault") == "1" else "N",
                                   "__spec__": _calendar(element, tally)})

    for element in root:
        tag = local(element.tag)
        f = _text(element)
        if tag == "Calendar":
            calendar_row(element)
        elif tag == "Resource":
            tables["RSRC"].append({
                "rsrc_id": f.get("ObjectId", ""), "rsrc_name": f.get("Name", ""), "rsrc_short_name": f.get("Id", ""),
                "rsrc_type": RESOURCE_TYPES.get(f.get("ResourceType", ""), "RT_Labor"),
                "clndr_id": f.get("CalendarObjectId", ""), "def_qty_per_hr": f.get("MaxUnitsPerTime", "1") or "1",
                "parent_rsrc_id": f.get("ParentObjectId", "")})
            for rate in element:
                if local(rate.tag) == "ResourceRate":
                    r = _text(rate)
                    tables["RSRCRATE"].append({"rsrc_id": f.get("ObjectId", ""),
                                               "cost_per_qty": r.get("PricePerUnit", ""),
                                               "start_date": _date(r.get("EffectiveDate"))})
        elif tag == "ResourceRate":
            tables["RSRCRATE"].append({"rsrc_id": f.get("ResourceObjectId", ""),
                                       "cost_per_qty": f.get("PricePerUnit", ""),
                                       "start_date": _date(f.get("EffectiveDate"))})
        elif tag == "Currency" and f.get("Id"):
            tables["CURRTYPE"].append({"curr_short_name": f.get("Id", "")})
        elif tag == "UDFType":
            udf_names[f.get("ObjectId", "")] = f.get("Title") or f.get("DataType") or f.get("ObjectId", "")
            tables["UDFTYPE"].append({"udf_type_id": f.get("ObjectId", ""), "udf_type_label": f.get("Title", "")})
        elif tag == "BaselineProject":
            tally.drop(f"baseline project '{f.get('Name') or f.get('Id')}'", "P6 baselines are separate projects; "
                       "the planned dates are kept as the baseline 'planned'")
        elif tag == "Project":
            _project(element, tables, tally, calendar_row)
    if not tables["PROJECT"]:
        raise PlanError(Diagnostic("bad_file", "the P6 XML file has no <Project>", file=path))
    plan = build_plan(tables, report, tally, path)
    report.read.append("P6 XML (APIBusinessObjects)")
    return plan, report


def _project(element: Element, tables: dict[str, list[dict[str, Any]]], tally: Tally,
             calendar_row: Any) -> None:
    f = _text(element)
    pid = f.get("ObjectId", "")
    tables["PROJECT"].append({
        "proj_id": pid, "proj_short_name": f.get("Id", ""), "plan_start_date": _date(f.get("PlannedStartDate")),
        "last_recalc_date": _date(f.get("DataDate")), "clndr_id": f.get("ActivityDefaultCalendarObjectId", ""),
        "export_flag": "Y"})
    wbs_ids = {_text(w).get("ObjectId", "") for w in element if local(w.tag) == "WBS"}
    root_id = f"project:{pid}"
    tables["PROJWBS"].append({"wbs_id": root_id, "proj_id": pid, "proj_node_flag": "Y",
                              "wbs_name": f.get("Name", ""), "wbs_short_name": f.get("Id", "")})
    codes = 0
    udfs = 0
    for child in element:
        tag = local(child.tag)
        c = _text(child)
        if tag == "Calendar":
            calendar_row(child)
        elif tag == "WBS":
            parent = c.get("ParentObjectId", "")
            tables["PROJWBS"].append({
                "wbs_id": c.get("ObjectId", ""), "proj_id": pid, "proj_node_flag": "N",
                "wbs_short_name": c.get("Code", ""), "wbs_name": c.get("Name", ""),
                "parent_wbs_id": parent if parent in wbs_ids else root_id, "seq_num": c.get("SequenceNumber", "")})
        elif tag == "Activity":
            pct_type = PCT_TYPES.get(c.get("PercentCompleteType", ""), "CP_Drtn")
            wbs = c.get("WBSObjectId", "")
            tables["TASK"].append({
                "task_id": c.get("ObjectId", ""), "proj_id": pid, "wbs_id": wbs if wbs in wbs_ids else root_id,
                "clndr_id": c.get("CalendarObjectId", ""), "task_code": c.get("Id", ""),
                "task_name": c.get("Name", ""), "task_type": TASK_TYPES.get(c.get("Type", ""), "TT_Task"),
                "status_code": STATUS.get(c.get("Status", ""), "TK_NotStart"),
                "complete_pct_type": pct_type, "phys_complete_pct": _pct(c.get("PhysicalPercentComplete")),
                "act_work_qty": c.get("ActualLaborUnits", ""), "remain_work_qty": c.get("RemainingLaborUnits", ""),
                "target_work_qty": c.get("PlannedLaborUnits", ""),
                "target_drtn_hr_cnt": c.get("PlannedDuration", ""),
                "remain_drtn_hr_cnt": c.get("RemainingDuration", ""),
                "cstr_type": CONSTRAINTS.get(c.get("PrimaryConstraintType", ""), ""),
                "cstr_date": _date(c.get("PrimaryConstraintDate")),
                "cstr_type2": CONSTRAINTS.get(c.get("SecondaryConstraintType", ""), ""),
                "priority_type": PRIORITIES.get(c.get("LevelingPriority", ""), "PT_Normal"),
                "act_start_date": _date(c.get("ActualStartDate")), "act_end_date": _date(c.get("ActualFinishDate")),
                "early_start_date": _date(c.get("StartDate")), "early_end_date": _date(c.get("FinishDate")),
                "target_start_date": _date(c.get("PlannedStartDate")),
                "target_end_date": _date(c.get("PlannedFinishDate"))})
            for udf in child:
                if local(udf.tag) == "UDF":
                    u = _text(udf)
                    tables["UDFVALUE"].append({"udf_type_id": u.get("TypeObjectId", "")})
                    udfs += 1
                elif local(udf.tag) == "Code":
                    codes += 1
                    tables["TASKACTV"].append({"actv_code_type_id": _text(udf).get("TypeObjectId", "")})
        elif tag == "Relationship":
            tables["TASKPRED"].append({
                "task_id": c.get("SuccessorActivityObjectId", ""),
                "pred_task_id": c.get("PredecessorActivityObjectId", ""),
                "pred_type": LINKS.get(c.get("Type", ""), "PR_FS"), "lag_hr_cnt": c.get("Lag", "0")})
        elif tag == "ResourceAssignment":
            tables["TASKRSRC"].append({
                "task_id": c.get("ActivityObjectId", ""), "rsrc_id": c.get("ResourceObjectId", ""),
                "target_qty_per_hr": c.get("PlannedUnitsPerTime", ""),
                "remain_qty_per_hr": c.get("RemainingUnitsPerTime", ""),
                "target_qty": c.get("PlannedUnits", ""), "target_drtn_hr_cnt": c.get("PlannedDuration", "")})
        elif tag == "ActivityNote":
            tables["TASKNOTE"].append({"task_id": c.get("ActivityObjectId", ""), "task_notes": c.get("Note", "")})
        elif tag == "ActivityCodeAssignment":
            tables["TASKACTV"].append({"actv_code_type_id": c.get("ActivityCodeTypeObjectId", "")})
        elif tag == "UDFAssignment" or tag == "ActivityUDF":
            tables["UDFVALUE"].append({"udf_type_id": c.get("UDFTypeObjectId", c.get("TypeObjectId", ""))})
    del codes, udfs


def _write(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    from pmfit.io.p6xmlwrite import write_p6xml

    return write_p6xml(plan, path, schedule)


register(Format("p6xml", (".xml", ".pmxml"), _sniff, read_p6xml, _write,
                "Primavera P6 XML (APIBusinessObjects)"))
