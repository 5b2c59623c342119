"""pmfit's readers against an independent reader, MPXJ (Java), on the same shared files.

Compared: task counts, every link with its type and lag, resources, real assignments, and the
start/finish dates stored in each file. Skipped without the ``mpxj`` package or a Java runtime.
MPXJ's own known gaps are minded: it keeps only top-level dependencies in GanttProject files
(not compared here), reads only the first project of an XER unless told otherwise (every shared
XER holds one project), and needs the locale for non-English MPX (the shared MPX files are English).
It also counts the project's own WBS node and MS Project's task 0 as tasks; both are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SHARED, require_mpxj

from pmfit.importing import import_file

pytestmark = pytest.mark.java

require_mpxj()

PROJECTS = SHARED / "projects"
MS_FILES = [
    "mspdi/mpxj-legacy-sample.xml", "mspdi/mpxj-task-links-project2019.xml", "mspdi/mpxj-baselines.xml",
    "mspdi/mpxj-enterprise.xml", "mspdi/ganttproject-holidays.xml", "mspdi/mpxj-calendar-calendars-project2019.xml",
    "mpx/mpxj-legacy-sample.mpx", "mpx/mpxj-task-links-project98.mpx",
]
P6_FILES = [
    "xer/p6viewer-terminal-building-airport.xer", "xer/xer-parser-construction.xer", "xer/xernative-takt-sample.xer",
    "xer/mpxj-percent-complete-8.4.xer", "xer/mpxj-resource-rates-test.xer", "xer/mpxj-predecessor-calendar.xer",
    "p6xml/derived-mpxj-terminal-building-airport.xml", "p6xml/mpxj-percent-complete-8.4.pmxml",
]


@pytest.fixture(scope="session")
def mpxj() -> Any:
    """MPXJ reads, cached: the JVM starts once per test session."""
    from pmfit.io.mpp import mpxj_read

    cache: dict[str, Any] = {}

    def read(path: Path) -> Any:
        if str(path) not in cache:
            cache[str(path)] = mpxj_read(str(path))
        return cache[str(path)]

    return read


def _path(name: str) -> Path:
    path = PROJECTS / name
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


def _minutes(duration: Any, project: Any) -> float:
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    if duration is None:
        return 0.0
    return float(duration.convertUnits(TimeUnit.MINUTES, project.getProjectProperties()).getDuration())


def _when(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value))


def _as_dt(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)


@pytest.mark.parametrize("name", MS_FILES)
def test_ms_project_files_agree_with_mpxj(name: str, mpxj: Any) -> None:
    path = _path(name)
    project = mpxj(path)
    plan, report = import_file(path)
    theirs = [t for t in project.getTasks() if t.getUniqueID() is not None and int(t.getUniqueID()) != 0]
    assert len(plan.tasks) == len(theirs)
    assert {t.id for t in plan.tasks} == {str(t.getUniqueID()) for t in theirs}
    our_links = Counter((x.task, t.id, x.type.value, round(x.lag.minutes(plan.project.calendar.minutes_per_day)))
                        for t in plan.tasks for x in t.after)
    their_links = Counter((str(r.getPredecessorTask().getUniqueID()), str(r.getSuccessorTask().getUniqueID()),
                           str(r.getType()), round(_minutes(r.getLag(), project)))
                          for t in theirs for r in t.getPredecessors())
    assert our_links == their_links
    named = {str(r.getName()) for r in project.getResources()
             if r.getUniqueID() is not None and int(r.getUniqueID()) != 0 and r.getName()}
    assert {r.name for r in plan.resources} >= named
    real = [a for a in project.getResourceAssignments()
            if a.getResource() is not None and a.getResourceUniqueID() is not None
            and int(a.getResourceUniqueID()) != 0 and not a.getTask().getSummary()]
    pairs = {(str(a.getTask().getUniqueID()), str(a.getResource().getName())) for a in real}
    ours = {(t.id, plan.resource(r).name) for t in plan.tasks for r in t.needs}
    assert ours == pairs
    for task in theirs:
        start, finish = report.file_dates.get(str(task.getUniqueID()), (None, None))
        assert _as_dt(start) == _when(task.getStart()) or (start is None and task.getStart() is None)
        if not isinstance(finish, dt.datetime) and finish is not None:  # MPX finishes are days
            assert finish == _when(task.getFinish()).date()
        else:
            assert finish == _when(task.getFinish())


@pytest.mark.parametrize("name", P6_FILES)
def test_primavera_files_agree_with_mpxj(name: str, mpxj: Any) -> None:
    path = _path(name)
    project = mpxj(path)
    plan, report = import_file(path)
    theirs = [t for t in project.getTasks() if not t.getSummary() and t.getActivityID() is not None]
    activities = {t.id for t in plan.tasks if t.duration is not None or t.milestone}
    assert activities == {str(t.getActivityID()) for t in theirs}
    our_links = Counter((x.task, t.id, x.type.value, round(x.lag.minutes(plan.project.calendar.minutes_per_day)))
                        for t in plan.tasks for x in t.after)
    their_links = Counter((str(r.getPredecessorTask().getActivityID()), str(r.getSuccessorTask().getActivityID()),
                           str(r.getType()), round(_minutes(r.getLag(), project)))
                          for t in theirs for r in t.getPredecessors())
    assert our_links == their_links
    # roles are reported as dropped by pmfit; MPXJ lists them as resources
    assert {r.name for r in plan.resources} == {str(r.getName()) for r in project.getResources()
                                                if r.getName() is not None and not r.getRole()}
    real = {(str(a.getTask().getActivityID()), str(a.getResource().getName()))
            for a in project.getResourceAssignments() if a.getResource() is not None and not a.getResource().getRole()}
    assert {(t.id, plan.resource(r).name) for t in plan.tasks for r in t.needs} == real
    for task in theirs:
        start, finish = report.file_dates[str(task.getActivityID())]
        assert start == _when(task.getStart())
        assert finish == _when(task.getFinish())
