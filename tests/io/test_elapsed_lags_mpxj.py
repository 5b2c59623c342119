"""MPXJ (the reader behind ProjectLibre) reads pmfit's exported elapsed lags as elapsed lags."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import require_mpxj

from pmfit.api import export_plan
from pmfit.io.yamlplan import read_plan_text

pytestmark = pytest.mark.java

require_mpxj()

PLAN = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: a, name: design, duration: 5d}
  - {id: b, name: build, duration: 1d, after: ["a FS+3ed"]}
  - {id: c, name: test, duration: 2d, after: ["a SS+40eh"]}
"""


@pytest.mark.parametrize(("suffix", "expected"), [
    # MPXJ shows its TimeUnit as MS Project abbreviates it: ed = ELAPSED_DAYS, eh = ELAPSED_HOURS
    (".xml", {"build": ("ed", 3.0), "test": ("eh", 40.0)}),
    (".mpx", {"build": ("ed", 3.0), "test": ("eh", 40.0)}),
])
def test_mpxj_reads_the_exported_lag_as_elapsed(suffix: str, expected: dict[str, tuple[str, float]],
                                                tmp_path: Path) -> None:
    from pmfit.io.mpp import mpxj_read

    out = tmp_path / f"plan{suffix}"
    export_plan(read_plan_text(PLAN), out)
    project = mpxj_read(str(out))
    lags = {}
    for task in project.getTasks():
        for relation in task.getPredecessors():
            lag = relation.getLag()
            lags[str(task.getName())] = (str(lag.getUnits()), float(lag.getDuration()))
    assert lags == expected


def test_mpxj_reads_planner_lags_as_the_calendar_time_pmfit_wrote(tmp_path: Path) -> None:
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    from pmfit.io.mpp import mpxj_read

    out = tmp_path / "plan.planner"
    export_plan(read_plan_text(PLAN), out)
    project = mpxj_read(str(out))
    props = project.getProjectProperties()
    minutes = {str(t.getName()): round(float(r.getLag().convertUnits(TimeUnit.MINUTES, props).getDuration()))
               for t in project.getTasks() for r in t.getPredecessors()}
    assert minutes == {"build": 3 * 1440, "test": 40 * 60}


@pytest.mark.parametrize(("fmt", "suffix"), [("mspdi", ".xml"), ("mpx", ".mpx"), ("planner", ".planner"),
                                             ("xer", ".xer"), ("p6xml", ".pmxml"), ("ganttproject", ".gan")])
def test_mpxj_and_pmfit_read_each_export_with_elapsed_lags_alike(fmt: str, suffix: str, tmp_path: Path) -> None:
    from pmfit.io.mpxjcheck import crosscheck

    out = tmp_path / f"plan{suffix}"
    export_plan(read_plan_text(PLAN + '  - {id: d, name: ship, duration: 1d, after: ["b FS+1ew", "c FF-1ed"]}\n'),
                out)
    assert crosscheck(str(out), fmt) == []
