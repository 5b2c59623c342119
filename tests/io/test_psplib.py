"""The PSPLIB .sm reader and the optimum tables, checked against the files' own numbers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import shared_path

from pmfit.engine.cpm import critical_path_method
from pmfit.engine.network import compile_plan
from pmfit.engine.rcpsp import rcpsp_network
from pmfit.io.psplib import parse_sm, read_optima, read_sm
from pmfit.model.diagnostics import PlanError

SMALL = """\
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


def test_small_file_by_hand() -> None:
    inst = parse_sm(SMALL, "small.sm")
    assert inst.jobs == 5 and inst.name == "small" and inst.horizon == 9
    assert inst.durations == [0, 3, 2, 4, 0]
    assert inst.successors == [[1, 2], [3], [4], [4], []]
    assert inst.demands[2] == [2, 1] and inst.capacities == [3, 1]
    plan = inst.to_plan()
    assert [t.id for t in plan.tasks] == ["job1", "job2", "job3", "job4", "job5"]
    assert plan.task("job4").needs == {"R2": 1} and [str(x) for x in plan.task("job4").after] == ["job2"]
    assert plan.task("job1").milestone and plan.resource("R1").units == 3
    # CPM by hand: job2 0-3, job4 3-7, job3 0-2 -> 7 periods; the plan (days) and the network agree
    assert critical_path_method(rcpsp_network(inst)).project_finish == 7
    assert critical_path_method(compile_plan(plan)).project_finish == 7 * 480
    # leveled: job2 and job3 cannot overlap (R1 2 + 2 > 3); job3 and job4 share R2 (1 unit)
    from pmfit.engine.level import level_network

    result = level_network(rcpsp_network(inst), method="heuristic", schedules=50)
    assert result.duration_after == 9  # job3 0-2, job2 2-5, job4 5-9


def test_j301_1_fields() -> None:
    inst = read_sm(shared_path("psplib", "j30", "instances", "j301_1.sm"))
    assert inst.jobs == 32 and inst.horizon == 158
    assert inst.capacities == [12, 13, 4, 12]
    assert inst.durations[1] == 8 and inst.demands[1] == [4, 0, 0, 0]
    assert inst.successors[0] == [1, 2, 3] and inst.successors[-1] == []


def test_optimum_tables_agree_and_cpm_matches_every_instance() -> None:
    root = shared_path("psplib", "j30")
    opt = read_optima(root / "j30opt.sm")
    csv = read_optima(root / "j30_solutions_update_2024.csv")
    assert len(opt) == 480 and len(csv) == 480
    assert opt["j301_1.sm"].optimum == 43 and opt["j3048_10.sm"].optimum == 54
    assert all(opt[k].optimum == csv[k].optimum for k in opt)
    hrs = read_optima(root / "j30hrs.sm")
    assert hrs["j301_1.sm"].upper_bound == 43 and hrs["j301_1.sm"].optimum is None
    # our CPM on every instance equals the table's critical-path column (an independent number)
    for path in sorted((root / "instances").glob("*.sm")):
        inst = read_sm(path)
        assert critical_path_method(rcpsp_network(inst)).project_finish == csv[path.name].cpm, path.name


def test_load_through_the_format_registry() -> None:
    from pmfit.api import load

    plan = load(shared_path("psplib", "j30", "instances", "j3010_1.sm"))
    assert len(plan.tasks) == 32 and len(plan.resources) == 4


@pytest.mark.parametrize(("edit", "code"), [
    (lambda t: t.replace("RESOURCEAVAILABILITIES:", "NOTHING:"), "bad_field"),
    (lambda t: t.replace("   2        1          1           4", "   2        1          2           4"), "bad_field"),
    (lambda t: t.replace("   2        1          1           4", "   2        2          1           4"), "bad_field"),
    (lambda t: t.replace("  2      1     3       2    0", "  2      1    -3       2    0"), "bad_field"),
    (lambda t: t.replace("  2      1     3       2    0", "  2      1     3       9    0"), "over_capacity"),
    (lambda t: t.replace("  2      1     3       2    0", "  2      1     x       2    0"), "bad_field"),
    (lambda t: t.replace("   4        1          1           5", "   4        1          1           9"), "bad_field"),
    (lambda t: t.replace("   4        1          1           5", "   4        1          1           4"), "bad_field"),
    (lambda t: t.replace("  3      1     2       2    1", "  3      1     2       2"), "bad_field"),
    (lambda t: t.replace(":  5", ":  6"), "bad_field"),
    (lambda t: "\x00\xff garbage", "bad_field"),
])
def test_bad_files_have_codes(edit: object, code: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_sm(edit(SMALL), "bad.sm")  # type: ignore[operator]
    assert err.value.codes == [code]
    assert err.value.diagnostics[0].file == "bad.sm"


def test_cycle_in_a_psplib_file_is_a_dependency_cycle(tmp_path: Path) -> None:
    text = SMALL.replace("   4        1          1           5", "   4        1          1           2")
    inst = parse_sm(text, "cycle.sm")
    with pytest.raises(PlanError) as err:
        rcpsp_network(inst)
    assert err.value.codes == ["dependency_cycle"]


def test_network_and_plan_paths_give_the_same_leveled_length() -> None:
    from pmfit.engine.level import level_network

    inst = read_sm(shared_path("psplib", "j30", "instances", "j3020_3.sm"))
    a = level_network(rcpsp_network(inst), method="heuristic", schedules=300, seed=1)
    b = level_network(compile_plan(inst.to_plan()), method="heuristic", schedules=300, seed=1)
    assert b.duration_after == a.duration_after * 480
    assert np.array_equal(b.start_minutes, a.start_minutes * 480)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mangled_files_parse_or_fail_cleanly(data: st.DataObject) -> None:
    lines = SMALL.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "number", "junk"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "number":
            lines[i] = re.sub(r"\d+", lambda _: str(data.draw(st.integers(-5, 99))), lines[i], count=1)
        else:
            lines[i] = data.draw(st.text(max_size=20))
        if not lines:
            break
    try:
        inst = parse_sm("\n".join(lines), "mangled.sm")
    except PlanError as exc:
        assert exc.codes and exc.codes[0] in ("bad_field", "over_capacity")
        return
    assert inst.jobs == len(inst.durations) == len(inst.demands) == len(inst.successors)
