"""Generic CSV / Excel task lists: column detection, user mappings, hierarchy, encodings, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, shared_path

from pmfit.api import export_dates, export_file
from pmfit.engine.schedule import schedule
from pmfit.importing import import_file
from pmfit.io import csvplan
from pmfit.io.formats import detect_format
from pmfit.io.yamlplan import read_plan
from pmfit.model.diagnostics import PlanError
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan

MSP = """ID,Name,Duration,Start,Finish,Predecessors,Resource Names,Outline Level,% Complete
1,Design,,Mon 1/4/27,Fri 1/15/27,,,1,0%
2,Specs,5 days,Mon 1/4/27,Fri 1/8/27,,Ann[50%],2,100%
3,Review,1 day?,Mon 1/11/27,Mon 1/11/27,2FS+2 days,"Ann,Bob",2,0%
4,Sign-off,0 days,Mon 1/11/27,Mon 1/11/27,3SS,,2,0%
5,Build,10d,Tue 1/12/27,Mon 1/25/27,4;2FF-1d,Bob[200%],1,0%
"""


def _write(tmp_path: Path, text: str, name: str = "plan.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_ms_project_style_export_is_detected(tmp_path: Path) -> None:
    plan, report = csvplan.read_table(_write(tmp_path, MSP))
    assert [t.id for t in plan.tasks] == ["1", "2", "3", "4", "5"]
    # Outline Level 1, 2, 2, 2, 1 -> 2, 3, 4 are under 1
    assert [t.parent for t in plan.tasks] == [None, "1", "1", "1", None]
    assert plan.task("2").duration == Duration(5, "d")
    assert plan.task("3").duration == Duration(1, "d")  # "1 day?" (estimated) -> 1d
    assert plan.task("4").milestone
    assert [str(link) for link in plan.task("3").after] == ["2 FS+2d"]
    assert [str(link) for link in plan.task("5").after] == ["4", "2 FF-1d"]
    assert plan.task("2").needs == {"Ann": 0.5}
    assert plan.task("3").needs == {"Ann": 1.0, "Bob": 1.0}
    assert plan.resource("Bob").units == 2.0  # asked for 200 %: the resource has at least that
    assert plan.project.start == dt.date(2027, 1, 4)
    assert plan.progress.tasks["2"].percent_complete == 100
    assert report.file_dates["5"] == (dt.date(2027, 1, 12), dt.date(2027, 1, 25))
    assert any("outline levels" in r for r in report.read)


def test_user_mapping_and_wbs(tmp_path: Path) -> None:
    text = "Code;Activity;Days;Depends;Owner\n1;Phase A;;;\n1.1;Dig;3;;crew\n1.2;Pour;2;Dig;crew\n2;Done;0;1.2;\n"
    path = _write(tmp_path, text)
    plan, report = csvplan.read_table(path, {"id": "Code", "wbs": "Code", "name": "Activity", "duration": "Days",
                                             "predecessors": "Depends", "resources": "Owner"},
                                      project_start=dt.date(2027, 3, 1))
    # ids are the WBS codes here; "Dig" is named by task name (reported), "1.2" by id
    assert plan.task("1.1").parent == "1" and plan.task("1.2").parent == "1"
    assert [link.task for link in plan.task("1.2").after] == ["1.1"]
    assert [link.task for link in plan.task("2").after] == ["1.2"]
    assert any("named by task name" in a for a in report.approximated)
    assert plan.project.start == dt.date(2027, 3, 1)


def test_wbs_column_builds_the_hierarchy(tmp_path: Path) -> None:
    text = "WBS,Task Name,Duration\n1,Phase,\n1.1,A,2d\n1.1.1,A1,1d\n1.2,B,3d\n"
    plan, _ = csvplan.read_table(_write(tmp_path, text), project_start=dt.date(2027, 1, 4))
    parent = {t.name: (plan.task(t.parent).name if t.parent else None) for t in plan.tasks}
    assert parent == {"Phase": None, "A": "Phase", "A1": "A", "B": "Phase"}


def test_mapping_errors_are_clear(tmp_path: Path) -> None:
    path = _write(tmp_path, "Name,Days\nA,1\n")
    with pytest.raises(PlanError) as err:
        csvplan.read_table(path, {"durration": "Days"})
    assert err.value.codes == ["bad_field"]
    with pytest.raises(PlanError) as err:
        csvplan.read_table(path, {"duration": "Length"})
    assert err.value.codes == ["missing_field"]
    assert "Name, Days" in str(err.value)


def test_encodings_bom_cp1252_and_day_first_dates(tmp_path: Path) -> None:
    text = "Name;Start;Finish\nRéunion;03.04.2027;05.04.2027\nÉté;13.04.2027;14.04.2027\n"
    plan, report = csvplan.read_table(_write(tmp_path, text, encoding="cp1252"))
    assert [t.name for t in plan.tasks] == ["Réunion", "Été"]
    assert any("cp1252" in a for a in report.approximated)
    assert report.file_dates["Réunion"] == (dt.date(2027, 4, 3), dt.date(2027, 4, 5))  # day first: 13.04
    assert plan.task("Réunion").duration == Duration(1, "d")  # Sat 3 .. Mon 5 April 2027: one weekday
    plan2, report2 = csvplan.read_table(_write(tmp_path, "\ufeff" + text, name="bom.csv"))
    assert [t.name for t in plan2.tasks] == ["Réunion", "Été"]
    assert not any("cp1252" in a for a in report2.approximated)


def test_ids_are_sanitised_and_reported(tmp_path: Path) -> None:
    text = 'ID,Name,Duration,Predecessors\n"a,b",First,1d,\n  spaced   id ,Second,1d,"a,b"\n'
    plan, report = csvplan.read_table(_write(tmp_path, text))
    assert [t.id for t in plan.tasks] == ["a_b", "spaced id"]
    assert [link.task for link in plan.task("spaced id").after] == ["a_b"]
    assert any("ids changed" in a for a in report.approximated)


def test_percentage_lag_and_bad_values_are_reported(tmp_path: Path) -> None:
    text = "ID,Name,Duration,Predecessors,Start\n1,A,2d,,2027-01-04\n2,B,soon,1FS+50%,not a date\n"
    plan, report = csvplan.read_table(_write(tmp_path, text))
    assert [str(link) for link in plan.task("2").after] == ["1"]
    text_dropped = " | ".join(report.dropped)
    assert "percentage lag" in text_dropped
    assert "'soon'" in text_dropped and "'not a date'" in text_dropped


def test_generic_csv_goes_by_extension_and_pmfit_csv_by_content(tmp_path: Path) -> None:
    generic = _write(tmp_path, "Task,Duration\nA,1d\n")
    assert detect_format(generic).name == "csv"
    plan = Plan.model_validate({"project": {"name": "x", "start": "2027-01-04"},
                                "tasks": [{"id": "a", "duration": "1d"}]})
    out = tmp_path / "export.txt"
    csvplan.write_csv(plan, str(out), export_dates(plan))
    assert detect_format(out).name == "csv"


def _signature(plan: Plan) -> list[tuple]:
    summaries = plan.summary_ids()
    return sorted((t.id, t.name, t.parent, None if t.id in summaries else t.planned_duration().minutes(),
                   tuple(sorted(str(link) for link in t.after)), t.milestone, tuple(sorted(t.needs.items())),
                   t.estimate is not None and tuple(str(x) for x in (t.estimate.optimistic, t.estimate.likely,
                                                                      t.estimate.pessimistic)))
                  for t in plan.tasks)


def _sources() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.stem)
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_round_trip_keeps_tasks_durations_links_parents(source: Path, ext: str, tmp_path: Path) -> None:
    plan = read_plan(source)
    out = tmp_path / f"plan.{ext}"
    export_file(plan, out)
    back, _ = import_file(out)
    assert _signature(back) == _signature(plan)
    if ext == "xlsx":
        # the workbook also keeps the project sheet (calendar) and the resources: same schedule
        assert back.project.calendar == plan.project.calendar
        assert [(r.id, r.units, str(r.rate)) for r in back.resources] == \
               [(r.id, r.units, str(r.rate)) for r in plan.resources]
        before, after = schedule(plan), schedule(back)
        assert {k: (v.start, v.finish) for k, v in before.tasks.items()} == \
               {k: (v.start, v.finish) for k, v in after.tasks.items()}


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_round_trip_of_imported_files(ext: str, tmp_path: Path) -> None:
    from pmfit.io import gan, planner

    for plan, _ in (gan.read(str(shared_path("projects", "gan", "ganttproject-house-building-sample.gan"))),
                    planner.read(str(shared_path("projects", "planner", "gnome-planner-sample-1.planner")))):
        out = tmp_path / f"plan.{ext}"
        export_file(plan, out)
        back, report = import_file(out)
        assert _signature(back) == _signature(plan)
        # the file's start/finish columns are pmfit's schedule of the original plan
        sched = schedule(plan)
        for tid, (start, finish) in report.file_dates.items():
            assert (start, finish) == (sched.tasks[tid].start, sched.tasks[tid].finish), tid


def test_formula_text_is_never_a_formula(tmp_path: Path) -> None:
    plan = Plan.model_validate({"project": {"name": "x", "start": "2027-01-04"},
                                "tasks": [{"id": "a", "name": '=HYPERLINK("http://evil","x")', "duration": "1d",
                                           "notes": "@SUM(A1)"}]})
    csv_path, xlsx_path = tmp_path / "p.csv", tmp_path / "p.xlsx"
    csvplan.write_csv(plan, str(csv_path), export_dates(plan))
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8-sig")
    csvplan.write_xlsx(plan, str(xlsx_path), export_dates(plan))
    import openpyxl

    cell = openpyxl.load_workbook(xlsx_path)["Tasks"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    for path in (csv_path, xlsx_path):
        back, _ = import_file(path)
        assert back.task("a").name == '=HYPERLINK("http://evil","x")'
        assert back.task("a").notes == "@SUM(A1)"


def test_excel_sheet_choice_and_mapping(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Plan")
    sheet.append(["Activity", "Length", "Begin"])
    sheet.append(["Survey", 3, dt.datetime(2027, 1, 4)])
    sheet.append(["Report", "2d", dt.datetime(2027, 1, 11)])
    path = tmp_path / "book.xlsx"
    book.save(path)
    plan, _ = csvplan.read_table(path, {"name": "Activity", "duration": "Length"}, sheet="Plan")
    assert [(t.name, str(t.duration)) for t in plan.tasks] == [("Survey", "3d"), ("Report", "2d")]
    assert plan.task("Report").constraint.date == dt.date(2027, 1, 11)  # no predecessors: pinned
    with pytest.raises(PlanError) as err:
        csvplan.read_table(path, sheet="Missing")
    assert err.value.codes == ["missing_field"]


def test_damaged_workbook_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(PlanError) as err:
        import_file(path)
    assert err.value.codes == ["bad_file"]


GERMAN = """Nr.;Vorgangsname;Dauer;Anfang;Ende;Vorgänger;Ressourcennamen;Gliederungsebene
1;Planung;;Mo 04.01.27;Fr 15.01.27;;;1
2;Entwurf;5 Tage;Mo 04.01.27;Fr 08.01.27;;Anna[50%];2
3;Prüfung;1 Tag;Mo 11.01.27;Mo 11.01.27;2EA+2 Tage;Anna;2
4;Freigabe;0 Tage;Mo 11.01.27;Mo 11.01.27;3AA;;2
"""


def test_german_ms_project_export_in_cp1252(tmp_path: Path) -> None:
    # column names, units (Tage) and link types (EA = Ende-Anfang = FS, AA = SS) as a German
    # MS Project writes them, saved by Excel on Windows (cp1252, ';' separated, day-first dates)
    plan, report = csvplan.read_table(_write(tmp_path, GERMAN, encoding="cp1252"))
    assert [(t.id, t.name, t.parent) for t in plan.tasks] == [
        ("1", "Planung", None), ("2", "Entwurf", "1"), ("3", "Prüfung", "1"), ("4", "Freigabe", "1")]
    assert plan.task("2").duration == Duration(5, "d")
    assert [str(link) for link in plan.task("3").after] == ["2 FS+2d"]
    assert [str(link) for link in plan.task("4").after] == ["3 SS"]
    assert plan.task("4").milestone
    assert plan.task("2").needs == {"Anna": 0.5}
    assert report.file_dates["1"] == (dt.date(2027, 1, 4), dt.date(2027, 1, 15))
    assert not any("could not be read" in d for d in report.dropped)


ODD_IDS = """\
project: {name: Ids, start: 2027-03-01}
tasks:
  - {id: BA-P1-10, duration: 2d}
  - {id: BA P1, duration: 2d}
  - {id: BA-P1, duration: 1d, after: ["BA-P1-10 SS", "BA P1 FF+1d"]}
  - {id: "x;y", duration: 1d, after: ["BA-P1 SS-2d", "BA-P1-10 FS+3d"]}
  - {id: 'q"1', duration: 1d, after: ["x;y"]}
  - {id: z, duration: 1d, after: ['q"1 SF+1h']}
"""


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_any_id_round_trips_with_its_links(ext: str, tmp_path: Path) -> None:
    """BA-P1-10 with an SS link came back as task BA-P1 with lag -10SS (and the link was lost)."""
    from pmfit.io.yamlplan import read_plan_text

    plan = read_plan_text(ODD_IDS)
    out = tmp_path / f"plan.{ext}"
    export_file(plan, out)
    back, report = import_file(out)
    assert _signature(back) == _signature(plan)
    assert report.dropped == [] or all("link" not in d and "depend" not in d for d in report.dropped)


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_real_p6_ids_round_trip(ext: str, tmp_path: Path) -> None:
    plan, _ = import_file(shared_path("projects", "xer", "p6viewer-terminal-building-airport.xer"), check=False)
    out = tmp_path / f"plan.{ext}"
    export_file(plan, out)
    back, _ = import_file(out, check=False)
    assert _signature(back) == _signature(plan)
