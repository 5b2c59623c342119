"""MS Project XML: reading the shared files, writing files MS Project's schema accepts, the import report.

Oracles: counts taken straight from the XML with ElementTree (a second, naive reading of the
same file), hand-read values from the files, and MS Project's own computed dates (the file's
Start/Finish), which pmfit's CPM must reproduce where the model carries everything that drives them.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.api import export_dates
from pmfit.importing import import_file
from pmfit.io.formats import detect_format
from pmfit.io.mspdi import mspdi_text, parse_duration, read_mspdi, write_mspdi
from pmfit.io.yamlplan import read_plan_text
from pmfit.model.diagnostics import PlanError

NS = "{http://schemas.microsoft.com/project}"
MSPDI_FILES = ["ganttproject-holidays.xml", "ganttproject-issue1520.xml", "mpxj-baselines.xml",
               "mpxj-calendar-calendars-project2019.xml", "mpxj-enterprise.xml", "mpxj-legacy-sample.xml",
               "mpxj-task-links-project2019.xml"]


def naive_counts(path: Path) -> dict[str, int]:
    """Tasks, links, real resources and assignments, counted without pmfit."""
    root = ET.parse(path).getroot()
    tasks = [t for t in root.iter(f"{NS}Task")
             if t.findtext(f"{NS}UID") != "0" and t.findtext(f"{NS}IsNull") != "1"
             and t.findtext(f"{NS}OutlineLevel", "1") != "0"]
    links = sum(len(t.findall(f"{NS}PredecessorLink")) for t in tasks)
    assigned = {a.findtext(f"{NS}ResourceUID") for a in root.iter(f"{NS}Assignment")}
    resources = [r for r in root.iter(f"{NS}Resource") if r.findtext(f"{NS}IsNull") != "1"
                 and not (r.findtext(f"{NS}UID") == "0" and (not r.findtext(f"{NS}Name") or "0" not in assigned))]
    uids = {r.findtext(f"{NS}UID") for r in resources}
    task_uids = {t.findtext(f"{NS}UID") for t in tasks}
    assignments = [a for a in root.iter(f"{NS}Assignment")
                   if a.findtext(f"{NS}ResourceUID") in uids and a.findtext(f"{NS}TaskUID") in task_uids]
    return {"tasks": len(tasks), "links": links, "resources": len(resources), "assignments": len(assignments)}


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_every_shared_file_imports_with_counts_matching_a_naive_reading(name: str) -> None:
    path = shared_path("projects", "mspdi", name)
    plan, report = import_file(path)
    expected = naive_counts(path)
    assert report.format == "mspdi"
    assert len(plan.tasks) == expected["tasks"]
    assert sum(len(t.after) for t in plan.tasks) == expected["links"]
    assert len(plan.resources) == expected["resources"]
    # summary-task assignments are reported as dropped, never silently lost
    kept = sum(len(t.needs) for t in plan.tasks)
    dropped_on_summaries = sum(1 for line in report.dropped if "summary task" in line)
    assert kept + dropped_on_summaries <= expected["assignments"]
    assert kept == expected["assignments"] or dropped_on_summaries
    assert report.read and report.read[0].startswith(f"{expected['tasks']} tasks")


def test_links_keep_type_and_lag_and_ms_project_dates_are_reproduced() -> None:
    path = shared_path("projects", "mspdi", "mpxj-task-links-project2019.xml")
    plan, report = import_file(path)
    links = {t.id: [str(link) for link in t.after] for t in plan.tasks}
    # read by hand from the file: LinkLag is tenths of a minute, 4800 = 1 day of 480 minutes
    assert links["2"] == ["1"]
    assert links["4"] == ["3 FS+1d"]
    assert links["10"] == ["9 FS+2w"]  # LinkLag 48000 shown in weeks (LagFormat 9): 10 working days
    assert plan.task("10").after[0].lag.minutes() == 4800
    assert links["12"] == ["11 SF+2d"]
    assert links["14"] == ["13 SS+2d"]
    assert links["16"] == ["15 FF+2d"]
    # every task is manually scheduled in the file: reported as approximated
    assert any("manually scheduled" in line for line in report.approximated)
    # ...yet MS Project's own dates are exactly what pmfit computes for all 16 tasks
    assert report.schedule_checked == 16
    assert report.schedule_differences == []
    assert report.file_dates["10"] == (dt.datetime(2018, 11, 2, 8, 0), dt.datetime(2018, 11, 2, 17, 0))


def test_calendar_exceptions_and_empty_plans() -> None:
    plan, _ = import_file(shared_path("projects", "mspdi", "ganttproject-holidays.xml"))
    holidays = {h.date for h in plan.project.calendar.holidays}
    # DayType 0 exceptions in the file (TimePeriod 2010-09-16, -23, -24)
    assert holidays == {dt.date(2010, 9, 16), dt.date(2010, 9, 23), dt.date(2010, 9, 24)}
    assert plan.project.calendar.workweek == ["mon", "tue", "wed", "thu", "fri"]
    empty, report = import_file(shared_path("projects", "mspdi", "ganttproject-issue1520.xml"))
    assert empty.tasks == []
    assert [w.code for w in report.warnings] == ["no_tasks"]


def test_baselines_keep_numbers_dates_and_costs() -> None:
    plan, report = import_file(shared_path("projects", "mspdi", "mpxj-baselines.xml"))
    names = [b.name for b in plan.baselines]
    assert names == [f"baseline{i}" for i in range(1, 11)]
    first = plan.baseline("baseline1").tasks["1"]
    # <Baseline><Number>1</Number><Start>2001-01-01T09:00:00</Start><Duration>PT7H30M0S</Duration>...
    assert first.start == dt.datetime(2001, 1, 1, 9, 0)
    assert first.duration.minutes() == 450
    assert first.cost == 100.0
    assert plan.baseline("baseline3").tasks["1"].cost == 300.0
    assert "10 baselines" in report.read


def test_custom_fields_and_cost_per_use_are_reported_not_silently_dropped() -> None:
    _, report = import_file(shared_path("projects", "mspdi", "mpxj-enterprise.xml"))
    assert any("custom fields" in line and "not imported" in line for line in report.dropped)
    _, legacy = import_file(shared_path("projects", "mspdi", "mpxj-legacy-sample.xml"))
    assert any(line.startswith("2 × cost per use") for line in legacy.dropped)


def test_resource_calendar_is_named_as_the_cause_of_a_schedule_difference() -> None:
    plan, report = import_file(shared_path("projects", "mspdi", "mpxj-legacy-sample.xml"))
    assert plan.resource("Second Resource").calendar is not None
    # <Work>PT500H0M0S</Work> on "Second Task": effort kept next to the 100-day duration
    assert plan.task("2").work is not None and plan.task("2").work.minutes() == 500 * 60
    by_task = {d["task"]: d for d in report.schedule_differences}
    assert "resource calendar of 'Second Resource'" in by_task["2"]["causes"][0]
    # the SF link with its constraint lands on the same moment of working time as MS Project's
    assert "21" not in by_task


def test_durations_parse() -> None:
    assert parse_duration("PT8H0M0S") == 480
    assert parse_duration("PT7H30M0S") == 450
    assert parse_duration("-PT1H0M0S") == -60
    assert parse_duration("P1DT2H") == 1440 + 120
    assert parse_duration("banana") is None


PLAN = """\
project: {name: Write test, start: 2027-01-04, currency: EUR,
          calendar: {holidays: [{date: 2027-01-06, name: Epiphany}]}}
resources:
  - {id: dev, name: Developer, units: 2, rate: 80/h, team: Core}
  - {id: qa, units: 0.5}
tasks:
  - {id: phase, name: Phase 1}
  - {id: design, parent: phase, duration: 3d, needs: {dev: 1.5}, notes: "A & B <ok>"}
  - {id: build, parent: phase, duration: 2.5d, after: ["design SS+1d"], needs: {dev: 1, qa: 0.5}}
  - {id: review, duration: 4h, after: ["build FF-2h", "design"], constraint: {start_no_earlier_than: 2027-01-07}}
  - {id: ship, milestone: true, after: [review], deadline: 2027-01-29}
progress:
  status_date: 2027-01-08
  tasks:
    design: {actual_start: 2027-01-04, percent_complete: 50}
baselines:
  - name: baseline
    tasks:
      design: {start: 2027-01-04T08:00, finish: 2027-01-07T17:00, duration: 3d, cost: 120}
"""


def test_writer_output_follows_the_schema_order_and_reads_back(tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    out = tmp_path / "plan.xml"
    write_mspdi(plan, str(out), schedule=export_dates(plan))
    root = ET.parse(out).getroot()
    assert root.tag == f"{NS}Project"
    # the order of Task children in mspdi_pj12.xsd (the elements the writer uses)
    schema = ["UID", "ID", "Name", "Active", "Manual", "Type", "IsNull", "WBS", "OutlineNumber", "OutlineLevel",
              "Priority", "Start", "Finish", "Duration", "DurationFormat", "Milestone", "Summary", "FixedCost",
              "PercentComplete", "ActualStart", "ActualFinish", "ActualDuration", "ActualCost", "RemainingDuration",
              "ConstraintType",
              "CalendarUID", "ConstraintDate", "Deadline", "Notes", "PredecessorLink", "ExtendedAttribute",
              "Baseline"]
    for task in root.iter(f"{NS}Task"):
        tags = [c.tag.replace(NS, "") for c in task]
        positions = [schema.index(t) for t in tags]
        assert positions == sorted(positions), tags
    back, report = import_file(out)
    assert back == plan
    # the file carries pmfit's own dates: the plan in progress, as of its status date
    from pmfit.engine.status import status_schedule

    current = status_schedule(plan).schedule.tasks
    assert {tid: dates for tid, dates in report.file_dates.items()} == \
        {tid: (row.start, row.finish) for tid, row in current.items()}
    assert detect_format(out).name == "mspdi"


def test_writer_escapes_and_keeps_ids_through_the_pmfit_id_field(tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    text = mspdi_text(plan, export_dates(plan))
    assert "A &amp; B &lt;ok&gt;" in text
    assert "<Alias>pmfit id</Alias>" in text
    back = read_mspdi(_write(tmp_path, text))[0]
    assert [t.id for t in back.tasks] == [t.id for t in plan.tasks]
    assert back.task("design").notes == "A & B <ok>"


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "x.xml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("text, code", [
    ("<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task>", "bad_xml"),
    ("<?xml version='1.0'?><Other xmlns='http://schemas.microsoft.com/project'/>", "bad_xml"),
    ("<?xml version='1.0'?><!DOCTYPE p [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
     "<Project xmlns='http://schemas.microsoft.com/project'><Name>&b;</Name></Project>", "hostile_file"),
])
def test_bad_files_raise_plan_errors_with_the_file(tmp_path: Path, text: str, code: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        read_mspdi(path)
    assert info.value.codes[0] == code
    assert info.value.diagnostics[0].file == path


def test_links_to_missing_tasks_and_elapsed_lags_are_reported(tmp_path: Path) -> None:
    text = """<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2027-01-04T08:00:00</StartDate>
    <Tasks>
     <Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration></Task>
     <Task><UID>2</UID><Name>B</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
       <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>14400</LinkLag>
       <LagFormat>8</LagFormat></PredecessorLink>
       <PredecessorLink><PredecessorUID>99</PredecessorUID><Type>1</Type></PredecessorLink></Task>
     <Task><UID>3</UID><Name>C</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
       <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><LinkLag>50</LinkLag>
       <LagFormat>19</LagFormat></PredecessorLink></Task>
    </Tasks></Project>"""
    plan, report = import_file(_write(tmp_path, text))
    # 14400 tenths = 1440 elapsed minutes = one calendar day -> 480 working minutes
    assert [str(link) for link in plan.task("2").after] == ["1 FS+1d"]
    assert any("elapsed lag" in line and "working-time" in line for line in report.approximated)
    assert any("link to a missing task" in line for line in report.dropped)
    # a 50 % lag on a 2-day predecessor is one day today; the report says it was fixed to working time
    assert [str(link) for link in plan.task("3").after] == ["1 SS+1d"]
    assert any("percentage lag" in line for line in report.approximated)


def test_utf16_and_declared_encodings_read_the_same(tmp_path: Path) -> None:
    source = shared_path("projects", "mspdi", "mpxj-task-links-project2019.xml")
    text = source.read_text(encoding="utf-8")
    plan, _ = import_file(source)
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert import_file(utf16)[0] == plan  # through defusedxml: the bytes could hide a DTD
    wrong = tmp_path / "wrong.xml"
    wrong.write_bytes(text.replace('encoding="UTF-8"', 'encoding="TTF-8"').encode("utf-8"))
    with pytest.raises(PlanError) as info:
        import_file(wrong)
    assert info.value.codes == ["bad_xml"]
