"""GNOME Planner reader: counts read by hand from the shared files; Planner's own saved dates as oracle."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import shared_path

from pmfit.engine.schedule import schedule
from pmfit.io import planner
from pmfit.io.formats import detect_format
from pmfit.model.diagnostics import PlanError
from pmfit.model.duration import Duration

D = dt.datetime


def _read(name: str) -> tuple:
    return planner.read(str(shared_path("projects", "planner", name)))


def test_sample_1_counts_by_hand() -> None:
    plan, report = _read("gnome-planner-sample-1.planner")
    # `grep -c "<task "` = 17; tasks with nested tasks: 1 (Project X), 4 (Prototype), 9 (Product),
    # 12 (Implementation); type="milestone": 3, 8, 17; `grep -c "<predecessor "` = 10; 4 resources,
    # 11 <allocation> elements.
    assert len(plan.tasks) == 17
    assert plan.summary_ids() == {"1", "4", "9", "12"}
    assert {t.id for t in plan.tasks if t.milestone} == {"3", "8", "17"}
    assert sum(len(t.after) for t in plan.tasks) == 10
    assert [r.name for r in plan.resources] == ["Alvaro del Castillo", "Richard Hult", "Mikael Hallendal",
                                                "Lincoln Phipps"]
    assert sum(len(t.needs) for t in plan.tasks) == 11
    assert plan.project.name == "Sample 1"
    assert plan.project.start == dt.date(2004, 7, 1)
    assert [str(s) for s in plan.project.calendar.shifts] == ["08:00-12:00", "13:00-17:00"]
    assert report.format == "planner"


def test_sample_1_durations_from_work_and_units() -> None:
    plan, _ = _read("gnome-planner-sample-1.planner")
    analysis = plan.task("2")
    # work="115200" s = 32 h, done by one resource at 75 %: 32 / 0.75 = 42 h 40 min = 2560 min
    assert analysis.work == Duration(4, "d")
    assert analysis.duration.minutes() == 2560
    assert analysis.needs == {"1": 0.75}
    assert plan.task("13").duration == Duration(15, "d")  # 432000 s = 120 h = 15 d at 100 %
    assert [str(link) for link in plan.task("9").after] == ["8"]  # summary after milestone


def test_sample_1_pmfit_schedule_reproduces_planners_dates() -> None:
    plan, report = _read("gnome-planner-sample-1.planner")
    sched = schedule(plan)
    assert len(report.file_dates) == 17
    for tid, (start, finish) in report.file_dates.items():
        assert (sched.tasks[tid].start, sched.tasks[tid].finish) == (start, finish), tid
    # Back-end: start 20040723T154000Z, end 20040813T154000Z
    assert report.file_dates["13"] == (D(2004, 7, 23, 15, 40), D(2004, 8, 13, 15, 40))


@pytest.mark.parametrize("name", ["mpxj-planner-sample.planner", "mpxj-planner-resource.planner",
                                  "mpxj-planner-calendar.planner"])
def test_mpxj_samples_reschedule_to_their_own_dates(name: str) -> None:
    plan, report = _read(name)
    sched = schedule(plan)
    assert report.file_dates
    for tid, (start, finish) in report.file_dates.items():
        assert (sched.tasks[tid].start, sched.tasks[tid].finish) == (start, finish), tid


def test_mpxj_sample_links_and_calendar() -> None:
    plan, _ = _read("mpxj-planner-sample.planner")
    assert [t.name for t in plan.tasks] == ["Task One", "Task Two"]
    assert [str(link) for link in plan.task("2").after] == ["1"]
    # project calendar="4" -> "Default"; its days list is empty, so no holidays
    assert plan.project.calendar.name == "Default"
    assert plan.project.calendar.holidays == []
    assert plan.task("1").duration == Duration(10, "d")  # 0222 08:00 .. 0307 17:00: 10 working days


def test_resources_groups_material_and_calendar_exceptions() -> None:
    plan, _ = _read("mpxj-planner-resource.planner")
    # 5 <resource> elements; "Concrete" has type="2" (material); 4 allocations, 3 on task 2
    assert len(plan.resources) == 5
    assert plan.resource("4").kind == "material"
    assert set(plan.task("2").needs) == {"1", "2", "3"}
    assert plan.task("3").after[0].task == "2"
    cal_plan, _ = _read("mpxj-planner-calendar.planner")
    # "Test Resource 1" uses calendar 4, derived from Standard, with 2006-10-30 non-working
    res = cal_plan.resource("2")
    assert res.calendar is not None
    assert [h.date for h in res.calendar.holidays] == [dt.date(2006, 10, 30)]


def test_calendar_day_types(tmp_path) -> None:
    plan, _ = _read("mpxj-planner-calendar.planner")
    assert plan.project.calendar.name == "Standard"
    root = planner.parse_xml(shared_path("projects", "planner", "mpxj-planner-calendar.planner").read_bytes())
    from pmfit.io.formats import ImportReport

    cals = planner._calendars(root, ImportReport("planner", "x"))
    night = cals["7"].spec(None)  # interval 2300-0000 on mon..sat
    assert night["shifts"] == ["23:00-24:00"]
    assert night["workweek"] == ["mon", "tue", "wed", "thu", "fri", "sat"]
    whole = cals["6"].spec(None)  # interval 0000-0000 every day
    assert whole["shifts"] == ["00:00-24:00"]
    assert len(whole["workweek"]) == 7


def test_detected_by_content_even_without_xml_declaration(tmp_path) -> None:
    source = shared_path("projects", "planner", "mpxj-planner-calendar.planner")  # starts with a blank line
    copy = tmp_path / "plan.xml"
    copy.write_bytes(source.read_bytes())
    assert detect_format(copy).name == "planner"


def test_unknown_predecessor_and_lag(tmp_path) -> None:
    path = tmp_path / "p.planner"
    path.write_text("""<?xml version="1.0"?><project name="x" project-start="20240101T000000Z" mrproject-version="2">
<tasks><task id="1" name="a" work="28800" start="20240101T000000Z" end="20240101T170000Z" type="normal"
scheduling="fixed-work"/><task id="2" name="b" work="28800" start="20240102T000000Z" end="20240102T170000Z"
type="normal" scheduling="fixed-work"><predecessors><predecessor id="1" predecessor-id="1" type="SS" lag="7200"/>
<predecessor id="2" predecessor-id="99" type="FS"/></predecessors>
<constraint type="start-no-earlier-than" time="20240102T000000Z"/></task></tasks></project>""")
    plan, report = planner.read(str(path))
    assert [str(link) for link in plan.task("2").after] == ["1 SS+2h"]  # lag 7200 s
    assert plan.task("2").constraint.date == dt.date(2024, 1, 2)
    assert any("not in the file" in d for d in report.dropped)
    assert any("elapsed" in a for a in report.approximated)
    # a schedule difference on task 2 is blamed on its elapsed lag, not on "a calendar rule"
    assert report.task_causes["2"] == ["an elapsed lag of 2 h (calendar time in Planner) on its predecessor, "
                                       "kept as working time"]


def test_empty_planner_file(tmp_path) -> None:
    """A file without tasks but with a project start is a plan not started yet: read, with a warning."""
    path = tmp_path / "p.planner"
    path.write_text('<project name="x" project-start="20240101T000000Z" mrproject-version="2"><tasks/></project>')
    plan, report = planner.read(str(path))
    assert plan.tasks == [] and [w.code for w in report.warnings] == ["no_tasks"]
    path.write_text('<project name="x" mrproject-version="2"><tasks/></project>')
    with pytest.raises(PlanError) as err:
        planner.read(str(path))
    assert err.value.codes == ["no_tasks"]


@pytest.mark.parametrize("name", ["gnome-planner-sample-1.planner", "mpxj-planner-resource.planner"])
def test_writer_round_trips_real_planner_files(name: str, tmp_path) -> None:
    from pmfit.api import export_dates
    from pmfit.engine.schedule import schedule
    from pmfit.io.plannerwrite import write_planner

    plan, _ = planner.read(str(shared_path("projects", "planner", name)))
    out = tmp_path / "again.planner"
    write_planner(plan, str(out), export_dates(plan))
    back, _ = planner.read(str(out))
    assert [t.name for t in back.tasks] == [t.name for t in plan.tasks]  # same outline order
    for task, again in zip(plan.tasks, back.tasks, strict=True):
        assert (again.milestone, again.planned_duration().minutes()) == (task.milestone, task.planned_duration().minutes())
    ids = {t.id: again.id for t, again in zip(plan.tasks, back.tasks, strict=True)}
    assert sorted((ids[t.id], ids[x.task], x.type.value, x.lag.minutes()) for t in plan.tasks for x in t.after) == \
        sorted((t.id, x.task, x.type.value, x.lag.minutes()) for t in back.tasks for x in t.after)
    assert sorted((r.name, r.kind, r.rate) for r in back.resources) == sorted((r.name, r.kind, r.rate) for r in plan.resources)
    before, after = schedule(plan).tasks, schedule(back).tasks
    assert [(before[t.id].start, before[t.id].finish) for t in plan.tasks] == \
        [(after[t.id].start, after[t.id].finish) for t in back.tasks]


def test_writer_reports_what_planner_cannot_hold(tmp_path) -> None:
    from pmfit.api import export_plan
    from pmfit.io.formats import import_file
    from pmfit.io.yamlplan import read_plan_text

    plan = read_plan_text("""\
project: {name: P, start: 2027-03-01}
resources: [{id: dev, units: 3}]
tasks:
  - {id: a, duration: 2d, needs: {dev: 0.3333}, constraint: {finish_no_later_than: 2027-03-10}}
  - {id: b, duration: 1d, after: ["a FF+4h"], constraint: {start_no_earlier_than: 2027-03-04}}
""")
    result = export_plan(plan, tmp_path / "p.planner")
    back, _ = import_file(tmp_path / "p.planner", check=False)
    assert [t.name for t in back.tasks] == ["a", "b"]
    assert back.tasks[1].constraint is not None and back.tasks[1].constraint.type.value == "SNET"
    assert back.tasks[0].constraint is None
    assert [str(x) for x in back.tasks[1].after] == [f"{back.tasks[0].id} FF+4h"]
    lines = result.report.approximated
    assert any("1 date constraints other than" in line for line in lines)
    assert any("1 assignment units rounded" in line for line in lines)
    assert any("task ids numbered 1..2" in line for line in lines)
