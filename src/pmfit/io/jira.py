"""Jira exports: CSV ("Export CSV (all fields)"), XML (RSS) and REST JSON (``/rest/api/2/search``).

All three become the same list of issues, then the same plan:

- each issue is a task (id = issue key, name = summary, tags = issue type, status and labels);
- the original estimate (seconds of effort, 1d = 8h) becomes the task's duration and its ``work``:
  an estimate is effort, read as the duration for one person working full time;
- an issue without an estimate but with a start date and a due date lasts the working days between them;
  otherwise it lasts 0 days (listed in the report, so you can fill them in);
- the parent (sub-task -> parent, issue -> epic through ``parent`` or "Epic Link") becomes the
  task's summary task;
- "Blocks" links become finish-to-start dependencies (X blocks Y: Y after X), as do "depends on" and
  Gantt-plugin "before/after" links; "relates to", "duplicates", "clones" and others are not
  dependencies and are dropped with that reason. A link that would close a cycle is dropped;
- the due date becomes a deadline; a "Start date" field becomes a start-no-earlier-than constraint;
- assignees become resources (one person each, 1 unit); custom fields are listed as not imported.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
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
    decode_text,
    fail,
    finish_plan,
    number,
    parse_date,
    parse_xml,
    plural,
    read_csv_rows,
    read_file,
    seconds_to_duration,
    split_list,
    strip_summary_work,
)
from pmfit.model.plan import Plan

_FORWARD = ("blocks", "has to be done before", "is predecessor of", "precedes", "is a prerequisite of",
            "finish-start", "end to start")
_BACKWARD = ("is blocked by", "depends on", "has to be done after", "is successor of", "follows",
             "is dependent on", "requires")


#: standard Jira columns that carry planning information pmfit does not model (reported when used)
_OTHER_FIELDS = ("sprint", "fix version/s", "fix versions", "component/s", "components", "affects version/s",
                 "affects versions", "time spent", "story points")


@dataclass
class Issue:
    """One Jira issue, whichever export it came from."""

    key: str
    id: str | None = None
    summary: str = ""
    type: str | None = None
    status: str | None = None
    priority: str | None = None
    parent: str | None = None
    epic: str | None = None
    subtasks: list[str] = field(default_factory=list)
    estimate: float | None = None  # seconds
    remaining: float | None = None
    spent: float | None = None
    created: dt.date | dt.datetime | None = None
    start: dt.date | dt.datetime | None = None
    due: dt.date | dt.datetime | None = None
    resolved: dt.date | dt.datetime | None = None
    assignee: str | None = None
    assignees: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    description: str | None = None
    #: (link type name, description as seen from this issue, other issue key)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    custom: dict[str, int] = field(default_factory=dict)
    project: str | None = None


# ---- sniffing ---------------------------------------------------------------
def sniff_csv(head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return b"Issue key" in first and b"Summary" in first


def sniff_rss(head: bytes) -> bool:
    return b"<rss" in head and b"jira" in head.lower() and b"<item" in head


def sniff_json(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        return b'"clauseNames"' in text or (b'"fields"' in text and b'"key"' in text and b'"self"' in text)
    return text.startswith(b"{") and b'"issues"' in text and (b'"fields"' in text or b'"total"' in text)


# ---- CSV --------------------------------------------------------------------
def _date(value: object, where: str, report: ImportReport, bad: list[str]) -> dt.date | dt.datetime | None:
    try:
        return parse_date(value)
    except ValueError:
        bad.append(where)
        return None


MAX_SECONDS = 1e9  # about 35,000 working days: anything larger is not an estimate


def _seconds(value: object) -> float | None:
    seconds = number(value)
    return seconds if seconds is not None and 0 < seconds <= MAX_SECONDS else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def issues_from_csv(path: str, report: ImportReport) -> list[Issue]:
    text = decode_text(read_file(path), path, report)
    header, rows = read_csv_rows(text, path)
    columns: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        columns.setdefault(name.strip().lower(), []).append(i)
    if "issue key" not in columns or "summary" not in columns:
        raise fail("unknown_format", "not a Jira CSV export (no 'Issue key' and 'Summary' columns)", path, 1)

    def cells(row: list[str], name: str) -> list[str]:
        return [row[i].strip() for i in columns.get(name, []) if i < len(row) and row[i].strip()]

    def cell(row: list[str], *names: str) -> str | None:
        for name in names:
            values = cells(row, name)
            if values:
                return values[0]
        return None

    link_columns = [(name, idx) for name, idx in columns.items()
                    if name.startswith(("outward issue link", "inward issue link"))]
    custom_columns = [(name, idx) for name, idx in columns.items() if name.startswith("custom field (")]
    bad_dates: list[str] = []
    issues: list[Issue] = []
    other_fields: dict[str, int] = {}
    for line, row in rows:
        key = cell(row, "issue key")
        if not key:
            report.dropped.append(f"line {line}: a row without an issue key")
            continue
        issue = Issue(key=key, id=cell(row, "issue id"), summary=cell(row, "summary") or key,
                      type=cell(row, "issue type"), status=cell(row, "status"), priority=cell(row, "priority"),
                      assignee=cell(row, "assignee"), description=cell(row, "description"),
                      project=cell(row, "project name"))
        issue.parent = cell(row, "parent key", "parent", "parent id")
        issue.epic = cell(row, "custom field (epic link)", "epic link")
        issue.subtasks = [s for v in cells(row, "sub-tasks") for s in split_list(v)]
        issue.estimate = _seconds(cell(row, "original estimate"))
        issue.remaining = _seconds(cell(row, "remaining estimate"))
        issue.spent = _seconds(cell(row, "time spent"))
        issue.created = _date(cell(row, "created"), f"line {line} Created", report, bad_dates)
        issue.due = _date(cell(row, "due date", "due"), f"line {line} Due date", report, bad_dates)
        issue.resolved = _date(cell(row, "resolved"), f"line {line} Resolved", report, bad_dates)
        issue.start = _date(cell(row, "custom field (start date)", "start date"), f"line {line} Start date",
                            report, bad_dates)
        issue.labels = [label for value in cells(row, "labels") for label in value.split()]
        for name, idx in link_columns:
            title = header[idx[0]]
            kind = title[title.find("(") + 1:title.rfind(")")] if "(" in title else "link"
            inward = name.startswith("inward")
            for i in idx:
                if i < len(row) and row[i].strip():
                    for other in split_list(row[i]):
                        issue.links.append((kind, "inward" if inward else "outward", other))
        for name in _OTHER_FIELDS:
            if cells(row, name):
                other_fields[name] = other_fields.get(name, 0) + 1
        for name, idx in custom_columns:
            if name in ("custom field (epic link)", "custom field (start date)", "custom field (rank)"):
                continue
            if any(i < len(row) and row[i].strip() not in ("", "{}", "[]") for i in idx):
                label = header[idx[0]][len("custom field ("):-1]
                issue.custom[label] = 1
        issues.append(issue)
    for name, count in sorted(other_fields.items()):
        title = next(h for h in header if h.strip().lower() == name)
        report.dropped.append(f"Jira field {title!r} not imported ({plural(count, 'issue')} with a value)")
    if bad_dates:
        report.dropped.append(f"{plural(len(bad_dates), 'date')} that could not be read: "
                              + ", ".join(bad_dates[:5]))
    return issues


# ---- RSS (XML) --------------------------------------------------------------
def _text(el: Element | None) -> str | None:
    if el is None:
        return None
    value = "".join(el.itertext()).strip()
    if any("\ud800" <= c <= "\udfff" for c in value):
        # Jira writes characters outside the BMP (emoji) as two UTF-16 surrogate character references
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value or None


def _child(el: Element, name: str) -> Element | None:
    return next((c for c in el if local(c.tag) == name), None)


#: item elements of a Jira XML export that pmfit does not model, reported when they hold something
_RSS_UNUSED = {"comments": "comments", "component": "components", "fixVersion": "fix versions",
               "version": "affects versions", "attachments": "attachments", "worklogs": "work logs",
               "environment": "environment"}


def _plain(html: str | None) -> str | None:
    """Jira XML descriptions are HTML: keep the text."""
    if not html:
        return None
    import html as html_lib
    import re

    text = re.sub(r"<br\s*/?>|</p>|</li>", "\n", html, flags=re.IGNORECASE)
    text = html_lib.unescape(re.sub(r"<[^>]{0,2000}>", "", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip() or None


def issues_from_rss(path: str, report: ImportReport) -> list[Issue]:
    root = parse_xml(read_file(path), path)
    if local(root.tag) != "rss":
        raise fail("unknown_format", f"not a Jira XML export (the root element is <{local(root.tag)}>)", path)
    bad_dates: list[str] = []
    issues: list[Issue] = []
    unused: dict[str, int] = {}
    for item in root.iter("item"):
        for child in item:
            label = _RSS_UNUSED.get(local(child.tag))
            if label and (len(child) or (child.text or "").strip()):
                unused[label] = unused.get(label, 0) + 1
        key_el = _child(item, "key")
        key = _text(key_el)
        if not key:
            report.dropped.append("an <item> without a <key>")
            continue
        issue = Issue(key=key, id=key_el.get("id") if key_el is not None else None,
                      summary=_text(_child(item, "summary")) or _text(_child(item, "title")) or key,
                      type=_text(_child(item, "type")), status=_text(_child(item, "status")),
                      priority=_text(_child(item, "priority")), project=_text(_child(item, "project")),
                      description=_plain(_text(_child(item, "description"))))
        assignee = _child(item, "assignee")
        if assignee is not None and assignee.get("accountid") != "-1" and _text(assignee) not in (None, "Unassigned"):
            issue.assignee = _text(assignee)
        parent = _child(item, "parent")
        issue.parent = _text(parent)
        for name, attr in (("timeoriginalestimate", "estimate"), ("timeestimate", "remaining"),
                           ("timespent", "spent")):
            el = _child(item, name)
            if el is not None:
                setattr(issue, attr, _seconds(el.get("seconds")))
        for name, attr in (("created", "created"), ("due", "due"), ("resolved", "resolved")):
            setattr(issue, attr, _date(_text(_child(item, name)), f"{key} {name}", report, bad_dates))
        labels = _child(item, "labels")
        if labels is not None:
            issue.labels = [t for t in (_text(lab) for lab in labels) if t]
        subtasks = _child(item, "subtasks")
        if subtasks is not None:
            issue.subtasks = [t for t in (_text(s) for s in subtasks) if t]
        links = _child(item, "issuelinks")
        if links is not None:
            for link_type in links:
                kind = _text(_child(link_type, "name")) or "link"
                for side in link_type:
                    direction = local(side.tag)
                    if direction not in ("outwardlinks", "inwardlinks"):
                        continue
                    description = side.get("description") or ""
                    for issuekey in side.iter("issuekey"):
                        other = _text(issuekey)
                        if other:
                            issue.links.append((kind, description or direction[:-5], other))
        customfields = _child(item, "customfields")
        if customfields is not None:
            for cf in customfields:
                name = _text(_child(cf, "customfieldname")) or cf.get("id") or "custom field"
                values = [t for t in (_text(v) for v in cf.iter("customfieldvalue")) if t]
                lname = name.lower()
                if not values or lname == "rank":
                    continue
                if lname == "epic link" or cf.get("key", "").endswith("gh-epic-link"):
                    issue.epic = values[0]
                elif lname in ("start date", "start"):
                    issue.start = _date(values[0], f"{key} Start date", report, bad_dates)
                else:
                    issue.custom[name] = 1
        issues.append(issue)
    for label, count in sorted(unused.items()):
        report.dropped.append(f"{label} not imported ({plural(count, 'issue')} with some)")
    if bad_dates:
        report.dropped.append(f"{plural(len(bad_dates), 'date')} that could not be read: "
                              + ", ".join(bad_dates[:5]))
    return issues


# ---- REST JSON --------------------------------------------------------------
def _load_json(path: str) -> Any:
    text = decode_text(read_file(path), path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail("bad_file", f"not valid JSON: {exc.msg}", path, exc.lineno) from None
    except RecursionError:
        raise fail("bad_file", "JSON nested too deep", path) from None


def field_names(fields: str | os.PathLike[str] | list[Any] | dict[str, str] | None) -> dict[str, str]:
    """Custom field ids -> names, from Jira's ``/rest/api/2/field`` list (a file or the data) or a dict."""
    if fields is None:
        return {}
    if isinstance(fields, dict):
        return {str(k): str(v) for k, v in fields.items()}
    data = fields if isinstance(fields, list) else _load_json(str(fields))
    if not isinstance(data, list):
        raise fail("bad_field", "a Jira field list is a JSON list of {id, name}", str(fields))
    return {str(f["id"]): str(f.get("name", f["id"])) for f in data if isinstance(f, dict) and "id" in f}


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("displayName", "name", "value", "key"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def issues_from_json(data: Any, path: str, report: ImportReport, names: dict[str, str] | None = None) -> list[Issue]:
    names = dict(names or {})
    if isinstance(data, list) and data and all(isinstance(f, dict) and "clauseNames" in f for f in data[:5]):
        raise fail("unknown_format", "this is Jira's field list (/rest/api/2/field), not issues; pass it as "
                   "the field names of an issues export (pmfit.io.jira.read_json(issues, fields=...))", path)
    if isinstance(data, dict):
        if isinstance(data.get("names"), dict):
            names.update({str(k): str(v) for k, v in data["names"].items()})
        raw = data.get("issues")
    else:
        raw = data
    if not isinstance(raw, list):
        raise fail("bad_field", "a Jira JSON export has a list of issues (\"issues\": [...])", path)
    if isinstance(data, dict) and isinstance(data.get("total"), int) and data["total"] > len(raw):
        report.dropped.append(f"the search found {data['total']} issues but this page holds {len(raw)}: "
                              "export every page to import them all")
    bad_dates: list[str] = []
    issues: list[Issue] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            report.dropped.append("an issue without a key")
            continue
        fields: dict[str, Any] = entry["fields"] if isinstance(entry.get("fields"), dict) else {}
        key = entry["key"]
        issue = Issue(key=key, id=str(entry.get("id")) if entry.get("id") is not None else None,
                      summary=str(fields.get("summary") or key), type=_name(fields.get("issuetype")),
                      status=_name(fields.get("status")), priority=_name(fields.get("priority")),
                      assignee=_name(fields.get("assignee")), project=_name(fields.get("project")))
        if isinstance(fields.get("description"), str):
            issue.description = fields["description"].strip() or None
        parent = fields.get("parent")
        issue.parent = parent["key"] if isinstance(parent, dict) and isinstance(parent.get("key"), str) else None
        issue.subtasks = [s["key"] for s in _list(fields.get("subtasks"))
                          if isinstance(s, dict) and isinstance(s.get("key"), str)]
        tracking: dict[str, Any] = fields["timetracking"] if isinstance(fields.get("timetracking"), dict) else {}
        issue.estimate = _seconds(fields.get("timeoriginalestimate") or tracking.get("originalEstimateSeconds"))
        issue.remaining = _seconds(fields.get("timeestimate") or tracking.get("remainingEstimateSeconds"))
        issue.spent = _seconds(fields.get("timespent") or tracking.get("timeSpentSeconds"))
        for name, attr in (("created", "created"), ("duedate", "due"), ("resolutiondate", "resolved")):
            value = fields.get(name)
            if isinstance(value, str):
                setattr(issue, attr, _date(value, f"{key} {name}", report, bad_dates))
        issue.labels = [str(x) for x in _list(fields.get("labels")) if isinstance(x, str)]
        for link in _list(fields.get("issuelinks")):
            if not isinstance(link, dict) or not isinstance(link.get("type"), dict):
                continue
            kind = str(link["type"].get("name") or "link")
            for side, other_key in (("outward", "outwardIssue"), ("inward", "inwardIssue")):
                other = link.get(other_key)
                if isinstance(other, dict) and isinstance(other.get("key"), str):
                    issue.links.append((kind, str(link["type"].get(side) or side), other["key"]))
        for fid, value in fields.items():
            if not fid.startswith("customfield_") or value in (None, "", [], {}):
                continue
            label = names.get(fid, fid)
            lower = label.lower()
            if lower == "epic link" and isinstance(value, str):
                issue.epic = value
            elif lower in ("start date", "start") and isinstance(value, str):
                issue.start = _date(value, f"{key} Start date", report, bad_dates)
            elif lower != "rank":
                issue.custom[label] = 1
        issues.append(issue)
    if bad_dates:
        report.dropped.append(f"{plural(len(bad_dates), 'date')} that could not be read: "
                              + ", ".join(bad_dates[:5]))
    return issues


# ---- issues -> plan ---------------------------------------------------------
def _dependency(kind: str, description: str) -> str | None:
    """'before' when this issue comes first, 'after' when it waits for the other one, else None."""
    text = description.strip().lower()
    if text in ("outward", "inward"):
        if kind.strip().lower() in ("blocks", "block", "dependency", "depends", "gantt dependency",
                                    "gantt: finish-start", "predecessor"):
            return "before" if text == "outward" else "after"
        return None
    if any(text.startswith(p) for p in _BACKWARD):
        return "after"
    if any(text.startswith(p) for p in _FORWARD):
        return "before"
    return None


def plan_from_issues(issues: list[Issue], report: ImportReport, path: str, tool: str = "Jira",
                     word: str = "issue") -> Plan:
    """The plan for a list of Jira issues (see the module doc for the mapping)."""
    if not issues:
        raise fail("no_tasks", f"the {tool} export has no {word}s", path)
    ids = IdMap("task")
    key_of: dict[str, str] = {}  # issue key or id -> task id (the first issue with that key)
    own: dict[int, str] = {}  # each issue's own task id, even when a key is used twice
    duplicates = 0
    for issue in issues:
        tid = ids.add(issue.key)
        own[id(issue)] = tid
        duplicates += issue.key in key_of
        key_of.setdefault(issue.key, tid)
        if issue.id:
            key_of.setdefault(issue.id, tid)
    if duplicates:
        report.approximated.append(f"{plural(duplicates, word)} repeat a key already used: renamed "
                                   "(links and parents name the first one)")
    people = IdMap("resource")
    resources: dict[str, dict[str, Any]] = {}
    tasks: list[dict[str, Any]] = []
    parent_missing: list[str] = []
    no_estimate: set[str] = set()
    from_dates: set[str] = set()
    types: dict[str, int] = {}
    for issue in issues:
        tid = own[id(issue)]
        task: dict[str, Any] = {"id": tid, "name": issue.summary.strip() or tid}
        parent_ref = issue.parent or issue.epic
        if parent_ref:
            parent = key_of.get(parent_ref)
            if parent is None:
                parent_missing.append(f"{issue.key} -> {parent_ref}")
            elif parent != tid:
                task["parent"] = parent
        tags = []
        if issue.type:
            tags.append(issue.type)
            types[issue.type] = types.get(issue.type, 0) + 1
        if issue.status:
            tags.append(f"status: {issue.status}")
        tags.extend(issue.labels)
        if tags:
            task["tags"] = [t.replace(",", " ") for t in tags]
        if issue.estimate:
            work = seconds_to_duration(issue.estimate)
            task["duration"] = str(work)
            task["work"] = str(work)
        elif issue.start is not None and issue.due is not None and as_date(issue.due) >= as_date(issue.start):
            task["duration"] = f"{_weekdays(as_date(issue.start), as_date(issue.due))}d"
            from_dates.add(tid)
        else:
            task["duration"] = "0d"
            no_estimate.add(tid)
        if issue.due is not None:
            task["deadline"] = issue.due
        if issue.start is not None:
            task["constraint"] = {"type": "SNET", "date": issue.start}
        if issue.description:
            task["notes"] = issue.description
        if issue.priority:
            task["priority"] = {"highest": 900, "urgent": 900, "high": 700, "medium": 500, "normal": 500,
                                "low": 300, "lowest": 100}.get(issue.priority.lower(), 500)
        for person in ([issue.assignee] if issue.assignee else []) + issue.assignees:
            rid = people.get(person) or people.add(person)
            resources.setdefault(rid, {"id": rid, "name": person})
            task.setdefault("needs", {})[rid] = 1
        tasks.append(task)
    by_tid = {t["id"]: t for t in tasks}
    for issue in issues:
        for sub in issue.subtasks:
            child = by_tid.get(key_of.get(sub, ""))
            if child is not None and "parent" not in child and child["id"] != own[id(issue)]:
                child["parent"] = own[id(issue)]

    seen: set[tuple[str, str]] = set()
    dropped_kinds: dict[str, int] = {}
    unknown: list[str] = []
    for issue in issues:
        me = own[id(issue)]
        for kind, description, other_key in issue.links:
            direction = _dependency(kind, description)
            if direction is None:
                label = f"{kind} ({description})" if description not in ("outward", "inward") else kind
                dropped_kinds[label] = dropped_kinds.get(label, 0) + 1
                continue
            other = key_of.get(other_key)
            if other is None:
                unknown.append(f"{issue.key} {description} {other_key}")
                continue
            pred, succ = (me, other) if direction == "before" else (other, me)
            if (pred, succ) in seen:
                continue
            seen.add((pred, succ))
            by_tid[succ].setdefault("after", []).append({"task": pred})
    for label, count in sorted(dropped_kinds.items()):
        report.dropped.append(f"{plural(count, tool + ' link')} of type {label!r}: not dependencies, dropped")
    if unknown:
        report.dropped.append(f"{plural(len(unknown), 'dependency link')} to {word}s that are not in the export: "
                              + ", ".join(unknown[:6]) + (" ..." if len(unknown) > 6 else ""))
    if parent_missing:
        report.dropped.append(f"{plural(len(parent_missing), word)} whose parent or epic is not in the export "
                              "(kept at the top level): " + ", ".join(parent_missing[:6])
                              + (" ..." if len(parent_missing) > 6 else ""))
    _drop_parent_cycles(tasks, report)
    parents = {t.get("parent") for t in tasks if t.get("parent")}
    for task in tasks:
        if task["id"] in parents and task["id"] in no_estimate | from_dates:
            task.pop("duration", None)  # a summary without an estimate of its own: nothing to report
    no_estimate -= parents
    from_dates -= parents
    strip_summary_work(tasks, report, what=f"epic or parent {word}")
    clean_links(tasks, report, break_cycles=True, what="dependency")

    starts = [as_date(i.start) for i in issues if i.start is not None]
    created = [as_date(i.created) for i in issues if i.created is not None]
    if starts or created:
        start = min(starts or created)
        how = "the earliest start date" if starts else f"the earliest {word} creation date"
    else:
        start = dt.date.today()
        how = "today (the export has no dates)"
    report.approximated.append(f"project start taken as {how}: {start}")
    if any(i.estimate for i in issues):
        report.approximated.append("original estimates are effort; each is taken as the duration for one "
                                   "person working full time (1d = 8h), and kept as the task's work")
    if from_dates:
        report.approximated.append(f"{plural(len(from_dates), word)} without an estimate last the working days "
                                   "from start date to due date")
    if no_estimate:
        report.approximated.append(f"{plural(len(no_estimate), word)} without an estimate or dates: duration 0d "
                                   "(give them estimates before trusting the schedule)")
    if any(i.status for i in issues):
        report.approximated.append("status kept as a tag ('status: ...'), not as progress: trackers give no "
                                   "actual dates")
    if any(i.spent for i in issues):
        report.dropped.append("time spent (logged work) not imported as actuals")
    customs: dict[str, int] = {}
    for issue in issues:
        for name in issue.custom:
            customs[name] = customs.get(name, 0) + 1
    for name, count in sorted(customs.items()):
        report.dropped.append(f"custom field {name!r} not imported ({plural(count, word)} with a value)")
    projects = sorted({i.project for i in issues if i.project})
    name = projects[0] if len(projects) == 1 else Path(path).stem
    data: dict[str, Any] = {"project": {"name": name, "start": start}, "resources": list(resources.values()),
                            "tasks": tasks}
    plan = finish_plan(data, report, path)
    for issue in issues:
        if issue.start is not None and issue.due is not None:
            tid = own[id(issue)]
            report.file_dates[tid] = (issue.start, issue.due)
            if as_date(issue.start).weekday() >= 5:
                report.task_causes.setdefault(tid, []).append(
                    f"the file's start ({as_date(issue.start):%a %Y-%m-%d}) is not a working day of pmfit's "
                    "Mon-Fri calendar")
            if tid in no_estimate:
                report.task_causes.setdefault(tid, []).append(f"no estimate in the {tool} export: duration 0d")
            elif tid in from_dates:
                report.task_causes.setdefault(tid, []).append(
                    "duration counted as Mon-Fri working days between the start and due dates")
            elif issue.estimate:
                report.task_causes.setdefault(tid, []).append(
                    "the estimate (effort, one person full time) sets the duration, not the due date")
    if types:
        report.read.append(f"{word} types: " + ", ".join(f"{n} {t}" for t, n in sorted(types.items())))
    if len(projects) > 1:
        report.read.append(f"{len(projects)} {tool} projects in one plan: " + ", ".join(projects))
    ids.note(report)
    count_read(report, plan)
    return plan


def _weekdays(first: dt.date, last: dt.date) -> int:
    days = (last - first).days + 1
    if days > 366 * 50:
        return days
    return max(1, sum(1 for i in range(days) if (first + dt.timedelta(days=i)).weekday() < 5))


def _drop_parent_cycles(tasks: list[dict[str, Any]], report: ImportReport) -> None:
    parent = {t["id"]: t.get("parent") for t in tasks}
    by_id = {t["id"]: t for t in tasks}
    broken = []
    for tid in list(parent):
        seen = {tid}
        node = parent.get(tid)
        while node is not None:
            if node in seen:
                by_id[tid].pop("parent", None)
                parent[tid] = None
                broken.append(tid)
                break
            seen.add(node)
            node = parent.get(node)
    if broken:
        report.dropped.append(f"parent links that go round in a circle: {', '.join(broken[:6])} kept at the top level")


# ---- readers ----------------------------------------------------------------
def read_csv(path: str) -> tuple[Plan, ImportReport]:
    """Read a Jira CSV export ("Export Excel CSV (all fields)")."""
    report = ImportReport("jira-csv", path)
    return plan_from_issues(issues_from_csv(path, report), report, path), report


def read_rss(path: str) -> tuple[Plan, ImportReport]:
    """Read a Jira XML (RSS) export."""
    report = ImportReport("jira-xml", path)
    return plan_from_issues(issues_from_rss(path, report), report, path), report


def read_json(path: str, fields: str | os.PathLike[str] | list[Any] | dict[str, str] | None = None,
              ) -> tuple[Plan, ImportReport]:
    """Read a Jira REST search result (JSON); ``fields`` names custom fields (``/rest/api/2/field``)."""
    report = ImportReport("jira-json", path)
    issues = issues_from_json(_load_json(path), path, report, field_names(fields))
    return plan_from_issues(issues, report, path), report


register(Format("jira-csv", (), sniff_csv, read_csv, None, "Jira CSV export"))
register(Format("jira-xml", (), sniff_rss, read_rss, None, "Jira XML (RSS) export"))
register(Format("jira-json", (), sniff_json, read_json, None, "Jira REST API search result (JSON)"))
