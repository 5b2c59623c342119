"""Plans as tables: read any CSV or Excel task list, write CSV and Excel (``.xlsx``).

Reading. Columns are matched to plan fields by name (``Task Name``, ``Duration``,
``Predecessors``, ``Start``, ``Resource Names``, ``WBS``, ``Outline Level`` ... see
:data:`ALIASES`), or by a mapping the user gives: ``{"name": "Activity", "duration": "Days"}``.

- ``predecessors`` reads pmfit's ``design SS+2d, build`` and MS Project's ``3FS+2 days;5SS``;
  a predecessor may be named by id or, failing that, by a unique task name.
- hierarchy comes from a ``parent`` column, else WBS codes (``1.2`` is under ``1``), else an
  outline level (indent) column.
- ``duration`` reads ``5d``, ``5 days``, ``3h``, ``2w``, ``5`` (days), ``5 edays`` (elapsed: kept
  as working time and reported); without one, a row with start and finish lasts the working
  days between them.
- ``start`` / ``finish`` are the file's dates (the import report compares them with pmfit's
  schedule). A task without predecessors whose start is after the project start keeps that start
  as a start-no-earlier-than constraint, unless the table has its own constraint column.
- ``resources``: ``dev:2, qa`` or MS Project's ``Ann[50%],Bob``; each resource gets at least the
  units its tasks ask for.
- encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; the delimiter
  (``,`` ``;`` tab ``|``) is detected.

Writing. One row per task with id, name, parent, WBS, duration, work, milestone, predecessors
(pmfit link syntax), resources, pmfit's scheduled start and finish, deadline, constraint,
three-point estimate, cost, priority, tags and notes. The ``.xlsx`` file adds a ``Resources``
sheet and a ``Project`` sheet (name, start, currency, calendar as JSON), so that reading it back
gives the same plan. Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` at
the start) is written with a leading apostrophe in CSV and as plain text in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.tabular import (
    IdMap,
    as_date,
    clean_links,
    count_read,
    decode_text,
    fail,
    finish_plan,
    guess_dayfirst,
    norm,
    number,
    parse_date,
    parse_duration,
    pin_unlinked_starts,
    plural,
    read_csv_rows,
    read_file,
    strip_summary_work,
    truthy,
)
from pmfit.io.yamlplan import save_atomic
from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Link, Plan

#: Column names (compared without case, spaces or punctuation) that auto-detection maps to each field.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "taskid", "uid", "uniqueid", "key", "issuekey", "activityid", "taskkey", "#", "no", "number", "nr",
           "nummer", "numero", "n"),
    "name": ("name", "taskname", "task", "title", "summary", "activityname", "activity", "subject", "item",
             "vorgangsname", "nomdelatache", "nombredetarea", "tache", "vorgang"),
    "parent": ("parent", "parentid", "parenttask", "summarytask", "parentkey", "epic"),
    "wbs": ("wbs", "wbscode", "outlinenumber", "wbsnumber", "pspcode", "edt", "strukturcode"),
    "outline_level": ("outlinelevel", "level", "indent", "indentlevel", "gliederungsebene", "niveauhierarchique",
                      "niveldeesquema"),
    "duration": ("duration", "dur", "originalduration", "plannedduration", "durationdays", "days", "length", "dauer",
                 "duree", "duracion"),
    "work": ("work", "effort", "estimate", "originalestimate", "hours", "workhours", "timeestimated"),
    "start": ("start", "startdate", "begin", "begindate", "plannedstart", "earlystart", "scheduledstart", "anfang",
              "beginn", "debut", "comienzo"),
    "finish": ("finish", "end", "enddate", "finishdate", "due", "duedate", "plannedfinish", "earlyfinish",
               "scheduledfinish", "ende", "fin"),
    "predecessors": ("predecessors", "predecessor", "after", "dependson", "dependencies", "depends",
                     "blockedby", "pred", "preds", "vorganger", "predecesseurs", "predecesoras"),
    "resources": ("resources", "resourcenames", "resource", "assignedto", "assignee", "assignees", "owner",
                  "needs", "ressourcennamen", "nomsressources", "nombresdelosrecursos"),
    "milestone": ("milestone", "ismilestone"),
    "notes": ("notes", "note", "comments", "description", "details"),
    "percent_complete": ("%complete", "percentcomplete", "progress", "complete", "pctcomplete", "%done",
                         "%abgeschlossen", "%acheve", "%completado"),
    "deadline": ("deadline",),
    "constraint": ("constraint", "constrainttype"),
    "constraint_date": ("constraintdate",),
    "optimistic": ("optimistic", "optimisticduration", "best", "bestcase", "min"),
    "likely": ("likely", "mostlikely", "mostlikelyduration", "ml"),
    "pessimistic": ("pessimistic", "pessimisticduration", "worst", "worstcase", "max"),
    "cost": ("cost", "budget", "fixedcost", "plannedcost"),
    "priority": ("priority",),
    "tags": ("tags", "labels", "tag", "category", "categories"),
}
FIELDS = tuple(ALIASES)
_CONSTRAINTS = {
    "asap": "ASAP", "assoonaspossible": "ASAP", "alap": "ALAP", "aslateaspossible": "ALAP",
    "snet": "SNET", "startnoearlierthan": "SNET", "snlt": "SNLT", "startnolaterthan": "SNLT",
    "fnet": "FNET", "finishnoearlierthan": "FNET", "fnlt": "FNLT", "finishnolaterthan": "FNLT",
    "mso": "MSO", "muststarton": "MSO", "mfo": "MFO", "mustfinishon": "MFO",
}
_LINK = re.compile(r"^(?P<task>.+?)\s*(?P<type>FS|SS|FF|SF|EA|AA|EE|AE|FD|DD|DF|FC|CC|CF)?\s*"
                   r"(?P<lag>[+-]\s*\d+(?:[.,]\d+)?\s*%?\s*[^\W\d_]*\.?\??)?$")
#: what may follow a predecessor's id: its type and lag
_LINK_TAIL = re.compile(r"^(?:\s+|(?=[A-Z+-])|$)(?P<type>FS|SS|FF|SF|EA|AA|EE|AE|FD|DD|DF|FC|CC|CF)?\s*"
                        r"(?P<lag>[+-]\s*\d+(?:[.,]\d+)?\s*%?\s*[^\W\d_]*\.?\??)?$")
_QUOTED_LINK = re.compile(r'^"(?P<task>(?:[^"]|"")*)"(?P<tail>.*)$')
#: ids written as they are in the predecessors column (the reader prefers the longest known id, so
#: BA-P1-10 SS is task BA-P1-10); an id with a separator or a quote is quoted: "x;y" SS
_PLAIN_ID = re.compile(r'^[^",;]+$')
#: link types as MS Project writes them in German (Ende-Anfang ...), French (fin-début ...) and Spanish exports
_LINK_TYPES = {"EA": "FS", "AA": "SS", "EE": "FF", "AE": "SF", "FD": "FS", "DD": "SS", "DF": "SF",
               "FC": "FS", "CC": "SS", "CF": "SF"}
_NEED = re.compile(r"^(?P<name>.+?)\s*(?:[\[(]\s*(?P<pct>\d+(?:\.\d+)?)\s*%?\s*[\])]|[:*]\s*(?P<units>\d+(?:\.\d+)?))?$")
#: what makes a spreadsheet run a cell as a formula (OWASP CSV injection: also a leading tab or carriage return)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


# ---- sniffing ---------------------------------------------------------------
def sniff_csv(head: bytes) -> bool:
    """Only pmfit's own CSV is claimed by content; any other ``.csv`` comes here by its extension."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip()
    return first.startswith(b"id,name,parent,wbs,duration")


def sniff_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") and b"xl/" in head[:4096]


# ---- reading ----------------------------------------------------------------
Row = tuple[int, dict[str, Any]]


def detect_columns(header: list[str], mapping: Mapping[str, str] | None = None,
                   filename: str | None = None) -> dict[str, int]:
    """Field -> column index: the user's mapping first, then the known column names."""
    out: dict[str, int] = {}
    normalised = [norm(h) for h in header]
    for fld, column in (mapping or {}).items():
        if fld not in ALIASES:
            raise PlanError(Diagnostic("bad_field", f"unknown field {fld!r} in the column mapping (fields: "
                                       f"{', '.join(FIELDS)})", file=filename))
        matches = [i for i, h in enumerate(header) if h == column] or \
                  [i for i, h in enumerate(normalised) if h == norm(column)]
        if not matches:
            raise PlanError(Diagnostic("missing_field", f"the mapping names column {column!r} for {fld}, but the "
                                       f"table has: {', '.join(header)}", file=filename, line=1))
        out[fld] = matches[0]
    taken = set(out.values())
    for fld, aliases in ALIASES.items():
        if fld in out:
            continue
        for alias in aliases:
            if alias in normalised and normalised.index(alias) not in taken:
                out[fld] = normalised.index(alias)
                taken.add(out[fld])
                break
    return out


def _csv_rows(path: str, report: ImportReport) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    text = decode_text(read_file(path), path, report)
    header, rows = read_csv_rows(text, path)
    return header, [(line, list(cells)) for line, cells in rows]


def _open_workbook(path: str) -> Any:
    try:
        import openpyxl
    except ModuleNotFoundError:
        raise fail("unknown_format", "reading Excel files needs openpyxl: pip install 'pmfit[xlsx]'", path) from None
    from pmfit.io import limits

    raw = read_file(path)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            limits.check_workbook(archive, path)  # zip bombs, XXE, too many rows: before openpyxl unpacks
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        if not book.sheetnames:
            raise fail("bad_file", "the workbook has no sheets", path)
        return book
    except PlanError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise fail("bad_file", f"not a readable Excel workbook ({type(exc).__name__}: {exc})"[:300], path) from None


def _sheet_rows(sheet: Any, path: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    from pmfit.io.limits import MAX_TABLE_COLUMNS, MAX_TABLE_ROWS

    try:
        # bounded: a row numbered a million or a cell in column XFD must not make a million rows or
        # 16,384 cells a row out of a few bytes (openpyxl fills the gaps)
        columns = sheet.max_column if isinstance(sheet.max_column, int) else MAX_TABLE_COLUMNS
        rows_iter = sheet.iter_rows(values_only=True, max_row=MAX_TABLE_ROWS,
                                    max_col=max(1, min(columns, MAX_TABLE_COLUMNS)))
        empty: object = None
        for number_, values in enumerate(rows_iter, start=1):
            if values is empty:  # openpyxl yields one shared tuple for every missing row: O(1) each
                continue
            if not any(values) and values.count(None) + values.count("") == len(values):
                empty = values
                continue
            cells = ["" if v is None else v for v in values]
            if header is None:
                if any(str(c).strip() for c in cells):
                    header = [str(c).strip() for c in cells]
                continue
            if any(str(c).strip() for c in cells):
                rows.append((number_, cells))
    except Exception as exc:
        raise fail("bad_file", f"cannot read sheet {sheet.title!r} ({type(exc).__name__})", path) from None
    if header is None:
        raise fail("bad_file", f"sheet {sheet.title!r} is empty (no header row)", path)
    return header, rows


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] in _FORMULA:
            value = value[1:]
        return value or None
    return value


def read_table(path: str | os.PathLike[str], mapping: Mapping[str, str] | None = None, *,
               sheet: str | None = None, dayfirst: bool | None = None,
               project_start: dt.date | None = None, project_name: str | None = None,
               ) -> tuple[Plan, ImportReport]:
    """Read a CSV or Excel task list into a plan, with the report of what was kept and lost.

    ``mapping`` maps plan fields (see :data:`ALIASES`) to the table's column names; columns it does
    not name are found by their usual names. ``dayfirst`` settles dates like ``03/04/2025`` (by
    default a column is read day-first when any of its dates only makes sense that way).
    """
    name = str(path)
    suffix = Path(name).suffix.lower()
    is_excel = suffix in (".xlsx", ".xlsm") or (suffix not in (".csv", ".tsv", ".txt") and _is_zip(name))
    report = ImportReport("xlsx" if is_excel else "csv", name)
    extra: dict[str, Any] = {}
    if is_excel:
        book = _open_workbook(name)
        titles = list(book.sheetnames)
        if sheet is not None and sheet not in titles:
            raise fail("missing_field", f"no sheet {sheet!r} in the workbook (it has {', '.join(titles)})", name)
        chosen = sheet or ("Tasks" if "Tasks" in titles else titles[0])
        header, rows = _sheet_rows(book[chosen], name)
        if len(titles) > 1:
            report.read.append(f"sheet {chosen!r} of {len(titles)}")
        if "Project" in titles and sheet is None:
            extra["project"] = _key_values(book["Project"], name)
        if "Resources" in titles and sheet is None:
            extra["resources"] = _sheet_rows(book["Resources"], name)
    else:
        header, rows = _csv_rows(name, report)
    columns = detect_columns(header, mapping, name)
    if "name" not in columns and "id" not in columns:
        raise fail("missing_field", "no task name or id column found; name one with a column mapping "
                   f"(columns: {', '.join(header)})", name, 1)
    used = set(columns.values())
    unused = [h for i, h in enumerate(header) if i not in used and h]
    report.read.append("columns: " + ", ".join(f"{f} <- {header[i]!r}" for f, i in columns.items()))
    if unused:
        report.dropped.append("columns not imported: " + ", ".join(repr(u) for u in unused[:20])
                              + (" ..." if len(unused) > 20 else ""))
    records = [(line, {f: _cell(cells, i) for f, i in columns.items()}) for line, cells in rows]
    plan = _plan_from_records(records, report, name, dayfirst, project_start,
                              project_name or Path(name).stem, extra)
    return plan, report


def _is_zip(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _key_values(sheet: Any, path: str) -> dict[str, Any]:
    header, rows = _sheet_rows(sheet, path)
    out = {str(header[0]).strip().lower(): header[1] if len(header) > 1 else None} if header else {}
    for _, cells in rows:
        if cells and str(cells[0]).strip():
            out[str(cells[0]).strip().lower()] = cells[1] if len(cells) > 1 else None
    return out


def _split(text: str) -> list[str]:
    """A predecessors cell split at commas (else semicolons), never inside a quoted id."""
    sep = "," if "," in re.sub(r'"(?:[^"]|"")*"', "", text) else ";"
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _link_parts(token: str, ids: IdMap) -> tuple[str, str | None, str | None] | None:
    """(predecessor, type, lag) of one predecessor: a quoted id, else the longest known id, else by pattern."""
    quoted = _QUOTED_LINK.match(token)
    if quoted:
        tail = _LINK_TAIL.match(quoted["tail"])
        if tail is None:
            return None
        return quoted["task"].replace('""', '"'), tail["type"], tail["lag"]
    for end in range(len(token) - 1, 0, -1):  # BA-P1-10 SS is task BA-P1-10, not BA-P1 with lag -10SS
        tail = _LINK_TAIL.match(token[end:])
        if tail is not None and ids.get(token[:end].strip()) is not None:
            return token[:end].strip(), tail["type"], tail["lag"]
    match = _LINK.match(token)
    return None if match is None else (match["task"].strip(), match["type"], match["lag"])


def link_cell(link: Link) -> str:
    """One predecessor as the predecessors column writes it (quoted when its id holds , ; or ")."""
    text = str(link)
    if _PLAIN_ID.match(link.task):
        return text
    return '"' + link.task.replace('"', '""') + '"' + text[len(link.task):]


def _plan_from_records(records: list[Row], report: ImportReport, path: str, dayfirst: bool | None,
                       project_start: dt.date | None, default_name: str, extra: dict[str, Any]) -> Plan:
    if not records:
        raise fail("no_tasks", "the table has a header but no task rows", path)
    if dayfirst is None:
        values = [r.get(k) for _, r in records for k in ("start", "finish", "deadline", "constraint_date")]
        dayfirst = guess_dayfirst(values)
    ids = IdMap("task")
    tasks: list[dict[str, Any]] = []
    bad: list[str] = []
    dates: dict[str, tuple[Any, Any]] = {}
    raw_ids: list[str | None] = []
    elapsed = 0
    from_dates = 0
    percent: dict[str, float] = {}
    wbs_of: dict[str, str] = {}
    level_of: dict[str, int] = {}
    needs_raw: dict[str, str] = {}
    links_raw: dict[str, tuple[int, str]] = {}
    has_constraint_column = bool(records) and ("constraint" in records[0][1] or "constraint_date" in records[0][1])

    def when(value: Any, what: str, line: int) -> Any:
        try:
            return parse_date(value, dayfirst)
        except ValueError:
            bad.append(f"line {line} {what} {str(value)[:30]!r}")
            return None

    def span(value: Any, what: str, line: int, unit: str = "d") -> Any:
        nonlocal elapsed
        try:
            parsed = parse_duration(value, unit)
        except ValueError:
            bad.append(f"line {line} {what} {str(value)[:30]!r}")
            return None
        if parsed is None:
            return None
        elapsed += parsed[1]
        return str(parsed[0])

    for index, (line, row) in enumerate(records):
        raw = row.get("id")
        raw_text = _text(raw)
        tid = ids.add(raw_text if raw_text is not None else _text(row.get("name")) or f"{index + 1}")
        raw_ids.append(raw_text)
        task: dict[str, Any] = {"id": tid, "name": (_text(row.get("name")) or tid).replace("\n", " ")}
        if row.get("wbs") is not None:
            wbs_of[tid] = str(_text(row["wbs"])).rstrip(".")
        level = number(row.get("outline_level"))
        if level is not None:
            level_of[tid] = int(level)
        duration = span(row.get("duration"), "duration", line)
        start = when(row.get("start"), "start", line)
        finish = when(row.get("finish"), "finish", line)
        if start is not None or finish is not None:
            dates[tid] = (start, finish)
        if duration is not None:
            task["duration"] = duration
        work = span(row.get("work"), "work", line, "h")
        if work is not None:
            task["work"] = work
        if truthy(row.get("milestone")) or (duration is not None and re.fullmatch(r"-?0+(\.0+)?[a-z]*", duration)
                                             and row.get("milestone") is None):
            task["milestone"] = True
        if row.get("predecessors") is not None:
            links_raw[tid] = (line, str(row["predecessors"]))
        if row.get("resources") is not None:
            needs_raw[tid] = str(row["resources"])
        if row.get("notes") is not None:
            task["notes"] = str(row["notes"])
        deadline = when(row.get("deadline"), "deadline", line)
        if deadline is not None:
            task["deadline"] = deadline
        kind = row.get("constraint")
        if kind is not None:
            code = _CONSTRAINTS.get(norm(str(kind)))
            cdate = when(row.get("constraint_date"), "constraint date", line)
            if code is None:
                bad.append(f"line {line} constraint {str(kind)[:30]!r}")
            elif code in ("ASAP", "ALAP") or cdate is not None:
                task["constraint"] = {"type": code, **({"date": cdate} if cdate is not None and
                                                       code not in ("ASAP", "ALAP") else {})}
            else:
                bad.append(f"line {line} constraint {code} without a date")
        three = [span(row.get(k), k, line) for k in ("optimistic", "likely", "pessimistic")]
        if all(v is not None for v in three):
            task["estimate"] = dict(zip(("optimistic", "likely", "pessimistic"), three, strict=True))
        elif any(v is not None for v in three):
            bad.append(f"line {line} incomplete three-point estimate")
        cost = number(row.get("cost"))
        if cost is not None and cost >= 0:
            task["cost"] = cost
        priority = number(row.get("priority"))
        if priority is not None:
            task["priority"] = int(min(1000, max(0, priority)))
        if row.get("tags") is not None:
            task["tags"] = [t.strip() for t in re.split(r"[,;]", str(row["tags"])) if t.strip()]
        raw_pct = row.get("percent_complete")
        pct = number(raw_pct)
        if isinstance(raw_pct, float) and pct is not None and pct <= 1:
            pct *= 100  # an Excel percentage cell holds 0.85 for 85%
        if pct is not None and pct > 0:
            percent[tid] = min(100.0, pct)
        tasks.append(task)

    by_id = {t["id"]: t for t in tasks}
    _hierarchy(tasks, records, ids, wbs_of, level_of, report)
    parents = {t.get("parent") for t in tasks if t.get("parent")}
    for task in tasks:
        start, finish = dates.get(task["id"], (None, None))
        if any(k in task for k in ("duration", "estimate", "milestone")) or task["id"] in parents \
                or start is None or finish is None:
            continue
        if as_date(finish) >= as_date(start):
            task["duration"] = f"{_weekdays(as_date(start), as_date(finish))}d"
            from_dates += 1
    names: dict[str, list[str]] = {}
    for task in tasks:
        names.setdefault(task["name"].strip().lower(), []).append(task["id"])
    by_name = 0
    lag_percent = 0
    for tid, (line, text) in links_raw.items():
        links = []
        for token in [text.strip()] if ids.get(text.strip()) is not None else _split(text):
            pred = ids.get(token)
            link: dict[str, Any] = {}
            if pred is None:
                parts = _link_parts(token, ids)
                if parts is None:
                    bad.append(f"line {line} predecessor {token[:30]!r}")
                    continue
                ref, link_type, link_lag = parts
                pred = ids.get(ref)
                if pred is None and len(names.get(ref.lower(), [])) == 1:
                    pred = names[ref.lower()][0]
                    by_name += 1
                if pred is None:
                    pred = ref
                if link_type:
                    link["type"] = _LINK_TYPES.get(link_type, link_type)
                if link_lag:
                    lag = link_lag.replace(" ", "")
                    if "%" in lag:
                        lag_percent += 1
                    else:
                        parsed = span(lag, "lag", line)
                        if parsed is not None and not re.fullmatch(r"[+-]?0+(\.0+)?[a-z]*", parsed):
                            link["lag"] = parsed
            links.append({"task": pred, **link})
        if links:
            by_id[tid]["after"] = links
    if by_name:
        report.approximated.append(f"{plural(by_name, 'predecessor')} named by task name, not id")
    if lag_percent:
        report.dropped.append(f"{plural(lag_percent, 'percentage lag')} (like 3FS+50%) not kept: pmfit lags are "
                              "durations")

    resources = _resources(needs_raw, by_id, extra.get("resources"), report, path)
    project = _project(extra.get("project"), tasks, dates, project_start, default_name, report)
    start_day = as_date(project["start"])
    if not has_constraint_column:
        begins = {tid: start for tid, (start, _) in dates.items() if start is not None}
        pinned = pin_unlinked_starts(tasks, begins, start_day)
        if pinned:
            report.approximated.append("start-no-earlier-than constraints keep the start date of "
                                       f"{plural(pinned, 'task')} without predecessors")
    if elapsed:
        report.approximated.append(f"{plural(elapsed, 'elapsed duration')} (edays, ehrs) kept as working time")
    if from_dates:
        report.approximated.append(f"{plural(from_dates, 'task')} without a duration last the working days "
                                   "(Mon-Fri) from start to finish")
    if bad:
        report.dropped.append(f"{plural(len(bad), 'value')} that could not be read: " + "; ".join(bad[:6])
                              + (" ..." if len(bad) > 6 else ""))
    strip_summary_work(tasks, report)
    clean_links(tasks, report, what="dependency")
    data: dict[str, Any] = {"project": project, "resources": resources, "tasks": tasks}
    progress = {}
    missing_start = 0
    for tid, pct in percent.items():
        if tid in parents:
            continue
        begin, end = dates.get(tid, (None, None))
        if begin is None:
            missing_start += 1
            continue
        record: dict[str, Any] = {"percent_complete": pct, "actual_start": begin}
        if pct >= 100 and end is not None:
            record["actual_finish"] = end
        elif pct >= 100:
            record["percent_complete"] = 99.0
        progress[tid] = record
    if progress:
        data["progress"] = {"tasks": progress}
        report.approximated.append(f"{plural(len(progress), 'task')} with % complete: the start date is taken "
                                   "as the actual start")
    if missing_start:
        report.dropped.append(f"% complete of {plural(missing_start, 'task')} without a start date")
    plan = finish_plan(data, report, path)
    report.file_dates.update(dates)
    ids.note(report)
    count_read(report, plan)
    return plan


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _weekdays(first: dt.date, last: dt.date) -> int:
    days = (last - first).days + 1
    if days > 366 * 50:
        return days
    return max(1, sum(1 for i in range(days) if (first + dt.timedelta(days=i)).weekday() < 5))


def _hierarchy(tasks: list[dict[str, Any]], records: list[Row], ids: IdMap, wbs_of: dict[str, str],
               level_of: dict[str, int], report: ImportReport) -> None:
    parents = [_text(r.get("parent")) for _, r in records]
    if any(parents):
        missing = 0
        for task, raw in zip(tasks, parents, strict=True):
            if raw is None:
                continue
            parent = ids.get(raw)
            if parent is None:
                missing += 1
            elif parent != task["id"]:
                task["parent"] = parent
        if missing:
            report.dropped.append(f"{plural(missing, 'task')} name a parent that is not in the table (kept at the "
                                  "top level)")
        return
    if wbs_of:
        by_code = {code: tid for tid, code in wbs_of.items()}
        for task in tasks:
            code = wbs_of.get(task["id"])
            while code and "." in code:
                code = code.rsplit(".", 1)[0]
                if code in by_code:
                    task["parent"] = by_code[code]
                    break
        report.read.append("hierarchy from WBS codes")
        return
    if level_of:
        stack: list[tuple[int, str]] = []
        for task in tasks:
            level = level_of.get(task["id"], 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            if stack:
                task["parent"] = stack[-1][1]
            stack.append((level, task["id"]))
        report.read.append("hierarchy from outline levels")


def _resources(needs_raw: dict[str, str], by_id: dict[str, dict[str, Any]], sheet: Any,
               report: ImportReport, path: str) -> list[dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = {}
    res_ids = IdMap("resource")
    if sheet is not None:
        header, rows = sheet
        cols = {norm(h): i for i, h in enumerate(header)}
        for _, cells in rows:
            rid_raw = _text(_cell(cells, cols.get("id")))
            if rid_raw is None:
                continue
            rid = res_ids.add(rid_raw)
            resource: dict[str, Any] = {"id": rid}
            for key in ("name", "units", "rate", "kind", "team"):
                value = _cell(cells, cols.get(key))
                if value is not None:
                    resource[key] = value
            skills = _text(_cell(cells, cols.get("skills")))
            if skills:
                resource["skills"] = [s.strip() for s in skills.split(",") if s.strip()]
            resources[rid] = resource
    for tid, text in needs_raw.items():
        needs: dict[str, float] = {}
        for token in _split(text):
            match = _NEED.match(token)
            if not match:
                continue
            name = match["name"].strip()
            units = float(match["units"]) if match["units"] else float(match["pct"]) / 100 if match["pct"] else 1.0
            if units <= 0:
                continue
            rid = res_ids.get(name) or res_ids.add(name)
            resources.setdefault(rid, {"id": rid, "name": name})
            needs[rid] = units
        if needs:
            by_id[tid]["needs"] = needs
    if sheet is None and resources:
        peak: dict[str, float] = {}
        for task in by_id.values():
            for rid, units in task.get("needs", {}).items():
                peak[rid] = max(peak.get(rid, 1.0), units)
        for rid, resource in resources.items():
            if peak.get(rid, 1.0) > 1:
                resource["units"] = peak[rid]
        report.approximated.append(f"{plural(len(resources), 'resource')} created from the resources column, "
                                   "each with the units its tasks ask for (at least 1)")
    res_ids.note(report)
    return list(resources.values())


def _project(sheet: dict[str, Any] | None, tasks: list[dict[str, Any]], dates: dict[str, tuple[Any, Any]],
             project_start: dt.date | None, default_name: str, report: ImportReport) -> dict[str, Any]:
    project: dict[str, Any] = {"name": default_name}
    if not sheet:
        report.dropped.append("a table holds tasks only: no calendar, currency or resource details "
                              "(pmfit's defaults are used)")
    else:
        for key in ("name", "start", "currency", "description", "budget", "deadline", "organisation"):
            value = sheet.get(key)
            if value not in (None, ""):
                try:
                    project[key] = parse_date(value) if key in ("start", "deadline") else value
                except ValueError as exc:  # '#VALUE!' or a serial beyond the calendar in the start cell
                    raise PlanError(Diagnostic("bad_field", f"project {key}: {exc}", file=report.source)) from None
        calendar = sheet.get("calendar")
        if isinstance(calendar, str) and calendar.strip():
            try:
                project["calendar"] = json.loads(calendar)
            except json.JSONDecodeError:
                report.dropped.append("the Project sheet's calendar is not readable JSON: default calendar used")
        report.read.append("project settings from the 'Project' sheet")
    if project_start is not None:
        project["start"] = project_start
    if "start" not in project:
        starts = [as_date(s) for s, _ in dates.values() if s is not None]
        if starts:
            project["start"] = min(starts)
        else:
            project["start"] = dt.date.today()
            report.approximated.append("the table has no start dates: the project starts today "
                                       "(give read_table a project_start)")
    return project


def read_csv(path: str) -> tuple[Plan, ImportReport]:
    """Read a CSV task list (columns found by their usual names)."""
    return read_table(path)


def read_xlsx(path: str) -> tuple[Plan, ImportReport]:
    """Read an Excel task list (the 'Tasks' sheet, else the first)."""
    return read_table(path)


# ---- writing ----------------------------------------------------------------
COLUMNS = ("id", "name", "parent", "wbs", "duration", "work", "milestone", "predecessors", "resources",
           "start", "finish", "deadline", "constraint", "constraint date", "optimistic", "likely",
           "pessimistic", "cost", "priority", "tags", "notes")


def _wbs(plan: Plan) -> dict[str, str]:
    children: dict[str | None, list[str]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent, []).append(task.id)
    out: dict[str, str] = {}

    def walk(parent: str | None, prefix: str, depth: int) -> None:
        for i, tid in enumerate(children.get(parent, []), start=1):
            code = f"{prefix}{i}"
            out[tid] = code
            if depth < 100:
                walk(tid, code + ".", depth + 1)

    walk(None, "", 0)
    return out


def table_rows(plan: Plan, schedule: Any = None) -> list[dict[str, Any]]:
    """One dict per task with the :data:`COLUMNS` (dates as date/datetime objects).

    ``schedule``: the dates to write (the caller's current schedule; :class:`~pmfit.io.current.Unscheduled`
    for a plan that cannot be scheduled: the start and finish columns stay empty).
    """
    from pmfit.io.current import current_schedule

    sched = current_schedule(plan, schedule, "CSV/Excel")
    wbs = _wbs(plan)
    summaries = plan.summary_ids()
    rows = []
    for task in plan.tasks:
        timing = sched.tasks.get(task.id) if sched is not None else None
        constraint = task.constraint
        rows.append({
            "id": task.id,
            "name": task.name,
            "parent": task.parent,
            "wbs": wbs.get(task.id),
            "duration": None if task.id in summaries or task.duration is None else str(task.duration),
            "work": str(task.work) if task.work is not None else None,
            "milestone": "yes" if task.milestone else None,
            "predecessors": ", ".join(link_cell(link) for link in task.after) or None,
            "resources": ", ".join(f"{rid}:{units:.10g}" for rid, units in task.needs.items()) or None,
            "start": timing.start if timing is not None else None,
            "finish": timing.finish if timing is not None else None,
            "deadline": task.deadline,
            "constraint": constraint.type.value if constraint is not None else None,
            "constraint date": constraint.date if constraint is not None else None,
            "optimistic": str(task.estimate.optimistic) if task.estimate else None,
            "likely": str(task.estimate.likely) if task.estimate else None,
            "pessimistic": str(task.estimate.pessimistic) if task.estimate else None,
            "cost": task.cost,
            "priority": task.priority if task.priority != 500 else None,
            "tags": ", ".join(task.tags) or None,
            "notes": task.notes,
        })
    return rows


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) and not re.fullmatch(r"[+-]?\d+(\.\d+)?[a-z]*", text) else text


def write_csv(plan: Plan, path: str, schedule: Any = None) -> None:
    """Write the plan as a CSV task list (UTF-8 with BOM, so Excel reads the accents), atomically."""
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table_rows(plan, schedule):
        writer.writerow([_csv_value(row[c]) for c in COLUMNS])
    save_atomic(("\ufeff" + buffer.getvalue()).encode("utf-8"), path)


def write_xlsx(plan: Plan, path: str, schedule: Any = None) -> None:
    """Write the plan as an Excel workbook: Tasks, Resources and Project sheets, atomically."""
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except ModuleNotFoundError:
        raise PlanError(Diagnostic("unknown_format", "writing Excel files needs openpyxl: "
                                   "pip install 'pmfit[xlsx]'", file=path)) from None
    from openpyxl.cell import WriteOnlyCell

    rows = table_rows(plan, schedule)  # before the workbook: a missing schedule leaves no half-made book
    book = openpyxl.Workbook(write_only=True)  # streams rows: linear in the number of tasks
    tasks = book.create_sheet("Tasks")

    def put(sheet: Any, values: list[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cells.append(cell)
        sheet.append(cells)

    tasks.freeze_panes = "C2"
    for i, width in enumerate((14, 40, 12, 8, 10, 10, 9, 30, 24, 17, 17), start=1):
        tasks.column_dimensions[get_column_letter(i)].width = width
    put(tasks, list(COLUMNS))
    for row in rows:
        put(tasks, [row[c] for c in COLUMNS])
    resources = book.create_sheet("Resources")
    put(resources, ["id", "name", "units", "rate", "kind", "team", "skills"])
    for res in plan.resources:
        put(resources, [res.id, res.name, res.units, str(res.rate) if res.rate else None, res.kind, res.team,
                        ", ".join(res.skills) or None])
    project = book.create_sheet("Project")
    put(project, ["key", "value"])
    info = plan.project
    calendar = info.calendar.model_dump(mode="json", exclude_defaults=True)
    for key, value in (("name", info.name), ("start", info.start), ("currency", info.currency),
                       ("calendar", json.dumps(calendar) if calendar else None),
                       ("description", info.description), ("budget", info.budget),
                       ("deadline", info.deadline), ("organisation", info.organisation)):
        if value is not None:
            put(project, [key, value])
    buffer = io.BytesIO()
    book.save(buffer)
    save_atomic(buffer.getvalue(), path)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


register(Format("csv", (".csv", ".tsv", ".txt"), sniff_csv, read_csv, write_csv,
                "CSV task list (any columns; pmfit's own columns written)"))
register(Format("xlsx", (".xlsx", ".xlsm"), sniff_xlsx, read_xlsx, write_xlsx,
                "Excel task list (.xlsx; Tasks, Resources and Project sheets written)"))
