"""GanttProject files read by pmfit and by an independent reader, MPXJ (Java), side by side.

MPXJ numbers GanttProject tasks id + 1 and keeps only the dependencies written in top-level
tasks (its known gap: a ``<depend>`` sits in the predecessor), so the check is: the same tasks
with the same names, starts, finishes and durations; MPXJ's links are exactly pmfit's links whose
predecessor is a top-level task; the same resources and the same task-resource assignments. Skipped without the ``mpxj`` package or a Java runtime.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.conftest import SHARED, require_mpxj

from pmfit.io import gan

pytestmark = pytest.mark.java

require_mpxj()

FILES = ["ganttproject-house-building-sample.gan", "ts-gan-baseline-with-subtasks.gan",
         "ts-gan-task-with-custom-properties.gan", "ts-gan-task-with-dependencies.gan"]


def _when(value: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


@pytest.mark.parametrize("name", FILES)
def test_ganttproject_files_agree_with_mpxj(name: str) -> None:
    from pmfit.io.mpp import mpxj_read

    path = SHARED / "projects" / "gan" / name
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    project = mpxj_read(str(path))  # starts the JVM
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    plan, report = gan.read(str(path))
    theirs = {str(int(t.getUniqueID()) - 1): t for t in project.getTasks() if t.getUniqueID() is not None}
    assert set(theirs) == {t.id for t in plan.tasks}
    summaries = plan.summary_ids()
    for task in plan.tasks:
        other = theirs[task.id]
        assert task.name == str(other.getName()).strip()
        start, finish = report.file_dates[task.id]
        if not task.milestone:  # pmfit writes a milestone at the end of the previous working day
            assert start.date() == _when(other.getStart()).date()
            assert finish == _when(other.getFinish())
        if task.id not in summaries:
            days = float(other.getDuration().convertUnits(TimeUnit.DAYS, project.getProjectProperties())
                         .getDuration())
            assert task.planned_duration().minutes() == round(days * 480)
    top = {t.id for t in plan.tasks if t.parent is None}
    # a <depend> element sits in the predecessor; MPXJ reads those of top-level <task> elements only
    ours = {(link.task, t.id, link.type.value, link.lag.minutes()) for t in plan.tasks for link in t.after
            if link.task in top}
    their_links = {(str(int(r.getPredecessorTask().getUniqueID()) - 1), str(int(r.getSuccessorTask().getUniqueID()) - 1),
                    str(r.getType()), round(float(r.getLag().convertUnits(TimeUnit.MINUTES,
                                                                          project.getProjectProperties()).getDuration())))
                   for t in theirs.values() for r in t.getPredecessors()}
    assert ours == their_links
    assert sorted(r.name for r in plan.resources) == sorted(
        str(r.getName()) for r in project.getResources() if r.getName() is not None)
    pairs = {(str(int(a.getTask().getUniqueID()) - 1), str(a.getResource().getName()))
             for a in project.getResourceAssignments() if a.getResource() is not None}
    assert {(t.id, plan.resource(r).name) for t in plan.tasks for r in t.needs} == pairs


def test_pmfit_keeps_the_nested_dependencies_mpxj_drops() -> None:
    from pmfit.io.mpp import mpxj_read

    path = SHARED / "projects" / "gan" / "ganttproject-house-building-sample.gan"
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    their_count = sum(len(list(t.getPredecessors())) for t in mpxj_read(str(path)).getTasks())
    plan, _ = gan.read(str(path))
    assert (their_count, sum(len(t.after) for t in plan.tasks)) == (3, 17)  # 17 <depend> elements in the file
