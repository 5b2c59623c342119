"""The CPM engine against a slow, obviously-correct oracle written here, plus invariants.

The oracle does not use the engine's link offsets or topological order: it
states each link type as the relation between dates it names (``FS``:
``start(succ) >= finish(pred) + lag`` ...) and relaxes every link, Bellman-Ford
style, until nothing changes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmfit.engine import jit
from pmfit.engine.cpm import CpmResult, critical_path_method
from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.engine.network import ALAP, ASAP, FNET, FNLT, MFO, MSO, SNET, SNLT, Network

DAY = 480


@dataclass
class RandomPlan:
    duration: list[int]
    src: list[int]
    dst: list[int]
    kind: list[str]
    lag: list[int]
    ctype: list[int]
    ctime: list[int]
    deadline: list[int]

    @property
    def n(self) -> int:
        return len(self.duration)


@st.composite
def random_plans(draw: st.DrawFn, constraints: bool = True, max_tasks: int = 14) -> RandomPlan:
    """A random DAG: links go from a lower to a higher task number, any type, lags and leads."""
    n = draw(st.integers(1, max_tasks))
    # quarter days, some milestones, some odd minute counts
    duration = [draw(st.sampled_from([0, 60, 120, 240, 480, 600, 960, 1440, 2400])) for _ in range(n)]
    src: list[int] = []
    dst: list[int] = []
    for j in range(1, n):
        for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True)):
            src.append(i)
            dst.append(j)
    m = len(src)
    kind = [draw(st.sampled_from(["FS", "FS", "SS", "FF", "SF"])) for _ in range(m)]
    lag = [draw(st.sampled_from([0, 0, 0, 60, 240, 480, 960, -120, -480, -960])) for _ in range(m)]
    ctype = [ASAP] * n
    ctime = [NO_LOWER] * n
    deadline = [NO_UPPER] * n
    if constraints:
        for i in range(n):
            c = draw(st.sampled_from([ASAP] * 6 + [ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO]))
            ctype[i] = c
            if c not in (ASAP, ALAP):
                ctime[i] = draw(st.integers(0, 20)) * 240
            if draw(st.integers(0, 7)) == 0:
                deadline[i] = draw(st.integers(0, 20)) * 240
    return RandomPlan(duration, src, dst, kind, lag, ctype, ctime, deadline)


def oracle(plan: RandomPlan) -> dict[str, list[int]]:
    """CPM by relaxation to a fixpoint, from the definitions of the link types and constraints."""
    n, d = plan.n, plan.duration
    links = list(zip(plan.src, plan.dst, plan.kind, plan.lag, strict=True))
    pinned: dict[int, int] = {}
    for i in range(n):
        if plan.ctype[i] == MSO:
            pinned[i] = plan.ctime[i]
        elif plan.ctype[i] == MFO:
            pinned[i] = plan.ctime[i] - d[i]
    es = [0] * n
    for i in range(n):
        if plan.ctype[i] == SNET:
            es[i] = max(es[i], plan.ctime[i])
        if plan.ctype[i] == FNET:
            es[i] = max(es[i], plan.ctime[i] - d[i])
        if i in pinned:
            es[i] = pinned[i]
    changed = True
    while changed:
        changed = False
        for p, s, kind, lag in links:
            if s in pinned:
                continue
            ef_p = es[p] + d[p]
            need = {"FS": ef_p + lag, "SS": es[p] + lag,
                    "FF": ef_p + lag - d[s], "SF": es[p] + lag - d[s]}[kind]
            if need > es[s]:
                es[s] = need
                changed = True
    finish = max((es[i] + d[i] for i in range(n)), default=0)
    lf = [finish] * n
    for i in range(n):
        if plan.ctype[i] == SNLT:
            lf[i] = min(lf[i], plan.ctime[i] + d[i])
        if plan.ctype[i] == FNLT:
            lf[i] = min(lf[i], plan.ctime[i])
        if plan.deadline[i] < NO_UPPER:
            lf[i] = min(lf[i], plan.deadline[i])
        if i in pinned:
            lf[i] = min(lf[i], pinned[i] + d[i])
    changed = True
    while changed:
        changed = False
        for p, s, kind, lag in links:
            ls_s, lf_s = lf[s] - d[s], lf[s]
            # the latest finish of p that lets s keep its late dates
            limit = {"FS": ls_s - lag, "SS": ls_s - lag + d[p],
                     "FF": lf_s - lag, "SF": lf_s - lag + d[p]}[kind]
            if limit < lf[p]:
                lf[p] = limit
                changed = True
    ls = [lf[i] - d[i] for i in range(n)]
    tf = [ls[i] - es[i] for i in range(n)]
    ff = []
    for i in range(n):
        free = finish - (es[i] + d[i])
        for p, s, kind, lag in links:
            if p != i:
                continue
            slack = {"FS": es[s] - (es[p] + d[p]) - lag, "SS": es[s] - es[p] - lag,
                     "FF": es[s] + d[s] - (es[p] + d[p]) - lag, "SF": es[s] + d[s] - es[p] - lag}[kind]
            free = min(free, slack)
        ff.append(max(0, min(free, max(tf[i], 0))))
    return {"es": es, "ls": ls, "tf": tf, "ff": ff, "finish": [finish]}


def build(plan: RandomPlan) -> Network:
    types = ["FS", "SS", "FF", "SF"]
    return Network.from_arrays(
        np.array(plan.duration, dtype=np.int64), np.array(plan.src, dtype=np.int64),
        np.array(plan.dst, dtype=np.int64), np.array([types.index(k) for k in plan.kind], dtype=np.int64),
        np.array(plan.lag, dtype=np.int64),
        constraint_type=np.array(plan.ctype), constraint_time=np.array(plan.ctime),
        deadline=np.array(plan.deadline),
    )


def link_holds(kind: str, lag: int, s_p: int, f_p: int, s_s: int, f_s: int) -> bool:
    return {"FS": s_s >= f_p + lag, "SS": s_s >= s_p + lag,
            "FF": f_s >= f_p + lag, "SF": f_s >= s_p + lag}[kind]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plans())
def test_engine_matches_the_relaxation_oracle(plan: RandomPlan) -> None:
    result = critical_path_method(build(plan))
    want = oracle(plan)
    assert result.early_start.tolist() == want["es"]
    assert result.project_finish == want["finish"][0]
    assert result.late_start.tolist() == want["ls"]
    assert result.total_float.tolist() == want["tf"]
    assert result.free_float.tolist() == want["ff"]


def _check_invariants(plan: RandomPlan, result: CpmResult, feasible: bool) -> None:
    es, ls = result.early_start, result.late_start
    start, finish = result.start, result.finish
    d = np.array(plan.duration)
    assert result.project_finish == int((es + d).max())
    assert np.all(result.free_float >= 0)
    assert np.all(result.free_float <= np.maximum(result.total_float, 0))
    assert np.all(start >= es)
    pinned = {i for i in range(plan.n) if plan.ctype[i] in (MSO, MFO)}
    for p, s, kind, lag in zip(plan.src, plan.dst, plan.kind, plan.lag, strict=True):
        if s in pinned:
            continue  # a must-date wins over its links (reported as constraint_conflict)
        assert link_holds(kind, lag, int(es[p]), int(es[p] + d[p]), int(es[s]), int(es[s] + d[s]))
        assert link_holds(kind, lag, int(start[p]), int(finish[p]), int(start[s]), int(finish[s]))
    if feasible:
        assert np.all(es <= ls)
        assert np.all(result.total_float >= 0)
        assert np.all(start <= ls)
        critical = result.critical
        assert critical.any()
        # a critical task has zero float, and a critical task that finishes last exists
        assert np.all(result.total_float[critical] == 0)
        assert (es + d)[critical].max() == result.project_finish


@settings(max_examples=150, deadline=None)
@given(random_plans(constraints=False))
def test_invariants_without_constraints(plan: RandomPlan) -> None:
    _check_invariants(plan, critical_path_method(build(plan)), feasible=True)


@settings(max_examples=150, deadline=None)
@given(random_plans())
def test_invariants_with_constraints(plan: RandomPlan) -> None:
    upper = any(c in (SNLT, FNLT, MSO, MFO) for c in plan.ctype) or any(x < NO_UPPER for x in plan.deadline)
    _check_invariants(plan, critical_path_method(build(plan)), feasible=not upper)


@settings(max_examples=100, deadline=None)
@given(random_plans(constraints=False), st.data())
def test_alap_tasks_use_free_float_only(plan: RandomPlan, data: st.DataObject) -> None:
    alap = data.draw(st.lists(st.booleans(), min_size=plan.n, max_size=plan.n))
    plan.ctype = [ALAP if a else ASAP for a in alap]
    result = critical_path_method(build(plan))
    es, start, d = result.early_start, result.start, np.array(plan.duration)
    for i in range(plan.n):
        if not alap[i]:
            assert start[i] == es[i]  # only ALAP tasks move
    # an ALAP task cannot move one minute later without breaking a link or the project finish
    for i in range(plan.n):
        if not alap[i]:
            continue
        room = result.project_finish - (start[i] + d[i])
        for p, s, kind, lag in zip(plan.src, plan.dst, plan.kind, plan.lag, strict=True):
            if p == i:
                need = {"FS": start[s] - finish_of(start, d, p) - lag, "SS": start[s] - start[p] - lag,
                        "FF": finish_of(start, d, s) - finish_of(start, d, p) - lag,
                        "SF": finish_of(start, d, s) - start[p] - lag}[kind]
                room = min(room, need)
        assert room == 0


def finish_of(start: np.ndarray, d: np.ndarray, i: int) -> int:
    return int(start[i] + d[i])


@pytest.fixture
def numba_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    if not jit.numba_available():
        pytest.skip("numba is not installed")
    monkeypatch.setattr(jit, "JIT_THRESHOLD", 0)


def _run_both(plan: RandomPlan, monkeypatch: pytest.MonkeyPatch) -> tuple[CpmResult, CpmResult]:
    monkeypatch.setattr(jit, "JIT_THRESHOLD", 0)
    compiled = critical_path_method(build(plan))
    monkeypatch.setattr(jit, "JIT_THRESHOLD", 10**12)
    python = critical_path_method(build(plan))
    return compiled, python


@pytest.mark.usefixtures("numba_everywhere")
def test_numba_and_python_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same kernels compiled and interpreted give identical arrays (random plans, every field)."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        plan = _seeded_plan(rng)
        compiled, python = _run_both(plan, monkeypatch)
        for name in ("early_start", "late_start", "start", "finish", "total_float", "free_float", "driver"):
            assert getattr(compiled, name).tolist() == getattr(python, name).tolist(), name
        assert compiled.network.order.tolist() == python.network.order.tolist()
        assert compiled.network.succ_link.tolist() == python.network.succ_link.tolist()
        assert compiled.network.link_src.tolist() == python.network.link_src.tolist()


def _seeded_plan(rng: np.random.Generator) -> RandomPlan:
    n = int(rng.integers(1, 300))
    m = int(rng.integers(0, 3 * n))
    dst = rng.integers(1, max(n, 2), m) if n > 1 else np.zeros(0, dtype=np.int64)
    src = (rng.integers(0, 1 << 30, len(dst)) % np.maximum(dst, 1)) if len(dst) else dst
    keep = dst < n
    src, dst = src[keep], dst[keep]
    kinds = rng.choice(["FS", "SS", "FF", "SF"], len(src)).tolist()
    ctype = rng.choice([ASAP, ASAP, ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO], n)
    ctime = np.where(np.isin(ctype, (ASAP, ALAP)), NO_LOWER, rng.integers(0, 40, n) * 240)
    deadline = np.where(rng.random(n) < 0.1, rng.integers(0, 40, n) * 240, NO_UPPER)
    return RandomPlan(
        duration=(rng.integers(0, 10, n) * 240).tolist(), src=src.tolist(), dst=dst.tolist(), kind=kinds,
        lag=(rng.integers(-4, 5, len(src)) * 120).tolist(), ctype=ctype.tolist(), ctime=ctime.tolist(),
        deadline=deadline.tolist(),
    )


@pytest.mark.usefixtures("numba_everywhere")
def test_numba_path_matches_the_oracle() -> None:
    rng = np.random.default_rng(11)
    for _ in range(40):
        plan = _seeded_plan(rng)
        result = critical_path_method(build(plan))
        want = oracle(plan)
        assert result.early_start.tolist() == want["es"]
        assert result.late_start.tolist() == want["ls"]
        assert result.free_float.tolist() == want["ff"]


def _reported_cycle(src: list[int], dst: list[int], ids: list[str]) -> list[str]:
    from pmfit.model.diagnostics import PlanError

    with pytest.raises(PlanError) as info:
        Network.from_arrays([1] * len(ids), src, dst, ids=ids)
    assert info.value.codes == ["dependency_cycle"]
    names = str(info.value).split("dependency cycle: ")[1].split(" -> ")
    assert names[0] == names[-1]
    links = {(ids[a], ids[b]) for a, b in zip(src, dst, strict=True)}
    for a, b in itertools.pairwise(names):
        assert (a, b) in links, f"{a} -> {b} is not a link"
    return sorted(names[:-1])


def test_cycle_is_reported_with_the_whole_path() -> None:
    assert _reported_cycle([3, 0, 1, 2], [0, 1, 2, 3], ["a", "b", "c", "d"]) == ["a", "b", "c", "d"]
    # "down" (task 0) hangs below the cycle x -> y -> z -> x and has no successor: walking
    # successors from it used to dead-end with a KeyError
    assert _reported_cycle([2, 3, 1, 2], [0, 1, 2, 3], ["down", "x", "y", "z"]) == ["x", "y", "z"]


@settings(max_examples=100, deadline=None)
@given(random_plans(constraints=False), st.data())
def test_any_back_link_is_reported_as_a_cycle(plan: RandomPlan, data: st.DataObject) -> None:
    if not plan.src:
        return
    k = data.draw(st.integers(0, len(plan.src) - 1))
    # add the reverse of link k: that closes a cycle
    src, dst = [*plan.src, plan.dst[k]], [*plan.dst, plan.src[k]]
    cycle = _reported_cycle(src, dst, [f"t{i}" for i in range(plan.n)])
    assert len(cycle) >= 2
