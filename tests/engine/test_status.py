"""Status-date rescheduling: golden cases in tests/cases/evm/status/*.yaml (worked by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

import pmfit
from pmfit.engine.status import status_schedule
from pmfit.model.diagnostics import CODES

CASES = sorted((Path(__file__).parents[1] / "cases" / "evm" / "status").glob("*.yaml"))


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_status_golden_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = pmfit.loads(case["plan"], str(path))
    expect = case["expect"]
    result = status_schedule(plan)
    assert result.finish == _when(expect["finish"])
    assert result.moved == expect["moved"]
    assert sorted({d.code for d in result.diagnostics}) == sorted(expect.get("diagnostics", []))
    for code in expect.get("diagnostics", []):
        assert code in CODES
    for tid, want in expect["tasks"].items():
        row = result.schedule.tasks[tid]
        state = result.tasks[tid]
        assert state.state == want["state"], tid
        assert row.start == _when(want["start"]), tid
        assert row.finish == _when(want["finish"]), tid
        if "percent" in want:
            assert state.percent == pytest.approx(want["percent"], abs=1e-3), tid


PLAN = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: a, duration: 2d}
  - {id: b, duration: 3d, after: [a]}
"""


def test_no_progress_and_status_at_start_is_the_plain_schedule() -> None:
    plan = pmfit.loads(PLAN)
    result = status_schedule(plan, as_of=dt.datetime(2027, 1, 4, 8, 0))
    plain = pmfit.schedule(plan)
    assert result.finish == plain.finish
    assert result.moved == []
    assert all(s.state == "not_started" for s in result.tasks.values())


def test_status_date_before_the_start_warns_and_changes_nothing() -> None:
    plan = pmfit.loads(PLAN)
    result = status_schedule(plan, as_of=dt.date(2026, 12, 1))
    assert "bad_status_date" in {d.code for d in result.diagnostics}
    assert result.finish == pmfit.schedule(plan).finish


def test_as_of_overrides_the_plans_status_date() -> None:
    plan = pmfit.loads(PLAN + "progress: {status_date: 2027-01-04}\n")
    late = status_schedule(plan, as_of=dt.date(2027, 1, 8))   # Fri: nothing started all week
    # a moves to Mon 11, b follows: Wed 13 .. Fri 15
    assert late.finish == dt.datetime(2027, 1, 15, 17, 0)
    assert late.moved == ["a", "b"]


def test_progress_on_a_summary_is_reported_and_ignored() -> None:
    text = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: s}
  - {id: a, duration: 2d, parent: s}
progress:
  status_date: 2027-01-04
  tasks:
    s: {actual_start: 2027-01-04, percent_complete: 50}
"""
    result = status_schedule(pmfit.loads(text))
    assert "progress_on_summary" in {d.code for d in result.diagnostics}
    assert result.tasks["a"].state == "overdue"


def test_inconsistent_progress_is_rejected_with_its_id() -> None:
    text = PLAN + """\
progress:
  status_date: 2027-01-05
  tasks:
    a: {actual_start: 2027-01-05, actual_finish: 2027-01-04}
    b: {actual_start: 2027-01-20}
"""
    with pytest.raises(pmfit.PlanError) as err:
        pmfit.loads(text)
    assert set(err.value.codes) == {"bad_progress"}
    # a finishes before it starts (line 8); b starts after the status date (line 9)
    assert [(d.task, d.line) for d in err.value.diagnostics] == [("a", 8), ("b", 9)]


def test_the_plan_is_not_changed() -> None:
    plan = pmfit.loads(PLAN + "progress: {status_date: 2027-01-08}\n")
    before = plan.model_dump()
    status_schedule(plan)
    assert plan.model_dump() == before


def test_a_status_date_centuries_away_is_a_clear_error() -> None:
    plan = pmfit.loads(PLAN)
    with pytest.raises(pmfit.PlanError) as err:
        status_schedule(plan, as_of=dt.date(9999, 1, 1))
    assert err.value.codes == ["bad_status_date"]


def test_as_of_before_recorded_actuals_warns() -> None:
    plan = pmfit.loads(PLAN + """\
progress:
  status_date: 2027-01-08
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-05}
    b: {actual_start: 2027-01-06, percent_complete: 50}
""")
    assert status_schedule(plan).diagnostics == []
    result = status_schedule(plan, as_of=dt.date(2027, 1, 5))
    late = [d for d in result.diagnostics if d.code == "bad_progress"]
    assert len(late) == 1 and late[0].severity == "warning" and "'b'" in late[0].message


def test_progress_that_half_contradicts_itself_warns() -> None:
    plan = pmfit.loads(PLAN + """\
progress:
  status_date: 2027-01-08
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-05, remaining: 1d}
    b: {actual_cost: 250}
""")
    result = status_schedule(plan)
    warned = {d.task for d in result.diagnostics if d.code == "bad_progress"}
    assert warned == {"a", "b"}
    assert all(d.severity == "warning" for d in result.diagnostics if d.code == "bad_progress")
    assert result.tasks["a"].state == "done" and result.tasks["b"].state == "overdue"


def test_started_work_keeps_its_true_float() -> None:
    # a and b both started Mon 4 Jan. Status Wed 6 (end of day 3).
    # a: 5d, 40% done -> 3d left -> finishes Mon 11 (day 6); b: 10d, 30% -> 7d left -> Fri 15 (day 10).
    # c follows both: Mon 18. So b is critical and a has 4 working days of float.
    plan = pmfit.loads("""\
project: {name: F, start: 2027-01-04}
tasks:
  - {id: a, duration: 5d}
  - {id: b, duration: 10d}
  - {id: c, duration: 1d, after: [a, b]}
  - {id: z, duration: 1d}
progress:
  status_date: 2027-01-06
  tasks:
    a: {actual_start: 2027-01-04, percent_complete: 40}
    b: {actual_start: 2027-01-04, percent_complete: 30}
    z: {actual_start: 2027-01-04, actual_finish: 2027-01-04}
""")
    sched = status_schedule(plan).schedule
    assert sched["a"].finish == dt.datetime(2027, 1, 11, 17, 0)
    assert sched["b"].finish == dt.datetime(2027, 1, 15, 17, 0)
    assert sched["a"].total_float == 4 * 480 and not sched["a"].critical
    assert sched["b"].critical and sched["c"].critical
    assert not sched["z"].critical                        # finished work is history, never critical
    assert sched.critical_path == ["b", "c"]
