"""Golden cases as data: ``tests/cases/*.yaml`` and ``tests/cases/errors/*.yaml``.

A schedule case holds a plan (``plan: |``, the text of a plan file) and its
expected results (``expect:``), worked out by hand in the file's comments:

.. code-block:: yaml

    expect:
      finish: 2027-01-15 17:00          # project finish
      critical: [a, b, d]               # critical leaf tasks (any order)
      critical_paths: [[a, b, d]]       # optional: the driving chains
      diagnostics: [negative_float]     # schedule/plan warning ids (default: none at all)
      tasks:
        a: {es: 2027-01-04 08:00, ef: 2027-01-06 17:00, ls: ..., lf: ..., tf: 0d, ff: 0d}
        b: {start: ..., finish: ..., critical: true}
      why: {d: [link b, link a, project_start]}   # optional: the driving chain's steps

An error case holds a plan and the diagnostics reading it must raise, each
with its id and (when given) line and a fragment of the message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from pmfit.api import plan_warnings
from pmfit.engine.schedule import schedule
from pmfit.importing import read_plan_text  # the load step: the engine's checks (cycles, calendars) included
from pmfit.model.diagnostics import CODES, PlanError
from pmfit.model.duration import Duration

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*.yaml"))
ERROR_CASES = sorted((CASES_DIR / "errors").glob("*.yaml"))

_FIELDS = {
    "es": "early_start", "ef": "early_finish", "ls": "late_start", "lf": "late_finish",
    "start": "start", "finish": "finish", "tf": "total_float", "ff": "free_float",
    "duration": "duration", "critical": "critical", "milestone": "milestone",
}


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value))


def _load(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and "plan" in case and "expect" in case, f"{path.name}: needs plan: and expect:"
    return case


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20
    assert len(ERROR_CASES) >= 12


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_schedule_case(path: Path) -> None:
    case = _load(path)
    plan = read_plan_text(case["plan"], path.name)
    result = schedule(plan)
    expect = case["expect"]
    mpd, dpw = result.calendar.minutes_per_day, result.calendar.days_per_week
    problems: list[str] = []

    def check(label: str, actual: Any, wanted: Any) -> None:
        if actual != wanted:
            problems.append(f"{label}: got {actual}, expected {wanted}")

    if "finish" in expect:
        check("project finish", result.finish, _when(expect["finish"]))
    if "start" in expect:
        check("project start", result.start, _when(expect["start"]))
    for task_id, fields in (expect.get("tasks") or {}).items():
        row = result[task_id]
        for key, wanted in fields.items():
            attr = _FIELDS[key]
            actual = getattr(row, attr)
            if attr in ("total_float", "free_float", "duration"):
                check(f"{task_id}.{key}", Duration.from_minutes(actual, mpd),
                      Duration.from_minutes(Duration.parse(wanted).minutes(mpd, dpw), mpd))
            elif attr in ("critical", "milestone"):
                check(f"{task_id}.{key}", actual, bool(wanted))
            else:
                check(f"{task_id}.{key}", actual, _when(wanted))
    if "critical" in expect:
        check("critical", sorted(result.critical_path), sorted(expect["critical"]))
    if "critical_paths" in expect:
        check("critical paths", result.critical_paths(), expect["critical_paths"])
    codes = sorted({d.code for d in result.diagnostics} | {d.code for d in plan_warnings(plan)})
    check("diagnostics", codes, sorted(expect.get("diagnostics") or []))
    for task_id, steps in (expect.get("why") or {}).items():
        got = [f"{s.kind} {s.predecessor}" if s.predecessor else s.kind for s in result.why(task_id)]
        check(f"why({task_id})", got, steps)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", ERROR_CASES, ids=lambda p: p.stem)
def test_error_case(path: Path) -> None:
    case = _load(path)
    with pytest.raises(PlanError) as info:
        read_plan_text(case["plan"], path.name)
    got = info.value.diagnostics
    for wanted in case["expect"]:
        assert wanted["code"] in CODES, f"{wanted['code']} is not a registered diagnostic id"
        matches = [d for d in got if d.code == wanted["code"]
                   and ("line" not in wanted or d.line == wanted["line"])
                   and ("task" not in wanted or d.task == wanted["task"])
                   and all(part in d.message for part in wanted.get("message", []))]
        assert matches, f"{path.name}: no {wanted} among:\n  " + "\n  ".join(
            f"{d} (line {d.line}, task {d.task})" for d in got)
    for d in got:
        assert d.file == path.name, f"{d} does not name the file"
    if case.get("only", False):
        assert sorted({d.code for d in got}) == sorted({w["code"] for w in case["expect"]})
