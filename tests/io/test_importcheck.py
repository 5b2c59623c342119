"""The import report's schedule check and the helpers readers share.

The file below is written by hand: five tasks on a Mon-Fri 08:00-17:00 calendar from Mon 4 Jan 2027,
with the dates MS Project would store, except where a date was deliberately moved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pmfit.importing import import_file
from pmfit.io.formats import ImportReport
from pmfit.io.importcheck import Tally, clean_id, difference_lines, outline_order
from pmfit.model.diagnostics import PlanError

FILE = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>Check</Name><StartDate>2027-01-04T08:00:00</StartDate><CalendarUID>1</CalendarUID>
 <Calendars>
  <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar>
  <Calendar><UID>2</UID><Name>Weekends too</Name><IsBaseCalendar>1</IsBaseCalendar>
   <WeekDays><WeekDay><DayType>1</DayType><DayWorking>1</DayWorking></WeekDay></WeekDays></Calendar>
 </Calendars>
 <Tasks>
  <Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration>
   <Start>2027-01-04T08:00:00</Start><Finish>2027-01-05T17:00:00</Finish></Task>
  <Task><UID>2</UID><Name>B moved by hand</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
   <Start>2027-01-07T08:00:00</Start><Finish>2027-01-07T17:00:00</Finish>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
  <Task><UID>3</UID><Name>C started late</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
   <Start>2027-01-11T08:00:00</Start><Finish>2027-01-11T17:00:00</Finish>
   <PercentComplete>50</PercentComplete><ActualStart>2027-01-11T08:00:00</ActualStart></Task>
  <Task><UID>4</UID><Name>D on its own calendar</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
   <CalendarUID>2</CalendarUID><Start>2027-01-10T08:00:00</Start><Finish>2027-01-10T17:00:00</Finish>
   <ConstraintType>4</ConstraintType><ConstraintDate>2027-01-09T08:00:00</ConstraintDate></Task>
  <Task><UID>5</UID><Name>E follows B</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
   <Start>2027-01-08T08:00:00</Start><Finish>2027-01-08T17:00:00</Finish>
   <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type></PredecessorLink></Task>
 </Tasks>
</Project>
"""


def test_schedule_check_lists_each_moved_task_with_its_cause(tmp_path: Path) -> None:
    path = tmp_path / "check.xml"
    path.write_text(FILE, encoding="utf-8")
    plan, report = import_file(path)
    assert report.schedule_checked == 5
    diffs = {d["task"]: d for d in report.schedule_differences}
    assert set(diffs) == {"2", "3", "4", "5"}  # A is where MS Project put it
    # B: pmfit starts it Wed 6 Jan (right after A); the file says Thu 7: one working day earlier
    assert diffs["2"]["pmfit_start"] == "2027-01-06T08:00"
    assert diffs["2"]["start_diff_days"] == -1.0
    assert diffs["2"]["causes"] == ["calendar or scheduling rule: the file's tool placed it differently"]
    # C: recorded progress explains it
    assert diffs["3"]["causes"][0].startswith("actuals")
    assert diffs["3"]["start_diff_days"] == -5.0
    # D: its own calendar (weekend work) and its constraint, both named
    assert any("task calendar 'Weekends too'" in c for c in diffs["4"]["causes"])
    assert any(c.startswith("constraint SNET 2027-01-09") for c in diffs["4"]["causes"])
    # E: only because B moved
    assert diffs["5"]["causes"] == ["predecessor moved: '2'"]
    lines = difference_lines(report)
    assert lines[0].startswith("'2': start -1d, finish -1d — calendar or scheduling rule")
    assert plan.task("4").constraint is not None


def test_without_file_dates_nothing_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "nodates.xml"
    path.write_text(FILE.replace("<Start>", "<X>").replace("</Start>", "</X>")
                    .replace("<Finish>", "<Y>").replace("</Finish>", "</Y>"), encoding="utf-8")
    _, report = import_file(path)
    assert report.schedule_checked == 0 and report.schedule_differences == []


def test_unschedulable_plans_get_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "cycle.xml"
    text = FILE.replace("<Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel>",
                        "<Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel>"
                        "<PredecessorLink><PredecessorUID>5</PredecessorUID></PredecessorLink>")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:  # a cycle is an error of the plan itself, found by validation
        import_file(path)
    assert "dependency_cycle" in info.value.codes
    assert info.value.diagnostics[0].file == str(path)


def test_a_calendar_error_in_the_check_becomes_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pmfit.engine.schedule as engine

    def broken(plan: object) -> object:
        raise ValueError("no working time")

    monkeypatch.setattr(engine, "schedule", broken)
    path = tmp_path / "check.xml"
    path.write_text(FILE, encoding="utf-8")
    _, report = import_file(path)
    assert report.schedule_checked == 0
    assert [w.code for w in report.warnings] == ["import_mapped"]
    assert "could not run" in report.warnings[0].message


def test_tally_sentences() -> None:
    tally = Tally()
    for task in ("a", "b", "c"):
        tally.approx("elapsed lag", "kept as working-time lag", task, "elapsed lag")
    tally.drop("custom field 'Cost Center'", "not imported (4 values)")
    report = ImportReport("x", "f")
    tally.apply(report)
    assert report.approximated == ["3 × elapsed lag ('a', 'b', 'c'): kept as working-time lag"]
    assert report.dropped == ["custom field 'Cost Center': not imported (4 values)"]
    assert report.task_causes == {"a": ["elapsed lag"], "b": ["elapsed lag"], "c": ["elapsed lag"]}


def test_clean_id_and_outline_order() -> None:
    used: set[str] = set()
    assert clean_id("  Phase 1,  design ", used) == "Phase 1; design"
    assert clean_id("Phase 1; design", used) == "Phase 1; design#2"
    assert clean_id("", used) == "task"
    tasks = [{"id": "c", "parent": "a"}, {"id": "b"}, {"id": "a"}, {"id": "d", "parent": "c"}]
    assert [t["id"] for t in outline_order(tasks)] == ["b", "a", "c", "d"]


def test_a_date_on_a_non_working_day_is_blamed_on_the_calendar(tmp_path: Path) -> None:
    # F sits on Saturday 9 Jan in the file (its tool works weekends); pmfit's calendar does not
    text = FILE.replace("</Tasks>", """<Task><UID>6</UID><Name>F</Name><OutlineLevel>1</OutlineLevel>
      <Duration>PT8H0M0S</Duration><Start>2027-01-09T08:00:00</Start><Finish>2027-01-09T17:00:00</Finish>
      </Task></Tasks>""")
    path = tmp_path / "weekend.xml"
    path.write_text(text, encoding="utf-8")
    _, report = import_file(path)
    causes = {d["task"]: d["causes"] for d in report.schedule_differences}["6"]
    assert causes == ["calendar: the file has it on Sat 2027-01-09, a non-working day on pmfit's project calendar"]
