"""Round trips: MSPDI -> plan -> MSPDI -> plan and XER -> plan -> XER -> plan lose nothing the model
carries (tasks, outline, links with type and lag, calendars, resources, assignments, baselines,
progress), on every shared file of those formats and on generated plans (hypothesis)."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import SHARED

from pmfit.api import export_dates
from pmfit.importing import import_file
from pmfit.io.mspdi import mspdi_text, write_mspdi
from pmfit.io.xer import write_xer, xer_text
from pmfit.io.yamlplan import plan_from_data
from pmfit.model.plan import Plan

PROJECTS = SHARED / "projects"
MSPDI = sorted(p.name for p in (PROJECTS / "mspdi").glob("*.xml")) if PROJECTS.exists() else []
XER = sorted(p.name for p in (PROJECTS / "xer").glob("*.xer")) if PROJECTS.exists() else []
# files of other formats that reach MSPDI / XER through the same model
VIA_MSPDI = ["mpx/mpxj-legacy-sample.mpx", "mpx/mpxj-task-links-project98.mpx"]
VIA_XER = ["p6xml/derived-mpxj-terminal-building-airport.xml", "p6xml/mpxj-percent-complete-8.4.pmxml"]


def _shared(*parts: str) -> Path:
    path = PROJECTS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


def _through(plan: Plan, writer: Any, suffix: str, tmp_path: Path) -> Plan:
    out = tmp_path / f"again{suffix}"
    writer(plan, str(out), schedule=export_dates(plan))  # the dates pmfit.export_file writes
    back, _ = import_file(out, check=False)
    return back


@pytest.mark.parametrize("name", [f"mspdi/{n}" for n in MSPDI] + VIA_MSPDI)
def test_mspdi_round_trip_is_exact(name: str, tmp_path: Path) -> None:
    first, _ = import_file(_shared(name), check=False)
    second = _through(first, write_mspdi, ".xml", tmp_path)
    assert second == first
    assert second.baselines == first.baselines
    assert [r.calendar for r in second.resources] == [r.calendar for r in first.resources]
    # writing the re-read plan gives the same file again
    assert mspdi_text(second, export_dates(second)) == mspdi_text(first, export_dates(first))


@pytest.mark.parametrize("name", [f"xer/{n}" for n in XER] + VIA_XER)
def test_xer_round_trip_is_exact(name: str, tmp_path: Path) -> None:
    first, _ = import_file(_shared(name), check=False)
    second = _through(first, write_xer, ".xer", tmp_path)
    # P6 keeps a baseline as a separate project: an XER export carries none (its export report says so),
    # and its planned dates are the current ones, so reading it back invents none either
    assert second == first.model_copy(update={"baselines": []})
    assert xer_text(second, export_dates(second)).split("\r\n", 1)[1] == \
        xer_text(first, export_dates(first)).split("\r\n", 1)[1]


# ---- generated plans --------------------------------------------------------------
NAMES = st.text(alphabet=string.ascii_letters + "äé &<>'\"", min_size=1, max_size=12).map(str.strip).filter(bool)
UNITS = st.sampled_from(["d", "h"])


@st.composite
def plans(draw: st.DrawFn, nested: bool = True) -> dict[str, Any]:
    n = draw(st.integers(2, 12))
    resources = [{"id": f"r{i}", "units": draw(st.sampled_from([1, 2, 0.5, 3]))} for i in range(draw(st.integers(0, 3)))]
    tasks: list[dict[str, Any]] = []
    summaries: list[str] = []
    for i in range(n):
        tid = f"t{i}"
        task: dict[str, Any] = {"id": tid, "name": draw(NAMES)}
        if summaries and draw(st.booleans()):
            task["parent"] = draw(st.sampled_from(summaries))
        if draw(st.integers(0, 4)) == 0 and (nested or "parent" not in task):
            summaries.append(tid)
            tasks.append(task)
            continue
        if draw(st.integers(0, 5)) == 0:
            task["milestone"] = True
        else:
            task["duration"] = f"{draw(st.integers(1, 15))}{draw(UNITS)}"
        leaves = [t["id"] for t in tasks if t["id"] not in summaries]
        links = []
        for pred in draw(st.lists(st.sampled_from(leaves), max_size=2, unique=True)) if leaves else []:
            kind = draw(st.sampled_from(["FS", "SS", "FF", "SF"]))
            lag = draw(st.integers(-2, 3))
            links.append(f"{pred} {kind}{'+' if lag >= 0 else '-'}{abs(lag)}{draw(UNITS)}" if lag else f"{pred} {kind}")
        if links:
            task["after"] = links
        if resources and draw(st.booleans()):
            task["needs"] = {draw(st.sampled_from([r["id"] for r in resources])): draw(st.sampled_from([1, 0.5, 2]))}
        tasks.append(task)
    # a summary without children is a plain task to every tool
    used = {t.get("parent") for t in tasks}
    for task in tasks:
        if task["id"] in summaries and task["id"] not in used:
            task["duration"] = "1d"
    return {"project": {"name": draw(NAMES), "start": "2027-03-01",
                        "calendar": {"holidays": ["2027-03-10"]}},
            "resources": resources, "tasks": tasks}


def _key(plan: Plan) -> list[Any]:
    """What must survive, durations and lags compared in working minutes."""
    return [(t.id, t.name, t.parent, t.milestone, t.planned_duration().minutes(), t.needs,
             [(x.task, x.type, x.lag.minutes()) for x in t.after]) for t in plan.tasks]


def _outline(plan: Plan) -> Plan:
    """The plan with its tasks in outline order (children right after their parent), as MSPDI stores them."""
    children: dict[str | None, list[Any]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent, []).append(task)
    ordered: list[Any] = []

    def walk(parent: str | None) -> None:
        for task in children.get(parent, []):
            ordered.append(task)
            walk(task.id)

    walk(None)
    return plan.model_copy(update={"tasks": ordered})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plans())
def test_generated_plans_survive_mspdi(data: dict[str, Any]) -> None:
    plan = plan_from_data(data)
    with tempfile.TemporaryDirectory() as tmp:
        back = _through(plan, write_mspdi, ".xml", Path(tmp))
    assert back == _outline(plan)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plans(nested=False))
def test_generated_plans_survive_xer(data: dict[str, Any]) -> None:
    plan = plan_from_data(data)
    with tempfile.TemporaryDirectory() as tmp:
        back = _through(plan, write_xer, ".xer", Path(tmp))
    # P6 orders activities by WBS, not in one list with the WBS nodes: compare by id
    assert sorted(_key(back), key=str) == sorted(_key(plan), key=str)
    assert [r.units for r in back.resources] == [r.units for r in plan.resources]


PER_USE = """\
project: {name: Fees, start: 2027-03-01}
resources:
  - {id: auditor, name: Auditor, rate: 500/use}
  - {id: dev, name: Developer, rate: 100/h}
  - {id: cable, name: Cable, kind: material, rate: 2/use}
tasks:
  - {id: audit, duration: 2d, needs: {auditor: 1}}
  - {id: build, duration: 3d, needs: {dev: 1, cable: 10}, after: [audit]}
"""


def test_per_use_fees_stay_per_use_in_ms_project_xml(tmp_path: Path) -> None:
    """500/use came back as 500/h: the budget grew from 3,100 to 14,600 without a word."""
    from pmfit.engine.baseline import task_costs
    from pmfit.engine.network import compile_plan
    from pmfit.io.yamlplan import read_plan_text

    plan = read_plan_text(PER_USE)
    back = _through(plan, write_mspdi, ".xml", tmp_path)
    assert {r.id: str(r.rate) for r in back.resources} == {"auditor": "500/use", "dev": "100/h", "cable": "2/use"}
    assert "<CostPerUse>500</CostPerUse>" in (tmp_path / "again.xml").read_text(encoding="utf-8")
    before = float(task_costs(plan, compile_plan(plan)).sum())
    assert before == 500 + 3 * 8 * 100 + 10 * 2
    assert float(task_costs(back, compile_plan(back)).sum()) == before


def test_per_use_fees_are_not_written_as_p6_hourly_rates(tmp_path: Path) -> None:
    from pmfit.io.yamlplan import read_plan_text

    back = _through(read_plan_text(PER_USE), write_xer, ".xer", tmp_path)
    assert back.resource("auditor").rate is None  # P6 labour has no per-use fee; the export report says so
    assert str(back.resource("dev").rate) == "100/h"
    assert str(back.resource("cable").rate) == "2/use"  # a material price per unit is what P6 keeps
