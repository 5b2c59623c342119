"""GanttProject reader: counts and dates checked against the shared .gan files read by hand.

The strongest check: the dates GanttProject itself computed and saved (``start`` + ``duration``)
are reproduced by pmfit's own CPM on the imported plan.
"""

from __future__ import annotations

import datetime as dt

from tests.conftest import shared_path

from pmfit.engine.schedule import schedule
from pmfit.io import gan
from pmfit.io.formats import detect_format

D = dt.datetime


def _house() -> tuple:
    return gan.read(str(shared_path("projects", "gan", "ganttproject-house-building-sample.gan")))


def test_house_sample_counts_by_hand() -> None:
    plan, report = _house()
    # `grep -c "<task "` = 20; summaries are tasks with nested <task>: 0, 11, 7, 8;
    # meeting="true" marks 4 milestones (17, 18, 20, 49); `grep -c "<depend "` = 17;
    # 7 <resource> elements; 30 <allocation> elements.
    assert len(plan.tasks) == 20
    assert plan.summary_ids() == {"0", "11", "7", "8"}
    assert {t.id for t in plan.tasks if t.milestone} == {"17", "18", "20", "49"}
    assert sum(len(t.after) for t in plan.tasks) == 17
    assert len(plan.resources) == 7
    assert sum(len(t.needs) for t in plan.tasks) == 30
    assert plan.project.start == dt.date(2024, 5, 27)  # earliest task start (tasks 0, 9, 49)
    assert plan.project.calendar.workweek == ["mon", "tue", "wed", "thu", "fri"]  # sat/sun = 1
    assert [h.date for h in plan.project.calendar.holidays] == [dt.date(2006, 2, 14)]
    assert report.format == "ganttproject"


def test_house_sample_dependencies_at_every_level() -> None:
    plan, _ = _house()
    after = {t.id: sorted(str(link) for link in t.after) for t in plan.tasks}
    # <depend> sits in the predecessor: task 9 holds depend 10 and 12 -> 10 and 12 come after 9.
    assert after["10"] == ["9"]
    assert after["12"] == ["9"]  # across summaries: 9 is under 0, 12 under 11
    assert after["1"] == ["17"]  # 17 (under 0) -> 1 (under 7): nested both sides
    assert after["0"] == ["49"]  # a link into a summary task
    assert after["20"] == ["15", "7"]  # a summary task (7) as predecessor
    assert after["6"] == ["11", "18"]


def test_house_sample_resources_and_allocations() -> None:
    plan, _ = _house()
    michelangelo = plan.resource("2")
    assert michelangelo.name == "Michelangelo"
    assert str(michelangelo.rate) == "1000/d"  # <rate name="standard" value="1000"/>
    assert michelangelo.skills == ["Architect"]  # function="0" -> role 0
    assert plan.task("9").needs == {"1": 0.5, "2": 1.0}  # load 50.0 and 100.0
    jack = plan.resource("1")
    assert jack.calendar is not None
    assert any(h.date == dt.date(2009, 2, 2) and h.until == dt.date(2009, 2, 9) for h in jack.calendar.holidays)


def test_house_sample_pmfit_schedule_reproduces_ganttprojects_dates() -> None:
    plan, report = _house()
    sched = schedule(plan)
    assert len(report.file_dates) == 20
    for tid, (start, finish) in report.file_dates.items():
        assert (sched.tasks[tid].start, sched.tasks[tid].finish) == (start, finish), tid
    # by hand: Foundation building starts Mon 2024-07-01, 15 working days -> Fri 2024-07-19 17:00
    assert report.file_dates["1"] == (D(2024, 7, 1, 8), D(2024, 7, 19, 17))


def test_house_sample_report_is_honest() -> None:
    _, report = _house()
    text = " | ".join(report.approximated + report.dropped)
    assert "'Is done'" in text  # the custom column
    assert "16 'strong' dependencies" in text  # 17 depends, one hardness="Rubber"
    assert "% complete of 2 summary tasks" in text  # tasks 0 (85%) and 11 (33%)


def test_link_types_and_lags() -> None:
    plan, report = gan.read(str(shared_path("projects", "gan", "ts-gan-task-with-dependencies.gan")))
    after = {t.id: [str(link) for link in t.after] for t in plan.tasks}
    # type 1=SS, 2=FS, 3=FF (difference -1), 4=SF
    assert after == {"0": [], "1": ["0 SS"], "2": ["1"], "3": ["2 FF-1d"], "4": ["3 SF"]}
    # task A has no predecessor and starts after the project start (task E, 2024-01-02): pinned
    assert plan.task("0").constraint is not None
    assert plan.task("0").constraint.date == dt.date(2024, 1, 4)
    sched = schedule(plan)
    for tid, (start, finish) in report.file_dates.items():
        assert (sched.tasks[tid].start, sched.tasks[tid].finish) == (start, finish), tid


def test_holiday_is_in_the_calendar() -> None:
    plan, report = gan.read(str(shared_path("projects", "gan", "ts-gan-task-with-dependencies.gan")))
    assert [(h.date, h.name) for h in plan.project.calendar.holidays] == [
        (dt.date(2024, 1, 3), "dummy one-off holiday")]
    # task C: 2 days from Fri 2024-01-05 -> Mon 2024-01-08 (weekend in between)
    assert report.file_dates["2"] == (D(2024, 1, 5, 8), D(2024, 1, 8, 17))


def test_baseline() -> None:
    plan, _ = gan.read(str(shared_path("projects", "gan", "ts-gan-baseline-with-subtasks.gan")))
    assert [t.id for t in plan.tasks] == ["0", "1"]
    assert plan.task("1").parent == "0"
    (baseline,) = plan.baselines
    assert baseline.name == "baseline A"
    # previous-task 1: start 2024-01-04 (Thu), 2 days -> Fri 17:00
    assert baseline.tasks["1"].start == D(2024, 1, 4, 8)
    assert baseline.tasks["1"].finish == D(2024, 1, 5, 17)


def test_custom_property_is_reported() -> None:
    _, report = gan.read(str(shared_path("projects", "gan", "ts-gan-task-with-custom-properties.gan")))
    assert any("'Sample property'" in d for d in report.dropped)


def test_resource_pool_without_tasks_is_read_with_a_warning() -> None:
    """GanttProject shares resource pools as .gan files without tasks: people, rate and holiday are read."""
    plan, report = gan.read(str(shared_path("projects", "gan", "ts-gan-resource-with-rate.gan")))
    assert plan.tasks == []
    assert len(plan.resources) == 1 and plan.resources[0].rate is not None
    assert plan.resources[0].rate.amount == 64  # <rate name="standard" value="64"/>
    assert [h.date for h in plan.project.calendar.holidays] == [dt.date(2024, 1, 3)]
    assert plan.project.start == dt.date(2023, 12, 28)  # view-date: the file holds no task date
    assert [w.code for w in report.warnings] == ["no_tasks"]
    assert "a resource pool: 1 resource and no tasks" in report.read


def test_file_with_only_a_calendar_is_read_with_a_warning(tmp_path) -> None:
    path = tmp_path / "empty.gan"
    path.write_text('<?xml version="1.0"?><project name="e" view-date="2024-05-06" version="3.3"><tasks/>'
                    '<resources/></project>')
    plan, report = gan.read(str(path))
    assert plan.tasks == [] and plan.resources == []
    assert [w.code for w in report.warnings] == ["no_tasks"]


FINISHED_MILESTONE = """<?xml version="1.0" encoding="UTF-8"?><project name="m" view-date="2024-06-01" version="3.3">
<calendars><day-types><default-week id="1" name="default" sun="1" mon="0" tue="0" wed="0" thu="0" fri="0" sat="1"/>
</day-types></calendars>
<tasks empty-milestones="true">
 <task id="1" name="build" start="2024-06-03" duration="5" complete="100"><depend id="2" type="2"/></task>
 <task id="2" name="handover" meeting="true" start="2024-06-10" duration="0" complete="100"/>
</tasks></project>"""


def test_finished_zero_duration_milestone_is_read(tmp_path) -> None:
    """Real files have finished milestones; GanttProject draws them at the previous working day's end."""
    path = tmp_path / "m.gan"
    path.write_text(FINISHED_MILESTONE)
    plan, report = gan.read(str(path))
    done = plan.progress.tasks["2"]
    assert done.actual_start == done.actual_finish == D(2024, 6, 7, 17, 0)  # Friday's end, before Monday 10
    assert plan.progress.tasks["1"].actual_finish == D(2024, 6, 7, 17, 0)
    assert report.file_dates["2"] == (D(2024, 6, 7, 17, 0), D(2024, 6, 7, 17, 0))


def test_detected_by_content(tmp_path) -> None:
    source = shared_path("projects", "gan", "ts-gan-task-with-dependencies.gan")
    copy = tmp_path / "plan.xml"
    copy.write_bytes(source.read_bytes())
    assert detect_format(copy).name == "ganttproject"


GAN = """<?xml version="1.0" encoding="UTF-8"?><project name="p" view-date="2024-01-01" version="3.3">
<calendars><day-types><default-week id="1" name="default" sun="1" mon="0" tue="0" wed="0" thu="0" fri="0" sat="1"/>
</day-types><date month="12" date="25" type="HOLIDAY"/></calendars>
<tasks empty-milestones="true">
 <task id="1" name="a" start="2024-12-20" duration="3" complete="0"><depend id="9" type="2" difference="2"/></task>
 <task id="2" name="b" start="2024-12-20" duration="1" complete="50" thirdDate="2024-12-30" thirdDate-constraint="1"/>
</tasks></project>"""


def test_yearly_holiday_unknown_link_progress_and_earliest_start(tmp_path) -> None:
    path = tmp_path / "p.gan"
    path.write_text(GAN)
    plan, report = gan.read(str(path))
    years = sorted(h.date.year for h in plan.project.calendar.holidays)
    assert years == [2024, 2025]  # a date without a year: each year of the plan
    assert any("not in the file" in d for d in report.dropped)  # depend id="9" names no task
    assert plan.task("2").constraint.type.value == "SNET"
    assert plan.progress.tasks["2"].percent_complete == 50


def test_rubber_dependency_is_a_known_cause() -> None:
    _, report = _house()
    # the only hardness="Rubber" <depend> sits in task 49 and names task 0
    assert list(report.task_causes) == ["0"]
    assert "'rubber' dependency on '49'" in report.task_causes["0"][0]


def test_writer_round_trips_the_house_sample(tmp_path) -> None:
    """pmfit -> .gan -> pmfit keeps tasks, outline, milestones, links, resources, allocations, progress."""
    from pmfit.api import export_dates
    from pmfit.io.ganwrite import write_gan

    plan, _ = _house()
    out = tmp_path / "again.gan"
    notes = write_gan(plan, str(out), export_dates(plan))
    back, _ = gan.read(str(out))
    assert notes == {}  # numeric ids and whole days: nothing approximated
    assert [(t.id, t.name, t.parent, t.milestone, t.planned_duration().minutes()) for t in back.tasks] == \
        [(t.id, t.name, t.parent, t.milestone, t.planned_duration().minutes()) for t in plan.tasks]
    assert sorted((t.id, str(x)) for t in back.tasks for x in t.after) == \
        sorted((t.id, str(x)) for t in plan.tasks for x in t.after)
    assert [(r.name, r.rate) for r in back.resources] == [(r.name, r.rate) for r in plan.resources]
    assert {t.id: t.needs for t in back.tasks} == {t.id: t.needs for t in plan.tasks}
    assert {k: v.percent_complete for k, v in back.progress.tasks.items()} == \
        {k: v.percent_complete for k, v in plan.progress.tasks.items()}
    assert {k: (v.start, v.finish) for k, v in schedule(back).tasks.items()} == \
        {k: (v.start, v.finish) for k, v in schedule(plan).tasks.items()}


def test_writer_numbers_other_ids_and_rounds_to_days(tmp_path) -> None:
    from pmfit.api import export_plan
    from pmfit.io.formats import import_file
    from pmfit.io.yamlplan import read_plan_text

    plan = read_plan_text("""\
project: {name: Ids, start: 2027-03-01}
tasks:
  - {id: design, duration: 12h}
  - {id: build, duration: 3d, after: ["design SS+4h"]}
""")
    result = export_plan(plan, tmp_path / "p.gan")
    back, _ = import_file(tmp_path / "p.gan", check=False)
    assert [t.name for t in back.tasks] == ["design", "build"] and [t.id for t in back.tasks] == ["0", "1"]
    assert [str(x) for x in back.task("1").after] == ["0 SS+1d"]
    assert back.task("0").planned_duration().minutes() == 2 * 480
    assert any("numbered 0..1" in line for line in result.report.approximated)
    assert any("2 durations or lags rounded up" in line for line in result.report.approximated)
