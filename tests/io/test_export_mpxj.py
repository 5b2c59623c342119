"""Exports of real plans open in MPXJ (the reader behind ProjectLibre) and MPXJ reads them as pmfit does.

Each shared file is imported, exported in every format MPXJ reads, and the export is read by MPXJ
and by pmfit: tasks, summaries, links (type, lag), resources, assignments, durations, constraints,
progress (percent, actual dates) and the first baseline must agree. A sample of the shared files
keeps this under a few seconds; ``tools/mpxj_sweep.py`` runs every file (figures in BENCHMARKS.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import require_mpxj, shared_path

from pmfit.api import export_file
from pmfit.io.formats import FORMATS, import_file

pytestmark = pytest.mark.java

require_mpxj()

SAMPLE = [
    "xer/p6viewer-terminal-building-airport.xer",   # WBS, resources, assignments
    "xer/xer-parser-construction.xer",              # quotes in names (1"" pipe)
    "xer/mpxj-percent-complete-8.4.xer",            # progress of every kind
    "mpp/projectlibre-ms-project-2003-deployment.mpp",  # 322 tasks, links on summary tasks
    "mspdi/mpxj-legacy-sample.xml",                 # all link types with lags, constraints
    "mspdi/mpxj-baselines.xml",                     # baselines 1..10
    "gan/ganttproject-house-building-sample.gan",   # progress with day-only dates
    "jira/jira-cloud-rss.xml",                      # text beyond cp1252 (£ and others)
    "planner/gnome-planner-sample-1.planner",
]
EXTENSIONS = {"mspdi": ".xml", "xer": ".xer", "p6xml": ".pmxml", "mpx": ".mpx", "ganttproject": ".gan",
              "planner": ".planner"}


def _writable() -> list[str]:
    from pmfit.io.formats import _load_builtin_formats
    from pmfit.io.mpxjcheck import MPXJ_READS

    _load_builtin_formats()
    return [f for f in MPXJ_READS if f in FORMATS and FORMATS[f].write is not None]


@pytest.mark.parametrize("name", SAMPLE)
def test_mpxj_reads_every_export_as_pmfit_does(name: str, tmp_path: Path) -> None:
    from pmfit.io.mpxjcheck import crosscheck

    plan, _ = import_file(shared_path("projects", *name.split("/")), check=False)
    for fmt in _writable():
        out = tmp_path / f"export{EXTENSIONS[fmt]}"
        export_file(plan, out, fmt)
        assert crosscheck(str(out), fmt) == [], fmt


def test_the_check_sees_a_difference(tmp_path: Path) -> None:
    """The comparison is not blind: a lag MPXJ reads differently from pmfit's plan is reported."""
    from pmfit.io.mpp import mpxj_read
    from pmfit.io.mpxjcheck import compare, crosscheck, mpxj_view, plan_view

    plan, _ = import_file(shared_path("projects", "mspdi", "mpxj-legacy-sample.xml"), check=False)
    out = tmp_path / "export.xml"
    export_file(plan, out, "mspdi")
    text = out.read_text(encoding="utf-8")
    first = text.index("<LinkLag>")
    end = text.index("</LinkLag>", first)
    out.write_text(text[:first] + "<LinkLag>48000" + text[end:], encoding="utf-8")  # 4800 minutes
    assert crosscheck(str(out), "mspdi") == []  # both readers see the new lag ...
    problems = compare(plan_view(plan), mpxj_view(mpxj_read(str(out)), "mspdi", plan))
    assert len(problems) == 1 and problems[0].startswith("links:")  # ... which is not the plan's
    assert ", 4800), 1)" in problems[0]
