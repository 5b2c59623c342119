"""A seeded mutational fuzzer for every reader pmfit has, shared by the test suite and ``bench/fuzz.py``.

Seeds are tiny plans made here (written by pmfit's own writers, or typed in for the formats pmfit
only reads), so the fuzzer needs no shared data. A mutation is a handful of edits: byte flips,
truncation, deletion, duplication, and the *interesting values* that broke readers before (numbers
too large for a float, superscript digits, spreadsheet error cells, an element inside a text field).
An xlsx seed is also mutated inside its zip members, since raw bytes in a zip mostly break the CRC.

The contract checked by :func:`run_one`: whatever the bytes, reading the file (and scheduling the plan
it gives) returns or raises :class:`PlanError`; anything else is a crash.
"""

from __future__ import annotations

import io
import os
import random
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmfit.model.diagnostics import PlanError

TINY_PLAN = """\
project: {name: Fuzz, start: 2027-01-04, currency: EUR, objectives: [Ship it],
          calendar: {holidays: [{date: 2027-01-06, name: Epiphany}]}}
stakeholders:
  - {name: CFO, audience: business}
resources:
  - {id: dev, name: Developer, units: 2, rate: 80/h}
tasks:
  - {id: phase, name: Phase 1}
  - {id: design, parent: phase, duration: 3d, needs: {dev: 1}, notes: "A & B"}
  - {id: build, parent: phase, duration: 2.5d, after: ["design SS+1d"], needs: {dev: 1}}
  - id: review
    estimate: {optimistic: 1d, likely: 2d, pessimistic: 4d}
    after: ["build FF-2h"]
    constraint: {start_no_earlier_than: 2027-01-07}
  - {id: ship, milestone: true, after: [review], deadline: 2027-02-26}
risks:
  - {id: late, name: Vendor late, probability: 0.3, delays: {build: 2d}}
"""

MPX = """\
MPX,Microsoft Project for Windows,4.0,ANSI
10,$,0,2,",",.
12,0,0,480,/,:,AM,PM,0
20,Standard,0,1,1,1,1,1,0
25,2,08:00,12:00,13:00,17:00
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

PSPLIB = """\
************************************************************************
jobs (incl. supersource/sink ):  5
horizon                       :  9
RESOURCES
  - renewable                 :  2   R
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           5
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  R 2
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     3       2    0
  3      1     2       2    1
  4      1     4       0    1
  5      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  R 2
    3    1
************************************************************************
"""

P6XML = """<?xml version="1.0" encoding="UTF-8"?>
<APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V8.3/API/BusinessObjects">
<Calendar><ObjectId>1</ObjectId><Name>Std</Name><IsDefault>1</IsDefault><HoursPerDay>8</HoursPerDay></Calendar>
<Resource><ObjectId>7</ObjectId><Id>DEV</Id><Name>Developer</Name><ResourceType>Labor</ResourceType>
<MaxUnitsPerTime>1</MaxUnitsPerTime></Resource>
<Project><ObjectId>100</ObjectId><Id>P1</Id><Name>Fuzz</Name><PlannedStartDate>2027-01-04T08:00:00</PlannedStartDate>
<ActivityDefaultCalendarObjectId>1</ActivityDefaultCalendarObjectId>
<WBS><ObjectId>200</ObjectId><Code>W</Code><Name>Phase</Name></WBS>
<Activity><ObjectId>1</ObjectId><Id>A1</Id><Name>Design</Name><WBSObjectId>200</WBSObjectId>
<PlannedDuration>24</PlannedDuration><RemainingDuration>24</RemainingDuration><Type>Task Dependent</Type>
<StartDate>2027-01-04T08:00:00</StartDate><FinishDate>2027-01-06T17:00:00</FinishDate></Activity>
<Activity><ObjectId>2</ObjectId><Id>A2</Id><Name>Build</Name><WBSObjectId>200</WBSObjectId>
<PlannedDuration>16</PlannedDuration><RemainingDuration>16</RemainingDuration>
<StartDate>2027-01-07T08:00:00</StartDate><FinishDate>2027-01-08T17:00:00</FinishDate></Activity>
<Relationship><PredecessorActivityObjectId>1</PredecessorActivityObjectId>
<SuccessorActivityObjectId>2</SuccessorActivityObjectId><Type>Finish to Start</Type><Lag>0</Lag></Relationship>
<ResourceAssignment><ActivityObjectId>2</ActivityObjectId><ResourceObjectId>7</ResourceObjectId>
<PlannedUnits>16</PlannedUnits></ResourceAssignment>
</Project></APIBusinessObjects>
"""

GAN = """<?xml version="1.0" encoding="UTF-8"?><project name="p" view-date="2024-01-01" version="3.3">
<calendars><day-types><default-week id="1" name="default" sun="1" mon="0" tue="0" wed="0" thu="0" fri="0" sat="1"/>
</day-types><date month="12" date="25" type="HOLIDAY"/></calendars>
<tasks empty-milestones="true">
 <task id="1" name="a" start="2024-12-20" duration="3" complete="0"><depend id="2" type="2" difference="2"/></task>
 <task id="2" name="b" start="2024-12-27" duration="2" complete="50" meeting="false"/>
</tasks>
<resources><resource id="0" name="Ann" function="Default:0"/></resources>
<allocations><allocation task-id="2" resource-id="0" function="Default:0" responsible="true" load="100.0"/>
</allocations></project>
"""

PLANNER = """<?xml version="1.0"?>
<project name="Fuzz" company="" manager="" phase="" project-start="20270104T000000Z" mrproject-version="2"
 calendar="1">
  <calendars><day-types><day-type id="0" name="Working" description=""/><day-type id="1" name="Nonworking"
  description=""/></day-types><calendar id="1" name="Default"><default-week mon="0" tue="0" wed="0" thu="0"
  fri="0" sat="1" sun="1"/><overridden-day-types><overridden-day-type id="0"><interval start="0800"
  end="1200"/><interval start="1300" end="1700"/></overridden-day-type></overridden-day-types><days/>
  </calendar></calendars>
  <tasks>
    <task id="1" name="Design" note="" work="86400" start="20270104T000000Z" end="20270106T170000Z"
     work-start="20270104T080000Z" percent-complete="0" priority="0" type="normal" scheduling="fixed-work"/>
    <task id="2" name="Build" note="" work="57600" start="20270107T000000Z" end="20270108T170000Z"
     work-start="20270107T080000Z" percent-complete="0" priority="0" type="normal" scheduling="fixed-work">
      <predecessors><predecessor id="1" predecessor-id="1" type="FS"/></predecessors>
    </task>
  </tasks>
  <resources><resource id="1" name="Ann" short-name="" type="1" units="0" email="" note="" std-rate="0"/>
  </resources>
  <allocations><allocation task-id="2" resource-id="1" units="100"/></allocations>
</project>
"""

JIRA_CSV = """Summary,Issue key,Issue id,Issue Type,Parent,Custom field (Epic Link),Original estimate,Assignee,\
Outward issue link (Blocks),Due date,Custom field (Start date)
Checkout epic,SHOP-1,100,Epic,,,,,,,
Design cart,SHOP-2,101,Story,,SHOP-1,57600,Ann Lee,SHOP-3,,
Build cart,SHOP-3,102,Story,,SHOP-1,115200,Bob,,20/Jan/27 12:00 AM,
Go live,SHOP-5,104,Task,,,,,,,04/Jan/27 12:00 AM
"""

JIRA_RSS = """<rss version="0.92"><channel><title>Jira</title><!-- JIRA -->
<item><title>[A-1] Epic</title><key id="1">A-1</key><summary>Epic</summary><type>Epic</type></item>
<item><key id="2">A-2</key><summary>Backend</summary><type>Story</type>
 <timeoriginalestimate seconds="86400">3 days</timeoriginalestimate>
 <issuelinks><issuelinktype id="10000"><name>Blocks</name>
 <outwardlinks description="blocks"><issuelink><issuekey id="3">A-3</issuekey></issuelink></outwardlinks>
 </issuelinktype></issuelinks></item>
<item><key id="3">A-3</key><summary>Frontend</summary><type>Story</type><parent id="1">A-1</parent>
 <timeoriginalestimate seconds="28800">1 day</timeoriginalestimate></item>
</channel></rss>
"""

JIRA_JSON = """{"issues": [
 {"key": "A-1", "id": "1", "fields": {"summary": "Epic", "issuetype": {"name": "Epic"}}},
 {"key": "A-2", "id": "2", "fields": {"summary": "Backend", "issuetype": {"name": "Story"},
  "timeoriginalestimate": 86400, "parent": {"key": "A-1"},
  "issuelinks": [{"type": {"name": "Blocks", "outward": "blocks"}, "outwardIssue": {"key": "A-3"}}]}},
 {"key": "A-3", "id": "3", "fields": {"summary": "Frontend", "issuetype": {"name": "Story"},
  "timeoriginalestimate": 28800, "duedate": "2027-01-20"}}
]}
"""

CLICKUP = """Task ID,Task Name,Status,Start Date Text,Due Date Text,Parent ID,Assignees,Time Estimated,\
Time Estimated Text,List Name
a1,Website,to do,,,null,[],,,Web
a2,Design,complete,"1/6/2025, 4:00:00 AM GMT+1","1/8/2025, 4:00:00 AM GMT+1",a1,[Ann],7200000,2h,Web
a3,Build,in progress,,,a1,"[Ann, Bob]",,1d 4h,Web
a4,Launch,to do,,"1/31/2025, 4:00:00 AM GMT+1",null,[Bob],,,Web
"""

#: Values that broke a reader once: numbers beyond a float or an int, superscript and other
#: Unicode digits, spreadsheet error cells, markup inside a text field, empty and signed values.
INTERESTING: tuple[bytes, ...] = (
    b"1.0e+308", b"-1.0e+308", b"99999999999999999999", b"9" * 400, b"1e309", b"NaN", b"inf", b"-0",
    "1\u00b2".encode(), "\u0663".encode(), "\u2155".encode(), b"#VALUE!", b"#REF!", b"<b/>",
    b"<x>1</x>", b"", b" ", b"-", b"+", b".", b"0", b"-1", b"4294967296", b"18446744073709551617",
    b"P99999999999999999999D", b"PT99999999999999H", b"99999999999999999999d", b"1.0e+308d",
    b"9999-12-31", b"0001-01-01", b"\x00", b"\xff\xfe", b"\t=1+1", b"\r=1+1",
    b"\xe2\x80\xae", b"&amp;", b"]]>", b":", b",", b";", b"\"", b"\n",
)

_NUMBER = re.compile(rb"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Reader:
    """One reader under fuzz: its format name, the file suffix it is given and its seed files."""

    name: str
    suffix: str
    seeds: tuple[bytes, ...]


def _written(plan_text: str, suffix: str) -> bytes:
    from pmfit.api import export_file
    from pmfit.io.yamlplan import read_plan_text

    plan = read_plan_text(plan_text)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"seed{suffix}"
        export_file(plan, target)
        return target.read_bytes()


def readers() -> list[Reader]:
    """Every reader with its seeds (the writable formats are seeded by pmfit's own writers)."""
    text = TINY_PLAN.encode()
    return [
        Reader("yaml", ".yaml", (text,)),
        Reader("json", ".json", (_written(TINY_PLAN, ".json"),)),
        Reader("mspdi", ".xml", (_written(TINY_PLAN, ".xml"),)),
        Reader("xer", ".xer", (_written(TINY_PLAN, ".xer"),)),
        Reader("p6xml", ".xml", (P6XML.encode(),)),
        Reader("mpx", ".mpx", (MPX.encode("cp1252"),)),
        Reader("ganttproject", ".gan", (GAN.encode(),)),
        Reader("planner", ".planner", (PLANNER.encode(),)),
        Reader("jira-csv", ".csv", (JIRA_CSV.encode(),)),
        Reader("jira-xml", ".xml", (JIRA_RSS.encode(),)),
        Reader("jira-json", ".json", (JIRA_JSON.encode(),)),
        Reader("clickup", ".csv", (CLICKUP.encode(),)),
        Reader("csv", ".csv", (_written(TINY_PLAN, ".csv"),)),
        Reader("xlsx", ".xlsx", (_written(TINY_PLAN, ".xlsx"),)),
        Reader("icalendar", ".ics", (_written(TINY_PLAN, ".ics"),)),
        Reader("psplib", ".sm", (PSPLIB.encode(),)),
    ]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """A few random edits of ``data`` (see the module docstring)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(("flip", "truncate", "insert", "delete", "duplicate", "interesting", "number",
                           "number", "interesting"))
        at = rng.randint(0, max(0, len(out) - 1))
        if kind == "flip" and out:
            out[at] ^= 1 << rng.randint(0, 7)
        elif kind == "truncate" and rng.random() < 0.3:
            del out[at:]
        elif kind == "insert":
            out[at:at] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
        elif kind == "delete":
            del out[at:at + rng.randint(1, 32)]
        elif kind == "duplicate":
            chunk = bytes(out[at:at + rng.randint(1, 200)])
            out[at:at] = chunk * rng.randint(1, 4)
        elif kind == "interesting":
            out[at:at] = rng.choice(INTERESTING)
        else:  # replace one number of the file by an interesting value
            numbers = list(_NUMBER.finditer(bytes(out)))
            if numbers:
                match = rng.choice(numbers)
                out[match.start():match.end()] = rng.choice(INTERESTING)
    return bytes(out)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Mutate a file; a zip (xlsx) is mutated inside one of its members most of the time."""
    if data[:2] == b"PK" and rng.random() < 0.85:
        try:
            source = zipfile.ZipFile(io.BytesIO(data))
            members = {info.filename: source.read(info) for info in source.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            return mutate_bytes(rng, data)
        names = list(members)
        if rng.random() < 0.05 and names:  # drop a member (no sheets, no workbook, no styles...)
            members.pop(rng.choice(names))
        elif names:
            preferred = [n for n in names if "sheet" in n or "sharedStrings" in n] or names
            name = rng.choice(preferred)
            members[name] = mutate_bytes(rng, members[name])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name, body in members.items():
                target.writestr(name, body)
        return buffer.getvalue()
    return mutate_bytes(rng, data)


def reader_function(name: str) -> Callable[[str], object]:
    from pmfit.io.formats import FORMATS, _load_builtin_formats

    _load_builtin_formats()
    return FORMATS[name].read


def run_one(reader: str, data: bytes, suffix: str, folder: str | os.PathLike[str]) -> str | None:
    """Read ``data`` with ``reader`` and schedule what it gives: ``None``, or the crash as text."""
    import traceback

    from pmfit.importing import check_schedule

    path = Path(folder) / f"input{suffix}"
    path.write_bytes(data)
    read = reader_function(reader)
    try:
        plan, report = read(str(path))  # type: ignore[misc]
        if report.file_dates:
            check_schedule(plan, report)
        if plan.tasks:
            from pmfit.engine.schedule import schedule

            schedule(plan)
    except PlanError as exc:
        if not exc.diagnostics or not exc.diagnostics[0].code:
            return "PlanError without a diagnostic"
        return None
    except Exception:  # anything but PlanError is the crash being looked for
        return traceback.format_exc(limit=-6)
    return None
