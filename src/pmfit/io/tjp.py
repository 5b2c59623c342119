"""TaskJuggler ``.tjp`` projects: read and write (TaskJuggler 3 syntax).

Read: the ``project`` header (name, start, end, ``now`` as the status date, ``currency``,
``workinghours``), ``resource`` trees (a nested resource's team is its parent, ``rate`` per
day inherited from the enclosing scope, ``leaves``/``vacation`` as the resource's holidays),
project-wide ``leaves``, and ``task`` trees: ``effort`` (work, spread over the allocated
resources), ``length`` (working time), ``duration`` (calendar time, kept as working time),
``milestone``, ``start``/``end`` (fixed dates), ``depends``/``precedes`` with relative (``!``)
and absolute ids, ``onstart``, ``gaplength``/``gapduration``, ``allocate``, ``complete``,
``priority``, ``note``; ``macro`` definitions and ``${...}`` uses; ``include`` files next to
the project. Reports, accounts, journals, bookings, limits, flags and other scenarios are
listed in the import report and skipped. Task ids are TaskJuggler's full ids (``AcSo.spec``).

Write: the same subset, with the report of what TaskJuggler cannot hold of a pmfit plan
(finish-to-finish and start-to-finish links, leads).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

MAX_TJP_BYTES = 20 * 1024 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_MACRO_EXPANSIONS = 100_000
_SNIFF = re.compile(rb"^(?:\s|#[^\n]*\n|//[^\n]*\n|/\*.*?\*/)*project\s", re.S)
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<block>-8<-.*?->8-)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<macro>\$\{[^}]*\})
  | (?P<date>\d{4}-\d{2}-\d{2}(?:-\d{1,2}:\d{2}(?::\d{2})?)?(?:-[+-]\d{4})?)
  | (?P<time>\d{1,2}:\d{2})
  | (?P<span>[+-]?\d+(?:\.\d+)?(?:min|h|d|w|m|y))
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<word>!*[A-Za-z_][A-Za-z0-9_.:]*|%\{)
  | (?P<punct>[{}\[\],\-])
  | (?P<other>.)
""", re.X | re.S)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SKIPPED = {"account", "balance", "navigator", "textreport", "taskreport", "resourcereport", "tracereport",
            "icalreport", "export", "nikureport", "statussheetreport", "timesheetreport", "accountreport",
            "statussheet", "timesheet", "supplement", "flags", "copyright", "shift", "rate_", "limits",
            "journalentry", "booking", "chargeset", "charge", "responsible", "managers", "email", "purge",
            "extend", "scenario", "timezone", "timeformat", "numberformat", "currencyformat", "tooltip"}


@dataclass
class Token:
    kind: str
    text: str
    line: int
    file: str


def tokens(text: str, filename: str, line: int = 1) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind not in ("space", "comment"):
            if kind == "string":
                value = value[1:-1].replace('\\"', '"').replace("\\'", "'")
            elif kind == "block":
                value = value[4:-4].strip("\n")
            yield Token(kind, value, line, filename)
        line += value.count("\n") if kind not in ("string", "block") else match.group().count("\n")


class TjpError(Exception):
    pass


class Parser:
    """Reads the token stream of a project (with its includes and macros) into plain plan data."""

    def __init__(self, path: str, report: ImportReport) -> None:
        self.report = report
        self.root = Path(path).resolve().parent
        self.macros: dict[str, list[Token]] = {}
        self.expansions = 0
        self.stack: list[Iterator[Token]] = []
        self.peeked: list[Token] = []
        self.skipped: dict[str, int] = {}
        self.approx: dict[str, int] = {}
        self.push_file(path, 0)
        self.project: dict[str, Any] = {}
        self.resources: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self.holidays: list[dict[str, Any]] = []
        self.workweek: dict[str, list[tuple[int, int]]] = {}
        self.links: list[tuple[str, str, str, str | None, Token]] = []  # (succ, ref, type, gap, token)
        self.allocations: dict[str, list[str]] = {}
        self.efforts: dict[str, float] = {}
        self.progress: dict[str, float] = {}
        self.include_depth = 0
        self.anonymous = 0
        self.raw = False  # while a macro's body is read, ${...} stays as it is (expanded where used)

    # ---- the token stream ------------------------------------------------------
    def push_file(self, path: str, depth: int) -> None:
        from pmfit.io.safexml import read_bytes

        if depth > MAX_INCLUDE_DEPTH:
            raise TjpError(f"includes nest deeper than {MAX_INCLUDE_DEPTH} files")
        data = read_bytes(path, MAX_TJP_BYTES)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        self.stack.append(tokens(text, path))

    def next(self) -> Token | None:
        while True:
            if self.peeked:
                return self.peeked.pop()
            while self.stack:
                token = next(self.stack[-1], None)
                if token is not None:
                    break
                self.stack.pop()
            else:
                return None
            if token.kind == "macro" and not self.raw:
                name = token.text[2:-1].strip()
                body = self.macros.get(name)
                if body is None:
                    builtin = {"projectstart": self.project.get("start"), "now": self.project.get("now")}.get(name)
                    if builtin is not None:
                        return Token("date", str(builtin)[:10], token.line, token.file)
                    continue  # an undefined macro expands to nothing, as in TaskJuggler
                self.expansions += len(body) + 1
                if self.expansions > MAX_MACRO_EXPANSIONS:
                    raise TjpError("macros expand to more than 100,000 tokens (a macro that uses itself?)")
                self.stack.append(iter(list(body)))
                continue
            return token

    def peek(self) -> Token | None:
        token = self.next()
        if token is not None:
            self.peeked.append(token)
        return token

    def expect(self, kind: str) -> Token:
        token = self.next()
        if token is None or token.kind != kind:
            where = f" (got {token.text!r})" if token else " (the file ends)"
            raise TjpError(f"expected a {kind}{where}" + (f" at line {token.line}" if token else ""))
        return token

    def skip_block(self) -> None:
        """Skip a ``{ ... }`` block (nested)."""
        depth = 0
        while True:
            token = self.next()
            if token is None:
                return
            if (token.text == "{" and token.kind == "punct") or token.text == "%{":
                depth += 1
            elif token.text == "}" and token.kind == "punct":
                depth -= 1
                if depth <= 0:
                    return

    def skip_statement(self, keyword: str) -> None:
        """Skip a statement we do not model: its arguments up to the next keyword, and its block."""
        self.skipped[keyword] = self.skipped.get(keyword, 0) + 1
        while True:
            token = self.peek()
            if token is None:
                return
            if token.kind == "punct" and token.text == "{":
                self.skip_block()
                return
            if token.kind == "punct" and token.text == "}":
                return
            if token.kind == "word" and token.text in _KEYWORDS and token.text != keyword:
                return
            self.next()
            if token.kind == "word" and token.text == "%{":
                self.skip_block_until("}")

    def skip_block_until(self, closer: str) -> None:
        while True:
            token = self.next()
            if token is None or token.text == closer:
                return

    # ---- values -----------------------------------------------------------------
    def date(self, token: Token) -> dt.datetime:
        text = token.text.split("-+")[0]
        parts = text.split("-")
        try:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            clock = dt.time()
            if len(parts) > 3 and ":" in parts[3]:
                h, m = parts[3].split(":")[:2]
                clock = dt.time(int(h) % 24, int(m))
        except (ValueError, IndexError):
            raise TjpError(f"{token.text!r} is not a date (line {token.line})") from None
        return dt.datetime.combine(day, clock)

    def span_minutes(self, token: Token) -> float:
        """A TaskJuggler span in working minutes (d = a working day, w = 5 days, m = 20, y = 260)."""
        match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(min|h|d|w|m|y)", token.text)
        if match is None:
            if token.kind == "number":
                return float(token.text) * 480
            raise TjpError(f"{token.text!r} is not a duration (line {token.line})")
        value, unit = float(match[1]), match[2]
        mpd = self.minutes_per_day()
        return value * {"min": 1, "h": 60, "d": mpd, "w": 5 * mpd, "m": 20 * mpd, "y": 260 * mpd}[unit]

    def minutes_per_day(self) -> int:
        hours = self.project.get("daily", 8.0)
        return round(hours * 60)

    def string_or_word(self) -> str:
        token = self.next()
        if token is None:
            raise TjpError("the file ends where a name was expected")
        return token.text

    # ---- the grammar ------------------------------------------------------------
    def parse(self) -> None:
        while True:
            token = self.next()
            if token is None:
                return
            self.statement(token, None, None)

    def statement(self, token: Token, task: dict[str, Any] | None, resource: dict[str, Any] | None) -> None:
        word = token.text
        if token.kind == "punct":
            return
        if ":" in word and token.kind == "word" and not word.startswith("!"):
            scenario, _, rest = word.partition(":")
            if scenario != "plan":
                self.skip_statement(f"{scenario}: (another scenario)")
                return
            word = rest
        if word == "project" and task is None:
            self.parse_project()
        elif word == "include":
            self.include(self.expect("string").text)
        elif word == "macro":
            name = self.string_or_word()
            self.expect("punct")  # [
            body: list[Token] = []
            depth = 1
            self.raw = True
            while True:
                t = self.next()
                if t is None:
                    break
                if t.kind == "punct" and t.text == "[":
                    depth += 1
                elif t.kind == "punct" and t.text == "]":
                    depth -= 1
                    if depth == 0:
                        break
                body.append(t)
            self.raw = False
            self.macros[name] = body
        elif word == "resource":
            self.parse_resource(resource)
        elif word == "task":
            self.parse_task(task)
        elif word in ("leaves", "vacation"):
            self.parse_leave(word, resource)
        elif word == "rate" and task is None:
            value = float(self.next().text)  # type: ignore[union-attr]
            if resource is not None:
                resource["_rate"] = value
            else:
                self.project["rate"] = value
        elif word == "workinghours" and task is None and resource is None:
            self.parse_workinghours()
        elif task is not None and word in _TASK_WORDS:
            self.task_attribute(word, task, token)
        else:
            self.skip_statement(word)

    def include(self, name: str) -> None:
        target = (self.root / name).resolve()
        if Path(name).is_absolute() or self.root not in target.parents:
            raise TjpError(f"include {name!r} is outside the project's folder (only files next to it are read)")
        self.include_depth += 1
        self.push_file(str(target), len(self.stack))
        self.report.read.append(f"included {name}")

    def parse_project(self) -> None:
        first = self.next()
        name_token = first
        if first is not None and first.kind == "word":
            self.project["tj_id"] = first.text
            name_token = self.next()
        if name_token is None:
            raise TjpError("the project has no name")
        self.project["name"] = name_token.text
        start = self.expect("date")
        self.project["start"] = self.date(start)
        end = self.next()
        if end is not None and end.kind == "date":
            self.project["end"] = self.date(end)
        elif end is not None and end.kind != "span":
            self.peeked.append(end)
        if self.peek() is not None and self.peek().text == "{":  # type: ignore[union-attr]
            self.next()
            while True:
                token = self.next()
                if token is None or token.text == "}":
                    return
                if token.text == "now":
                    self.project["now"] = self.date(self.expect("date"))
                elif token.text == "currency":
                    self.project["currency"] = self.expect("string").text
                elif token.text == "dailyworkinghours":
                    self.project["daily"] = float(self.next().text)  # type: ignore[union-attr]
                elif token.text == "workinghours":
                    self.parse_workinghours()
                else:
                    self.skip_statement(token.text)

    def parse_workinghours(self) -> None:
        days: list[str] = []
        shifts: list[tuple[int, int]] = []
        off = False
        while True:
            token = self.peek()
            if token is None:
                break
            if token.kind == "word" and token.text[:3].lower() in _DAYS:
                self.next()
                day = token.text[:3].lower()
                after = self.peek()
                if after is not None and after.text == "-":
                    self.next()
                    last = self.next().text[:3].lower()  # type: ignore[union-attr]
                    i, j = _DAYS.index(day), _DAYS.index(last) if last in _DAYS else _DAYS.index(day)
                    days.extend(_DAYS[i:j + 1])
                else:
                    days.append(day)
            elif token.kind == "time":
                self.next()
                a = _clock(token.text)
                self.expect("punct")  # -
                b = _clock(self.expect("time").text)
                shifts.append((a, b if b > a else 24 * 60))
            elif token.kind == "word" and token.text == "off":
                self.next()
                off = True
            elif token.kind == "punct" and token.text == ",":
                self.next()
            else:
                break
        for day in days:
            self.workweek[day] = [] if off else shifts

    def parse_leave(self, word: str, resource: dict[str, Any] | None) -> None:
        kind = "holiday"
        token = self.next()
        if token is not None and token.kind == "word":
            kind = token.text
            token = self.next()
        name = None
        if token is not None and token.kind == "string":
            name = token.text
            token = self.next()
        if token is None or token.kind != "date":
            raise TjpError(f"{word} needs a date" + (f" (line {token.line})" if token else ""))
        start = self.date(token)
        until = None
        after = self.peek()
        if after is not None and after.text == "-":
            self.next()
            until = self.date(self.expect("date"))
        elif after is not None and after.kind == "span" and after.text.startswith("+"):
            self.next()
            until = start + dt.timedelta(days=max(int(self.span_minutes(after) // self.minutes_per_day()) - 1, 0))
        entry: dict[str, Any] = {"date": start.date(), "name": name or kind}
        if until is not None and until.date() > start.date():
            entry["until"] = until.date()  # a day range, both days included
        target = resource.setdefault("_holidays", []) if resource is not None else self.holidays
        target.append(entry)

    def body(self, task: dict[str, Any] | None, resource: dict[str, Any] | None) -> None:
        """The statements of a task's or a resource's ``{ ... }`` body, if it has one."""
        token = self.peek()
        if token is not None and token.text == "{":
            self.next()
            while True:
                token = self.next()
                if token is None or token.text == "}":
                    break
                self.statement(token, task, resource)

    def parse_resource(self, parent: dict[str, Any] | None) -> None:
        rid = self.expect("word").text
        name = self.expect("string").text
        resource: dict[str, Any] = {"id": rid, "name": name}
        if parent is not None:
            resource["_parent"] = parent
        self.resources.append(resource)
        self.body(None, resource)

    def parse_task(self, parent: dict[str, Any] | None) -> None:
        first = self.next()
        if first is None:
            raise TjpError("the file ends inside a task")
        if first.kind == "string":  # TaskJuggler allows a task without an id: it makes one up
            self.anonymous += 1
            local_id, name = f"_Task_{self.anonymous}", first.text
        else:
            local_id, name = first.text, self.expect("string").text
        tid = f"{parent['id']}.{local_id}" if parent is not None else local_id
        task: dict[str, Any] = {"id": tid, "name": name}
        if parent is not None:
            task["parent"] = parent["id"]
        self.tasks.append(task)
        self.body(task, None)

    def task_attribute(self, word: str, task: dict[str, Any], token: Token) -> None:
        if word == "effort":
            self.efforts[task["id"]] = self.span_minutes(self.next())  # type: ignore[arg-type]
        elif word == "length":
            task["_minutes"] = self.span_minutes(self.next())  # type: ignore[arg-type]
        elif word == "duration":
            minutes = self.span_minutes(self.next())  # type: ignore[arg-type]
            task["_minutes"] = minutes
            self.approx["duration (calendar time) kept as working time"] = \
                self.approx.get("duration (calendar time) kept as working time", 0) + 1
        elif word == "milestone":
            task["milestone"] = True
        elif word == "start":
            task["_start"] = self.date(self.expect("date"))
        elif word == "end":
            task["_end"] = self.date(self.expect("date"))
        elif word in ("depends", "precedes"):
            while True:
                ref = self.expect("word")
                kind, gap = "end", None
                after = self.peek()
                if after is not None and after.text == "{":
                    self.next()
                    while True:
                        option = self.next()
                        if option is None or option.text == "}":
                            break
                        if option.text in ("onstart", "onend"):
                            kind = option.text[2:]
                        elif option.text == "gaplength":
                            gap = self.next().text  # type: ignore[union-attr]
                        elif option.text == "gapduration":  # calendar time: an elapsed lag
                            gap = _elapsed_gap(self.next().text)  # type: ignore[union-attr]
                self.links.append((task["id"], ref.text, f"{word}:{kind}", gap, ref))
                after = self.peek()
                if after is None or after.text != ",":
                    break
                self.next()
        elif word == "allocate":
            while True:
                rid = self.expect("word").text
                self.allocations.setdefault(task["id"], []).append(rid)
                after = self.peek()
                if after is not None and after.text == "{":
                    self.skip_block()
                    after = self.peek()
                if after is None or after.text != ",":
                    break
                self.next()
        elif word == "complete":
            self.progress[task["id"]] = float(self.next().text)  # type: ignore[union-attr]
        elif word == "priority":
            task["priority"] = max(0, min(1000, int(float(self.next().text))))  # type: ignore[union-attr]
        elif word == "note":
            note = self.next()
            if note is not None:
                task["notes"] = note.text


_TASK_WORDS = {"effort", "length", "duration", "milestone", "start", "end", "depends", "precedes", "allocate",
               "complete", "priority", "note"}
_KEYWORDS = _TASK_WORDS | _SKIPPED | {"task", "resource", "project", "include", "macro", "leaves", "vacation",
                                      "rate", "workinghours", "now", "currency"}


def _clock(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def _resolve(ref: str, succ: str, ids: set[str]) -> str | None:
    """A TaskJuggler task reference (``!sibling``, ``!!uncle.child``, ``absolute.id``) as a full id."""
    bangs = len(ref) - len(ref.lstrip("!"))
    name = ref[bangs:]
    if bangs:
        path = succ.split(".")
        base = path[:-bangs] if bangs <= len(path) else []
        full = ".".join([*base, name]) if base else name
        return full if full in ids else None
    return name if name in ids else None


def read(path: str) -> tuple[Plan, ImportReport]:
    """Read a TaskJuggler project into a plan and an import report."""
    report = ImportReport("taskjuggler", path)
    parser = Parser(path, report)
    try:
        parser.parse()
    except TjpError as exc:
        raise PlanError(Diagnostic("bad_file", str(exc), file=path)) from None
    except RecursionError:
        raise PlanError(Diagnostic("bad_file", "the project nests too deeply", file=path)) from None
    return _build(parser, path, report)


def _build(p: Parser, path: str, report: ImportReport) -> tuple[Plan, ImportReport]:
    from pmfit.io.importcheck import Tally, finish_import
    from pmfit.model.duration import Duration

    if "start" not in p.project:
        raise PlanError(Diagnostic("missing_field", "the file has no project header (project \"Name\" "
                                   "2027-01-04 +3m)", file=path))
    mpd = p.minutes_per_day()
    ids = {t["id"] for t in p.tasks}
    by_id = {t["id"]: t for t in p.tasks}
    parents = {t.get("parent") for t in p.tasks if t.get("parent")}
    resources: list[dict[str, Any]] = []
    known_resources = {r["id"] for r in p.resources}
    teams = {r["_parent"]["id"] for r in p.resources if "_parent" in r}
    for r in p.resources:
        if r["id"] in teams:
            continue  # a group of resources: its members are the resources
        out: dict[str, Any] = {"id": r["id"], "name": r["name"]}
        scope: dict[str, Any] | None = r
        while scope is not None and "_rate" not in scope:
            scope = scope.get("_parent")
        rate = scope["_rate"] if scope is not None else p.project.get("rate")
        if rate:
            out["rate"] = f"{rate:g}/d"
        if "_parent" in r:
            out["team"] = r["_parent"]["name"]
        if r.get("_holidays"):
            out["calendar"] = {**_calendar(p), "holidays": p.holidays + r["_holidays"]}
        resources.append(out)
    members = {t: [r["id"] for r in p.resources if r.get("_parent", {}).get("id") == t] for t in teams}
    for task in p.tasks:
        tid = task["id"]
        minutes = task.pop("_minutes", None)
        start, end = task.pop("_start", None), task.pop("_end", None)
        allocated: list[str] = []
        for rid in p.allocations.get(tid, []):
            allocated.extend(members.get(rid, [rid]) if rid in known_resources else [])
        if allocated:
            task["needs"] = {rid: 1.0 for rid in dict.fromkeys(allocated)}
        if tid in parents:
            continue
        effort = p.efforts.get(tid)
        if effort is not None:
            task["work"] = str(Duration.from_minutes(effort, mpd))
            minutes = effort / max(len(task.get("needs", {})), 1)
        if task.get("milestone"):
            task["duration"] = "0d"
        elif minutes is not None:
            task["duration"] = str(Duration.from_minutes(minutes, mpd))
        elif start is not None and end is not None:
            task["duration"] = f"{max(_weekdays(start.date(), end.date()), 0)}d"
        elif end is not None:
            task["milestone"], task["duration"] = True, "0d"  # a to-do with a due date
        else:
            task["duration"] = "0d"
            task["milestone"] = True
        if start is not None:
            task["constraint"] = {"type": "SNET", "date": start.date() if start.time() == dt.time() else start}
        elif end is not None:
            task["constraint"] = {"type": "FNLT", "date": end.date() if end.time() == dt.time() else end}
    links = 0
    unknown: list[str] = []
    approximated: dict[str, int] = dict(p.approx)
    for succ, ref, kind, gap, token in p.links:
        target = _resolve(ref, succ, ids)
        if target is None:
            unknown.append(f"{ref} (line {token.line})")
            continue
        word, _, on = kind.partition(":")
        before, after = (target, succ) if word == "depends" else (succ, target)
        if word == "precedes":
            approximated["precedes kept as a dependency of the later task"] = \
                approximated.get("precedes kept as a dependency of the later task", 0) + 1
        link = before if on == "end" else f"{before} SS"
        if gap:
            link = f"{before} {'FS' if on == 'end' else 'SS'}+{gap.lstrip('+')}"
        by_id[after].setdefault("after", []).append(link)
        links += 1
    project: dict[str, Any] = {"name": p.project["name"], "start": p.project["start"].date()}
    if p.project.get("currency") and len(p.project["currency"]) == 3:
        project["currency"] = p.project["currency"]
    project["calendar"] = {**_calendar(p), "holidays": p.holidays}
    data: dict[str, Any] = {"version": 1, "project": project, "resources": resources, "tasks": p.tasks}
    if p.progress:
        data["progress"] = _progress(p, ids, report)
    for (what, count) in sorted(approximated.items()):
        report.approximated.append(f"{count} × {what}")
    if p.efforts:
        report.approximated.append(f"{len(p.efforts)} efforts spread evenly over the allocated resources "
                                   "(TaskJuggler's efficiency and limits are not modelled)")
    if unknown:
        report.dropped.append(f"{len(unknown)} dependencies on tasks not in the file: " + ", ".join(unknown[:5]))
    for what, count in sorted(p.skipped.items()):
        report.dropped.append(f"{count} × {what} (not modelled)")
    report.read[:0] = [f"{len(p.tasks)} tasks ({len(parents)} summary)", f"{links} dependencies",
                       f"{len(resources)} resources"]
    plan = finish_import(data, report, Tally())
    return plan, report


def _calendar(p: Parser) -> dict[str, Any]:
    if not p.workweek:  # TaskJuggler's default working hours
        return {"workweek": list(_DAYS[:5]), "shifts": ["09:00-12:00", "13:00-18:00"]}
    working = [d for d in _DAYS if p.workweek.get(d, [(540, 720)] if d not in ("sat", "sun") else [])]
    shifts = next((p.workweek[d] for d in working if p.workweek.get(d)), [(540, 720), (780, 1080)])
    return {"workweek": working, "shifts": [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                                            for a, b in shifts]}


def _weekdays(first: dt.date, last: dt.date) -> int:
    days = 0
    while first < last:
        days += first.weekday() < 5
        first += dt.timedelta(days=1)
    return days


def _progress(p: Parser, ids: set[str], report: ImportReport) -> dict[str, Any]:
    """The status date (``now``); TaskJuggler's ``complete`` has no actual dates, so it goes to the
    report's ``undated_progress`` for the load step to date from the plan's schedule."""
    report.undated_progress = {tid: pct for tid, pct in p.progress.items() if tid in ids and pct > 0}
    now = p.project.get("now")
    return {"tasks": {}} if now is None else {"tasks": {}, "status_date": now}


# ---- writing --------------------------------------------------------------------
def _tj_id(text: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", text) or "t"
    if not (base[0].isalpha() or base[0] == "_"):
        base = "t_" + base
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}_{n}"
    used.add(ident)
    return ident


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def tjp_text(plan: Plan, schedule: Any = None) -> tuple[str, dict[str, str]]:
    """The plan as a TaskJuggler project, and the export report's notes (feature -> line)."""
    spec = plan.project.calendar
    mpd, dpw = spec.minutes_per_day, spec.days_per_week
    known = {t.id for t in plan.tasks}
    children: dict[str | None, list[Any]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent if task.parent in known else None, []).append(task)
    local: dict[str, str] = {}
    full: dict[str, str] = {}

    def name_ids(parent: str | None, prefix: str) -> None:
        used: set[str] = set()
        for task in children.get(parent, []):
            wanted = task.id.rsplit(".", 1)[-1] if parent and task.id.startswith(parent + ".") else task.id
            local[task.id] = _tj_id(wanted, used)
            full[task.id] = f"{prefix}{local[task.id]}"
            name_ids(task.id, full[task.id] + ".")

    name_ids(None, "")
    res_used: set[str] = set()
    res_id = {r.id: _tj_id(r.id, res_used) for r in plan.resources}
    progress = plan.progress.tasks if plan.progress else {}
    start = plan.project.start
    status = plan.progress.status_date if plan.progress else None
    lines = [f'project {_quote(plan.project.name)} {start:%Y-%m-%d} +{max(1, _months(plan, schedule))}m {{',
             f'  currency {_quote(plan.project.currency)}', f"  dailyworkinghours {spec.hours:g}"]
    if status is not None:
        timed = isinstance(status, dt.datetime) and status.time() != dt.time()
        lines.append(f"  now {status:%Y-%m-%d-%H:%M}" if timed else f"  now {status:%Y-%m-%d}")
    shifts = ", ".join(f"{a // 60}:{a % 60:02d} - {b // 60}:{b % 60:02d}" for a, b in spec.day_shifts())
    working = [d for d in _DAYS if d in spec.workweek]
    off = [d for d in _DAYS if d not in spec.workweek]
    lines.append(f"  workinghours {', '.join(working)} {shifts}")
    if off:
        lines.append(f"  workinghours {', '.join(off)} off")
    lines.append("}")
    for holiday in spec.holidays:
        until = f" - {holiday.until:%Y-%m-%d}" if holiday.until else ""
        lines.append(f"leaves holiday {_quote(holiday.name or 'holiday')} {holiday.date:%Y-%m-%d}{until}")
    teams: dict[str | None, list[Any]] = {}
    for r in plan.resources:
        teams.setdefault(r.team, []).append(r)
    for team, members in teams.items():
        pad = ""
        if team is not None:  # a team is a resource that holds its members, as TaskJuggler nests them
            lines.append(f"resource {_tj_id('team_' + team, res_used)} {_quote(team)} {{")
            pad = "  "
        for r in members:
            body = []
            if r.rate is not None and r.rate.per != "use":
                body.append(f"{pad}  rate {r.rate.per_hour(spec.hours) * spec.hours:g}")
            for holiday in (r.calendar.holidays if r.calendar else []):
                if holiday not in spec.holidays:
                    until = f" - {holiday.until:%Y-%m-%d}" if holiday.until else ""
                    body.append(f"{pad}  leaves annual {holiday.date:%Y-%m-%d}{until}")
            lines.append(f"{pad}resource {res_id[r.id]} {_quote(r.name)}" + (" {" if body else ""))
            if body:
                lines.extend([*body, f"{pad}}}"])
        if team is not None:
            lines.append("}")
    notes: dict[str, str] = {}
    approximated = {"FF": 0, "SF": 0, "lead": 0}

    def write_task(task: Any, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}task {local[task.id]} {_quote(task.name)} {{")
        inner = pad + "  "
        if task.id not in children:
            if task.milestone:
                lines.append(f"{inner}milestone")
            else:
                minutes = task.planned_duration().minutes(mpd, dpw)
                work = task.work.minutes(mpd, dpw) if task.work is not None else None
                if work is not None and task.needs and abs(work - minutes * len(task.needs)) < 1:
                    lines.append(f"{inner}effort {_span(work, mpd)}")  # TaskJuggler spreads it over them
                else:
                    lines.append(f"{inner}length {_span(minutes, mpd)}")
        refs = []
        for link in task.after:
            if link.task not in full:
                continue
            kind = link.type.value
            if kind in ("FF", "SF"):
                approximated[kind] += 1
            lag = link.lag.minutes(mpd, dpw)
            options = []
            if kind in ("SS", "SF"):
                options.append("onstart")
            if lag > 0 and link.lag.elapsed:  # calendar time: TaskJuggler's gapduration
                unit, times = _TJ_OF_ELAPSED[link.lag.unit]
                options.append(f"gapduration {link.lag.amount * times:g}{unit}")
            elif lag > 0:
                options.append(f"gaplength {_span(lag, mpd)}")
            elif lag < 0:
                approximated["lead"] += 1
            refs.append(full[link.task] + (f" {{ {' '.join(options)} }}" if options else ""))
        if refs:
            lines.append(f"{inner}depends {', '.join(refs)}")
        if task.needs:
            lines.append(f"{inner}allocate {', '.join(res_id[r] for r in task.needs if r in res_id)}")
        c = task.constraint
        if c is not None and c.date is not None and c.type.value in ("SNET", "MSO"):
            lines.append(f"{inner}start {c.date:%Y-%m-%d}")
        elif c is not None and c.date is not None and c.type.value in ("FNLT", "MFO"):
            lines.append(f"{inner}end {c.date:%Y-%m-%d}")
        if task.priority != 500:
            lines.append(f"{inner}priority {task.priority}")
        p = progress.get(task.id)
        if p is not None and p.percent_complete:
            lines.append(f"{inner}complete {p.percent_complete:g}")
        if task.notes:
            lines.append(f"{inner}note {_quote(task.notes)}")
        for child in children.get(task.id, []):
            write_task(child, depth + 1)
        lines.append(f"{pad}}}")

    for task in children.get(None, []):
        write_task(task, 0)
    if approximated["FF"] or approximated["SF"]:
        notes["link_types"] = (f"{approximated['FF']} finish-to-finish and {approximated['SF']} start-to-finish "
                               "dependencies written as finish-to-start / start-to-start (TaskJuggler constrains "
                               "a task's start)")
    if approximated["lead"]:
        notes["lags"] = f"{approximated['lead']} leads (negative lags) dropped: TaskJuggler gaps are not negative"
    if any(local[t.id] != (t.id.rsplit(".", 1)[-1] if t.parent and t.id.startswith(t.parent + ".") else t.id)
           for t in plan.tasks):
        notes["ids"] = "task ids that are not TaskJuggler identifiers were changed (letters, digits and _ only)"
    return "\n".join(lines) + "\n", notes


_TJ_CALENDAR_MINUTES = {"min": 1, "h": 60, "d": 1440, "w": 10080, "m": 43200, "y": 525600}
_TJ_OF_ELAPSED = {"em": ("min", 1), "eh": ("h", 1), "ed": ("d", 1), "ew": ("w", 1), "emo": ("d", 30)}


def _elapsed_gap(text: str) -> str:
    """A ``gapduration`` (calendar time: ``3d`` is 72 hours) as a pmfit elapsed lag (``3ed``)."""
    from pmfit.model.duration import Lag

    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(min|h|d|w|m|y)?\s*$", text)
    if match is None:
        return text  # not a duration: the plan's own parse names it
    minutes = float(match[1]) * _TJ_CALENDAR_MINUTES[match[2] or "d"]
    return str(Lag.elapsed_minutes(minutes, {"min": "em", "h": "eh", "d": "ed", "w": "ew"}.get(match[2] or "d")))


def _span(minutes: float, mpd: int) -> str:
    if minutes % mpd == 0:
        return f"{minutes / mpd:g}d"
    if minutes % 60 == 0:
        return f"{minutes / 60:g}h"
    return f"{minutes:g}min"


def _months(plan: Plan, schedule: Any = None) -> int:
    """The project's length in months for TaskJuggler's header (its schedule must fit in it)."""
    from pmfit.io.current import current_schedule

    sched = current_schedule(plan, schedule, "TaskJuggler")
    if sched is None:
        return 12
    start = plan.project.start
    days = (sched.finish.date() - (start.date() if isinstance(start, dt.datetime) else start)).days
    return days // 28 + 2


def write(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    """Write the plan as a TaskJuggler project, atomically; returns the export report's notes."""
    from pmfit.io.yamlplan import save_atomic

    text, notes = tjp_text(plan, schedule)
    save_atomic(text, path)
    return notes


def sniff(head: bytes) -> bool:
    return bool(_SNIFF.match(head.lstrip(b"\xef\xbb\xbf")))


register(Format(
    "taskjuggler", (".tjp", ".tji"), sniff, read, write, "TaskJuggler project (.tjp)",
    keeps="tasks and nesting (ids are TaskJuggler's full ids), effort (spread over the allocated resources), "
          "length, duration, milestones, start and end dates (as start-no-earlier-than / finish-no-later-than), "
          "depends and precedes with relative ids, onstart and gaps, allocations, complete (with the scheduled "
          "dates standing in for actual ones), priority, notes; resources with teams (nested resources), "
          "inherited day rates and leaves; project start, now (status date), currency, working hours and "
          "holidays; macros; include files next to the project",
    loses="reports, accounts and charges, journals, bookings, limits, flags, shifts, other scenarios "
          "(each listed with its count); duration (calendar time) is kept as working time; "
          "efficiency and resource limits are not modelled"))
