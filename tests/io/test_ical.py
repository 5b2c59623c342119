"""iCalendar reader and writer: the shared .ics files, RELATED-TO mapping, and plan -> ics -> plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, shared_path

from pmfit.api import export_dates, export_file
from pmfit.engine.schedule import schedule
from pmfit.importing import import_file
from pmfit.io import gan, ical
from pmfit.io.formats import detect_format
from pmfit.io.yamlplan import read_plan
from pmfit.model.diagnostics import PlanError
from pmfit.model.duration import Duration

D = dt.datetime


def _ics(name: str) -> str:
    return str(shared_path("projects", "ical", name))


def test_holiday_feed() -> None:
    plan, report = ical.read(_ics("ganttproject-hebcal-holidays.ics"))
    # one all-day VEVENT: DTSTART;VALUE=DATE:20231207, DTEND 20231208 (Thursday): 1 working day
    (task,) = plan.tasks
    assert task.id == "hebcal-20231207-1c6fa26d"
    assert task.name == "Chanukah: 1 Candle"
    assert task.duration == Duration(1, "d")
    assert task.tags == ["Holiday"]
    assert plan.project.name.startswith("Jewish Holidays")  # X-WR-CALNAME
    assert report.file_dates[task.id] == (dt.date(2023, 12, 7), dt.date(2023, 12, 8))
    assert task.notes.startswith("Hanukkah, the Jewish festival")  # folded and escaped DESCRIPTION


def test_events_and_todos() -> None:
    plan, report = ical.read(_ics("icalendar-events-and-todos.ics"))
    # 2 VEVENTs (10:00-11:00, New York time) and 1 VTODO; the VJOURNAL is not a task
    assert [t.id for t in plan.tasks] == ["event-1@example.com", "event-2@example.com", "todo-1@example.com"]
    assert plan.task("event-1@example.com").duration == Duration(1, "h")
    assert plan.project.start == D(2025, 1, 15, 10)  # the first event's wall-clock start
    assert report.file_dates["event-2@example.com"] == (D(2025, 1, 16, 10), D(2025, 1, 16, 11))
    assert plan.task("event-2@example.com").constraint.date == D(2025, 1, 16, 10)
    assert any("VJOURNAL" in d for d in report.dropped)
    assert any("TZID" in a for a in report.approximated)
    sched = schedule(plan)
    assert sched.tasks["event-2@example.com"].start == D(2025, 1, 16, 10)


def test_related_to_sibling_and_unknown_uid() -> None:
    plan, report = ical.read(_ics("icalendar-related-to.ics"))
    # two VEVENTs without UID, DTSTART or SUMMARY; one RELATED-TO (PARENT by default) names a UID
    # that is not in the file, the other is a SIBLING relation: neither is kept
    assert [t.id for t in plan.tasks] == ["event-1", "event-2"]
    assert all(t.parent is None and not t.after for t in plan.tasks)
    text = " | ".join(report.dropped)
    assert "type SIBLING" in text and "not in the file" in text


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:phase\r
SUMMARY:Phase\r
DTSTART;VALUE=DATE:20270104\r
DTEND;VALUE=DATE:20270116\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:a\r
SUMMARY:Dig\\, then pour\r
DTSTART;VALUE=DATE:20270104\r
DTEND;VALUE=DATE:20270109\r
RELATED-TO:phase\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b\r
SUMMARY:Build\r
DTSTART:20270111T080000\r
DURATION:PT4H\r
RELATED-TO;RELTYPE=PARENT:phase\r
RELATED-TO;RELTYPE=FINISHTOSTART;GAP=P2D:a\r
RRULE:FREQ=WEEKLY;COUNT=3\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:c\r
SUMMARY:Inspect\r
DTSTART:20270115T090000Z\r
RELATED-TO;RELTYPE=DEPENDS-ON:b\r
RELATED-TO;RELTYPE=CHILD:d\r
END:VEVENT\r
BEGIN:VTODO\r
UID:d\r
SUMMARY:Paperwork\r
DUE;VALUE=DATE:20270120\r
END:VTODO\r
END:VCALENDAR\r
"""


def test_related_to_parent_child_and_dependencies(tmp_path: Path) -> None:
    path = tmp_path / "cal.ics"
    path.write_text(ICS, newline="")
    plan, report = ical.read(str(path))
    assert plan.task("a").name == "Dig, then pour"
    assert plan.task("a").parent == "phase" and plan.task("b").parent == "phase"
    assert plan.task("d").parent == "c"  # RELTYPE=CHILD on c names d
    assert plan.summary_ids() == {"phase", "c"}
    assert [str(link) for link in plan.task("b").after] == ["a FS+2d"]
    assert [str(link) for link in plan.task("c").after] == ["b"]
    assert plan.task("a").duration == Duration(5, "d")  # Mon 4 .. Sat 9 (exclusive): 5 weekdays
    assert plan.task("b").duration == Duration(4, "h")
    assert plan.task("d").deadline == dt.date(2027, 1, 20)
    assert any("repeating" in d for d in report.dropped)
    assert any("UTC" in a for a in report.approximated)


@pytest.mark.parametrize("bad, code", [
    ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nEND:VCALENDAR\n", "bad_file"),
    ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n", "bad_file"),
    ("BEGIN:VCALENDAR\nthis is no content line\nEND:VCALENDAR\n", "bad_file"),
    ("BEGIN:VCALENDAR\nEND:VCALENDAR\n", "no_tasks"),
])
def test_malformed_calendars(bad: str, code: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.ics"
    path.write_text(bad)
    with pytest.raises(PlanError) as err:
        ical.read(str(path))
    assert err.value.codes == [code]
    assert err.value.diagnostics[0].file == str(path)


def _dates(plan) -> dict:
    """The current schedule, from the engine directly: with progress, the status-date schedule."""
    from pmfit.engine.status import status_schedule

    rows = status_schedule(plan).schedule.tasks if plan.progress and plan.progress.tasks else schedule(plan).tasks
    return {k: (v.start, v.finish) for k, v in rows.items()}


@pytest.mark.parametrize("source", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_round_trip_keeps_tasks_and_dates(source: Path, tmp_path: Path) -> None:
    plan = read_plan(source)
    out = tmp_path / "plan.ics"
    export_file(plan, out)
    assert detect_format(out).name == "icalendar"
    back, report = import_file(out)
    assert [(t.id, t.name, t.parent) for t in back.tasks] == [(t.id, t.name, t.parent) for t in plan.tasks]
    assert [sorted(str(link) for link in t.after) for t in back.tasks] == \
           [sorted(str(link) for link in t.after) for t in plan.tasks]
    # the dates in the file are pmfit's current schedule of the original plan, to the minute
    original = _dates(plan)
    for tid, (start, finish) in original.items():
        assert report.file_dates[tid][0] == start, tid
        assert report.file_dates[tid][1] == (finish if finish > start else start), tid


def test_round_trip_reschedules_identically_on_the_default_calendar(tmp_path: Path) -> None:
    plan, _ = gan.read(str(shared_path("projects", "gan", "ganttproject-house-building-sample.gan")))
    plan = plan.model_copy(update={"project": plan.project.model_copy(update={"calendar": type(
        plan.project.calendar)()})})
    out = tmp_path / "house.ics"
    # the plan as planned (iCalendar keeps no progress): the file reschedules to the same dates
    ical.write_ics(plan, str(out), stamp=D(2027, 1, 1), schedule=export_dates(plan, as_planned=True))
    back, _ = ical.read(str(out))
    planned = {k: (v.start, v.finish) for k, v in schedule(plan).tasks.items()}
    assert {k: (v.start, v.finish) for k, v in schedule(back).tasks.items()} == planned


def test_written_file_follows_rfc5545_framing(tmp_path: Path) -> None:
    plan = read_plan(sorted(EXAMPLES.glob("*.yaml"))[0])
    text = ical.ics_text(plan, stamp=D(2027, 1, 1), schedule=export_dates(plan))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    raw_lines = text.encode("utf-8").split(b"\r\n")
    assert max(len(line) for line in raw_lines) <= 75  # folded at 75 octets
    assert b"\n" not in b"".join(raw_lines)  # CRLF only
    assert text.count("BEGIN:VEVENT") == len(plan.tasks)
    assert "DTSTAMP:20270101T000000Z" in text
