"""What every project-file reader shares.

Readers (MSPDI, XER, P6 XML, MPX, ...) build plain data, hand it to
:func:`finish_import` and get a validated plan back. Along the way they note
what they mapped approximately or dropped in a :class:`Tally`, which turns
counts into sentences: ``3 tasks use elapsed lags: kept as working-time lags``.

The import report's schedule check (rescheduling the imported plan and listing
every task whose dates differ from the file's) needs the engine, so it runs
above the readers: :func:`pmfit.importing.check_schedule`.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.io.formats import ImportReport
    from pmfit.model.calendar import CalendarSpec
    from pmfit.model.plan import Plan

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPACES = re.compile(r"\s+")
#: at most this many differing tasks are listed one by one in the report
MAX_LISTED_DIFFERENCES = 10_000


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large plan is built.

    Reading a 10,000-task file creates hundreds of thousands of objects and no garbage
    cycles; the collector's repeated full passes over them cost about 40 % of the import.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_xml(data: bytes, filename: str | None = None) -> Any:
    """Parse untrusted XML safely, fast for the common case.

    A document with no DTD cannot declare entities, so nothing can expand or be fetched:
    such files (every MS Project / P6 export) go to the C parser directly, which is several
    times faster than defusedxml's Python-level callbacks on a 10,000-task file. Anything
    with a ``<!DOCTYPE`` or ``<!ENTITY``, or in an encoding where those bytes could hide
    (UTF-16/32), goes through :func:`pmfit.io.safexml.parse_xml` (defusedxml), which
    refuses entities and external references (``hostile_file``). An unknown declared
    encoding is ``bad_xml`` either way.
    """
    from xml.etree.ElementTree import ParseError, XMLParser

    from pmfit.io.safexml import parse_xml as _parse

    head = data[:512]
    plain = (b"\x00" not in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
             and b"<!DOCTYPE" not in data and b"<!ENTITY" not in data)
    try:
        if not plain:
            return _parse(data, filename)
        parser = XMLParser()
        parser.feed(data)
        return parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise PlanError(Diagnostic("bad_xml", f"not well-formed XML: {exc}", file=filename, line=line)) from None
    except LookupError as exc:  # <?xml version="1.0" encoding="TTF-8"?>
        raise PlanError(Diagnostic("bad_xml", f"not readable XML: {exc}", file=filename, line=1)) from None
    except (ValueError, RecursionError) as exc:
        raise PlanError(Diagnostic("bad_xml", f"not readable XML: {exc}", file=filename)) from None


def clean_id(text: object, used: set[str], fallback: str = "task") -> str:
    """A plan id from a file's id text: no commas, single spaces, unique within ``used``."""
    raw = "" if text is None else str(text)
    ident = _SPACES.sub(" ", raw.replace(",", ";")).strip()[:180] or fallback
    candidate = first_free(ident, "#", used)
    used.add(candidate)
    return candidate


def first_free(base: str, sep: str, used: set[str]) -> str:
    """``base``, else ``base<sep>N`` for a free N: the first one when the used Ns are 2, 3, ... k.

    Galloping then bisecting, so the 16,000th copy of one id costs 28 set lookups, not 16,000
    (trying ``#2, #3, ...`` one by one made importing many duplicates quadratic).
    """
    if base not in used:
        return base
    if f"{base}{sep}2" not in used:
        return f"{base}{sep}2"
    low, high = 2, 4  # low is used; find a free high
    while f"{base}{sep}{high}" in used:
        low, high = high, high * 2
    while high - low > 1:  # low used, high free: the boundary between them
        middle = (low + high) // 2
        if f"{base}{sep}{middle}" in used:
            low = middle
        else:
            high = middle
    return f"{base}{sep}{high}"


class Tally:
    """Counts what an import mapped approximately or dropped, grouped by reason.

    ``tally.approx("elapsed lag", "kept as working-time lags", task_id)`` twice
    becomes ``2 tasks use elapsed lags: kept as working-time lags``.
    """

    def __init__(self) -> None:
        self._approx: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._dropped: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._order: list[tuple[str, tuple[str, str]]] = []
        #: probable causes of a schedule difference, per task id
        self.causes: dict[str, list[str]] = defaultdict(list)

    def approx(self, what: str, how: str, item: str = "", cause: str | None = None) -> None:
        key = (what, how)
        if key not in self._approx:
            self._order.append(("approx", key))
        self._approx[key].append(item)
        if cause and item:
            self.causes[item].append(cause)

    def drop(self, what: str, why: str, item: str = "") -> None:
        key = (what, why)
        if key not in self._dropped:
            self._order.append(("drop", key))
        self._dropped[key].append(item)

    @staticmethod
    def _sentence(what: str, how: str, items: list[str]) -> str:
        named = [i for i in items if i]
        count = len(items)
        sample = ""
        if named:
            shown = ", ".join(f"'{i}'" for i in named[:5])
            sample = f" ({shown}{', …' if len(named) > 5 else ''})"
        if count == 1:
            return f"{what}{sample}: {how}"
        return f"{count} × {what}{sample}: {how}"

    def apply(self, report: ImportReport) -> None:
        for kind, key in self._order:
            if kind == "approx":
                report.approximated.append(self._sentence(*key, self._approx[key]))
            else:
                report.dropped.append(self._sentence(*key, self._dropped[key]))
        report.task_causes = {k: list(dict.fromkeys(v)) for k, v in self.causes.items()}


def drop_custom_fields(tally: Tally, counts: dict[str, int]) -> None:
    """Report custom fields that carried values: one line each, or one line for many."""
    merged: dict[str, int] = {}
    for name, count in counts.items():
        merged[name] = merged.get(name, 0) + count
    if len(merged) <= 5:
        for name, count in merged.items():
            tally.drop(f"custom field '{name}'", f"not imported ({count} value{'s' if count != 1 else ''})")
        return
    names = ", ".join(f"'{n}'" for n in list(merged)[:6])
    tally.drop(f"{len(merged)} custom fields ({names}, …)",
               f"not imported ({sum(merged.values())} values in all)")


def finish_import(data: dict[str, Any], report: ImportReport, tally: Tally) -> Plan:
    """Validate the reader's plain data into a plan; errors are located in the source file.

    A file with no tasks at all (a calendar-only export) gives an empty plan and a
    ``no_tasks`` warning rather than an error, so that its calendar can still be used.
    """
    from pmfit.io.limits import check_tasks
    from pmfit.io.yamlplan import plan_from_data, plan_warnings
    from pmfit.model.plan import Plan

    check_tasks(len(data.get("tasks") or ()), report.source)
    if not data.get("tasks"):
        try:
            plan = Plan.model_validate(data)
        except Exception as exc:  # pydantic ValidationError: fall through to the located errors
            del exc
        else:
            tally.apply(report)
            report.warnings.append(Diagnostic("no_tasks", "the file has no tasks (only calendars, "
                                              "resources or settings were read)", severity="warning",
                                              file=report.source))
            return plan
    try:
        plan = plan_from_data(data)
    except PlanError as exc:
        raise PlanError([d.located(report.source) for d in exc.diagnostics]) from None
    tally.apply(report)
    report.warnings.extend(d.located(report.source) for d in plan_warnings(plan))
    return plan


def outline_order(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks in outline order: each summary followed by its children (file order kept among siblings)."""
    ids = {t["id"] for t in tasks}
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        parent = task.get("parent")
        children[parent if parent in ids else None].append(task)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    stack = list(reversed(children[None]))
    while stack:
        task = stack.pop()
        if task["id"] in seen:
            continue
        seen.add(task["id"])
        out.append(task)
        stack.extend(reversed(children.get(task["id"], [])))
    out.extend(t for t in tasks if t["id"] not in seen)  # parent cycles: validation reports them
    return out


# ---- calendars ------------------------------------------------------------
def _fmt(minute: int) -> str:
    return "24:00" if minute >= 1440 else f"{minute // 60:02d}:{minute % 60:02d}"


def shifts_text(shifts: list[tuple[int, int]]) -> list[str]:
    return [f"{_fmt(a)}-{_fmt(b)}" for a, b in sorted(shifts) if b > a]


def merge_shifts(shifts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping working intervals (minutes since midnight)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted((max(0, a), min(1440, b)) for a, b in shifts):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def calendar_data(
    name: str | None,
    week: dict[str, list[tuple[int, int]]],
    exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]],
    tally: Tally,
) -> dict[str, Any]:
    """A CalendarSpec as plain data from per-weekday shifts and dated exceptions.

    ``week`` maps ``mon``..``sun`` to that day's working intervals (empty: not
    worked). pmfit calendars have one set of shifts for every working day; when
    the file's days differ, the most common pattern wins and the report says so.
    Exceptions are ``(first day, last day, shifts, name)``; no shifts = holiday.
    """
    if name == "Standard":
        name = None  # MS Project's default name, and what the writers give a nameless calendar
    patterns: dict[tuple[tuple[int, int], ...], list[str]] = defaultdict(list)
    for day in WEEKDAY_KEYS:
        shifts = tuple(merge_shifts(week.get(day, [])))
        if shifts:
            patterns[shifts].append(day)
    label = f"calendar '{name}'" if name else "calendar"
    if not patterns:
        return {"name": name, "workweek": [], "shifts": None, "holidays": [],
                "exceptions": _exceptions_data(exceptions, None)}
    best = max(patterns, key=lambda p: (len(patterns[p]), -WEEKDAY_KEYS.index(patterns[p][0])))
    if len(patterns) > 1:
        others = [d for p, days in patterns.items() if p != best for d in days]
        tally.approx(f"{label} works different hours on {', '.join(others)}",
                     f"every working day gets {', '.join(shifts_text(list(best)))}")
    workweek = [d for d in WEEKDAY_KEYS if week.get(d) and merge_shifts(week[d])]
    out: dict[str, Any] = {"workweek": workweek}
    if list(best) != [(480, 720), (780, 1020)]:  # pmfit's default day needs no shifts
        out["shifts"] = shifts_text(list(best))
    if name:
        out["name"] = name
    holidays, working = _split_exceptions(exceptions)
    if holidays:
        out["holidays"] = holidays
    if working:
        out["exceptions"] = working
    return out


def _split_exceptions(
    exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    holidays: list[dict[str, Any]] = []
    working: list[dict[str, Any]] = []
    for first, last, shifts, name in sorted(exceptions, key=lambda e: e[0]):
        if last < first:
            first, last = last, first
        entry: dict[str, Any] = {"date": first}
        if last != first:
            entry["until"] = last
        if name:
            entry["name"] = name
        merged = merge_shifts(shifts)
        if merged:
            working.append({**entry, "working": True, "shifts": shifts_text(merged)})
        else:
            holidays.append(entry)
    return holidays, working


def _exceptions_data(exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]],
                     _unused: None) -> list[dict[str, Any]]:
    holidays, working = _split_exceptions(exceptions)
    return working + [{**h, "working": False} for h in holidays]


def calendar_week(spec: CalendarSpec) -> dict[str, list[tuple[int, int]]]:
    """Per-weekday shifts of a pmfit calendar (for writers)."""
    shifts = spec.day_shifts()
    return {d: (list(shifts) if d in spec.workweek else []) for d in WEEKDAY_KEYS}


def minutes_of_day(text: str) -> int:
    """``08:00:00`` / ``08:00`` -> 480; ``24:00`` -> 1440."""
    parts = text.strip().split(":")
    return int(parts[0]) * 60 + (int(parts[1]) if len(parts) > 1 else 0)


# ---- the schedule check ---------------------------------------------------
def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def difference_lines(report: ImportReport, limit: int = 20) -> list[str]:
    """The schedule differences as short sentences (for the CLI and the README)."""
    out = []
    for d in report.schedule_differences[:limit]:
        parts = []
        for key in ("start", "finish"):
            days, minutes = d[f"{key}_diff_days"], d[f"{key}_diff_minutes"]
            if minutes:
                parts.append(f"{key} {days:+g}d" if abs(days) >= 0.1 else f"{key} {minutes:+d}min")
        out.append(f"'{d['task']}': {', '.join(parts) or 'time of day differs'} — {'; '.join(d['causes'])}")
    return out
