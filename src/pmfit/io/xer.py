"""Primavera P6 XER: the tab-separated export of P6 (read and write).

An XER file is a list of tables: ``%T name``, then ``%F`` field names, then one
``%R`` line per row, ``%E`` at the end. Files are usually Windows-1252, not
UTF-8; the reader tries UTF-8 first and falls back to cp1252.

Every project in the file is read. With more than one, each project becomes a
top-level summary task. The WBS becomes summary tasks (ids are the WBS code
paths, e.g. ``A.1.2``); activities become tasks (ids are activity ids,
``task_code``); TASKPRED links keep type and lag (``lag_hr_cnt``, hours of
working time); calendars (``clndr_data``) keep the work week and exceptions;
resources (RSRC, RSRCRATE) and assignments (TASKRSRC) keep units and rates;
actuals and percent complete become progress; planned dates (``target_*``)
become a baseline named ``planned``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.importcheck import (
    Tally,
    calendar_data,
    calendar_week,
    clean_id,
    drop_custom_fields,
    finish_import,
    minutes_of_day,
    outline_order,
)
from pmfit.io.safexml import read_bytes
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.plan import Plan

MAX_XER_BYTES = 200 * 1024 * 1024
LINK_BY_CODE = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
CODE_BY_LINK = {v: k for k, v in LINK_BY_CODE.items()}
CONSTRAINTS = {
    "CS_MSO": "MSO", "CS_MSOB": "SNLT", "CS_MSOA": "SNET", "CS_MEO": "MFO", "CS_MEOB": "FNLT",
    "CS_MEOA": "FNET", "CS_ALAP": "ALAP", "CS_MANDSTART": "MSO", "CS_MANDFIN": "MFO",
}
CODE_BY_CONSTRAINT = {"MSO": "CS_MSO", "SNLT": "CS_MSOB", "SNET": "CS_MSOA", "MFO": "CS_MEO",
                      "FNLT": "CS_MEOB", "FNET": "CS_MEOA", "ALAP": "CS_ALAP"}
PRIORITY = {"PT_Lowest": 100, "PT_Low": 300, "PT_Normal": 500, "PT_High": 700, "PT_Top": 900}
XER_DAYS = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "$", "AUD": "$", "CHF": "CHF"}
EXCEL_EPOCH = dt.date(1899, 12, 30)


# ---- the table layer ---------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """The text of an XER file and the encoding that worked (UTF-8, else cp1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def parse_tables(text: str, filename: str | None = None) -> tuple[list[str], dict[str, list[dict[str, str]]]]:
    """XER text -> (header fields, {table: [row dicts]}); PlanError with the line when malformed."""
    lines = text.split("\n")
    if not lines or not lines[0].startswith("ERMHDR"):
        raise PlanError(Diagnostic("bad_file", "not a Primavera XER file (it does not start with ERMHDR)",
                                   file=filename, line=1))
    header = lines[0].rstrip("\r").split("\t")
    tables: dict[str, list[dict[str, str]]] = {}
    table: str | None = None
    fields: list[str] | None = None
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line:
            continue
        kind, _, rest = line.partition("\t")
        if kind == "%T":
            table = rest.strip()
            fields = None
            tables.setdefault(table, [])
        elif kind == "%F":
            if table is None:
                raise PlanError(Diagnostic("bad_file", "field list (%F) before any table (%T)",
                                           file=filename, line=number))
            fields = rest.split("\t")
        elif kind == "%R":
            if table is None or fields is None:
                raise PlanError(Diagnostic("bad_file", "row (%R) before its table's field list (%F)",
                                           file=filename, line=number))
            values = rest.split("\t")
            if '""' in rest:  # P6 doubles every quote inside a text field (1"" pipe = 1" pipe)
                values = [v.replace('""', '"') for v in values]
            row = dict(zip(fields, values, strict=False))
            row["__line__"] = str(number)
            tables[table].append(row)
        elif kind == "%E":
            break
    return header, tables


def parse_date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _num(text: str | None, default: float = 0.0) -> float:
    try:
        value = float(text) if text not in (None, "") else default  # type: ignore[arg-type]
    except ValueError:
        return default
    return value if value == value and abs(value) != float("inf") else default


# ---- clndr_data ----------------------------------------------------------------
class _Node:
    __slots__ = ("attrs", "children", "name")

    def __init__(self, name: str, attrs: str) -> None:
        self.name = name
        self.attrs = attrs
        self.children: list[_Node] = []

    def child(self, name: str) -> _Node | None:
        return next((c for c in self.children if c.name == name), None)

    def attr_pairs(self) -> dict[str, str]:
        parts = self.attrs.split("|")
        return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def parse_clndr_data(text: str) -> _Node | None:
    """``(0||CalendarData()( (0||DaysOfWeek()(...)) ... ))`` -> a node tree (None when unreadable)."""
    root = _Node("", "")
    stack = [root]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "(":
            close = text.find("(", i + 1)
            end = text.find(")", close + 1) if close >= 0 else -1
            if close < 0 or end < 0 or len(stack) > 40:
                return None
            header = text[i + 1:close]
            node = _Node(header.split("||")[-1].strip(), text[close + 1:end])
            stack[-1].children.append(node)
            i = end + 1
            while i < n and text[i] in " \t\r\n":
                i += 1
            if i < n and text[i] == "(":
                stack.append(node)
                i += 1
                continue
            return None
        if ch == ")":
            if len(stack) > 1:
                stack.pop()
            i += 1
            # the node's own closing parenthesis follows its children's list
            while i < n and text[i] in " \t\r\n":
                i += 1
            if i < n and text[i] == ")":
                i += 1
            continue
        i += 1
    return root.children[0] if root.children else None


def _shifts(node: _Node) -> list[tuple[int, int]]:
    out = []
    for c in node.children:
        pairs = c.attr_pairs()
        start, finish = pairs.get("s"), pairs.get("f")
        if start and finish:
            try:
                a, b = minutes_of_day(start), minutes_of_day(finish)
            except ValueError:
                continue
            if b == 0:
                b = 1440
            if b > a:
                out.append((a, b))
    return out


def calendar_from_row(row: dict[str, str], tally: Tally) -> dict[str, Any] | None:
    """A CalendarSpec (plain data) from a CALENDAR row, or None when it has no readable data."""
    if "__spec__" in row:  # already built by another reader (P6 XML)
        return row["__spec__"]  # type: ignore[return-value]
    tree = parse_clndr_data(row.get("clndr_data", "") or "")
    name = (row.get("clndr_name") or "").strip() or None
    if tree is None:
        return None
    week: dict[str, list[tuple[int, int]]] = {}
    days = tree.child("DaysOfWeek")
    if days is not None:
        for day in days.children:
            key = XER_DAYS.get(day.name)
            if key:
                week[key] = _shifts(day)
    exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]] = []
    excs = tree.child("Exceptions")
    if excs is not None:
        for exc in excs.children:
            serial = exc.attr_pairs().get("d")
            try:
                day_date = EXCEL_EPOCH + dt.timedelta(days=int(float(serial or "")))
            except (ValueError, OverflowError):
                continue
            exceptions.append((day_date, day_date, _shifts(exc), None))
    if not any(week.values()):
        hours = _num(row.get("day_hr_cnt"), 8) or 8
        week = {d: [(480, 480 + int(hours * 60))] for d in ("mon", "tue", "wed", "thu", "fri")}
        tally.approx(f"calendar '{name}' without a work week", f"given Mon-Fri, {hours:g} hours a day")
    return calendar_data(name, week, exceptions, tally)


# ---- reading ---------------------------------------------------------------------
def _sniff(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"ERMHDR")


def read_xer(path: str, projects: Sequence[str] | None = None) -> tuple[Plan, ImportReport]:
    """Read a Primavera P6 XER file into a plan and an import report.

    P6 marks the projects the user exported with ``export_flag`` (a multi-project file may also
    carry projects it only references); those are read. ``projects`` (short names or ids) picks
    others instead.
    """
    data = read_bytes(path, MAX_XER_BYTES)
    if b"\x00" in data[:4096]:
        raise PlanError(Diagnostic("bad_file", "this is a binary file, not an XER export", file=path))
    text, encoding = decode(data)
    header, tables = parse_tables(text, path)
    report = ImportReport("xer", path)
    report.read.append(f"P6 version {header[1] if len(header) > 1 else '?'} export, {encoding} text")
    tally = Tally()
    plan = build_plan(tables, report, tally, path, header[8] if len(header) > 8 else None, projects)
    return plan, report


def _chosen_projects(projects: list[dict[str, str]], wanted: Sequence[str] | None, report: ImportReport,
                     filename: str) -> list[dict[str, str]]:
    """The projects to read: those asked for, else those the file marks for export, else all."""
    def names(p: dict[str, str]) -> set[str]:
        return {(p.get("proj_short_name") or "").strip(), (p.get("proj_id") or "").strip()} - {""}

    if wanted:
        chosen = [p for p in projects if names(p) & set(wanted)]
        if not chosen:
            known = ", ".join(sorted((p.get("proj_short_name") or p.get("proj_id") or "?") for p in projects))
            raise PlanError(Diagnostic("bad_file", f"the file has no project {', '.join(wanted)} (it has {known})",
                                       file=filename))
    else:
        chosen = [p for p in projects if (p.get("export_flag") or "Y") != "N"] or projects
    for p in projects:
        if p not in chosen:
            report.dropped.append(f"project '{p.get('proj_short_name') or p.get('proj_id')}' "
                                  + ("not asked for" if wanted else "(not marked for export in the file)")
                                  + ": not imported; read_xer(path, projects=[...]) picks it")
    return chosen


def _working_time(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    """A calendar's working time, without its name (two calendars can differ only in name)."""
    return None if spec is None else {k: v for k, v in spec.items() if k != "name"}


def build_plan(tables: dict[str, list[dict[str, Any]]], report: ImportReport, tally: Tally,
               filename: str, currency: str | None = None, wanted: Sequence[str] | None = None) -> Plan:
    """The plan from XER-shaped tables (also used by the P6 XML reader)."""
    projects = tables.get("PROJECT", [])
    if not projects:
        raise PlanError(Diagnostic("bad_file", "the XER file has no PROJECT table", file=filename))
    exported = _chosen_projects(projects, wanted, report, filename)
    calendars = {r.get("clndr_id", ""): r for r in tables.get("CALENDAR", [])}
    first = exported[0]
    default_cal = first.get("clndr_id") or next(
        (k for k, r in calendars.items() if r.get("default_flag") == "Y"), "")
    cal_specs: dict[str, dict[str, Any] | None] = {}

    def spec(cid: str) -> dict[str, Any] | None:
        if cid not in cal_specs:
            row = calendars.get(cid)
            cal_specs[cid] = calendar_from_row(row, tally) if row else None
        return cal_specs[cid]

    project_cal = spec(default_cal) if default_cal else None
    from pmfit.model.calendar import CalendarSpec

    try:
        cal_model = CalendarSpec.model_validate(project_cal) if project_cal else CalendarSpec()
    except Exception:
        tally.approx("the project calendar", "could not be read; the standard calendar is used")
        project_cal, cal_model = None, CalendarSpec()
    mpd = cal_model.minutes_per_day
    day_start, day_end = cal_model.day_shifts()[0][0], cal_model.day_shifts()[-1][1]
    multi = len(exported) > 1
    project_ids = {p.get("proj_id", "") for p in exported}
    used: set[str] = set()
    tasks: list[dict[str, Any]] = []
    summary_of_project: dict[str, str] = {}
    if multi:
        for p in exported:
            ident = clean_id(p.get("proj_short_name") or p.get("proj_id"), used, "project")
            summary_of_project[p.get("proj_id", "")] = ident
            tasks.append({"id": ident, "name": (p.get("proj_short_name") or ident)})
        tally.approx(f"{len(exported)} projects in one file", "each is a top-level summary task")

    # WBS -> summary tasks (ids are code paths below the project node)
    wbs_rows = [w for w in tables.get("PROJWBS", []) if w.get("proj_id") in project_ids]
    wbs_by_id = {w.get("wbs_id", ""): w for w in wbs_rows}
    wbs_task: dict[str, str | None] = {}
    path_cache: dict[str, str] = {}

    def wbs_path(wid: str, depth: int = 0) -> str:
        if wid in path_cache:
            return path_cache[wid]
        w = wbs_by_id.get(wid)
        if w is None or w.get("proj_node_flag") == "Y" or depth > 100:
            return ""
        parent = wbs_path(w.get("parent_wbs_id", ""), depth + 1)
        short = (w.get("wbs_short_name") or wid).strip() or wid
        path_cache[wid] = f"{parent}.{short}" if parent else short
        return path_cache[wid]

    ordered_wbs = sorted(wbs_rows, key=lambda w: (len(wbs_path(w.get("wbs_id", "")).split(".")),
                                                   _num(w.get("seq_num")), w.get("wbs_id", "")))
    for w in ordered_wbs:
        wid = w.get("wbs_id", "")
        if w.get("proj_node_flag") == "Y":
            wbs_task[wid] = summary_of_project.get(w.get("proj_id", "")) if multi else None
            continue
        wbs_task[wid] = clean_id(wbs_path(wid), used, f"WBS{wid}")
    for w in ordered_wbs:
        wid = w.get("wbs_id", "")
        wbs_ident = wbs_task.get(wid)
        if w.get("proj_node_flag") == "Y" or wbs_ident is None:
            continue
        parent = wbs_task.get(w.get("parent_wbs_id", "")) if w.get("parent_wbs_id") in wbs_task \
            else summary_of_project.get(w.get("proj_id", ""))
        row: dict[str, Any] = {"id": wbs_ident, "name": (w.get("wbs_name") or wbs_ident).strip() or wbs_ident}
        if parent:
            row["parent"] = parent
        tasks.append(row)

    # activities
    task_rows = [t for t in tables.get("TASK", []) if t.get("proj_id") in project_ids]
    task_id: dict[str, str] = {}
    for t in task_rows:
        task_id[t.get("task_id", "")] = clean_id(t.get("task_code") or t.get("task_id"), used, "activity")
    notes: dict[str, list[str]] = {}
    for n in tables.get("TASKNOTE", []):
        raw_note = n.get("task_notes", "") or ""
        text = re.sub(r"<[^>]+>", " ", raw_note) if "<" in raw_note else raw_note
        text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\x7f\x7f")).strip()
        if text and n.get("task_id") in task_id:
            notes.setdefault(task_id[n["task_id"]], []).append(text)
    progress: dict[str, dict[str, Any]] = {}
    planned: dict[str, dict[str, Any]] = {}
    activity_tasks: dict[str, dict[str, Any]] = {}
    data_date: dt.datetime | None = None
    for p in exported:
        d = parse_date(p.get("last_recalc_date")) or parse_date(p.get("next_data_date"))
        if d and (data_date is None or d > data_date):
            data_date = d

    def duration_text(hours: float) -> str:
        from pmfit.model.duration import MAX_MINUTES, Duration

        minutes = min(hours * 60, MAX_MINUTES)  # 1e308 h: kept beyond any calendar, refused there with the task
        if abs(minutes - round(minutes)) > 1e-6:
            return str(Duration(hours, "h"))
        return str(Duration.from_minutes(round(minutes), mpd))

    for t in task_rows:
        ident = task_id[t.get("task_id", "")]
        task: dict[str, Any] = {"id": ident}
        name = (t.get("task_name") or "").strip()
        if name and name != ident:
            task["name"] = name
        parent = wbs_task.get(t.get("wbs_id", "")) or summary_of_project.get(t.get("proj_id", ""))
        if parent:
            task["parent"] = parent
        kind = t.get("task_type", "TT_Task")
        hours = max(_num(t.get("target_drtn_hr_cnt")), 0.0)
        if kind in ("TT_Mile", "TT_FinMile"):
            task["milestone"] = True
        else:
            task["duration"] = duration_text(hours)
            if kind == "TT_LOE":
                tally.approx("level-of-effort activity", "kept as a task with its planned duration", ident,
                             "level of effort: P6 stretches it between its links")
            elif kind == "TT_WBS":
                tally.approx("WBS-summary activity", "kept as a task with its planned duration", ident,
                             "WBS summary activity: P6 spans it over its WBS")
        work_hours = _num(t.get("target_work_qty"))
        if work_hours > 0:
            task["work"] = duration_text(work_hours)
        ctype = CONSTRAINTS.get(t.get("cstr_type", "") or "")
        cdate = parse_date(t.get("cstr_date"))
        if ctype:
            if t.get("cstr_type") in ("CS_MANDSTART", "CS_MANDFIN"):
                tally.approx("mandatory constraint", "kept as must-start/finish-on", ident)
            if ctype == "ALAP":
                task["constraint"] = {"type": "ALAP"}
            elif cdate is not None:
                clock = day_end if ctype in ("FNET", "FNLT", "MFO") else day_start
                task["constraint"] = {"type": ctype, "date": cdate.date()
                                      if cdate.hour * 60 + cdate.minute in (clock, 0) else cdate}
        if t.get("cstr_type2"):
            tally.drop("secondary constraint", "pmfit keeps one constraint per task", ident)
        priority = PRIORITY.get(t.get("priority_type", "") or "", 500)
        if priority != 500:
            task["priority"] = priority
        cal = t.get("clndr_id", "")
        if cal and cal != default_cal and _working_time(spec(cal)) != _working_time(project_cal):
            cname = (calendars.get(cal, {}).get("clndr_name") or cal).strip()
            tally.approx(f"activity on calendar '{cname}'", "scheduled on the project calendar", ident,
                         f"activity calendar '{cname}' (pmfit uses the project calendar)")
        if ident in notes:
            task["notes"] = "\n".join(notes[ident])
        activity_tasks[t.get("task_id", "")] = task
        tasks.append(task)
        actual_start, actual_end = parse_date(t.get("act_start_date")), parse_date(t.get("act_end_date"))
        start = actual_start or parse_date(t.get("restart_date")) or parse_date(t.get("early_start_date")) \
            or parse_date(t.get("target_start_date"))
        finish = actual_end or parse_date(t.get("reend_date")) or parse_date(t.get("early_end_date")) \
            or parse_date(t.get("target_end_date"))
        if start or finish:
            report.file_dates[ident] = (start, finish)
        status = t.get("status_code", "")
        if actual_start is not None or status in ("TK_Active", "TK_Complete"):
            remain = max(_num(t.get("remain_drtn_hr_cnt")), 0.0)
            if status == "TK_Complete":
                pct = 100.0
            elif t.get("complete_pct_type") == "CP_Phys":
                pct = _num(t.get("phys_complete_pct"))
            elif t.get("complete_pct_type") == "CP_Units":
                done = _num(t.get("act_work_qty"))
                total = done + _num(t.get("remain_work_qty"))
                pct = 100 * done / total if total > 0 else 0.0
            else:
                pct = 100 * (hours - remain) / hours if hours > 0 else 0.0
            entry: dict[str, Any] = {"percent_complete": round(min(max(pct, 0.0), 100.0), 2)}
            if status == "TK_Complete" and (actual_start is None or actual_end is None):
                tally.approx("completed activity without actual dates", "the file's scheduled dates are used",
                             ident)
                actual_start = actual_start or start
                actual_end = actual_end or finish
            late = _after_data_date(ident, actual_start, actual_end, data_date, report, t.get("__line__"))
            if late:
                actual_start, actual_end = (None if d is None else min(d, late) for d in (actual_start, actual_end))
            if actual_start:
                entry["actual_start"] = actual_start
            if actual_end:
                entry["actual_finish"] = actual_end
            elif entry["percent_complete"] >= 100:
                entry["percent_complete"] = 99.99
            if status != "TK_Complete" and not task.get("milestone"):
                entry["remaining"] = duration_text(remain)
            progress[ident] = entry
        ps, pf = parse_date(t.get("target_start_date")), parse_date(t.get("target_end_date"))
        if ps and pf:
            planned[ident] = {"start": ps, "finish": pf, "duration": duration_text(hours)}

    # links
    n_links = 0
    for link in tables.get("TASKPRED", []):
        succ = activity_tasks.get(link.get("task_id", ""))
        pred = task_id.get(link.get("pred_task_id", ""))
        if succ is None:
            continue
        if pred is None:
            tally.drop("link to an activity outside the file", "external predecessors are not kept", succ["id"])
            continue
        if pred == succ["id"]:
            continue
        kind = LINK_BY_CODE.get(link.get("pred_type", "PR_FS") or "PR_FS", "FS")
        lag_hours = _num(link.get("lag_hr_cnt"))
        text = pred if kind == "FS" else f"{pred} {kind}"
        if abs(lag_hours) * 60 >= 0.5:
            text = f"{pred} {kind}{'+' if lag_hours > 0 else '-'}{duration_text(abs(lag_hours))}"
        succ.setdefault("after", []).append(text)
        n_links += 1
    options = tables.get("SCHEDOPTIONS", [])
    lag_cal = {o.get("sched_calendar_on_relationship_lag", "") for o in options} - {""}
    if lag_cal - {"rcal_Successor"}:
        tally.approx("lag calendar option " + "/".join(sorted(lag_cal)),
                     "lags count working time on the project calendar")

    # resources
    rates: dict[str, float] = {}
    for r in sorted(tables.get("RSRCRATE", []), key=lambda r: r.get("start_date", "")):
        value = _num(r.get("cost_per_qty"))
        rid = r.get("rsrc_id", "")
        if value > 0 and rid not in rates:
            rates[rid] = value
    changed_rates = {r.get("rsrc_id") for r in tables.get("RSRCRATE", [])}
    rsrc_rows = tables.get("RSRC", [])
    res_id: dict[str, str] = {}
    res_used: set[str] = set()
    resources: list[dict[str, Any]] = []
    names = {r.get("rsrc_id", ""): (r.get("rsrc_name") or "").strip() for r in rsrc_rows}
    for r in rsrc_rows:
        rid = r.get("rsrc_id", "")
        ident = clean_id(r.get("rsrc_short_name") or r.get("rsrc_name") or rid, res_used, f"R{rid}")
        res_id[rid] = ident
        resource: dict[str, Any] = {"id": ident}
        name = (r.get("rsrc_name") or "").strip()
        if name and name != ident:
            resource["name"] = name
        kind = {"RT_Labor": "work", "RT_Equip": "work", "RT_Mat": "material"}.get(r.get("rsrc_type", ""), "work")
        if kind != "work":
            resource["kind"] = kind
        per_hour = _num(r.get("def_qty_per_hr"), 1.0)
        if kind == "work" and per_hour > 0 and per_hour != 1.0:
            resource["units"] = per_hour
        if rid in rates:
            resource["rate"] = {"amount": rates[rid], "per": "h" if kind == "work" else "use"}
        if sum(1 for x in tables.get("RSRCRATE", []) if x.get("rsrc_id") == rid) > 1:
            tally.approx("resource with rates that change over time", "keeps its first rate", ident)
        parent = names.get(r.get("parent_rsrc_id", "") or "")
        if parent:
            resource["team"] = parent
        cal = r.get("clndr_id", "")
        if cal and cal != default_cal:
            cspec = spec(cal)
            if cspec is not None and cspec != project_cal:
                resource["calendar"] = cspec
        resources.append(resource)
    del changed_rates
    needs = 0
    for a in tables.get("TASKRSRC", []):
        holder = activity_tasks.get(a.get("task_id", ""))
        if holder is None:
            continue
        task = holder
        rid = res_id.get(a.get("rsrc_id", "") or "")
        if rid is None:
            tally.drop("role assignment without a resource", "not kept", task["id"])
            continue
        units = _num(a.get("target_qty_per_hr")) or _num(a.get("remain_qty_per_hr"))
        if units <= 0:
            hours = _num(a.get("target_drtn_hr_cnt")) or _num(a.get("target_lag_drtn_hr_cnt"))
            qty = _num(a.get("target_qty"))
            units = qty / hours if hours > 0 and qty > 0 else 1.0
            tally.approx("assignment without units per hour", "units from quantity and duration", task["id"])
        task.setdefault("needs", {})
        task["needs"][rid] = round(task["needs"].get(rid, 0.0) + units, 6)
        needs += 1

    # what is not kept
    udf_names = {u.get("udf_type_id", ""): (u.get("udf_type_label") or u.get("udf_type_name") or "")
                 for u in tables.get("UDFTYPE", [])}
    udf_counts: dict[str, int] = {}
    for v in tables.get("UDFVALUE", []):
        name = udf_names.get(v.get("udf_type_id", ""), v.get("udf_type_id", ""))
        udf_counts[name] = udf_counts.get(name, 0) + 1
    drop_custom_fields(tally, udf_counts)
    if tables.get("TASKACTV"):
        types = {a.get("actv_code_type_id") for a in tables.get("TASKACTV", [])}
        tally.drop(f"activity codes ({len(types)} code types, {len(tables['TASKACTV'])} values)", "not imported")
    for table in ("ROLES", "ROLERATE", "ACCOUNT", "OBS", "FINTMPL", "RISKTYPE", "DOCUMENT", "TASKPROC",
                  "PROJCOST", "ISSUHIST", "MEMOTYPE", "TASKMEMO", "PCATVAL"):
        if tables.get(table):
            tally.drop(f"table {table} ({len(tables[table])} rows)", "not imported")

    planned_starts = [d for d in (parse_date(p.get("plan_start_date")) for p in exported) if d is not None]
    start = min(planned_starts, default=None)
    starts = [d[0] for d in report.file_dates.values() if d[0] is not None]
    if start is None and starts:
        start = min(starts)
    if start is None:
        start = dt.datetime.combine(dt.date.today(), dt.time())
        tally.approx("project without a planned start", "starts today")
    if data_date is not None and data_date > start and not progress:
        # P6 schedules unstarted work from the data date, not before it.
        tally.approx(f"data date {data_date:%Y-%m-%d} after the planned start {start:%Y-%m-%d}",
                     "the plan starts at the data date, as P6 schedules remaining work from it")
        start = data_date
    if start.hour * 60 + start.minute in (0, day_start):
        project_start: dt.date | dt.datetime = start.date()
    else:
        project_start = start
    name = (first.get("proj_short_name") or "P6 project").strip() if not multi else \
        " + ".join(p.get("proj_short_name", "") or "" for p in exported)[:200]
    wbs_name = next((w.get("wbs_name") for w in wbs_rows if w.get("proj_node_flag") == "Y"), None)
    project: dict[str, Any] = {"name": (wbs_name or name).strip() or name, "start": project_start}
    if project_cal:
        project["calendar"] = project_cal
    currency = (currency or "").strip().upper()
    currency = currency if len(currency) == 3 and currency.isalpha() else ""
    for c in ([] if currency else tables.get("CURRTYPE", [])):
        code = (c.get("curr_short_name") or "").strip().upper()
        if len(code) == 3 and code.isalpha():
            currency = code
            break
    if currency:
        project["currency"] = currency
    finish_dates = [parse_date(p.get("scd_end_date")) for p in exported]
    del finish_dates
    data: dict[str, Any] = {"version": 1, "project": project, "resources": resources, "tasks": tasks}
    if progress or data_date:
        data["progress"] = {"tasks": progress}
        if data_date:
            data["progress"]["status_date"] = data_date
    if planned and all(report.file_dates.get(k) == (v["start"], v["finish"]) for k, v in planned.items()):
        # P6 compares a project without a baseline with itself: planned dates equal to the current ones
        # are no baseline (reading them as one would invent a baseline on every re-import)
        report.read.append("planned dates equal the current dates: no baseline")
        planned = {}
    if planned:
        data["baselines"] = [{"name": "planned", "tasks": planned}]
    report.read[:0] = [f"{len(exported)} project(s)", f"{len(task_rows)} activities",
                       f"{len(tasks) - len(task_rows)} WBS summaries", f"{n_links} links",
                       f"{len(resources)} resources", f"{needs} assignments"]
    if progress:
        report.read.append(f"progress on {len(progress)} activities")
    data["tasks"] = outline_order(tasks)
    return finish_import(data, report, tally)


def _after_data_date(ident: str, start: dt.datetime | None, finish: dt.datetime | None,
                     data_date: dt.datetime | None, report: ImportReport, line: str | None) -> dt.datetime | None:
    """The data date when an activity's actual dates lie after it (warned per activity), else None.

    P6 and MPXJ accept such files (P6's schedule check lists them as "actual dates after the data
    date") and schedule the remaining work from the data date; pmfit does the same by reading the
    late actual dates as the data date.
    """
    if data_date is None:
        return None
    late = [(label, d) for label, d in (("start", start), ("finish", finish))
            if d is not None and d.date() > data_date.date()]
    if not late:
        return None
    said = " and ".join(f"actual {label} {d:%Y-%m-%d %H:%M}" for label, d in late)
    report.warnings.append(Diagnostic(
        "actual_after_data_date", f"activity '{ident}' has an {said} after the data date "
        f"{data_date:%Y-%m-%d %H:%M}: read as the data date, and its remaining work is scheduled from it as P6 does",
        severity="warning", file=report.source, line=int(line) if line and line.isdigit() else None, task=ident))
    report.task_causes.setdefault(ident, []).append(f"its {said} lies after the data date")
    return data_date


# ---- writing ---------------------------------------------------------------------
def _fmt(value: dt.date | dt.datetime | None, clock: int = 480) -> str:
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time()) + dt.timedelta(minutes=min(clock, 1439))
    return value.strftime("%Y-%m-%d %H:%M")


def _clean(text: object) -> str:
    # tabs and line breaks would split the row; quotes are doubled as P6 writes them
    return str(text).replace("\t", " ").replace("\r", " ").replace("\n", " ").replace('"', '""')


def clndr_data(spec: CalendarSpec) -> str:
    """A pmfit calendar in P6's ``clndr_data`` notation."""
    week = calendar_week(spec)

    def shifts(items: list[tuple[int, int]]) -> str:
        return "".join(f"(0||{i}(s|{a // 60:02d}:{a % 60:02d}|f|{(b // 60) % 24:02d}:{b % 60:02d})())"
                       for i, (a, b) in enumerate(items))

    days = "".join(f"(0||{code}()({shifts(week[key])}))" for code, key in XER_DAYS.items())
    excs: list[str] = []
    index = 0
    for h in spec.holidays:
        for day in h.days():
            excs.append(f"(0||{index}(d|{(day - EXCEL_EPOCH).days})())")
            index += 1
    for e in spec.exceptions:
        day = e.date
        while day <= (e.until or e.date):
            items = (sorted((s.start_minute, s.end_minute) for s in e.shifts) if e.shifts
                     else list(spec.day_shifts())) if e.working else []
            excs.append(f"(0||{index}(d|{(day - EXCEL_EPOCH).days})({shifts(items)}))")
            index += 1
            day += dt.timedelta(days=1)
    return f"(0||CalendarData()((0||DaysOfWeek()({days}))(0||VIEW(ShowTotal|Y)())(0||Exceptions()({''.join(excs)}))))"


def xer_text(plan: Plan, schedule: Any = None) -> str:
    """The plan as XER text (one project; WBS from summary tasks); dates from ``schedule``
    (the caller's current schedule), else the plan's own current schedule."""
    return xer_export(plan, schedule)[0]


def xer_export(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as XER text, and what the writer had to approximate (feature -> line, for the export report)."""
    notes: dict[str, str] = {}
    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    shifts = spec.day_shifts()
    day_start, day_end = shifts[0][0], shifts[-1][1]
    from pmfit.io.current import current_schedule

    sched = current_schedule(plan, schedule, "XER")  # with progress: the status-date schedule, as P6 keeps it
    rows: dict[str, Any] = sched.rows if sched is not None else {}
    summaries = plan.summary_ids()
    by_id = {t.id: t for t in plan.tasks}
    progress = plan.progress.tasks if plan.progress else {}
    out: list[str] = [f"ERMHDR\t8.0\t{dt.date.today():%Y-%m-%d}\tProject\tpmfit\tpmfit\tdbxDatabaseNoName\t"
                      f"Project Management\t{plan.project.currency}"]

    def table(name: str, fields: list[str], values: list[list[object]]) -> None:
        out.append(f"%T\t{name}")
        out.append("%F\t" + "\t".join(fields))
        for row in values:
            out.append("%R\t" + "\t".join(_clean("" if v is None else v) for v in row))

    # Every CURRTYPE field P6 writes: MPXJ (and P6's own import) fail on a table without the symbols.
    table("CURRTYPE", ["curr_id", "decimal_digit_cnt", "curr_symbol", "decimal_symbol", "digit_group_symbol",
                       "pos_curr_fmt_type", "neg_curr_fmt_type", "curr_type", "curr_short_name", "group_digit_cnt",
                       "base_exch_rate"],
          [[1, 2, CURRENCY_SYMBOLS.get(plan.project.currency, plan.project.currency), ".", ",", "#1.1", "(#1.1)",
            plan.project.currency, plan.project.currency, 3, 1]])
    start = _fmt(plan.project.start, day_start)
    finish = _fmt(sched.finish) if sched is not None else start
    status = plan.progress.status_date if plan.progress else None
    table("PROJECT", ["proj_id", "proj_short_name", "clndr_id", "plan_start_date", "scd_end_date",
                      "last_recalc_date", "export_flag", "def_duration_type", "def_task_type"],
          [[1, plan.project.name[:40], 1, start, finish, _fmt(status, day_end) if status else "", "Y",
            "DT_FixedDUR2", "TT_Task"]])
    cal_rows: list[list[object]] = [[1, "Y", spec.name or "Standard", "", "CA_Base", spec.hours,
                                     spec.hours * dpw, clndr_data(spec)]]
    res_cal: dict[str, int] = {}
    for r in plan.resources:
        if r.calendar is not None:
            res_cal[r.id] = len(cal_rows) + 1
            cal_rows.append([res_cal[r.id], "N", r.calendar.name or r.name, "", "CA_Rsrc", r.calendar.hours,
                             r.calendar.hours * r.calendar.days_per_week, clndr_data(r.calendar)])
    table("CALENDAR", ["clndr_id", "default_flag", "clndr_name", "proj_id", "clndr_type", "day_hr_cnt",
                       "week_hr_cnt", "clndr_data"], cal_rows)
    # WBS: the project node, then one node per summary task (parents first)
    wbs_id = {sid: 100 + i for i, sid in enumerate(t.id for t in plan.tasks if t.id in summaries)}
    wbs_rows: list[list[object]] = [[1, 1, 0, "Y", plan.project.name[:40], plan.project.name, ""]]
    for seq, t in enumerate(plan.tasks):
        if t.id not in summaries:
            continue
        parent = t.parent if t.parent in wbs_id else None
        short = t.id
        if parent and t.id.startswith(parent + "."):
            short = t.id[len(parent) + 1:]
        wbs_rows.append([wbs_id[t.id], 1, seq + 1, "N", short, t.name, wbs_id[parent] if parent else 1])
    table("PROJWBS", ["wbs_id", "proj_id", "seq_num", "proj_node_flag", "wbs_short_name", "wbs_name",
                      "parent_wbs_id"], wbs_rows)
    res_num = {r.id: 1000 + i for i, r in enumerate(plan.resources)}
    team_rows = sorted({r.team for r in plan.resources if r.team and r.team not in {x.name for x in plan.resources}})
    del team_rows
    by_name = {r.name: res_num[r.id] for r in plan.resources}
    table("RSRC", ["rsrc_id", "parent_rsrc_id", "clndr_id", "rsrc_name", "rsrc_short_name", "def_qty_per_hr",
                   "rsrc_type", "active_flag"],
          [[res_num[r.id], by_name.get(r.team or "", ""), res_cal.get(r.id, 1), r.name, r.id, f"{r.units:.10g}",
            "RT_Mat" if r.kind == "material" else "RT_Labor", "Y"] for r in plan.resources])
    table("RSRCRATE", ["rsrc_rate_id", "rsrc_id", "max_qty_per_hr", "cost_per_qty", "start_date"],
          [[5000 + i, res_num[r.id], f"{r.units:g}",
            f"{(r.rate.per_hour(spec.hours) if r.rate.per != 'use' else r.rate.amount):g}",
            "1984-01-01 00:00"] for i, r in enumerate(plan.resources) if r.rate is not None
           and not (r.rate.per == "use" and r.kind == "work")])  # P6 has no per-use fee for labour
    leaf_num = {t.id: 10000 + i for i, t in enumerate(t for t in plan.tasks if t.id not in summaries)}
    task_fields = ["task_id", "proj_id", "wbs_id", "clndr_id", "task_code", "task_name", "task_type",
                   "duration_type", "status_code", "complete_pct_type", "phys_complete_pct", "target_drtn_hr_cnt",
                   "remain_drtn_hr_cnt", "target_work_qty", "cstr_type", "cstr_date", "priority_type", "act_start_date",
                   "act_end_date", "early_start_date", "early_end_date", "restart_date", "reend_date",
                   "target_start_date", "target_end_date"]
    task_rows: list[list[object]] = []
    priority_code = {v: k for k, v in PRIORITY.items()}
    for t in plan.tasks:
        if t.id in summaries:
            continue
        minutes = 0 if t.milestone else max(t.planned_duration().minutes(mpd, dpw), 0)
        hours = minutes / 60
        p = progress.get(t.id)
        status_code = "TK_NotStart"
        pct = 0.0
        remain = hours
        if p is not None:
            pct = p.percent_complete or 0.0
            if p.actual_finish is not None or pct >= 100:
                status_code, remain = "TK_Complete", 0.0
            elif p.actual_start is not None or pct > 0:
                status_code = "TK_Active"
                remain = p.remaining.minutes(mpd, dpw) / 60 if p.remaining is not None else hours * (1 - pct / 100)
        row = rows.get(t.id)
        c = t.constraint
        ctype = CODE_BY_CONSTRAINT.get(c.type.value, "") if c is not None else ""
        cdate = ""
        if c is not None and c.date is not None:
            cdate = _fmt(c.date, day_end if c.type.value in ("FNET", "FNLT", "MFO") else day_start)
        # P6's remaining early start: where the work still to do resumes (the data date for work in progress)
        resume = row.start if row else None
        if row and status_code == "TK_Active" and sched is not None and sched.status_date is not None:
            resume = max(row.start, sched.status_date)
        elif row and status_code == "TK_Complete":
            resume = row.finish
        task_rows.append([
            leaf_num[t.id], 1, wbs_id.get(t.parent or "", 1), 1, t.id, t.name,
            "TT_Mile" if t.milestone else "TT_Task", "DT_FixedDUR2", status_code,
            "CP_Phys" if p is not None else "CP_Drtn", f"{pct:g}", f"{hours:g}", f"{remain:g}",
            f"{t.work.minutes(mpd, dpw) / 60:g}" if t.work is not None else "", ctype, cdate,
            priority_code.get(t.priority, "PT_Normal"),
            _fmt(p.actual_start, day_start) if p and p.actual_start else "",
            _fmt(p.actual_finish, day_end) if p and p.actual_finish else "",
            # P6: a started activity starts at its actual start, a finished one finishes at its actual finish
            (_fmt(p.actual_start, day_start) if p and p.actual_start else _fmt(row.start) if row else ""),
            (_fmt(p.actual_finish, day_end) if p and p.actual_finish else _fmt(row.finish) if row else ""),
            _fmt(resume), _fmt(row.finish) if row else "",
            # planned dates are the current plan's (P6 keeps baselines as separate projects, not here)
            (_fmt(p.actual_start, day_start) if p and p.actual_start else _fmt(row.start) if row else ""),
            _fmt(p.actual_finish, day_end) if p and p.actual_finish else (_fmt(row.finish) if row else ""),
        ])
    pred_rows: list[list[object]] = []
    leaves_under: dict[str, list[str]] = {}
    ancestors: dict[str, set[str]] = {}
    for t in plan.tasks:
        node = t.parent
        seen: set[str] = set()
        while node is not None and node not in seen:
            seen.add(node)
            if t.id not in summaries:
                leaves_under.setdefault(node, []).append(t.id)
            node = by_id[node].parent if node in by_id else None
        ancestors[t.id] = seen

    # P6 relates activities only: a link on a summary (a WBS node) goes through a milestone of that
    # summary, which is linked to each of its activities -- as P6 schedulers model it by hand
    used_codes = {t.id for t in plan.tasks}
    milestone_num: dict[tuple[str, str], int] = {}
    # start milestone -> activity and activity -> finish milestone are FS: for a zero-duration milestone
    # the same constraint as SS / FF, and FS gives the dates MS Project and pmfit give such milestones
    role = {"start": ("start", "TT_Mile", "FS"), "finish": ("finish", "TT_FinMile", "FS"),
            "finish-by": ("finish by", "TT_FinMile", "FF"), "started": ("started", "TT_Mile", "SS")}

    def milestone(sid: str, kind: str) -> int:
        if (sid, kind) not in milestone_num:
            code = f"{sid}.{kind}"
            while code in used_codes:
                code += "_"
            used_codes.add(code)
            number = 10000 + len(leaf_num) + len(milestone_num)
            milestone_num[(sid, kind)] = number
            words, task_type, link_type = role[kind]
            rows_s = rows.get(sid)
            when = "" if rows_s is None else _fmt(rows_s.start if task_type == "TT_Mile" else rows_s.finish)
            task_rows.append([number, 1, wbs_id.get(sid, 1), 1, code, f"{by_id[sid].name} ({words})"[:120],
                              task_type, "DT_FixedDUR2", "TK_NotStart", "CP_Drtn", "0", "0", "0", "", "", "",
                              "PT_Normal", "", "", when, when, when, when, when, when])
            for leaf in leaves_under.get(sid, []):
                if leaf in leaf_num:
                    if kind in ("start", "finish-by"):  # the milestone comes before each activity
                        pred_rows.append([20000 + len(pred_rows), leaf_num[leaf], number, 1, 1,
                                          CODE_BY_LINK[link_type], "0"])
                    else:  # each activity comes before the milestone
                        pred_rows.append([20000 + len(pred_rows), number, leaf_num[leaf], 1, 1,
                                          CODE_BY_LINK[link_type], "0"])
        return milestone_num[(sid, kind)]

    through = 0
    for t in plan.tasks:
        for link in t.after:
            if link.task not in by_id or link.task == t.id:
                continue
            kind = link.type.value
            lag_hours = f"{link.lag.minutes(mpd, dpw) / 60:g}"
            nested = link.task in ancestors.get(t.id, set()) or t.id in ancestors.get(link.task, set())
            if nested or (t.id not in summaries and link.task not in summaries):
                # a leaf link, or a summary linked to its own activities: activity to activity
                succs = leaves_under.get(t.id, []) if t.id in summaries else [t.id]
                preds = leaves_under.get(link.task, []) if link.task in summaries else [link.task]
                for s_id in succs:
                    for p_id in preds:
                        if s_id in leaf_num and p_id in leaf_num and s_id != p_id:
                            pred_rows.append([20000 + len(pred_rows), leaf_num[s_id], leaf_num[p_id], 1, 1,
                                              CODE_BY_LINK[kind], lag_hours])
                continue
            through += 1
            succ = milestone(t.id, "start" if kind in ("FS", "SS") else "finish-by") if t.id in summaries \
                else leaf_num.get(t.id)
            pred = milestone(link.task, "finish" if kind in ("FS", "FF") else "started") \
                if link.task in summaries else leaf_num.get(link.task)
            if succ is not None and pred is not None:
                pred_rows.append([20000 + len(pred_rows), succ, pred, 1, 1, CODE_BY_LINK[kind], lag_hours])
    if through:
        notes["summary_links"] = (f"{through} links on summary tasks written through {len(milestone_num)} "
                                  "start/finish milestones of those summaries (P6 relates activities, not WBS nodes)")
    table("TASK", task_fields, task_rows)
    table("TASKPRED", ["task_pred_id", "task_id", "pred_task_id", "proj_id", "pred_proj_id", "pred_type",
                       "lag_hr_cnt"], pred_rows)
    assign_rows: list[list[object]] = []
    for t in plan.tasks:
        if t.id not in leaf_num:
            continue
        hours = max(t.planned_duration().minutes(mpd, dpw), 0) / 60
        for rid, units in t.needs.items():
            if rid in res_num:
                assign_rows.append([30000 + len(assign_rows), leaf_num[t.id], 1, res_num[rid], f"{units:.10g}",
                                    f"{units * hours:g}", f"{units * hours:g}"])
    table("TASKRSRC", ["taskrsrc_id", "task_id", "proj_id", "rsrc_id", "target_qty_per_hr", "target_qty",
                       "remain_qty"], assign_rows)
    table("TASKNOTE", ["task_id", "proj_id", "memo_type_id", "task_notes"],
          [[leaf_num[t.id], 1, 1, t.notes.replace("\r", "").replace("\n", "\x7f\x7f")]
           for t in plan.tasks if t.notes and t.id in leaf_num])
    out.append("%E")
    return "\r\n".join(out) + "\r\n", notes


def write_xer(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as a P6 XER file (cp1252 when every character fits, else UTF-8 with a BOM);
    returns what had to be approximated."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = xer_export(plan, schedule)
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        # P6 and MPXJ read XER as cp1252 unless a byte-order mark says UTF-8
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    save_atomic(data, path)
    return notes


register(Format("xer", (".xer",), _sniff, read_xer, write_xer, "Primavera P6 XER export"))
