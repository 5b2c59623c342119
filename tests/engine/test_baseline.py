"""Baselines: what tasks cost, what a frozen baseline holds, and storing it without harming the plan."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pmfit
from pmfit.engine.baseline import (
    Accrual,
    baseline_calendar,
    freeze,
    period_ends,
    planned_value_at,
    task_costs,
    with_baseline,
)
from pmfit.engine.network import compile_plan
from pmfit.engine.track import earned_value
from pmfit.io.baselines import load_with_baselines, read_sidecar, sidecar_path, write_baseline

PLAN = """\
# a plan with comments that must survive
project: {name: Costs, start: 2027-01-04}   # Monday
resources:
  - {id: dev, rate: 95/h, units: 3}
  - {id: ops, rate: 760/d}
  - {id: lic, rate: 500/use, kind: material}
tasks:
  - {id: s, cost: 400}          # a summary's own fixed cost
  - {id: a, parent: s, duration: 2d, needs: {dev: 2}}
  - {id: b, parent: s, duration: 6d, after: [a], needs: {ops: 1, lic: 2}, cost: 100}
  - {id: m, milestone: true, after: [s]}
"""
# Hand-computed (8 h a day):
#   a: 2 x 95 x 16 h = 3040; plus 2/8 of s's 400 (shared by duration 2d : 6d) = 100 -> 3140
#   b: 760/d = 95/h x 48 h = 4560; licences 2 x 500 = 1000; fixed 100; plus 6/8 of 400 = 300 -> 5960
#   m: 0.  BAC = 9100.
#   a: Mon 4 - Tue 5; b: Wed 6 - Wed 13; m: Wed 13 17:00.


@pytest.fixture
def plan() -> pmfit.Plan:
    return pmfit.loads(PLAN)


def test_task_costs_by_hand(plan: pmfit.Plan) -> None:
    net = compile_plan(plan)
    costs = dict(zip(net.ids, task_costs(plan, net).tolist(), strict=True))
    assert costs == pytest.approx({"a": 3140.0, "b": 5960.0, "m": 0.0})


def test_freeze_holds_dates_work_cost_and_timephased_pv(plan: pmfit.Plan) -> None:
    base = freeze(plan, name="v1", period="week")
    assert base.name == "v1"
    assert base.cost == pytest.approx(9100)
    assert base.finish == dt.datetime(2027, 1, 13, 17, 0)
    a, b, s = base.tasks["a"], base.tasks["b"], base.tasks["s"]
    assert (a.start, a.finish, str(a.duration), str(a.work)) == (
        dt.datetime(2027, 1, 4, 8), dt.datetime(2027, 1, 5, 17), "2d", "32h")
    assert str(b.work) == "48h"   # ops is a work resource; lic is material
    assert s.cost == pytest.approx(9100) and s.parent is None and a.parent == "s"
    assert base.tasks["m"].milestone
    # weeks end Sun 10 and Sun 17 Jan: by Sun 10, a (3140) and 3 of b's 6 days (2980) -> 6120
    assert [p.date for p in base.timephased] == [dt.date(2027, 1, 10), dt.date(2027, 1, 17)]
    assert [p.pv for p in base.timephased] == pytest.approx([6120.0, 9100.0])


def test_period_ends() -> None:
    assert period_ends(dt.date(2027, 1, 27), dt.date(2027, 3, 2), "month") == [
        dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    assert period_ends(dt.date(2027, 1, 4), dt.date(2027, 1, 6), "day")[-1] == dt.date(2027, 1, 6)
    with pytest.raises(ValueError):
        period_ends(dt.date(2027, 1, 4), dt.date(2027, 1, 6), "fortnight")


def test_a_baseline_never_changes_when_the_plan_changes(plan: pmfit.Plan) -> None:
    base = freeze(plan)
    changed = pmfit.loads(PLAN.replace("rate: 95/h", "rate: 150/h").replace("duration: 6d", "duration: 9d")
                          .replace("start: 2027-01-04}", "start: 2027-01-04, calendar: {hours: 6}}"))
    cal_before = baseline_calendar(base, plan)
    cal_after = baseline_calendar(base, changed)
    day = dt.date(2027, 1, 8)
    before = planned_value_at(base, cal_before, np.array([cal_before.day_end(day)]))
    after = planned_value_at(base, cal_after, np.array([cal_after.day_end(day)]))
    assert after == pytest.approx(before)
    with_base = with_baseline(changed, base)
    assert earned_value(with_base, as_of=day).project.bac == pytest.approx(9100)


def test_with_baseline_refuses_a_taken_name_unless_replacing(plan: pmfit.Plan) -> None:
    one = with_baseline(plan, freeze(plan, name="b1"))
    with pytest.raises(pmfit.PlanError) as err:
        with_baseline(one, freeze(plan, name="b1"))
    assert err.value.codes == ["baseline_exists"]
    two = with_baseline(one, freeze(plan, name="b1").model_copy(update={"cost": 1.0}), replace=True)
    assert [b.name for b in two.baselines] == ["b1"] and two.baseline("b1").cost == 1.0
    assert plan.baselines == []  # the original plan is untouched


def test_api_baseline_returns_a_new_plan(plan: pmfit.Plan) -> None:
    out = pmfit.baseline(plan, name="first")
    assert [b.name for b in out.baselines] == ["first"] and plan.baselines == []


# ---- storing baselines -------------------------------------------------------------
def _write(tmp_path: Path, text: str = PLAN, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_write_into_plan_file_keeps_every_other_byte(tmp_path: Path, plan: pmfit.Plan) -> None:
    path = _write(tmp_path)
    os.chmod(path, 0o640)
    write_baseline(path, freeze(plan, name="v1"))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(PLAN)                     # appended; comments and layout intact
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    again = pmfit.load(path)
    assert again.model_copy(update={"baselines": []}) == plan
    assert again.baseline("v1") == freeze(plan, name="v1")
    write_baseline(path, freeze(plan, name="v2"))
    assert [b.name for b in pmfit.load(path).baselines] == ["v1", "v2"]
    assert path.read_text(encoding="utf-8").startswith(PLAN)


def test_existing_baselines_section_in_the_middle(tmp_path: Path, plan: pmfit.Plan) -> None:
    text = PLAN.replace("tasks:\n", "baselines: []   # none yet\n\n# the work\ntasks:\n")
    path = _write(tmp_path, text)
    write_baseline(path, freeze(plan, name="v1"))
    new = path.read_text(encoding="utf-8")
    assert "# the work\ntasks:\n" in new and "# none yet" in new
    assert new.split("baselines:")[0] == text.split("baselines:")[0]
    assert new.split("# the work\n")[1] == text.split("# the work\n")[1]
    assert [b.name for b in pmfit.load(path).baselines] == ["v1"]


def test_refuses_an_existing_name_and_leaves_the_file_alone(tmp_path: Path, plan: pmfit.Plan) -> None:
    path = _write(tmp_path)
    write_baseline(path, freeze(plan, name="v1"))
    before = path.read_bytes()
    with pytest.raises(pmfit.PlanError) as err:
        write_baseline(path, freeze(plan, name="v1"))
    assert err.value.codes == ["baseline_exists"]
    assert path.read_bytes() == before
    replaced = freeze(pmfit.loads(PLAN.replace("duration: 6d", "duration: 7d")), name="v1")
    write_baseline(path, replaced, force=True)
    assert pmfit.load(path).baseline("v1").cost == pytest.approx(replaced.cost)
    assert len(pmfit.load(path).baselines) == 1


def test_crlf_files_stay_crlf(tmp_path: Path, plan: pmfit.Plan) -> None:
    path = _write(tmp_path, PLAN.replace("\n", "\r\n"))
    write_baseline(path, freeze(plan, name="v1"))
    raw = path.read_bytes()
    assert raw.startswith(PLAN.replace("\n", "\r\n").encode())
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert pmfit.load(path).baseline("v1").cost == pytest.approx(9100)


def test_sidecar(tmp_path: Path, plan: pmfit.Plan) -> None:
    path = _write(tmp_path)
    written = write_baseline(path, freeze(plan, name="side"), sidecar=True)
    assert written == sidecar_path(path) == tmp_path / "plan.baselines.yaml"
    assert path.read_text(encoding="utf-8") == PLAN
    assert [b.name for b in read_sidecar(path)] == ["side"]
    merged = load_with_baselines(path)
    assert [b.name for b in merged.baselines] == ["side"]
    with pytest.raises(pmfit.PlanError) as err:   # the name is taken in the sidecar
        write_baseline(path, freeze(plan, name="side"))
    assert err.value.codes == ["baseline_exists"]


def test_plans_in_other_formats_get_a_sidecar(tmp_path: Path, plan: pmfit.Plan) -> None:
    path = tmp_path / "plan.csv"
    pmfit.save(plan, path)
    before = path.read_bytes()
    written = write_baseline(path, freeze(pmfit.load(path), name="v1"))
    assert written.name == "plan.baselines.yaml"
    assert path.read_bytes() == before
    assert [b.name for b in load_with_baselines(path).baselines] == ["v1"]


def test_a_broken_sidecar_is_a_located_error(tmp_path: Path) -> None:
    path = _write(tmp_path)
    sidecar_path(path).write_text("version: 1\nbaselines:\n  - {name: x, cost: lots}\n", encoding="utf-8")
    with pytest.raises(pmfit.PlanError) as err:
        read_sidecar(path)
    assert err.value.codes == ["bad_field"]
    assert err.value.diagnostics[0].line == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 40), st.integers(0, 20), st.floats(0, 1000)), max_size=8),
       st.lists(st.integers(-30, 70), min_size=1, max_size=10))
def test_accrual_sweep_equals_the_direct_sum(items: list[tuple[int, int, float]], times: list[int]) -> None:
    """The O(n log n) sweep against the obvious per-task formula summed directly."""
    starts = np.array([s for s, _, _ in items], dtype=float)
    finishes = starts + np.array([d for _, d, _ in items], dtype=float)
    costs = np.array([c for _, _, c in items], dtype=float)
    t = np.array(times, dtype=float)
    direct = np.zeros(len(t))
    for s, f, c in zip(starts, finishes, costs, strict=True):
        direct += c * (np.clip((t - s) / (f - s), 0, 1) if f > s else (t >= f).astype(float))
    assert Accrual(starts, finishes, costs).at(t) == pytest.approx(direct, rel=1e-9, abs=1e-6)


def test_flow_style_baselines_and_document_markers(tmp_path: Path, plan: pmfit.Plan) -> None:
    import json

    old = freeze(plan, name="old")
    flow = "baselines: [" + json.dumps(old.model_dump(mode="json")) + "]\n"
    text = "---\n" + PLAN + "...\n"
    path = _write(tmp_path, text)
    write_baseline(path, freeze(plan, name="v1"))
    new = path.read_text(encoding="utf-8")
    assert new.startswith("---\n" + PLAN) and new.endswith("...\n")
    assert [b.name for b in pmfit.load(path).baselines] == ["v1"]
    path = _write(tmp_path, PLAN + flow, "flow.yaml")
    assert [b.name for b in pmfit.load(path).baselines] == ["old"]
    write_baseline(path, freeze(plan, name="v1"))
    assert [b.name for b in pmfit.load(path).baselines] == ["old", "v1"]
    assert path.read_text(encoding="utf-8").startswith(PLAN)
