"""Primavera P6 XML against its XER twins: the same activities, links, resources, progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.importing import import_file
from pmfit.io.formats import detect_format
from pmfit.io.p6xml import read_p6xml
from pmfit.model.diagnostics import PlanError


def _leaves(plan: object) -> dict[str, object]:
    summaries = plan.summary_ids()  # type: ignore[attr-defined]
    return {t.id: t for t in plan.tasks if t.id not in summaries}  # type: ignore[attr-defined]


@pytest.mark.parametrize("xml, xer", [
    ("derived-mpxj-terminal-building-airport.xml", "p6viewer-terminal-building-airport.xer"),
    ("mpxj-percent-complete-8.4.pmxml", "mpxj-percent-complete-8.4.xer"),
])
def test_p6_xml_reads_like_its_xer_twin(xml: str, xer: str) -> None:
    a, report = import_file(shared_path("projects", "p6xml", xml))
    b, _ = import_file(shared_path("projects", "xer", xer))
    assert report.format == "p6xml"
    la, lb = _leaves(a), _leaves(b)
    assert set(la) == set(lb)
    for tid, task in la.items():
        other = lb[tid]
        assert task.name == other.name  # type: ignore[attr-defined]
        assert task.planned_duration().minutes() == other.planned_duration().minutes()  # type: ignore[attr-defined]
        assert sorted(map(str, task.after)) == sorted(map(str, other.after))  # type: ignore[attr-defined]
        assert task.needs == pytest.approx(other.needs)  # type: ignore[attr-defined]
        assert task.milestone == other.milestone  # type: ignore[attr-defined]
    pa = a.progress.tasks if a.progress else {}
    pb = b.progress.tasks if b.progress else {}
    assert set(pa) == set(pb)
    for tid in pa:
        assert pa[tid].percent_complete == pytest.approx(pb[tid].percent_complete, abs=0.01)
        assert pa[tid].actual_start == pb[tid].actual_start
    assert {r.id for r in a.resources} == {r.id for r in b.resources}


def test_terminal_p6_xml_reproduces_p6_dates() -> None:
    _plan, report = import_file(shared_path("projects", "p6xml", "derived-mpxj-terminal-building-airport.xml"))
    assert report.schedule_checked == 66
    assert report.schedule_differences == []
    assert "84 links" in report.read


def test_not_p6_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<APIBusinessObjects xmlns='http://xmlns.oracle.com/Primavera/P6/V8.4/API/BusinessObjects'/>")
    assert detect_format(path).name == "p6xml"
    with pytest.raises(PlanError) as info:
        read_p6xml(str(path))
    assert info.value.codes == ["bad_file"]


@pytest.mark.parametrize("name", ["xer/p6viewer-terminal-building-airport.xer", "xer/mpxj-percent-complete-8.4.xer",
                                  "mpp/projectlibre-ms-project-2003-deployment.mpp"])
def test_writer_holds_what_the_xer_writer_holds(name: str, tmp_path) -> None:
    """P6 XML and XER carry the same objects: a plan written both ways reads back the same."""
    from pmfit.api import export_file
    from pmfit.io.formats import import_file

    plan, _ = import_file(shared_path("projects", *name.split("/")), check=False)
    export_file(plan, tmp_path / "plan.xer")
    export_file(plan, tmp_path / "plan.pmxml")
    via_xer, _ = import_file(tmp_path / "plan.xer", check=False)
    via_xml, report = import_file(tmp_path / "plan.pmxml", check=False)
    assert report.format == "p6xml"
    assert via_xml.tasks == via_xer.tasks
    assert via_xml.resources == via_xer.resources
    assert via_xml.progress == via_xer.progress
    assert via_xml.project.calendar == via_xer.project.calendar
