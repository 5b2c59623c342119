"""The compiled network: CSR both ways, topological order, summaries, scaling."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmfit.engine import jit
from pmfit.engine.network import Network, compile_plan
from pmfit.model.diagnostics import PlanError
from pmfit.model.plan import Plan


@st.composite
def dags(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    n = draw(st.integers(1, 30))
    perm = draw(st.permutations(range(n)))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))
    src = [perm[min(a, b)] for a, b in pairs if a != b]
    dst = [perm[max(a, b)] for a, b in pairs if a != b]
    return n, src, dst


def _check(n: int, src: list[int], dst: list[int]) -> None:
    net = Network.from_arrays(np.ones(n, dtype=np.int64), src, dst)
    # pred-CSR: the links into each task, every original link exactly once
    got = sorted((int(net.link_src[k]), int(net.link_dst[k])) for k in range(net.m))
    assert got == sorted(zip(src, dst, strict=True))
    for j in range(n):
        assert all(net.link_dst[k] == j for k in net.predecessors(j))
        assert all(net.link_src[k] == j for k in net.successors(j))
    assert sorted(int(k) for j in range(n) for k in net.successors(j)) == list(range(net.m))
    # topological: every link goes forward in the order
    position = np.empty(n, dtype=np.int64)
    position[net.order] = np.arange(n)
    assert sorted(net.order.tolist()) == list(range(n))
    assert all(position[a] < position[b] for a, b in zip(net.link_src, net.link_dst, strict=True))


@settings(max_examples=100, deadline=None)
@given(dags())
def test_csr_and_order(graph: tuple[int, list[int], list[int]]) -> None:
    _check(*graph)


def test_csr_and_order_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    if not jit.numba_available():
        pytest.skip("numba is not installed")
    monkeypatch.setattr(jit, "JIT_THRESHOLD", 0)  # the counting-sort kernel, compiled
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(1, 200))
        m = int(rng.integers(0, 4 * n))
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = a != b
        src, dst = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
        perm = rng.permutation(n)
        _check(n, perm[src].tolist(), perm[dst].tolist())


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError):
        Network.from_arrays([1, 1], [0], [2])
    with pytest.raises(ValueError):
        Network.from_arrays([1, 1], [0, 1], [1])


def test_compiling_a_plan_with_summaries_scales() -> None:
    """5,000 tasks in 100 phases linked phase to phase: no quadratic work (it took 5.6 s once)."""
    tasks: list[dict[str, object]] = []
    for s in range(100):
        tasks.append({"id": f"s{s}", "deadline": "2029-01-01"})
        for k in range(50):
            task: dict[str, object] = {"id": f"t{s}_{k}", "parent": f"s{s}", "duration": "1d"}
            if k:
                task["after"] = [f"t{s}_{k - 1}"]
            elif s:
                task["after"] = [f"s{s - 1}"]
            tasks.append(task)
    plan = Plan.model_validate({"project": {"name": "x", "start": "2027-01-04"}, "tasks": tasks})
    t0 = time.process_time()
    net = compile_plan(plan)
    assert time.process_time() - t0 < 2.0
    assert net.n == 5000 and len(net.summary_ids) == 100
    # phase s+1 starts after every task of phase s: 50 links into t{s+1}_0, plus the chains
    assert net.m == 99 * 50 + 100 * 49


@pytest.mark.parametrize("tasks", [
    [{"id": "a", "duration": "1d", "parent": "a"}, {"id": "b", "duration": "1d", "parent": "a"}],
    [{"id": "a", "parent": "b"}, {"id": "b", "parent": "a"}, {"id": "c", "duration": "1d", "parent": "a"}],
])
def test_a_parent_cycle_in_a_plan_built_in_code_is_refused_not_a_hang(tasks: list[dict[str, object]]) -> None:
    from pmfit.model.plan import Plan

    plan = Plan.model_validate({"project": {"name": "P", "start": "2027-01-04"}, "tasks": tasks})
    with pytest.raises(PlanError) as refused:
        compile_plan(plan)
    assert refused.value.diagnostics[0].code == "parent_cycle"
