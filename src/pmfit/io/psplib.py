"""PSPLIB single-mode RCPSP instances (``.sm``) and their optimum / bound tables.

PSPLIB (Kolisch & Sprecher 1996, https://www.om-db.wi.tum.de/psplib/) is the
standard library of resource-constrained project scheduling problems. A
``.sm`` file has the sections ``PRECEDENCE RELATIONS``,
``REQUESTS/DURATIONS`` and ``RESOURCEAVAILABILITIES``; job 1 and the last
job are zero-duration dummies (project start and end).

:func:`read_sm` gives a :class:`PsplibInstance`; ``.to_plan()`` turns it into
a pmfit plan (one period = one working day, every link finish-to-start); the
instance is plain data, and :func:`pmfit.engine.rcpsp.rcpsp_network` turns it into
a compiled network in periods (readers import no engine). Registering the format
means ``pmfit level j301_1.sm`` works.

:func:`read_optima` reads the tables that go with the sets: ``j30opt.sm`` /
``j60hrs.sm``-style text tables (``parameter instance makespan ...``) and the
``;``-separated "RCPSP solutions update" CSV (LB / UB / OPT columns).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmfit.io.formats import Format, ImportReport, register
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

MAX_JOBS = 100_000
PROJECT_START = dt.date(2027, 1, 4)  # a Monday


@dataclass(frozen=True)
class PsplibInstance:
    """One single-mode instance: jobs 1..n (index 0..n-1), durations, successors, demands, capacities."""

    name: str
    durations: list[int]
    successors: list[list[int]]  # 0-based job indices
    demands: list[list[int]]  # demands[job][resource]
    capacities: list[int]
    horizon: int | None = None

    @property
    def jobs(self) -> int:
        return len(self.durations)

    def task_id(self, job: int) -> str:
        return f"job{job + 1}"

    def to_plan(self, start: dt.date = PROJECT_START) -> Plan:
        """A pmfit plan: tasks ``job1..jobN`` (durations in working days), resources ``R1..Rk``."""
        from pmfit.model.plan import Plan

        preds: list[list[int]] = [[] for _ in range(self.jobs)]
        for a, succ in enumerate(self.successors):
            for b in succ:
                preds[b].append(a)
        resources = [{"id": f"R{r + 1}", "name": f"Resource {r + 1}", "units": cap}
                     for r, cap in enumerate(self.capacities) if cap > 0]
        tasks = []
        for j in range(self.jobs):
            task: dict[str, object] = {"id": self.task_id(j), "name": f"Job {j + 1}"}
            if self.durations[j] == 0:
                task["milestone"] = True
            else:
                task["duration"] = f"{self.durations[j]}d"
            needs = {f"R{r + 1}": u for r, u in enumerate(self.demands[j]) if u > 0}
            if needs:
                task["needs"] = needs
            if preds[j]:
                task["after"] = [self.task_id(a) for a in preds[j]]
            tasks.append(task)
        return Plan.model_validate({
            "project": {"name": f"PSPLIB {self.name}", "start": start},
            "resources": resources,
            "tasks": tasks,
        })


def _error(path: str, message: str, line: int | None = None) -> PlanError:
    return PlanError(Diagnostic("bad_field", message, file=path, line=line))


#: The largest number a PSPLIB file may hold (the library's own stay below 1000).
MAX_NUMBER = 10**9


def _ints(text: str, path: str, line: int) -> list[int]:
    try:
        values = [int(x) for x in text.split()]
    except ValueError:
        raise _error(path, f"expected whole numbers, found {text.strip()[:60]!r}", line) from None
    if any(abs(v) > MAX_NUMBER for v in values):
        raise _error(path, f"a number beyond {MAX_NUMBER:,} in {text.strip()[:60]!r}", line)
    return values


def _header_int(line: str, path: str, number: int) -> int:
    """The number after the colon of a header line (``horizon : 158``)."""
    values = _ints(line.split(":", 1)[1] if ":" in line else "", path, number)
    if not values:
        raise _error(path, f"expected a number after the colon: {line.strip()[:60]!r}", number)
    return values[0]


def parse_sm(text: str, path: str = "<text>") -> PsplibInstance:
    """Parse the text of a single-mode ``.sm`` file."""
    lines = text.splitlines()
    name = Path(path).stem
    horizon: int | None = None
    succ: dict[int, list[int]] = {}
    req: dict[int, tuple[int, list[int]]] = {}
    caps: list[int] | None = None
    section = ""
    jobs_declared: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        upper = line.upper()
        if not line or line.startswith(("*", "-", "=")):
            if line.startswith("*"):
                section = ""
            continue
        if upper.startswith("JOBS (INCL"):
            jobs_declared = _header_int(line, path, number)
            if not 2 <= jobs_declared <= MAX_JOBS:
                raise _error(path, f"{jobs_declared} jobs is outside what pmfit reads (2..{MAX_JOBS})", number)
            continue
        if upper.startswith("HORIZON"):
            horizon = _header_int(line, path, number)
            continue
        if upper.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
            continue
        if upper.startswith("REQUESTS/DURATIONS"):
            section = "req"
            continue
        if upper.startswith("RESOURCEAVAILABILITIES"):
            section = "cap"
            continue
        if upper.startswith(("JOBNR", "PRONR", "R 1", "N 1")) or re.match(r"^[RND]\s*\d", line):
            continue
        if section == "prec":
            values = _ints(line, path, number)
            if len(values) < 3 or len(values) != 3 + values[2]:
                raise _error(path, "a precedence line must be: job, modes, successor count, successors", number)
            if values[1] != 1:
                raise _error(path, f"job {values[0]} has {values[1]} modes; pmfit reads single-mode (.sm) files",
                             number)
            succ[values[0]] = values[3:]
        elif section == "req":
            values = _ints(line, path, number)
            if len(values) < 3:
                raise _error(path, "a request line must be: job, mode, duration, demands", number)
            if values[2] < 0 or any(v < 0 for v in values[3:]):
                raise _error(path, f"job {values[0]} has a negative duration or demand", number)
            req[values[0]] = (values[2], values[3:])
        elif section == "cap":
            caps = _ints(line, path, number)
            if any(c < 0 for c in caps):
                raise _error(path, "a resource availability is negative", number)
            section = ""
    if not succ or not req or caps is None:
        missing = [s for s, ok in (("PRECEDENCE RELATIONS", succ), ("REQUESTS/DURATIONS", req),
                                   ("RESOURCEAVAILABILITIES", caps is not None)) if not ok]
        raise _error(path, f"not a PSPLIB .sm file: missing section(s) {', '.join(missing)}")
    n = max(max(succ), max(req))
    if jobs_declared is not None and n != jobs_declared:
        raise _error(path, f"the file declares {jobs_declared} jobs but lists {n}")
    if set(succ) != set(range(1, n + 1)) or set(req) != set(range(1, n + 1)):
        gap = sorted(set(range(1, n + 1)) - (set(succ) & set(req)))[:5]
        raise _error(path, f"jobs {gap} are missing from the precedence or request table")
    successors: list[list[int]] = []
    for j in range(1, n + 1):
        row = []
        for s in succ[j]:
            if not 1 <= s <= n:
                raise _error(path, f"job {j} names successor {s}, which does not exist")
            if s == j:
                raise _error(path, f"job {j} is its own successor")
            row.append(s - 1)
        successors.append(row)
    k = len(caps)
    demands = []
    for j in range(1, n + 1):
        row = req[j][1]
        if len(row) != k:
            raise _error(path, f"job {j} lists {len(row)} resource demands for {k} resources")
        demands.append(row)
    for j, row in enumerate(demands):
        for r, u in enumerate(row):
            if u > caps[r]:
                raise PlanError(Diagnostic("over_capacity", f"job {j + 1} needs {u} units of resource {r + 1}, "
                                           f"which has {caps[r]}", file=path, task=f"job{j + 1}"))
    return PsplibInstance(name, [req[j][0] for j in range(1, n + 1)], successors, demands, caps, horizon)


def read_sm(path: str | Path) -> PsplibInstance:
    """Read a single-mode PSPLIB instance file."""
    from pmfit.io.yamlplan import read_text_file

    return parse_sm(read_text_file(str(path)), str(path))


@dataclass(frozen=True)
class Optimum:
    """What is known about one instance's best makespan."""

    instance: str
    optimum: int | None = None
    lower_bound: int | None = None
    upper_bound: int | None = None
    cpm: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def best_known(self) -> int | None:
        return self.optimum if self.optimum is not None else self.upper_bound


def read_optima(path: str | Path, prefix: str | None = None) -> dict[str, Optimum]:
    """A bound table keyed by instance file name (``j301_1.sm``).

    Text tables (``j30opt.sm``, ``j60hrs.sm``): rows ``parameter instance makespan ...``; the
    set prefix comes from the file name (``j30``) unless given. A ``opt`` table holds optima,
    other text tables upper bounds. CSV (``;``, decimal comma): columns ``LB value``,
    ``UB value``, ``OPT value``, ``CPM`` and the instance file in ``Ref1``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    out: dict[str, Optimum] = {}
    if ";" in text.splitlines()[0] if text else False:
        header: list[str] | None = None
        for line in text.splitlines():
            cells = [c.strip() for c in line.split(";")]
            if cells and cells[0] == "ID":
                header = cells
                continue
            if header is None or len(cells) < len(header):
                continue
            row = dict(zip(header, cells, strict=False))

            def num(key: str, row: dict[str, str] = row) -> int | None:
                value = row.get(key, "").replace(",", ".")
                try:
                    number = float(value)
                except ValueError:
                    return None
                return round(number) if number > 0 else None

            name = row.get("Ref1", "")
            if not name.lower().endswith(".sm"):
                continue
            out[name] = Optimum(name, num("OPT value"), num("LB value"), num("UB value"), num("CPM"))
        return out
    prefix = prefix or re.match(r"[a-zA-Z]+\d+", path.stem).group(0)  # type: ignore[union-attr]
    is_opt = "opt" in path.stem.lower()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts[:3]):
            name = f"{prefix}{parts[0]}_{parts[1]}.sm"
            value = int(parts[2])
            out[name] = Optimum(name, optimum=value if is_opt else None,
                                lower_bound=value if is_opt else None, upper_bound=value)
    return out


def _sniff(head: bytes) -> bool:
    return b"PRECEDENCE RELATIONS" in head and b"REQUESTS/DURATIONS" in head


def _read(path: str) -> tuple[Plan, ImportReport]:
    instance = read_sm(path)
    plan = instance.to_plan()
    report = ImportReport("psplib", path, read=[
        f"{instance.jobs} jobs (job 1 and job {instance.jobs} are the dummy start and end)",
        f"{len(instance.capacities)} renewable resources"])
    report.approximated.append("one PSPLIB period = one working day (Mon-Fri calendar from 2027-01-04)")
    return plan, report


register(Format("psplib", (".sm",), _sniff, _read, None,
                "PSPLIB single-mode RCPSP instance (.sm)"))
