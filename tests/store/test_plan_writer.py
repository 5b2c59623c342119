"""The workspace's part-by-part plan writer against the whole-plan writer, and the plan kept after an edit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmfit.io.yamlplan import parse_yaml, plan_to_data, read_plan_text, write_plan_text
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan, Progress, TaskProgress
from pmfit.store import Store
from pmfit.workspace import Workspace
from pmfit.workspace.edit import plan_from_data
from pmfit.workspace.writer import PlanTextWriter, with_parts_of

ROOT = Path(__file__).parents[2]


def _plans() -> list[tuple[str, Plan]]:
    """The example plans and the golden cases' plans (their ``plan:`` text)."""
    import yaml

    out = [(path.name, read_plan_text(path.read_text(encoding="utf-8"), path.name))
           for path in sorted(ROOT.glob("examples/*.yaml"))]
    for path in sorted(ROOT.glob("tests/cases/**/*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(case, dict) and isinstance(case.get("plan"), str) and "errors" not in path.parts:
            out.append((path.name, read_plan_text(case["plan"], path.name)))
    return out


def _lengthened(plan: Plan, index: int, days: int) -> Plan:
    leaves = [t for t in plan.tasks if t.duration is not None]
    target = leaves[index % len(leaves)]
    return plan.model_copy(update={"tasks": [
        t.model_copy(update={"duration": Duration.parse(f"{days}d"), "estimate": None}) if t is target else t
        for t in plan.tasks]})


def test_the_plans_are_many() -> None:
    assert len(_plans()) >= 20  # the comparison below covers calendars, constraints, progress, baselines


@pytest.mark.parametrize(("name", "plan"), _plans(), ids=lambda v: v if isinstance(v, str) else "")
def test_the_text_is_byte_equal_to_the_whole_plan_writer_before_and_after_edits(name: str, plan: Plan) -> None:
    writer = PlanTextWriter()
    assert writer.write(plan) == write_plan_text(plan)
    edited = _lengthened(plan, 1, 17)
    assert writer.write(edited) == write_plan_text(edited)  # one task emitted again, the rest reused
    again = _lengthened(edited, 2, 3)
    assert writer.write(again) == write_plan_text(again)
    fewer = again.model_copy(update={"tasks": again.tasks[:-1] if len(again.tasks) > 1 else again.tasks})
    leaf = next(t for t in fewer.tasks if t.duration is not None and t.duration.minutes() > 0)
    status = Progress(status_date=dt.date(2027, 3, 1), tasks={
        leaf.id: TaskProgress(percent_complete=40, actual_start=dt.date(2027, 1, 4))})
    progressed = fewer.model_copy(update={"progress": status})
    assert writer.write(progressed) == write_plan_text(progressed)
    assert writer.write(progressed) == write_plan_text(progressed)  # all of it reused
    assert parse_yaml(writer.write(progressed))[0] == plan_to_data(progressed)  # the same data read back


@pytest.mark.parametrize(("name", "plan"), _plans()[:12], ids=lambda v: v if isinstance(v, str) else "")
def test_an_edit_made_on_plain_data_reuses_the_base_parts_and_writes_the_same_text(name: str, plan: Plan) -> None:
    """The web's edits validate the whole plan from data (every part a new object): the parts equal to
    the base's become the base's own objects, and the text is still the whole-plan writer's."""
    data = plan_to_data(plan)
    leaf = next(i for i, t in enumerate(plan.tasks) if t.duration is not None)
    data["tasks"][leaf] = {**data["tasks"][leaf], "duration": "17d"}
    data["tasks"][leaf].pop("estimate", None)
    data["tasks"].reverse()  # moved parts are found by their id
    edited = plan_from_data(data)
    assert all(a is not b for a, b in zip(edited.tasks, reversed(plan.tasks), strict=True))
    kept = with_parts_of(edited, plan)
    assert kept == edited
    changed = plan.tasks[leaf].id
    base_objects = {id(t) for t in plan.tasks}
    assert [id(t) in base_objects for t in kept.tasks] == [t.id != changed for t in kept.tasks]
    assert all(any(r is b for b in plan.resources) for r in kept.resources)
    assert (kept.progress is plan.progress) if plan.progress is not None else kept.progress is None
    writer = PlanTextWriter()
    writer.write(plan)
    assert writer.write(kept) == write_plan_text(kept) == write_plan_text(edited)


def test_a_small_part_budget_still_writes_the_whole_text() -> None:
    name, plan = _plans()[0]
    writer = PlanTextWriter(max_parts=2)
    for days in (4, 5, 6):
        edited = _lengthened(plan, days, days)
        assert writer.write(edited) == write_plan_text(edited), name


def test_an_edit_keeps_the_saved_plan_equal_to_what_its_stored_text_reads_as(tmp_path: Path) -> None:
    from pmfit.web.pages.views import edit_task, record_progress

    text = (ROOT / "examples" / "software-release.yaml").read_text(encoding="utf-8")
    with Workspace(Store(f"sqlite:///{tmp_path / 'store.db'}", must_exist=False)) as ws:
        ws.store.init()
        ws.import_bytes(text.encode(), "software-release.yaml", project_id="sr")
        base = ws.version("sr")
        task = next(t.id for t in ws.get("sr").plan.tasks if t.duration is not None)
        saved = edit_task(ws, "sr", base.id, task, duration="13d", not_before="2027-02-01", author="a")
        kept = ws.get("sr").plan  # from the workspace's memory, not parsed again
        assert ws.get("sr").version.id == saved.id
        assert kept == read_plan_text(ws.store.content(saved.id).decode(), "stored")
        assert str(kept.task(task).duration) == "13d"
        saved = record_progress(ws, "sr", saved.id, task, percent=30, status_date=None, author="a")
        kept = ws.get("sr").plan
        assert kept == read_plan_text(ws.store.content(saved.id).decode(), "stored")
        assert kept.progress is not None and kept.progress.tasks[task].percent_complete == 30


def test_a_server_workspace_writes_the_head_once_in_the_background_so_the_first_edit_reuses_it(
        tmp_path: Path) -> None:
    import threading

    text = (ROOT / "examples" / "software-release.yaml").read_text(encoding="utf-8")
    with Workspace(Store(f"sqlite:///{tmp_path / 'store.db'}", must_exist=False), warm_edits=True) as ws:
        ws.store.init()
        ws.import_bytes(text.encode(), "software-release.yaml", project_id="sr")
        plan = ws.get("sr").plan
        for thread in threading.enumerate():
            if thread.name == "pmfit-warm-edits":
                thread.join(timeout=60)
        before = len(ws._writer._parts)
        assert before >= len(plan.tasks)  # every task's text is ready
        ws.get("sr")  # the same head again: not written again
        assert [t.name for t in threading.enumerate()].count("pmfit-warm-edits") == 0
        edited = _lengthened(plan, 3, 21)
        saved = ws.commit("sr", ws.version("sr").id, plan=edited, author="a")
        assert ws.text(saved.version) == write_plan_text(edited)
        assert len(ws._writer._parts) == before + 1  # one task emitted again
