"""ClickUp CSV exports ("Export view" / "Every task"): tasks, parents, dates, estimates, assignees.

The mapping is the tracker mapping of :mod:`pmfit.io.jira` (one plan shape for every tracker):

- ``Task ID`` -> task id, ``Task Name`` -> name, ``Task Content`` -> notes, ``Status`` / ``Tags`` /
  ``List Name`` / ``Folder Name`` -> tags;
- ``Parent ID`` -> summary task (a parent that is not in the export is reported and the task stays
  at the top level);
- ``Time Estimated`` (milliseconds) or its text (``2h 30m``) -> duration and work; without one, the
  working days from start to due date; otherwise 0 days (reported);
- ``Start Date`` -> start-no-earlier-than constraint, ``Due Date`` -> deadline. The ``... Text``
  columns are read first: the numeric columns are epoch milliseconds that spreadsheet round trips
  often cut to ``1.73E+12``. ClickUp writes a date without a time as 4:00 AM; that is read as the date;
- ``Assignees`` (``[Ann, Bob]``) -> resources, one unit each.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.jira import Issue, plan_from_issues
from pmfit.io.tabular import (
    decode_text,
    fail,
    norm,
    number,
    parse_date,
    parse_duration,
    plural,
    read_csv_rows,
    read_file,
    split_list,
)
from pmfit.model.plan import Plan

_EPOCH = dt.datetime(1970, 1, 1)
#: columns of a ClickUp export that the reader uses or knowingly leaves out (compared with :func:`norm`)
_KNOWN = frozenset({
    "taskid", "taskname", "taskcontent", "status", "datecreated", "datecreatedtext", "duedate", "duedatetext",
    "startdate", "startdatetext", "parentid", "attachments", "assignees", "tags", "priority", "listname",
    "foldername", "spacename", "timeestimated", "timeestimatedtext", "checklists", "comments",
    "assignedcomments", "timespent", "timespenttext", "rolleduptime", "rolleduptimetext",
})


def sniff(head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].lower()
    return b"task id" in first and b"task name" in first and (
        b"parent id" in first or b"list name" in first or b"space name" in first or b"date created" in first)


def _when(text: str | None, millis: str | None) -> dt.date | dt.datetime | None:
    value: dt.date | dt.datetime | None = None
    if text:
        value = parse_date(re.sub(r"\s*(GMT|UTC)[+-]?[\d:]*\s*$", "", text.strip()), dayfirst=False)
    elif millis and re.fullmatch(r"\d{11,14}", millis.strip()):
        value = _EPOCH + dt.timedelta(milliseconds=int(millis.strip()))
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.datetime) and value.time() == dt.time(4, 0):
        return value.date()
    return value


def read(path: str) -> tuple[Plan, ImportReport]:
    """Read a ClickUp CSV export into a plan and an import report."""
    report = ImportReport("clickup", path)
    text = decode_text(read_file(path), path, report)
    header, rows = read_csv_rows(text, path)
    col = {norm(name): i for i, name in reversed(list(enumerate(header)))}
    if "taskid" not in col or "taskname" not in col:
        raise fail("unknown_format", "not a ClickUp export (no 'Task ID' and 'Task Name' columns)", path, 1)

    def get(row: list[str], *names: str) -> str | None:
        for name in names:
            i = col.get(name)
            if i is not None and i < len(row):
                value = row[i].strip()
                if value and value.lower() not in ("null", "nan", "none", '""'):
                    return value
        return None

    issues: list[Issue] = []
    bad: list[str] = []
    dropped_columns: dict[str, int] = {}
    unknown = [(i, h) for i, h in enumerate(header) if norm(h) not in _KNOWN and h.strip()]
    for line, row in rows:
        key = get(row, "taskid")
        if not key:
            report.dropped.append(f"line {line}: a row without a Task ID")
            continue
        issue = Issue(key=key, summary=get(row, "taskname") or key, status=get(row, "status"),
                      priority=get(row, "priority"), parent=get(row, "parentid"),
                      project=get(row, "spacename"))
        content = get(row, "taskcontent")
        if content:
            issue.description = content.replace("\\n", "\n")
        issue.assignees = split_list(get(row, "assignees"))
        issue.labels = split_list(get(row, "tags"))
        for name, label in (("listname", "list"), ("foldername", "folder")):
            value = get(row, name)
            if value:
                issue.labels.append(f"{label}: {value}")
        try:
            issue.created = _when(get(row, "datecreatedtext"), get(row, "datecreated"))
        except ValueError:
            bad.append(f"line {line} Date Created")
        try:
            issue.start = _when(get(row, "startdatetext"), get(row, "startdate"))
        except ValueError:
            bad.append(f"line {line} Start Date")
        try:
            issue.due = _when(get(row, "duedatetext"), get(row, "duedate"))
        except ValueError:
            bad.append(f"line {line} Due Date")
        millis = number(get(row, "timeestimated"))
        estimate_text = get(row, "timeestimatedtext")
        if millis and millis > 0 and "e" not in (get(row, "timeestimated") or "").lower():
            issue.estimate = millis / 1000
        elif estimate_text:
            try:
                parsed = parse_duration(estimate_text, "h")
            except ValueError:
                parsed = None
                bad.append(f"line {line} Time Estimated Text")
            if parsed is not None and parsed[0].amount > 0:
                issue.estimate = parsed[0].minutes() * 60
        spent = number(get(row, "timespent"))
        if spent and spent > 0:
            issue.spent = spent / 1000
        for i, title in unknown:
            if i < len(row) and row[i].strip() not in ("", "null", "[]", "{}", "NaN"):
                dropped_columns[f"column {title.strip()!r}"] = dropped_columns.get(f"column {title.strip()!r}", 0) + 1
        for name, label in (("checklists", "Checklists"), ("comments", "Comments"),
                            ("attachments", "Attachments")):
            value = get(row, name)
            if value and value not in ("{}", "[]"):
                dropped_columns[label] = dropped_columns.get(label, 0) + 1
        issues.append(issue)
    if bad:
        report.dropped.append(f"{plural(len(bad), 'value')} that could not be read: " + ", ".join(bad[:5]))
    for label, count in sorted(dropped_columns.items()):
        report.dropped.append(f"{label} not imported ({plural(count, 'task')} with a value)")
    if any(isinstance(i.due, dt.date) and not isinstance(i.due, dt.datetime) for i in issues):
        report.approximated.append("ClickUp dates at 4:00 AM (its way of writing a date without a time) "
                                   "read as dates")
    plan = plan_from_issues(issues, report, path, tool="ClickUp", word="task")
    return plan, report


__all__: list[Any] = ["read", "sniff"]

register(Format("clickup", (), sniff, read, None, "ClickUp CSV export"))
