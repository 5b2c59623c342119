"""Elapsed lags (``3ed``) survive every format that can hold them, and are reported where one cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmfit.api import export_plan
from pmfit.engine.schedule import schedule
from pmfit.io.formats import import_file
from pmfit.io.yamlplan import read_plan_text

PLAN = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: a, name: design, duration: 5d}
  - {id: b, name: build, duration: 1d, after: ["a FS+3ed"]}
  - {id: c, name: test, duration: 2d, after: ["a SS+40eh"]}
  - {id: d, name: ship, duration: 1d, after: ["b FS+1ew", "c"]}
"""
EXPECTED = {("build", "design", "FS", "3ed"), ("test", "design", "SS", "40eh"), ("ship", "build", "FS", "1ew"),
            ("ship", "test", "FS", "0d")}


def _links(plan) -> set[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    names = {t.id: t.name for t in plan.tasks}
    return {(t.name, names[x.task], x.type.value, str(x.lag)) for t in plan.tasks for x in t.after}


def _starts(plan) -> dict[str, object]:  # type: ignore[no-untyped-def]
    tasks = schedule(plan).tasks
    return {t.name: (tasks[t.id].start, tasks[t.id].finish) for t in plan.tasks}


@pytest.mark.parametrize("suffix", [".xml", ".planner", ".mpx", ".tjp", ".yaml", ".json", ".csv", ".xlsx"])
def test_elapsed_lags_round_trip(suffix: str, tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    assert _links(plan) == EXPECTED
    out = tmp_path / f"plan{suffix}"
    result = export_plan(plan, out)
    assert not any("elapsed" in line for line in result.report.approximated + result.report.dropped), suffix
    back, _ = import_file(out, check=False)
    assert _links(back) == EXPECTED, suffix
    assert _starts(back) == _starts(plan), suffix


def test_the_mspdi_file_says_elapsed_days(tmp_path: Path) -> None:
    out = tmp_path / "plan.xml"
    export_plan(read_plan_text(PLAN), out)
    text = out.read_text(encoding="utf-8")
    # 3 elapsed days = 4320 calendar minutes = 43200 tenths, LagFormat 8 (ed); 40 eh: 24000 tenths, LagFormat 6
    assert "<LinkLag>43200</LinkLag><LagFormat>8</LagFormat>" in text
    assert "<LinkLag>24000</LinkLag><LagFormat>6</LagFormat>" in text
    assert "<LinkLag>100800</LinkLag><LagFormat>10</LagFormat>" in text


def test_planner_and_taskjuggler_files_hold_calendar_time(tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    export_plan(plan, tmp_path / "plan.planner")
    text = (tmp_path / "plan.planner").read_text(encoding="utf-8")
    assert 'lag="259200"' in text and 'lag="144000"' in text  # seconds: 72 h and 40 h of the clock
    export_plan(plan, tmp_path / "plan.tjp")
    tjp = (tmp_path / "plan.tjp").read_text(encoding="utf-8")
    assert "gapduration 3d" in tjp and "gapduration 40h" in tjp and "gapduration 1w" in tjp
    assert "gaplength" not in tjp


@pytest.mark.parametrize(("suffix", "expected"), [
    # P6 measures every lag on one calendar: 3 elapsed days = 3 x 8 h x 5/7 = 17.1429 working hours
    (".xer", {"3ed": "17.1429h", "40eh": "9.5238h", "1ew": "5d"}),
    # GanttProject counts whole (working) days: 2.14 -> 3 days, 1.19 -> 2 days, 1 week -> 5 days
    (".gan", {"3ed": "3d", "40eh": "2d", "1ew": "5d"}),
])
def test_formats_without_elapsed_lags_report_the_approximation(suffix: str, expected: dict[str, str],
                                                               tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    out = tmp_path / f"plan{suffix}"
    result = export_plan(plan, out)
    assert any(line.startswith("3 elapsed lags") for line in result.report.approximated), result.report.approximated
    back, _ = import_file(out, check=False)
    lags = {lag for (_, _, _, lag) in _links(back)} - {"0d"}
    assert {str(x) for x in lags} <= set(expected.values()) | {"17.14286h"}, lags


def test_a_p6_file_on_the_24_hour_lag_calendar_reads_elapsed_lags(tmp_path: Path) -> None:
    plan = read_plan_text(PLAN)
    out = tmp_path / "plan.xer"
    export_plan(plan, out)
    text = out.read_text(encoding="utf-8")
    # the same file with P6's "calendar for scheduling relationship lag" set to 24 hours
    text = text.replace("%T\tTASKPRED", "%T\tSCHEDOPTIONS\n%F\tschedoptions_id\tproj_id\t"
                        "sched_calendar_on_relationship_lag\n%R\t1\t1\trcal_24Hour\n%T\tTASKPRED", 1)
    text = text.replace("\t17.1429\n", "\t72\n").replace("\t17.1429\r\n", "\t72\r\n")
    out.write_text(text, encoding="utf-8")
    back, report = import_file(out, check=False)
    lags = {(t.name, str(x.lag)) for t in back.tasks for x in back.task(t.id).after if x.lag.amount}
    assert ("build", "72eh") in lags
    assert not any("lag calendar" in line for line in report.approximated)


def test_csv_and_mpx_text_read_elapsed_units(tmp_path: Path) -> None:
    csv = tmp_path / "plan.csv"
    csv.write_text("id,name,duration,after\na,design,5d,\nb,build,1d,a FS+3ed\n", encoding="utf-8")
    plan, _ = import_file(csv, check=False)
    assert [str(x) for x in plan.task("b").after] == ["a FS+3ed"]


def test_a_planner_40_hour_lag_is_calendar_time_and_matches_planners_dates(tmp_path: Path) -> None:
    """Planner adds a lag to the predecessor's end as it is: a task ending Fri 17:00 with a 40 h lag
    (144000 s) lets the successor start at the next working time after Sun 09:00, Mon 08:00, the dates
    Planner stores. Read as working time (5 days), the successor would move a week."""
    from pmfit.importing import import_file as import_checked

    path = tmp_path / "lag.planner"
    path.write_text("""<?xml version="1.0"?>
<project name="lag" project-start="20270104T000000Z" mrproject-version="2" calendar="1">
<calendars><day-types><day-type id="0" name="Working" description=""/><day-type id="1" name="Nonworking"
description=""/><day-type id="2" name="Use base" description=""/></day-types>
<calendar id="1" name="Default"><default-week mon="0" tue="0" wed="0" thu="0" fri="0" sat="1" sun="1"/>
<overridden-day-types><overridden-day-type id="0"><interval start="0800" end="1200"/>
<interval start="1300" end="1700"/></overridden-day-type></overridden-day-types><days/></calendar></calendars>
<tasks>
<task id="1" name="pour" work="144000" start="20270104T000000Z" work-start="20270104T080000Z"
 end="20270108T170000Z" type="normal" scheduling="fixed-duration"/>
<task id="2" name="build" work="28800" start="20270111T080000Z" work-start="20270111T080000Z"
 end="20270111T170000Z" type="normal" scheduling="fixed-duration">
 <predecessors><predecessor id="1" predecessor-id="1" type="FS" lag="144000"/></predecessors></task>
</tasks></project>""", encoding="utf-8")
    plan, report = import_checked(path)
    assert [str(x) for x in plan.task("2").after] == ["1 FS+40eh"]
    assert report.schedule_checked == 2 and report.schedule_differences == []
    assert not any("elapsed" in line for line in report.approximated)
