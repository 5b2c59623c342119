"""GNOME Planner files read by pmfit and by an independent reader, MPXJ (Java), side by side.

Compared: task ids and names, every link with its type and lag, durations (MPXJ, like pmfit,
takes the working time between start and end on the project calendar), resources and
assignments. Skipped without the ``mpxj`` package or a Java runtime.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import SHARED, require_mpxj

from pmfit.io import planner

pytestmark = pytest.mark.java

require_mpxj()

FILES = ["gnome-planner-sample-1.planner", "mpxj-planner-calendar.planner", "mpxj-planner-resource.planner",
         "mpxj-planner-sample.planner"]


def _minutes(duration: Any, project: Any) -> int:
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    if duration is None:
        return 0
    return round(float(duration.convertUnits(TimeUnit.MINUTES, project.getProjectProperties()).getDuration()))


@pytest.mark.parametrize("name", FILES)
def test_planner_files_agree_with_mpxj(name: str) -> None:
    from pmfit.io.mpp import mpxj_read

    path = SHARED / "projects" / "planner" / name
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    project = mpxj_read(str(path))
    plan, _ = planner.read(str(path))
    theirs = {str(t.getUniqueID()): t for t in project.getTasks() if t.getUniqueID() is not None}
    assert set(theirs) == {t.id for t in plan.tasks}
    summaries = plan.summary_ids()
    for task in plan.tasks:
        other = theirs[task.id]
        assert task.name == str(other.getName())
        assert task.milestone == bool(other.getMilestone())
        if task.id not in summaries:
            assert task.planned_duration().minutes() == _minutes(other.getDuration(), project), task.id
    ours = {(link.task, t.id, link.type.value, link.lag.minutes()) for t in plan.tasks for link in t.after}
    their_links = {(str(r.getPredecessorTask().getUniqueID()), str(r.getSuccessorTask().getUniqueID()),
                    str(r.getType()), _minutes(r.getLag(), project))
                   for t in theirs.values() for r in t.getPredecessors()}
    assert ours == their_links
    assert [r.id for r in plan.resources] == [str(r.getUniqueID()) for r in project.getResources()
                                              if r.getUniqueID() is not None]
    pairs = {(str(a.getTask().getUniqueID()), str(a.getResource().getUniqueID()))
             for a in project.getResourceAssignments() if a.getResource() is not None}
    assert {(t.id, r) for t in plan.tasks for r in t.needs} == pairs
