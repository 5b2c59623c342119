"""Primavera XER: the shared files, calendars, several projects in one file, encodings, bad input.

Oracles: counts stated in the shared README (taken from P6's own tables), a naive tab-split count
of the %R rows, hand-read rows of the files, and P6's own early dates (the schedule check).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.api import export_dates, export_file
from pmfit.importing import import_file
from pmfit.io.importcheck import Tally
from pmfit.io.xer import calendar_from_row, clndr_data, parse_clndr_data, read_xer
from pmfit.io.yamlplan import read_plan_text
from pmfit.model.calendar import CalendarSpec
from pmfit.model.diagnostics import PlanError

XER_FILES = ["mpxj-percent-complete-8.4.xer", "mpxj-predecessor-calendar.xer", "mpxj-resource-rates-test.xer",
             "p6viewer-terminal-building-airport.xer", "xer-parser-construction.xer", "xernative-takt-sample.xer"]


def naive_rows(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    table = None
    for line in path.read_bytes().decode("cp1252", errors="replace").splitlines():
        if line.startswith("%T\t"):
            table = line.split("\t")[1].strip()
            counts[table] = 0
        elif line.startswith("%R\t") and table:
            counts[table] += 1
    return counts


@pytest.mark.parametrize("name", XER_FILES)
def test_every_shared_file_imports_with_every_activity_and_relationship(name: str) -> None:
    path = shared_path("projects", "xer", name)
    plan, report = import_file(path)
    rows = naive_rows(path)
    text = path.read_bytes().decode("cp1252", errors="replace")
    project_nodes = text.count("\tY\t") and sum(
        1 for line in text.splitlines() if line.startswith("%R") and _is_project_node(text, line))
    assert report.format == "xer"
    # every activity and every WBS node below the project node becomes a task
    assert len(plan.tasks) == rows.get("TASK", 0) + rows.get("PROJWBS", 0) - project_nodes
    assert f"{rows.get('TASK', 0)} activities" in report.read
    assert sum(len(t.after) for t in plan.tasks) == rows.get("TASKPRED", 0)
    assert len(plan.resources) == rows.get("RSRC", 0)


def _is_project_node(text: str, line: str) -> bool:
    """Whether a %R line is a PROJWBS row with proj_node_flag = Y (column found from its %F line)."""
    table, fields = None, []
    for row in text.splitlines():
        if row.startswith("%T"):
            table = row.split("\t")[1].strip()
        elif row.startswith("%F") and table == "PROJWBS":
            fields = row.split("\t")[1:]
        elif row == line:
            if table != "PROJWBS":
                return False
            values = row.split("\t")[1:]
            return dict(zip(fields, values, strict=False)).get("proj_node_flag") == "Y"
    return False


def test_terminal_building_matches_the_readme_and_p6s_own_dates() -> None:
    plan, report = import_file(shared_path("projects", "xer", "p6viewer-terminal-building-airport.xer"))
    # README: 66 activities, 84 relationships, 26 WBS (one is the project node), 7 resources, 62 assignments
    assert report.read[:6] == ["1 project(s)", "66 activities", "25 WBS summaries", "84 links",
                               "7 resources", "62 assignments"]
    assert sum(len(t.needs) for t in plan.tasks) == 62
    assert plan.project.currency == "EGP"  # ERMHDR's currency, not the CURRTYPE base currency
    # TASKPRED row 152688: 120011 -> 120012, PR_SS, lag_hr_cnt 80 = 10 days of 8 hours
    assert [str(link) for link in plan.task("BA-P1-40").after] == ["BA-P1-30 SS+10d"]
    assert plan.task("A1010").milestone  # TT_Mile
    assert plan.task("A1010").constraint is not None and plan.task("A1010").constraint.type.value == "SNLT"
    assert plan.resource("RCON").kind == "material"
    assert plan.resource("RCON").team == "Terminal 2 Resources"  # parent_rsrc_id
    # P6's early dates for all 66 activities are what pmfit's CPM computes
    assert report.schedule_checked == 66
    assert report.schedule_differences == []
    assert any("activity codes" in line for line in report.dropped)


def test_percent_complete_types_become_progress() -> None:
    plan, report = import_file(shared_path("projects", "xer", "mpxj-percent-complete-8.4.xer"))
    assert plan.progress is not None
    pct = {tid: p.percent_complete for tid, p in plan.progress.tasks.items()}
    # activity names say the expected value: "Duration 25%", "Physical 75%", "Units 100%" ...
    for task in plan.tasks:
        number = task.name.split()[-1].rstrip("%")
        if number.isdigit() and int(number) > 0:
            assert pct[task.id] == pytest.approx(min(int(number), 99.99), abs=0.01), task.name
    assert all("actuals" in d["causes"][0] for d in report.schedule_differences)


def test_data_date_and_lag_calendar_are_reported() -> None:
    plan, report = import_file(shared_path("projects", "xer", "xer-parser-construction.xer"))
    assert plan.project.start == dt.date(2010, 2, 20)  # last_recalc_date, after plan_start_date 2010-02-18
    assert any("data date 2010-02-20" in line for line in report.approximated)
    assert any("lag calendar" in line for line in report.approximated)
    assert len(report.schedule_differences) <= 2


def test_udfs_are_named_when_dropped() -> None:
    _, report = import_file(shared_path("projects", "xer", "xernative-takt-sample.xer"))
    assert "custom field 'StartDistance': not imported (25 values)" in report.dropped


CLNDR = ("(0||CalendarData()(  (0||DaysOfWeek()(    (0||1()())    (0||2()(      (0||0(s|08:00|f|12:00)())"
         "      (0||1(s|13:00|f|17:00)())))    (0||3()(      (0||0(s|07:00|f|15:00)())))    (0||4()())"
         "    (0||5()())    (0||6()())    (0||7()())))  (0||VIEW(ShowTotal|Y)())  (0||Exceptions()("
         "    (0||0(d|44557)())    (0||1(d|44562)(      (0||0(s|09:00|f|13:00)())))))))")


def test_clndr_data_is_parsed_by_hand_values() -> None:
    tree = parse_clndr_data(CLNDR)
    assert tree is not None and tree.name == "CalendarData"
    spec = CalendarSpec.model_validate(calendar_from_row({"clndr_name": "Odd", "clndr_data": CLNDR}, Tally()))
    assert spec.workweek == ["mon", "tue"]
    assert spec.day_shifts() == [(480, 720), (780, 1020)]  # Monday's pattern (Tuesday differs: reported)
    # 44557 days after 1899-12-30 is 2021-12-27; 44562 is 2022-01-01 (a working Saturday, 09:00-13:00)
    assert [h.date for h in spec.holidays] == [dt.date(2021, 12, 27)]
    assert spec.exceptions[0].date == dt.date(2022, 1, 1) and spec.exceptions[0].working
    assert parse_clndr_data("(0||CalendarData()((0||") is None


def test_clndr_data_written_reads_back() -> None:
    spec = CalendarSpec(workweek=["mon", "tue", "wed", "thu"], shifts=["07:00-11:00", "11:30-17:30"],
                        holidays=[{"date": "2027-05-03", "until": "2027-05-04"}])
    back = CalendarSpec.model_validate(calendar_from_row({"clndr_data": clndr_data(spec)}, Tally()))
    assert back.workweek == spec.workweek
    assert back.day_shifts() == spec.day_shifts()
    assert sorted(d for h in back.holidays for d in h.days()) == [dt.date(2027, 5, 3), dt.date(2027, 5, 4)]


TWO_PROJECTS = "\r\n".join([
    "ERMHDR\t8.0\t2024-01-01\tProject\tadmin\tadmin\tdb\tProject Management\tEUR",
    "%T\tPROJECT", "%F\tproj_id\tproj_short_name\tplan_start_date\tclndr_id",
    "%R\t1\tAlpha\t2024-01-08 00:00\t", "%R\t2\tBéta\t2024-01-08 00:00\t",
    "%T\tPROJWBS", "%F\twbs_id\tproj_id\tparent_wbs_id\tproj_node_flag\twbs_short_name\twbs_name",
    "%R\t10\t1\t\tY\tAlpha\tAlpha", "%R\t20\t2\t\tY\tBéta\tBéta", "%R\t21\t2\t20\tN\tW\tWork",
    "%T\tTASK", "%F\ttask_id\tproj_id\twbs_id\ttask_code\ttask_name\ttask_type\ttarget_drtn_hr_cnt\tstatus_code",
    "%R\t100\t1\t10\tA1\tDig\tTT_Task\t16\tTK_NotStart",
    "%R\t200\t2\t21\tB1\tPour café\tTT_Task\t8\tTK_NotStart",
    "%R\t201\t2\t21\tB2\tDone\tTT_FinMile\t0\tTK_NotStart",
    "%T\tTASKPRED", "%F\ttask_id\tpred_task_id\tpred_type\tlag_hr_cnt",
    "%R\t200\t100\tPR_FF\t-4", "%R\t201\t200\tPR_FS\t0",
    "%E", ""])


def test_every_project_in_the_file_is_read_and_cp1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "two.xer"
    path.write_bytes(TWO_PROJECTS.encode("cp1252"))
    plan, report = read_xer(str(path))
    assert [t.id for t in plan.tasks if t.parent is None] == ["Alpha", "Béta"]
    assert plan.task("A1").parent == "Alpha"
    assert plan.task("B1").parent == "W" and plan.task("W").parent == "Béta"
    assert plan.task("B1").name == "Pour café"
    assert [str(link) for link in plan.task("B1").after] == ["A1 FF-4h"]
    assert plan.task("A1").duration is not None and plan.task("A1").duration.minutes() == 960
    assert "cp1252" in " ".join(report.read)
    assert any("2 projects in one file" in line for line in report.approximated)


@pytest.mark.parametrize("text, line", [
    ("not an xer", 1),
    ("ERMHDR\t8.0\n%R\t1\t2\n", 2),
    ("ERMHDR\t8.0\n%F\ta\tb\n", 2),
])
def test_malformed_files_name_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "bad.xer"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        read_xer(str(path))
    assert info.value.codes == ["bad_file"]
    assert info.value.diagnostics[0].line == line


def test_writer_round_trips_a_yaml_plan(tmp_path: Path) -> None:
    plan = read_plan_text("""\
project: {name: Plant, start: 2027-03-01, currency: EUR,
          calendar: {workweek: [mon, tue, wed, thu, fri, sat], holidays: [2027-03-05]}}
resources: [{id: crew, name: Crew, units: 4, rate: 50/h}, {id: crane, units: 1}]
tasks:
  - {id: site, name: Site work}
  - {id: site.dig, name: Dig, parent: site, duration: 3d, work: 60h, needs: {crew: 2.5}, notes: "line one\\nline two"}
  - {id: site.pour, name: Pour, parent: site, duration: 12h, after: ["site.dig SS+1d"], needs: {crane: 1}}
  - {id: cure, name: Cure, duration: 5d, after: ["site.pour FF-2h"], constraint: {finish_no_later_than: 2027-03-20}}
  - {id: done, name: Done, milestone: true, after: [cure]}
""")
    path = tmp_path / "plan.xer"
    export_file(plan, str(path))
    back, report = read_xer(str(path))
    assert [t.id for t in back.tasks] == [t.id for t in plan.tasks]
    for old, new in zip(plan.tasks, back.tasks, strict=True):
        assert (old.parent, old.milestone, old.needs, old.notes) == (new.parent, new.milestone, new.needs, new.notes)
        assert (old.work and old.work.minutes()) == (new.work and new.work.minutes())
        assert [(x.task, x.type, x.lag.minutes()) for x in old.after] == [
            (x.task, x.type, x.lag.minutes()) for x in new.after]
        assert old.planned_duration().minutes() == new.planned_duration().minutes()
        assert old.constraint == new.constraint
    assert back.project.calendar.workweek == plan.project.calendar.workweek
    assert [h.date for h in back.project.calendar.holidays] == [dt.date(2027, 3, 5)]
    assert {r.id: (r.units, r.rate) for r in back.resources} == {r.id: (r.units, r.rate) for r in plan.resources}
    assert report.schedule_differences == []
    assert path.read_bytes().startswith(b"ERMHDR\t")


def test_doubled_quotes_are_one_quote_both_ways(tmp_path: Path) -> None:
    """P6 writes a quote inside a text as two (``1"" pipe``); MPXJ and P6 read one."""
    plan, _ = import_file(shared_path("projects", "xer", "xer-parser-construction.xer"), check=False)
    assert plan.task("REPLBI01").name == '1" G.I w/c pipe laying'
    assert plan.task("REPLBI02").name == '1/2" G.I w/c pipe laying'
    path = tmp_path / "quotes.xer"
    export_file(read_plan_text('project: {name: Q, start: 2027-03-01}\ntasks: [{id: a, name: \'2" valve\', duration: 1d}]\n'),
              str(path))
    assert '\t2"" valve\t' in path.read_text(encoding="cp1252")
    back, _ = read_xer(str(path))
    assert back.task("a").name == '2" valve'


def test_currency_table_has_every_field_p6_writes(tmp_path: Path) -> None:
    """MPXJ fails on a CURRTYPE without the decimal and digit-group symbols (NullPointerException)."""
    path = tmp_path / "plan.xer"
    export_file(read_plan_text("project: {name: Q, start: 2027-03-01, currency: EUR}\ntasks: [{id: a, duration: 1d}]\n"),
              str(path))
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    at = lines.index("%T\tCURRTYPE")
    row = dict(zip(lines[at + 1].split("\t")[1:], lines[at + 2].split("\t")[1:], strict=True))
    assert (row["decimal_symbol"], row["digit_group_symbol"], row["curr_short_name"], row["curr_symbol"]) == \
        (".", ",", "EUR", "€")


def test_text_beyond_cp1252_is_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "plan.xer"
    export_file(read_plan_text("project: {name: Q, start: 2027-03-01}\ntasks: [{id: a, name: Ωmega ✓, duration: 1d}]\n"),
              str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbfERMHDR\t")  # MPXJ reads cp1252 without it
    back, _ = read_xer(str(path))
    assert back.task("a").name == "Ωmega ✓"


LATE_ACTUAL = "\r\n".join([
    "ERMHDR\t8.0\t2027-03-01\tProject\tadmin\tadmin\tdb\tProject Management\tUSD",
    "%T\tPROJECT", "%F\tproj_id\tproj_short_name\tplan_start_date\tlast_recalc_date\tclndr_id",
    "%R\t1\tLate\t2027-03-01 08:00\t2027-03-03 08:00\t",
    "%T\tTASK", "%F\ttask_id\tproj_id\ttask_code\ttask_name\ttask_type\ttarget_drtn_hr_cnt\tremain_drtn_hr_cnt\t"
    "status_code\tact_start_date\tact_end_date",
    "%R\t100\t1\tA\tSurvey\tTT_Task\t16\t16\tTK_Active\t2027-03-05 08:00\t",
    "%R\t101\t1\tB\tFoundations\tTT_Task\t8\t8\tTK_NotStart\t\t",
    "%R\t102\t1\tC\tFence\tTT_Task\t8\t0\tTK_Complete\t2027-03-01 08:00\t2027-03-01 16:00",
    "%T\tTASKPRED", "%F\ttask_id\tpred_task_id\tpred_type\tlag_hr_cnt", "%R\t101\t100\tPR_FS\t0",
    "%E", ""])


def test_actual_start_after_the_data_date_is_read_with_a_warning_per_activity(tmp_path: Path) -> None:
    """P6 accepts it (its schedule check lists it) and schedules the remaining work from the data date."""
    from pmfit.engine.status import status_schedule

    path = tmp_path / "late.xer"
    path.write_bytes(LATE_ACTUAL.encode("cp1252"))
    plan, report = read_xer(str(path))
    late = [w for w in report.warnings if w.code == "actual_after_data_date"]
    assert [(w.task, w.line) for w in late] == [("A", 7)]
    assert "2027-03-05 08:00" in late[0].message and late[0].severity == "warning"
    assert plan.progress is not None and plan.progress.tasks["A"].actual_start == dt.datetime(2027, 3, 3, 8)
    assert plan.progress.tasks["C"].actual_start == dt.datetime(2027, 3, 1, 8)  # a true actual is untouched
    rows = status_schedule(plan).schedule.tasks
    # 16 h remaining from the data date (Wed 8:00, the default 8-17 day): done Thu 17:00, B on Friday
    assert rows["A"].finish == dt.datetime(2027, 3, 4, 17)
    assert rows["B"].start == dt.datetime(2027, 3, 5, 8)


def test_only_projects_marked_for_export_are_read_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "two.xer"
    text = TWO_PROJECTS.replace("plan_start_date\tclndr_id", "plan_start_date\tclndr_id\texport_flag") \
        .replace("Alpha\t2024-01-08 00:00\t", "Alpha\t2024-01-08 00:00\t\tY") \
        .replace("Béta\t2024-01-08 00:00\t", "Béta\t2024-01-08 00:00\t\tN")
    path.write_bytes(text.encode("cp1252"))
    plan, report = read_xer(str(path))
    assert [t.id for t in plan.tasks] == ["A1"]
    assert any("project 'Béta' (not marked for export" in d for d in report.dropped)
    other, report = read_xer(str(path), projects=["Béta"])
    assert [t.id for t in other.tasks] == ["W", "B1", "B2"]
    assert any("project 'Alpha' not asked for" in d for d in report.dropped)
    with pytest.raises(PlanError, match="has no project Gamma"):
        read_xer(str(path), projects=["Gamma"])


def test_a_calendar_identical_but_for_its_name_is_not_blamed(tmp_path: Path) -> None:
    data = clndr_data(CalendarSpec())
    text = "\r\n".join([
        "ERMHDR\t8.0\t2024-01-01\tProject\tadmin\tadmin\tdb\tProject Management\tUSD",
        "%T\tCALENDAR", "%F\tclndr_id\tdefault_flag\tclndr_name\tclndr_data",
        f"%R\t1\tY\tStandard\t{data}", f"%R\t2\tN\tStandard (copy)\t{data}",
        f"%R\t3\tN\tSix days\t{clndr_data(CalendarSpec(workweek=['mon', 'tue', 'wed', 'thu', 'fri', 'sat']))}",
        "%T\tPROJECT", "%F\tproj_id\tproj_short_name\tplan_start_date\tclndr_id", "%R\t1\tP\t2024-01-08 08:00\t1",
        "%T\tTASK", "%F\ttask_id\tproj_id\ttask_code\ttask_name\ttask_type\ttarget_drtn_hr_cnt\tclndr_id",
        "%R\t100\t1\tA\tA\tTT_Task\t8\t2", "%R\t101\t1\tB\tB\tTT_Task\t8\t3", "%E", ""])
    path = tmp_path / "cal.xer"
    path.write_bytes(text.encode("cp1252"))
    _, report = read_xer(str(path))
    blamed = [line for line in report.approximated if "activity on calendar" in line]
    assert len(blamed) == 1 and "'Six days'" in blamed[0]
    assert "A" not in report.task_causes and "B" in report.task_causes


SUMMARY_LINKS = """\
project: {name: Summaries, start: 2027-03-01}
tasks:
  - {id: prep, duration: 2d}
  - {id: A, name: Phase A, after: [prep]}
  - {id: a1, parent: A, duration: 3d}
  - {id: a2, parent: A, duration: 1d}
  - {id: a3, parent: A, duration: 2d, after: [a2]}
  - {id: B, name: Phase B, after: ["A SS+1d"]}
  - {id: b1, parent: B, duration: 4d}
  - {id: b2, parent: B, duration: 1d}
  - {id: C, name: Phase C, after: ["A FF+2d", "B SF"]}
  - {id: c1, parent: C, duration: 2d}
  - {id: c2, parent: C, duration: 5d}
  - {id: done, milestone: true, after: [C, "b2 FF"]}
"""


@pytest.mark.parametrize("source", ["yaml", "deployment"])
def test_links_on_summary_tasks_go_through_milestones_with_the_same_schedule(source: str, tmp_path: Path) -> None:
    """P6 relates activities only; linking every activity of one WBS node to every one of another
    turned 138 links of the 322-task MS Project plan into 18,976 relationships."""
    from pmfit.engine.schedule import schedule
    from pmfit.io.xer import xer_export

    if source == "yaml":
        plan = read_plan_text(SUMMARY_LINKS)
    else:
        plan, _ = import_file(shared_path("projects", "mpp", "projectlibre-ms-project-2003-deployment.mpp"),
                              check=False)
    text, notes = xer_export(plan, export_dates(plan))
    path = tmp_path / "plan.xer"
    path.write_bytes(text.encode("cp1252"))
    back, _ = read_xer(str(path))
    summaries = plan.summary_ids()
    before, after = schedule(plan).tasks, schedule(back).tasks
    assert {k: (v.start, v.finish) for k, v in before.items() if k not in summaries} == \
        {k: (v.start, v.finish) for k, v in after.items() if k in before and k not in summaries}
    through = sum(1 for t in plan.tasks for x in t.after if t.id in summaries or x.task in summaries)
    assert notes["summary_links"].startswith(f"{through} links on summary tasks written through")
    milestones = [t for t in back.tasks if t.id not in before and t.id not in back.summary_ids()]
    assert milestones and all(t.milestone for t in milestones)
    leaves_linked = sum(len(t.after) for t in back.tasks)
    if source == "deployment":
        assert leaves_linked < 1500  # 1,457: each milestone linked once to each activity of its summary
    else:
        # prep -> A: A.start; A SS -> B: A.started, B.start; A FF and B SF -> C: A.finish, B.started, C.finish-by;
        # C -> done: C.finish
        assert sorted(t.id for t in milestones) == ["A.finish", "A.start", "A.started", "B.start", "B.started",
                                                    "C.finish", "C.finish-by"]
