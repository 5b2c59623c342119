"""Writers compute no dates: the caller passes the current schedule (pmfit.api.export_dates)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmfit.api import export_dates
from pmfit.io.current import Unscheduled
from pmfit.io.formats import FORMATS, _load_builtin_formats, writes_dates
from pmfit.io.formats import export_file as writers_own
from pmfit.io.yamlplan import read_plan_text
from pmfit.model.diagnostics import PlanError

PLAN = "project: {name: P, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 2d}\n  - {id: b, duration: 1d, after: [a]}\n"
DATED = ["csv", "ganttproject", "icalendar", "mpx", "mspdi", "p6xml", "planner", "taskjuggler", "xer", "xlsx"]


def test_the_formats_that_store_dates_are_the_ones_that_take_a_schedule() -> None:
    _load_builtin_formats()
    dated = sorted(name for name, fmt in FORMATS.items() if fmt.write is not None
                   and writes_dates(f"x{fmt.extensions[0]}", name))
    assert dated == DATED
    assert not writes_dates("plan.yaml") and not writes_dates("plan.json")


@pytest.mark.parametrize("name", DATED)
def test_a_writer_given_no_schedule_says_so_and_writes_nothing(name: str, tmp_path: Path) -> None:
    _load_builtin_formats()
    out = tmp_path / f"plan{FORMATS[name].extensions[0]}"
    with pytest.raises(PlanError) as err:
        writers_own(read_plan_text(PLAN), out, name)
    assert err.value.codes == ["no_schedule"]
    assert "pmfit.api.export_dates" in err.value.diagnostics[0].message
    assert not out.exists()


def test_the_dates_written_are_the_ones_given(tmp_path: Path) -> None:
    """A schedule moved a week later by the caller is what the file holds: the writer does not redo it."""
    import datetime as dt

    from pmfit.io.current import CurrentSchedule

    plan = read_plan_text(PLAN)
    dates = export_dates(plan)
    week = dt.timedelta(days=7)
    moved = CurrentSchedule(dates.schedule, {tid: type(row)(**{**row.__dict__, "start": row.start + week,
                                                                "finish": row.finish + week})
                                             for tid, row in dates.rows.items()})
    writers_own(plan, tmp_path / "plan.csv", schedule=moved)
    rows = {r["id"]: r for r in csv.DictReader((tmp_path / "plan.csv").open(encoding="utf-8-sig"))}
    assert rows["a"]["start"].startswith("2027-01-11") and rows["b"]["start"].startswith("2027-01-13")


def test_an_unschedulable_plan_is_written_without_dates_where_the_format_allows(tmp_path: Path) -> None:
    """What pmfit.api.export_dates gives for a plan the engine cannot schedule (a calendar error, say)."""
    from pmfit.model.diagnostics import Diagnostic

    plan = read_plan_text(PLAN)
    unscheduled = Unscheduled(PlanError(Diagnostic("no_working_time", "the calendar has no working time")))
    writers_own(plan, tmp_path / "plan.csv", schedule=unscheduled)  # the task list without start and finish
    rows = list(csv.DictReader((tmp_path / "plan.csv").open(encoding="utf-8-sig")))
    assert [(r["id"], r["start"], r["finish"]) for r in rows] == [("a", "", ""), ("b", "", "")]
    with pytest.raises(PlanError) as err:  # an iCalendar file holds dates only: the reason is given
        writers_own(plan, tmp_path / "plan.ics", schedule=unscheduled)
    assert err.value.codes == ["no_working_time"]
    assert not (tmp_path / "plan.ics").exists()
