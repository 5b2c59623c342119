"""Helpers shared by the file and tracker readers: text decoding, ids, dates, durations, plan assembly.

Readers build plain data (dicts shaped like the YAML plan) and hand it to
:func:`finish_plan`, which drops links the model cannot hold (to unknown
tasks, between a task and its own summary, or closing a cycle when the
format allows those), writes every such decision into the import report, and
validates the data into a :class:`~pmfit.model.plan.Plan`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree.ElementTree import Element

from pmfit.io.formats import ImportReport
from pmfit.io.safexml import MAX_XML_BYTES, read_bytes
from pmfit.io.yamlplan import SourceMap, plan_from_data, plan_warnings
from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan

MAX_TABLE_BYTES = MAX_XML_BYTES
MINUTES_PER_DAY = 480


# ---- reading text -----------------------------------------------------------
def read_file(path: str | os.PathLike[str], max_bytes: int = MAX_TABLE_BYTES) -> bytes:
    """A file's bytes with the size limit (PlanError ``file_too_large`` / ``bad_file``)."""
    return read_bytes(path, max_bytes)


def parse_xml(data: bytes, filename: str | None = None) -> Element:
    """:func:`pmfit.io.safexml.parse_xml`, also turning an unknown declared encoding into ``bad_xml``."""
    from pmfit.io.safexml import parse_xml as _parse

    try:
        return _parse(data, filename)
    except LookupError as exc:  # <?xml encoding="UTF-9"?>
        raise PlanError(Diagnostic("bad_xml", f"not readable XML: {exc}", file=filename, line=1)) from None


def decode_text(raw: bytes, filename: str | None = None, report: ImportReport | None = None) -> str:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Exports from Excel on Windows are often cp1252; that fallback is noted in the report.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        data, encoding = raw[3:], "utf-8"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        data, encoding = raw, "utf-16"
    else:
        data, encoding = raw, "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "utf-16":
            raise PlanError(Diagnostic("bad_file", "the file says it is UTF-16 but is not", file=filename)) from None
    if b"\x00" in raw[:8192]:
        raise PlanError(Diagnostic("bad_file", "this is a binary file, not text", file=filename))
    if report is not None:
        report.approximated.append("the file is not UTF-8: read as Windows-1252 (cp1252) text")
    return raw.decode("cp1252", errors="replace")


def read_csv_rows(text: str, filename: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows (with the line each row starts on) of CSV text; the delimiter is detected."""
    first = text.split("\n", 1)[0]
    counts = {d: _count_outside_quotes(first, d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for record in reader:
            start = line
            line = reader.line_num + 1
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header = [cell.strip().lstrip("\ufeff") for cell in record]
                continue
            if any(cell.strip() for cell in record):
                rows.append((start, record))
    except csv.Error as exc:
        raise PlanError(Diagnostic("bad_file", f"not readable CSV: {exc}", file=filename, line=line)) from None
    if header is None:
        raise PlanError(Diagnostic("bad_file", "the file is empty (no header row)", file=filename))
    return header, rows


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def norm(name: str) -> str:
    """A column name reduced for matching: ``' Task Name '`` -> ``'taskname'``, ``'Durée'`` -> ``'duree'``."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name.lower()).replace("ß", "ss")
    return re.sub(r"[^0-9a-z%σ]+", "", "".join(c for c in plain if not unicodedata.combining(c)))


# ---- ids --------------------------------------------------------------------
class IdMap:
    """Maps the ids a file uses to valid plan ids (no commas, no stray spaces, unique)."""

    def __init__(self, kind: str = "task") -> None:
        self.kind = kind
        self.by_raw: dict[str, str] = {}
        self.used: set[str] = set()
        self.renamed: dict[str, str] = {}
        self.unnamed = 0

    def add(self, raw: object) -> str:
        text = "" if raw is None else str(raw)
        base = re.sub(r"\s+", " ", text.replace(",", "_")).strip()[:190]
        if not base:
            self.unnamed += 1
            base = f"{self.kind}-{len(self.used) + 1}"
        from pmfit.io.importcheck import first_free

        ident = first_free(base, "-", self.used)  # not -2, -3, ... one by one: many duplicates stay linear
        self.used.add(ident)
        if text not in self.by_raw:
            self.by_raw[text] = ident
        if ident != text:
            self.renamed[text] = ident
        return ident

    def get(self, raw: object) -> str | None:
        return self.by_raw.get("" if raw is None else str(raw))

    def note(self, report: ImportReport) -> None:
        """Tell the report which ids were changed to fit the plan's id rules."""
        real = {k: v for k, v in self.renamed.items() if k}
        if real:
            sample = ", ".join(f"{k!r} -> {v!r}" for k, v in list(real.items())[:5])
            more = f" and {len(real) - 5} more" if len(real) > 5 else ""
            report.approximated.append(f"{len(real)} {self.kind} ids changed to fit pmfit's id rules "
                                       f"(no commas, single spaces, unique): {sample}{more}")
        if self.unnamed:
            report.approximated.append(f"{plural(self.unnamed, self.kind)} without an id numbered by position "
                                       f"({self.kind}-1, {self.kind}-2, ...)")


# ---- dates ------------------------------------------------------------------
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?Z?)?$")
_NUMERIC = re.compile(
    r"^(?:[A-Za-z]{2,}\.?,?\s+)?(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4}),?"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?(?:\s+.*)?$")
_MONTHNAME = re.compile(
    r"^(?:[A-Za-z]{2,}\.?,?\s+)?(\d{1,2})[/\- ]([A-Za-z]{3,9})\.?[/\- ,]+(\d{2,4}),?"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?(?:\s+.*)?$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def _year(value: int) -> int:
    return value + 2000 if value < 70 else value + 1900 if value < 100 else value


def _clock(h: str | None, m: str | None, s: str | None, ampm: str | None) -> tuple[int, int, int] | None:
    if h is None or m is None:
        return None
    hour, minute, second = int(h), int(m), int(s or 0)
    if ampm:
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    return hour, minute, second


def _make(y: int, mo: int, d: int, clock: tuple[int, int, int] | None) -> dt.date | dt.datetime:
    if clock is None or clock == (0, 0, 0):
        return dt.date(y, mo, d)
    return dt.datetime(y, mo, d, *clock)


def parse_date(value: object, dayfirst: bool | None = None) -> dt.date | dt.datetime | None:
    """A date or date-time from the many ways exports write them; ``None`` for empty.

    Times at midnight become dates. Time zones are dropped: the wall-clock time
    as written is kept. Raises ValueError for text that is not a date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text or text.lower() in ("null", "none", "nan", "n/a", "na", "-"):
        return None
    try:
        if _ISO.match(text):
            parsed = dt.datetime.fromisoformat(text.replace(" Z", "Z"))
            return parse_date(parsed)
        match = _COMPACT.match(text)
        if match:
            y, mo, d, h, mi, s = match.groups()
            return _make(int(y), int(mo), int(d), _clock(h, mi, s, None))
        match = _MONTHNAME.match(text)
        if match and match[2][:3].lower() in _MONTHS:
            d, mon, y, h, mi, s, ampm = match.groups()
            return _make(_year(int(y)), _MONTHS[mon[:3].lower()], int(d), _clock(h, mi, s, ampm))
        match = _NUMERIC.match(text)
        if match:
            a, b, c, h, mi, s, ampm = match.groups()
            clock = _clock(h, mi, s, ampm)
            if len(a) == 4:
                return _make(int(a), int(b), int(c), clock)
            first, second = int(a), int(b)
            day_first = dayfirst if dayfirst is not None else (first > 12 or "." in text[:10])
            d, mo = (first, second) if day_first else (second, first)
            return _make(_year(int(c)), mo, d, clock)
        if "," in text and re.search(r"\d{2}:\d{2}", text):
            return parse_date(parsedate_to_datetime(text))
    except (ValueError, TypeError, OverflowError, IndexError) as exc:
        raise ValueError(f"{text!r} is not a date ({exc})") from None
    raise ValueError(f"{text!r} is not a date")


def guess_dayfirst(values: Iterable[object]) -> bool | None:
    """For a column of numeric dates like 03/04/2025: day first (True), month first (False), unknown (None)."""
    verdict: bool | None = None
    for value in values:
        if not isinstance(value, str):
            continue
        match = _NUMERIC.match(value.strip())
        if not match or len(match[1]) == 4:
            continue
        if int(match[1]) > 12:
            return True
        if int(match[2]) > 12:
            verdict = False
    return verdict


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)


def as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# ---- durations --------------------------------------------------------------
_ISO_DURATION = re.compile(
    r"^([+-])?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE)
_PART = re.compile(
    r"([+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+)\s*(e?)\s*(months?|mons?|mo|weeks?|wks?|w|days?|dys?|d|hours?|hrs?|h|"
    r"minutes?|mins?|m|seconds?|secs?|s)?\b", re.IGNORECASE)
# Duration units as MS Project writes them in German, French and Spanish exports.
_LOCAL_UNITS = re.compile(r"(?<=[\d\s])(?:tage?|jours?|d[ií]as?|wochen?|semaines?|semanas?|stunden?|std\.?|"
                          r"heures?|horas?|minuten?|minutos?|monate?|mois|meses?)(?![a-z])", re.IGNORECASE)
_LOCAL_UNIT_OF = {"tag": "d", "tage": "d", "jou": "d", "día": "d", "dia": "d", "woc": "w", "sem": "w", "stu": "h",
                  "std": "h", "heu": "h", "hor": "h", "min": "m", "mon": "mo", "moi": "mo", "mes": "mo"}
_UNIT_MINUTES = {"mo": 20 * MINUTES_PER_DAY, "w": 5 * MINUTES_PER_DAY, "d": MINUTES_PER_DAY, "h": 60,
                 "m": 1, "s": 1 / 60}


def _unit_key(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith("mo"):
        return "mo"
    if unit.startswith("mi") or unit == "m":
        return "m"
    if unit.startswith("s"):
        return "s"
    return unit[0]


def parse_duration(value: object, default_unit: str = "d") -> tuple[Duration, bool] | None:
    """A duration and whether it was elapsed (calendar) time; ``None`` for empty.

    Reads ``5d``, ``5 days``, ``5`` (``default_unit``), ``1w 2d 3h`` (Jira),
    ``PT8H`` / ``P2D`` (ISO 8601), ``5 edays`` (elapsed), ``3d?`` (estimated).
    A working day is 8 hours and a week 5 days, as MS Project and Jira count.
    Raises ValueError for text that is not a duration.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, (int, float)):
        if value != value:
            return None
        return Duration(float(value), default_unit), False  # type: ignore[arg-type]
    text = str(value).strip().rstrip("?").strip()
    if not text or text.lower() in ("null", "none", "nan", "-"):
        return None
    text = _LOCAL_UNITS.sub(lambda m: _LOCAL_UNIT_OF[m[0].lower().rstrip(".")[:3]], text)
    match = _ISO_DURATION.match(text)
    if match and any(match.groups()[1:]):
        sign, w, d, h, m, s = match.groups()
        minutes = (float(w or 0) * 5 * MINUTES_PER_DAY + float(d or 0) * MINUTES_PER_DAY
                   + float(h or 0) * 60 + float(m or 0) + float(s or 0) / 60)
        return Duration.from_minutes(round(-minutes if sign == "-" else minutes, 4), MINUTES_PER_DAY), False
    parts = list(_PART.finditer(text))
    covered = "".join(p.group(0) for p in parts)
    if not parts or re.sub(r"[\s,]", "", covered) != re.sub(r"[\s,]", "", text):
        raise ValueError(f"{text!r} is not a duration")
    elapsed = any(p.group(2) for p in parts)
    if len(parts) == 1:
        amount = float(parts[0].group(1).replace(",", "."))
        unit = _unit_key(parts[0].group(3)) if parts[0].group(3) else default_unit
        if unit == "s":
            return Duration.from_minutes(round(amount / 60, 4), MINUTES_PER_DAY), elapsed
        return Duration(amount, unit), elapsed  # type: ignore[arg-type]
    minutes = 0.0
    for part in parts:
        unit = _unit_key(part.group(3)) if part.group(3) else default_unit
        minutes += float(part.group(1).replace(",", ".")) * _UNIT_MINUTES[unit]
    return Duration.from_minutes(round(minutes, 4), MINUTES_PER_DAY), elapsed


def seconds_to_duration(seconds: float) -> Duration:
    """Seconds of work (Jira, ClickUp, Planner) as the friendliest unit: ``28800`` -> ``1d``."""
    minutes = seconds / 60
    if minutes == int(minutes):
        return Duration.from_minutes(int(minutes), MINUTES_PER_DAY)
    return Duration(round(minutes / 60, 4), "h")


def split_list(value: object) -> list[str]:
    """``"[Ann, Bob]"``, ``"Ann; Bob"``, ``"Ann,Bob"`` -> ``["Ann", "Bob"]``."""
    if value is None:
        return []
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text.lower() in ("", "null", "none", "nan"):
        return []
    sep = ";" if ";" in text else ","
    return [p.strip().strip("'\"") for p in text.split(sep) if p.strip().strip("'\"")]


def truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "y", "x", "ja", "oui", "si", "✓", "milestone")


def number(value: object) -> float | None:
    """A number from a cell: ``'1,234.5'``, ``'85%'``, ``'$40'``; ``None`` when empty or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            result = float(value)  # a JSON integer of 400 digits does not fit a float
        except OverflowError:
            return None
        return result if math.isfinite(result) else None
    text = str(value).strip().rstrip("%").lstrip("$€£").replace(",", "").strip()
    try:
        result = float(text)
    except ValueError:
        return None
    return None if result != result or result in (float("inf"), float("-inf")) else result


# ---- plan assembly ----------------------------------------------------------
def plural(n: int, word: str) -> str:
    """``plural(1, 'task')`` -> ``'1 task'``; ``plural(3, 'dependency')`` -> ``'3 dependencies'``."""
    if n == 1:
        return f"{n} {word}"
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


_count = plural


def clean_links(tasks: list[dict[str, Any]], report: ImportReport, *, break_cycles: bool = False,
                what: str = "link") -> None:
    """Drop links the model cannot hold, each with its reason in the report (in place).

    Links to unknown tasks and links between a task and its own summary are
    always dropped. With ``break_cycles`` (trackers, where "blocks" links are
    often circular), a link that would close a cycle is dropped too; otherwise
    a cycle is left for validation to report as an error.
    """
    ids = {t["id"] for t in tasks}
    parent = {t["id"]: t.get("parent") for t in tasks}

    def ancestors(tid: str) -> set[str]:
        out: set[str] = set()
        node = parent.get(tid)
        while node is not None and node not in out:
            out.add(node)
            node = parent.get(node)
        return out

    unknown: list[str] = []
    family: list[str] = []
    duplicate = 0
    for task in tasks:
        kept: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str]] = set()
        for link in task.get("after", []):
            pred = link["task"]
            if pred not in ids:
                unknown.append(f"{task['id']} after {pred}")
            elif pred == task["id"] or pred in ancestors(task["id"]) or task["id"] in ancestors(pred):
                family.append(f"{pred} -> {task['id']}")
            elif (pred, str(link.get("type", "FS")).upper(), str(link.get("lag", "0d"))) in seen:
                duplicate += 1
            else:
                seen.add((pred, str(link.get("type", "FS")).upper(), str(link.get("lag", "0d"))))
                kept.append(link)
        task["after"] = kept
    if unknown:
        report.dropped.append(f"{_count(len(unknown), what)} to tasks that are not in the file: "
                              + ", ".join(unknown[:8]) + (" ..." if len(unknown) > 8 else ""))
    if family:
        report.dropped.append(f"{_count(len(family), what)} between a task and its own summary (a cycle "
                              "in disguise): " + ", ".join(family[:8]))
    if duplicate:
        report.dropped.append(f"{_count(duplicate, 'duplicate ' + what)} (same tasks, type and lag; "
                              "only the first kept)")
    if break_cycles:
        _break_cycles(tasks, report, what)


def _break_cycles(tasks: list[dict[str, Any]], report: ImportReport, what: str) -> None:
    """Drop, in file order, each link that would close a cycle (links on summaries apply to their leaves).

    The leaf graph is kept compact: a summary S has an "out" node its leaves lead to and an "in"
    node that leads to its leaves, and a link p -> s is one edge out(p) -> in(s). Reachability
    between leaves is the same as in the expanded graph (links between a task and its own summary
    are gone by now). One pass of Tarjan's algorithm finds the strongly connected components;
    only a link inside one can close a cycle, and only those are checked, one by one, within it.
    """
    children: dict[str, list[str]] = {}
    for t in tasks:
        if t.get("parent") is not None:
            children.setdefault(t["parent"], []).append(t["id"])
    index: dict[tuple[str, str], int] = {}

    def node(kind: str, tid: str) -> int:
        return index.setdefault((kind, tid), len(index))

    def out_of(tid: str) -> int:
        return node("out", tid) if tid in children else node("leaf", tid)

    def in_of(tid: str) -> int:
        return node("in", tid) if tid in children else node("leaf", tid)

    edges: list[tuple[int, int]] = []
    for t in tasks:
        parent = t.get("parent")
        if parent is not None:
            edges.append((out_of(t["id"]), node("out", parent)))
            edges.append((node("in", parent), in_of(t["id"])))
    hierarchy = len(edges)
    links = [(task, link, out_of(link["task"]), in_of(task["id"])) for task in tasks for link in task.get("after", [])]
    edges.extend((a, b) for _, _, a, b in links)
    component = _components(len(index), edges)
    graph: dict[int, list[int]] = {}
    for a, b in edges[:hierarchy]:
        if component[a] == component[b]:
            graph.setdefault(a, []).append(b)

    def closes_cycle(a: int, b: int) -> bool:
        """Whether b already reaches a (within their component), so that a -> b closes a cycle."""
        stack, seen, home = [b], {b}, component[a]
        while stack:
            current = stack.pop()
            if current == a:
                return True
            for nxt in graph.get(current, ()):
                if nxt not in seen and component[nxt] == home:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    dropped: list[str] = []
    for task, link, a, b in links:
        if component[a] == component[b]:
            if closes_cycle(a, b):
                task["after"] = [x for x in task["after"] if x is not link]
                dropped.append(f"{link['task']} -> {task['id']}")
                continue
            graph.setdefault(a, []).append(b)
    if dropped:
        report.dropped.append(f"{_count(len(dropped), what)} that would close a dependency cycle: "
                              + ", ".join(dropped[:8]) + (" ..." if len(dropped) > 8 else ""))


def _components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Strongly connected component of each node (Tarjan, iterative: no recursion limit)."""
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adjacency[a].append(b)
    order = [-1] * n
    low = [0] * n
    component = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    components = 0
    for root in range(n):
        if order[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            if i == 0:
                order[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if i < len(adjacency[v]):
                work[-1] = (v, i + 1)
                w = adjacency[v][i]
                if order[w] == -1:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], order[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == order[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = components
                    if w == v:
                        break
                components += 1
    return component


def strip_summary_work(tasks: list[dict[str, Any]], report: ImportReport, what: str = "summary task") -> None:
    """Summary tasks take their dates from their subtasks: drop their own duration and needs."""
    parents = {t.get("parent") for t in tasks if t.get("parent") is not None}
    stripped = 0
    for task in tasks:
        if task["id"] in parents and any(task.get(k) for k in ("duration", "needs", "estimate")):
            stripped += 1
            for key in ("duration", "needs", "estimate"):
                task.pop(key, None)
            task.pop("milestone", None)
    if stripped:
        report.approximated.append(f"{_count(stripped, what)} had their own estimate or assignees: summaries "
                                   "roll up from their subtasks, so these were not kept")


def finish_plan(data: dict[str, Any], report: ImportReport, filename: str) -> Plan:
    """Validate plain data into a plan; errors name the file, warnings go into the report."""
    from pmfit.io.limits import check_tasks

    check_tasks(len(data.get("tasks") or ()), filename)
    try:
        plan = plan_from_data(data, SourceMap(filename))
    except PlanError as exc:
        raise PlanError([d.located(filename) for d in exc.diagnostics]) from None
    report.warnings.extend(plan_warnings(plan))
    return plan


def count_read(report: ImportReport, plan: Plan, extra: Iterable[str] = ()) -> None:
    """The standard "what was read" lines: tasks, summaries, milestones, links, resources."""
    summaries = plan.summary_ids()
    links = sum(len(t.after) for t in plan.tasks)
    milestones = sum(1 for t in plan.tasks if t.milestone)
    report.read.insert(0, f"{plural(len(plan.tasks), 'task')} ({len(summaries)} summary, "
                          f"{plural(milestones, 'milestone')}), {plural(links, 'dependency')}")
    if plan.resources:
        report.read.insert(1, _count(len(plan.resources), "resource"))
    report.read.extend(extra)


def fail(code: str, message: str, filename: str | None, line: int | None = None) -> PlanError:
    return PlanError(Diagnostic(code, message, file=filename, line=line))


def pin_unlinked_starts(tasks: list[dict[str, Any]], starts: dict[str, dt.date | dt.datetime],
                        project_start: dt.date) -> int:
    """Keep the file's start of each task that nothing links to (itself or a summary above it).

    Tools like GanttProject, spreadsheets and calendars place such tasks by hand; without a
    start-no-earlier-than constraint pmfit would move them to the project start. Summary
    tasks, tasks that already have a constraint and tasks starting on the first day are left
    alone. Returns how many tasks were pinned.
    """
    parent_of = {t["id"]: t.get("parent") for t in tasks}
    summaries = {p for p in parent_of.values() if p is not None}
    linked = {t["id"] for t in tasks if t.get("after")}
    pinned = 0
    for task in tasks:
        tid = task["id"]
        begin = starts.get(tid)
        if tid in summaries or "constraint" in task or begin is None or as_date(begin) <= project_start:
            continue
        node: str | None = tid
        while node is not None and node not in linked:
            node = parent_of.get(node)
        if node is None:
            task["constraint"] = {"type": "SNET", "date": begin}
            pinned += 1
    return pinned
