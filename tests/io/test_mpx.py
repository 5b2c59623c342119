"""MPX: the shared files against their MS Project XML twins, and the same plan written by a German
and an English MS Project (separators, date order, unit words, link and constraint names)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.importing import import_file
from pmfit.io.formats import detect_format
from pmfit.io.mpx import read_mpx
from pmfit.model.diagnostics import PlanError


def test_task_links_mpx_matches_its_mspdi_and_mpp_family() -> None:
    mpx, report = import_file(shared_path("projects", "mpx", "mpxj-task-links-project98.mpx"))
    xml, _ = import_file(shared_path("projects", "mspdi", "mpxj-task-links-project2019.xml"))
    assert report.format == "mpx"
    assert [t.name for t in mpx.tasks] == [t.name for t in xml.tasks]
    links = {t.name + t.id: sorted((str(x.type.value), x.lag.minutes()) for x in t.after) for t in mpx.tasks}
    xml_links = {t.name + t.id: sorted((str(x.type.value), x.lag.minutes()) for x in t.after) for t in xml.tasks}
    assert links == xml_links
    assert report.schedule_checked == 16 and report.schedule_differences == []


def test_legacy_sample_mpx_reads_like_its_xml_sibling() -> None:
    mpx, report = import_file(shared_path("projects", "mpx", "mpxj-legacy-sample.mpx"))
    xml, xml_report = import_file(shared_path("projects", "mspdi", "mpxj-legacy-sample.xml"))
    assert [t.name for t in mpx.tasks] == [t.name for t in xml.tasks]
    assert [t.parent for t in mpx.tasks] == [t.parent for t in xml.tasks]
    assert {t.id: t.planned_duration().minutes() for t in mpx.tasks} == \
        {t.id: t.planned_duration().minutes() for t in xml.tasks}
    assert mpx.task("2").needs == {"First Resource": 0.5, "Second Resource": 0.75}
    assert mpx.task("1").notes == "Test Task Notes"
    assert mpx.task("7").constraint is not None and mpx.task("7").constraint.date == dt.date(2003, 2, 1)
    assert mpx.resource("Second Resource").calendar is not None
    # the same two tasks differ from the file for the same reason in both formats
    assert [d["task"] for d in report.schedule_differences] == [d["task"] for d in xml_report.schedule_differences]


ENGLISH = """\
MPX,Microsoft Project for Windows,4.0,ANSI
10,$,0,2,",",.
12,0,0,480,/,:,AM,PM,0
20,Standard,0,1,1,1,1,1,0
25,2,08:00,12:00,13:00,17:00
25,3,08:00,12:00,13:00,17:00
25,4,08:00,12:00,13:00,17:00
25,5,08:00,12:00,13:00,17:00
25,6,08:00,12:00,13:00,17:00
26,01/05/27,01/05/27,0
30,Build,,,Standard,01/04/27
41,40,49,1,41,42
50,1,1,Mason,200%,$50.00/h
61,90,98,1,3,40,70,81,91,68
70,1,1,Foundation,1,2.5d,,No,As Soon As Possible,
75,1,50%
70,2,2,Walls,1,1w,1FS+1d,No,Start No Earlier Than,01/13/27
70,3,3,Handover,1,0d,2SS-4h,Yes,As Soon As Possible,
"""

GERMAN = """\
MPX;Microsoft Project für Windows;4.0;ANSI
10;€;1;2;.;,
12;1;1;480;.;:;;;9
20;Standard;0;1;1;1;1;1;0
25;2;08:00;12:00;13:00;17:00
25;3;08:00;12:00;13:00;17:00
25;4;08:00;12:00;13:00;17:00
25;5;08:00;12:00;13:00;17:00
25;6;08:00;12:00;13:00;17:00
26;Di 05.01.27;Di 05.01.27;0
30;Build;;;Standard;Mo 04.01.27
41;40;49;1;41;42
50;1;1;Mason;200%;50,00 €/Std.
61;90;98;1;3;40;70;81;91;68
70;1;1;Foundation;1;2,5t;;Nein;So früh wie möglich;
75;1;50%
70;2;2;Walls;1;1w;1EA+1t;Nein;Anfang nicht früher als;Mi 13.01.27
70;3;3;Handover;1;0t;2AA-4Std;Ja;So früh wie möglich;
"""

FRENCH = GERMAN.replace("2,5t", "2,5j").replace("1EA+1t", "1FD+1j").replace("2AA-4Std", "2DD-4h") \
    .replace("Nein", "Non").replace("Ja", "Oui").replace("So früh wie möglich", "Dès que possible") \
    .replace("Anfang nicht früher als", "Début au plus tôt le").replace("1w", "1s")


@pytest.mark.parametrize("text, encoding", [(GERMAN, "cp1252"), (FRENCH, "cp1252")])
def test_a_localised_file_gives_the_same_plan_as_the_english_one(tmp_path: Path, text: str,
                                                                  encoding: str) -> None:
    english = tmp_path / "en.mpx"
    english.write_text(ENGLISH, encoding="cp1252")
    local = tmp_path / "local.mpx"
    local.write_bytes(text.encode(encoding))
    en_plan, en_report = read_mpx(str(english))
    local_plan, local_report = read_mpx(str(local))
    assert local_plan == en_plan
    assert local_report.dropped == en_report.dropped == []
    # and the values are the ones written, read by hand
    walls = en_plan.task("2")
    assert walls.planned_duration().minutes() == 2400
    assert [str(x) for x in walls.after] == ["1 FS+1d"]
    assert walls.constraint is not None and walls.constraint.date == dt.date(2027, 1, 13)
    assert [str(x) for x in en_plan.task("3").after] == ["2 SS-4h"]
    assert en_plan.task("3").milestone
    assert en_plan.task("1").needs == {"Mason": 0.5}
    assert en_plan.resource("Mason").units == 2
    assert en_plan.resource("Mason").rate is not None and en_plan.resource("Mason").rate.amount == 50
    assert [h.date for h in en_plan.project.calendar.holidays] == [dt.date(2027, 1, 5)]
    assert en_plan.project.start == dt.date(2027, 1, 4)


def test_unknown_words_are_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "odd.mpx"
    path.write_text(ENGLISH.replace("2.5d", "2.5zz").replace("Start No Earlier Than", "Sometime"), encoding="cp1252")
    _, report = read_mpx(str(path))
    assert any("duration unit 'zz'" in line for line in report.dropped)
    assert any("constraint type 'Sometime'" in line for line in report.dropped)


def test_detected_by_content_and_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(ENGLISH, encoding="cp1252")
    assert detect_format(path).name == "mpx"
    bad = tmp_path / "bad.mpx"
    bad.write_text("MPX,x,4.0,ANSI\n70,1,1,Task\n", encoding="cp1252")
    with pytest.raises(PlanError) as info:
        read_mpx(str(bad))
    assert info.value.codes == ["bad_file"] and info.value.diagnostics[0].line == 2


@pytest.mark.parametrize("name", ["mpx/mpxj-legacy-sample.mpx", "mspdi/mpxj-task-links-project2019.xml",
                                  "xer/mpxj-percent-complete-8.4.xer"])
def test_writer_round_trips_tasks_links_progress_and_dates(name: str, tmp_path) -> None:
    from pmfit.api import export_plan
    from pmfit.engine.schedule import schedule
    from pmfit.io.formats import import_file

    plan, _ = import_file(shared_path("projects", *name.split("/")), check=False)
    result = export_plan(plan, tmp_path / "again.mpx")
    back, _ = import_file(tmp_path / "again.mpx", check=False)
    assert [t.name for t in back.tasks] == [t.name for t in plan.tasks]
    ids = {t.id: again.id for t, again in zip(plan.tasks, back.tasks, strict=True)}
    mpd = plan.project.calendar.minutes_per_day
    assert sorted((ids[t.id], ids[x.task], x.type.value, x.lag.minutes(mpd)) for t in plan.tasks for x in t.after) == \
        sorted((t.id, x.task, x.type.value, x.lag.minutes(mpd)) for t in back.tasks for x in t.after)
    for task, again in zip(plan.tasks, back.tasks, strict=True):
        assert again.planned_duration().minutes(mpd) == task.planned_duration().minutes(mpd), task.id
        assert again.constraint == task.constraint, task.id
    old = plan.progress.tasks if plan.progress else {}
    new = back.progress.tasks if back.progress else {}
    assert {ids[k]: v.percent_complete for k, v in old.items()} == {k: v.percent_complete for k, v in new.items()}
    before, after = schedule(plan).tasks, schedule(back).tasks
    assert [(before[t.id].start, before[t.id].finish) for t in plan.tasks] == \
        [(after[t.id].start, after[t.id].finish) for t in back.tasks]
    assert result.report.format == "mpx"
