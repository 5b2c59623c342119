"""Resource leveling: every schedule checked by an independent feasibility checker, hand-sized
cases with known optima, hypothesis instances against a proven CP-SAT optimum, J30 optima."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmfit.api import level, loads
from pmfit.engine.level import level_network
from pmfit.engine.level.cpsat import cp_available
from pmfit.engine.network import Network, compile_plan
from pmfit.engine.rcpsp import rcpsp_network
from pmfit.model.diagnostics import PlanError

needs_cp = pytest.mark.skipif(not cp_available(), reason="OR-Tools is not installed (pmfit[cp])")


# ---- the independent checker -----------------------------------------------------------------
def check_feasible(net: Network, start: np.ndarray, *, strict_capacity: bool = True) -> None:
    """Assert a schedule is feasible, from the network's raw fields (not the engine's offsets).

    - every link, by its type: FS ``S_b >= S_a + d_a + lag``; SS ``S_b >= S_a + lag``;
      FF ``S_b + d_b >= S_a + d_a + lag``; SF ``S_b + d_b >= S_a + lag``;
    - nothing starts before the project start; SNET/FNET/MSO/MFO dates hold;
    - capacity: usage only changes when a task starts, so checking at every start instant of
      every task that takes time checks every instant; tasks with ``level: false`` or a must-date
      may overload only when ``strict_capacity`` is off.
    """
    d = net.duration.astype(np.int64)
    s = np.asarray(start, dtype=np.int64)
    assert s.shape == (net.n,)
    finish = s + d
    for k in range(net.m):
        a, b, kind, lag = (int(net.link_src[k]), int(net.link_dst[k]), int(net.link_type[k]),
                           int(net.link_lag[k]))
        if int(net.constraint_type[b]) in (6, 7):  # MSO / MFO pin the task; the link yields
            continue
        lhs, rhs = {
            0: (s[b], finish[a] + lag),
            1: (s[b], s[a] + lag),
            2: (finish[b], finish[a] + lag),
            3: (finish[b], s[a] + lag),
        }[kind]
        assert lhs >= rhs, f"link {net.ids[a]} -> {net.ids[b]} type {kind} lag {lag} violated"
    assert (s >= 0).all(), "a task starts before the project start"
    for i in range(net.n):
        kind, when = int(net.constraint_type[i]), int(net.constraint_time[i])
        if kind == 2:
            assert s[i] >= when
        elif kind == 4:
            assert finish[i] >= when
        elif kind == 6:
            assert s[i] == when
        elif kind == 7:
            assert finish[i] == when
    owner = np.repeat(np.arange(net.n), np.diff(net.demand_ptr))
    pinned = np.isin(net.constraint_type, [6, 7])
    flexible = net.levelable & ~pinned
    for r in range(len(net.capacity)):
        rows = np.flatnonzero(net.demand_resource == r)
        tasks, units = owner[rows], net.demand_units[rows]
        for t in sorted({int(s[i]) for i in tasks if d[i] > 0}):
            running = (s[tasks] <= t) & (finish[tasks] > t) & (d[tasks] > 0)
            used = float(units[running].sum())
            if strict_capacity or flexible[tasks[running]].all():
                assert used <= net.capacity[r] + 1e-9, (
                    f"{net.resource_ids[r]} uses {used} > {net.capacity[r]} at {t}")


def cpm_length(net: Network) -> int:
    """Critical-path length by a plain relaxation loop (Bellman-Ford style, independent of cpm.py)."""
    d = net.duration.astype(np.int64)
    es = np.zeros(net.n, dtype=np.int64)
    for _ in range(net.n + 1):
        changed = False
        for k in range(net.m):
            a, b, kind, lag = (int(net.link_src[k]), int(net.link_dst[k]), int(net.link_type[k]),
                               int(net.link_lag[k]))
            need = {0: es[a] + d[a] + lag, 1: es[a] + lag, 2: es[a] + d[a] + lag - d[b],
                    3: es[a] + lag - d[b]}[kind]
            if need > es[b]:
                es[b] = need
                changed = True
        if not changed:
            break
    return int((es + d).max()) if net.n else 0


def arrays_net(durations: list[int], links: list[tuple[int, int, int, int]], demands: list[dict[int, float]],
               capacity: list[float], levelable: list[bool] | None = None,
               priority: list[int] | None = None) -> Network:
    n = len(durations)
    ptr = np.zeros(n + 1, dtype=np.int64)
    res: list[int] = []
    units: list[float] = []
    for j, row in enumerate(demands):
        for r, u in row.items():
            res.append(r)
            units.append(u)
        ptr[j + 1] = len(res)
    return Network.from_arrays(
        np.array(durations, dtype=np.int64),
        np.array([x[0] for x in links], dtype=np.int64), np.array([x[1] for x in links], dtype=np.int64),
        np.array([x[2] for x in links], dtype=np.int64), np.array([x[3] for x in links], dtype=np.int64),
        ids=[f"t{j}" for j in range(n)],
        resource_ids=[f"r{r}" for r in range(len(capacity))],
        resource_names=[f"Resource {r}" for r in range(len(capacity))],
        capacity=np.array(capacity, dtype=float), demand_ptr=ptr,
        demand_resource=np.array(res, dtype=np.int64), demand_units=np.array(units, dtype=float),
        priority=np.array(priority or [500] * n, dtype=np.int64),
        levelable=np.array(levelable or [True] * n, dtype=bool),
    )


def makespan(result: object) -> int:
    return int(result.duration_after)  # type: ignore[attr-defined]


# ---- hand-sized cases ---------------------------------------------------------------------------
PLAN = """
project: {name: API rebuild, start: 2027-01-04}
resources:
  - {id: dev, name: Backend developers, units: 3}
  - {id: qa, name: QA engineers, units: 1}
tasks:
  - {id: build-api, duration: 4d, needs: {dev: 2}}
  - {id: migrate-db, duration: 2d, needs: {dev: 1}}
  - {id: frontend, duration: 3d, needs: {dev: 2}}
  - {id: test, duration: 1d, after: [build-api, frontend], needs: {qa: 1}}
"""


def test_hand_case_optimum_and_explanation() -> None:
    # dev = 3: build-api (2) + migrate-db (1) fill days 0-1; frontend (2) cannot join until
    # build-api ends at day 4 (migrate-db ends at 2, but then 2 + 2 = 4 > 3 still holds... no:
    # from day 2 only build-api (2) runs, frontend needs 2 -> 4 > 3). Best: frontend at 4, test at 7,
    # or frontend first: frontend 0-3 with migrate-db, build-api 3-7 -> test 7. Optimum 8 days.
    plan = loads(PLAN)
    result = level(plan, time_limit=2.0, method="heuristic", schedules=200)
    check_feasible(result.network, result.start_minutes)
    assert result.duration_before == 5 * 480  # CPM: test after the longer of 4d and 3d
    assert result.duration_after == 8 * 480
    assert result.finish_before == dt.datetime(2027, 1, 8, 17, 0)
    assert result.finish_after == dt.datetime(2027, 1, 13, 17, 0)
    moved = {t.id: t for t in result.delays()}
    assert set(moved) in ({"frontend", "test"}, {"build-api", "test"})
    late = moved.get("frontend") or moved["build-api"]
    assert late.delay == (4 if late.id == "frontend" else 3) * 480
    other = "build-api" if late.id == "frontend" else "frontend"
    assert late.cause is not None
    assert late.cause.startswith(f"delayed {late.delay // 480} days: Backend developers needed 2 units, 3 of 3 "
                                 f"in use by '{other}' and 'migrate-db'")
    assert "its predecessor" in (moved["test"].cause or "")
    profile = result.profiles["dev"]
    assert profile.peak_before == 5 and profile.peak_after == 3
    assert profile.before[0] == (0, 2 * 480, 5.0)
    assert result.profiles["qa"].peak_after == 1


@needs_cp
def test_hand_case_proven_optimal_with_cp() -> None:
    plan = loads(PLAN)
    result = level(plan, time_limit=5.0, method="auto")
    check_feasible(result.network, result.start_minutes)
    assert result.duration_after == 8 * 480
    assert result.proven_optimal and result.status == "optimal"
    assert result.lower_bound == 8 * 480
    assert plan == loads(PLAN)  # the plan is never changed


@pytest.mark.parametrize("method", ["heuristic", "cp", "auto"])
def test_two_tasks_one_unit(method: str) -> None:
    if method != "heuristic" and not cp_available():
        pytest.skip("OR-Tools is not installed")
    net = arrays_net([3, 2], [], [{0: 1}, {0: 1}], [1])
    result = level_network(net, method=method, time_limit=2.0, schedules=50)  # type: ignore[arg-type]
    check_feasible(net, result.start_minutes)
    assert makespan(result) == 5
    assert result.proven_optimal  # 5 = the energy bound (3 + 2 units on one unit)


def test_textbook_instance_optimum() -> None:
    # Hand-solved: cap 4; A(3,u2) B(2,u3) C(2,u2) D(4,u2) E(1,u4); A->C, B->D, C->E, D->E.
    # A and B cannot overlap (5 > 4); A,C,D can pair. Best: B 0-2, A 2-5 || D 2-6, C 5-7 -> E 7-8.
    # Or A 0-3, B 3-5, D 5-9 -> E 9: worse. Lower bound: B and A exclude each other (5),
    # then D needs 4 after B and E after D -> at least 2 + 4 + 1 = 7 from B's start... E at >= 7 -> 8.
    net = arrays_net([3, 2, 2, 4, 1], [(0, 2, 0, 0), (1, 3, 0, 0), (2, 4, 0, 0), (3, 4, 0, 0)],
                     [{0: 2}, {0: 3}, {0: 2}, {0: 2}, {0: 4}], [4])
    result = level_network(net, method="heuristic", schedules=300)
    check_feasible(net, result.start_minutes)
    assert makespan(result) == 8


def test_every_link_type_with_lags_and_constraints() -> None:
    plan = loads("""
project: {name: Links, start: 2027-01-04}
resources: [{id: r, units: 1}]
tasks:
  - {id: a, duration: 3d, needs: {r: 1}}
  - {id: b, duration: 2d, after: ["a SS+1d"], needs: {r: 1}}
  - {id: c, duration: 2d, after: ["a FF+2d"]}
  - {id: d, duration: 1d, after: ["b SF+3d"], needs: {r: 1}}
  - {id: e, duration: 2d, after: ["c FS-1d"], needs: {r: 1}, constraint: {start_no_earlier_than: 2027-01-11}}
  - {id: f, duration: 1d, needs: {r: 1}, constraint: {must_start_on: 2027-01-06}}
""")
    result = level(plan, method="heuristic", schedules=200)
    check_feasible(result.network, result.start_minutes, strict_capacity=False)
    starts = {t.id: t.start_minute // 480 for t in result.tasks.values()}
    assert starts["f"] == 2  # pinned: Wed 6 Jan is working day 2
    assert starts["e"] >= 5  # SNET Mon 11 Jan = working day 5


def test_level_false_is_not_moved_but_follows_its_predecessors() -> None:
    plan = loads("""
project: {name: Flags, start: 2027-01-04}
resources: [{id: r, units: 1}]
tasks:
  - {id: a, duration: 2d, needs: {r: 1}}
  - {id: b, duration: 2d, needs: {r: 1}}
  - {id: fixed, duration: 1d, needs: {r: 1}, level: false}
  - {id: after-fixed, duration: 1d, after: [fixed]}
""")
    result = level(plan, method="heuristic", schedules=100)
    check_feasible(result.network, result.start_minutes, strict_capacity=False)
    assert result["fixed"].start_minute == 0 and result["fixed"].delay == 0
    assert result["after-fixed"].start_minute == 480
    assert {result["a"].start_minute, result["b"].start_minute} == {480, 1440}
    assert result.diagnostics == []
    # two tasks that may not move and share the one unit: leveled as far as allowed, then reported
    both = level(loads(TWO_FIXED), method="auto", time_limit=1.0)
    check_feasible(both.network, both.start_minutes, strict_capacity=False)
    assert [d.code for d in both.diagnostics].count("resource_overallocated") >= 1
    assert both["x"].start_minute == both["y"].start_minute == 0


TWO_FIXED = """
project: {name: Fixed, start: 2027-01-04}
resources: [{id: r, units: 1}]
tasks:
  - {id: x, duration: 1d, needs: {r: 1}, level: false}
  - {id: y, duration: 1d, needs: {r: 1}, level: false}
  - {id: z, duration: 1d, needs: {r: 1}}
"""


def test_priority_decides_who_goes_first_in_the_heuristic() -> None:
    text = """
project: {{name: Priority, start: 2027-01-04}}
resources: [{{id: r, units: 1}}]
tasks:
  - {{id: low, duration: 2d, needs: {{r: 1}}, priority: {low}}}
  - {{id: high, duration: 2d, needs: {{r: 1}}, priority: {high}}}
"""
    first = level(loads(text.format(low=100, high=900)), method="heuristic", schedules=20)
    assert first["high"].start_minute == 0 and first["low"].start_minute == 960
    assert first["low"].cause == "delayed 2 days: r needed 1 unit, 1 of 1 in use by 'high'"
    swapped = level(loads(text.format(low=900, high=100)), method="heuristic", schedules=20)
    assert swapped["low"].start_minute == 0


def test_over_capacity_demand_is_reported_and_leveled() -> None:
    plan = loads("""
project: {name: Big ask, start: 2027-01-04}
resources: [{id: r, units: 2}]
tasks:
  - {id: a, duration: 1d, needs: {r: 3}}
  - {id: b, duration: 1d, needs: {r: 1}}
""")
    result = level(plan, method="heuristic", schedules=20)
    assert "over_capacity" in [d.code for d in result.diagnostics]
    assert result.duration_after == 2 * 480


def test_bad_arguments_have_codes() -> None:
    net = arrays_net([1], [], [{}], [1])
    with pytest.raises(PlanError) as err:
        level_network(net, method="magic")  # type: ignore[arg-type]
    assert err.value.codes == ["bad_field"]
    with pytest.raises(PlanError) as err:
        level_network(net, time_limit=0)
    assert err.value.codes == ["bad_field"]


def test_cp_method_without_ortools_has_a_code(monkeypatch: pytest.MonkeyPatch) -> None:
    import pmfit.engine.level as engine

    monkeypatch.setattr(engine, "cp_available", lambda: False)
    with pytest.raises(PlanError) as err:
        engine.level_network(arrays_net([1], [], [{}], [1]), method="cp")
    assert err.value.codes == ["cp_unavailable"]


def test_empty_and_resource_free_plans() -> None:
    net = arrays_net([2, 3], [(0, 1, 0, 0)], [{}, {}], [])
    result = level_network(net, method="auto", time_limit=1.0)
    assert makespan(result) == 5 and result.proven_optimal and result.delays() == []


def test_same_seed_same_schedule() -> None:
    net = arrays_net([2, 3, 2, 4, 1, 3], [(0, 2, 0, 0), (1, 3, 0, 0)],
                     [{0: 2}, {0: 2}, {0: 1, 1: 1}, {1: 2}, {0: 2}, {0: 1, 1: 1}], [3, 2])
    a = level_network(net, method="heuristic", schedules=200, seed=3)
    b = level_network(net, method="heuristic", schedules=200, seed=3)
    assert (a.start_minutes == b.start_minutes).all()


def test_large_plan_compiled_path_is_feasible() -> None:
    # Big enough for the numba kernels; checks the compiled path against the same checker.
    rng = np.random.default_rng(5)
    n = 400
    links = [(int(a), b, 0, 0) for b in range(1, n) for a in rng.integers(max(0, b - 30), b, size=2)]
    demands = [{int(r): float(rng.integers(1, 3))} for r in rng.integers(0, 4, size=n)]
    net = arrays_net([int(x) for x in rng.integers(1, 6, size=n)], sorted(set(links)), demands, [3, 3, 2, 4])
    result = level_network(net, method="heuristic", schedules=60, jit=True)
    check_feasible(net, result.start_minutes)
    assert makespan(result) >= cpm_length(net)
    assert result.schedules >= 8


# ---- hypothesis: small random instances -----------------------------------------------------------
@st.composite
def instances(draw: st.DrawFn) -> Network:
    n = draw(st.integers(2, 7))
    durations = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    links = []
    for b, a in itertools.combinations(range(n), 2):
        if draw(st.integers(0, 3)) == 0:
            links.append((b, a, draw(st.integers(0, 3)), draw(st.integers(-2, 3))))
    k = draw(st.integers(1, 2))
    capacity = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k))
    demands = []
    for _ in range(n):
        row = {}
        for r in range(k):
            if draw(st.booleans()):
                row[r] = float(draw(st.integers(1, capacity[r])))
        demands.append(row)
    return arrays_net(durations, links, demands, [float(c) for c in capacity])


@needs_cp
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_against_proven_cp_optimum(net: Network) -> None:
    bound = cpm_length(net)
    heuristic = level_network(net, method="heuristic", schedules=40, time_limit=5.0, jit=False)
    exact = level_network(net, method="cp", time_limit=5.0, workers=1)
    auto = level_network(net, method="auto", time_limit=5.0, schedules=40, workers=1, jit=False)
    for result in (heuristic, exact, auto):
        check_feasible(net, result.start_minutes)
        assert makespan(result) >= bound  # never below the critical-path lower bound
        assert result.lower_bound <= makespan(result)
    assert exact.proven_optimal
    optimum = makespan(exact)
    assert exact.lower_bound == optimum
    for result in (heuristic, auto):
        assert makespan(result) >= optimum
        if result.proven_optimal:  # a claim of optimality must match the proven optimum
            assert makespan(result) == optimum
            assert result.lower_bound == optimum
    assert makespan(auto) == optimum


@settings(max_examples=100, deadline=None)
@given(instances())
def test_random_instances_explanations_are_consistent(net: Network) -> None:
    result = level_network(net, method="heuristic", schedules=30, jit=False)
    check_feasible(net, result.start_minutes)
    for task in result.tasks.values():
        assert (task.delay > 0) == (task.cause is not None)
        if task.detail is not None:
            assert task.detail.resource_wait + task.detail.predecessor_wait == task.delay
            if task.detail.resource is not None:
                assert task.detail.in_use + task.detail.needed > task.detail.capacity
    for profile in result.profiles.values():
        assert profile.peak_after <= profile.capacity + 1e-9


# ---- PSPLIB J30: published optima reproduced on a spread sample --------------------------------------
def _j30_sample(step: int) -> list[tuple[str, int, object]]:
    from tests.conftest import shared_path

    from pmfit.io.psplib import read_optima, read_sm

    root = shared_path("psplib", "j30")
    optima = read_optima(root / "j30opt.sm")
    files = sorted((root / "instances").glob("*.sm"), key=lambda p: tuple(int(x) for x in p.stem[3:].split("_")))
    return [(p.name, optima[p.name].optimum, read_sm(p)) for p in files[::step]]  # type: ignore[misc]


def test_j30_heuristic_on_a_sample() -> None:
    sample = _j30_sample(16)  # 30 instances, one per 16
    devs = []
    for name, optimum, inst in sample:
        net = rcpsp_network(inst)  # type: ignore[arg-type]
        result = level_network(net, method="heuristic", schedules=1000, jit=True)
        check_feasible(net, result.start_minutes)
        assert makespan(result) >= optimum, f"{name}: below the published optimum"
        devs.append((makespan(result) - optimum) / optimum)
    assert np.mean(devs) <= 0.01
    assert sum(d == 0 for d in devs) >= 0.7 * len(devs)


@needs_cp
def test_j30_optima_reproduced_with_auto() -> None:
    sample = _j30_sample(20)  # 24 instances
    hit = 0
    for name, optimum, inst in sample:
        net = rcpsp_network(inst)  # type: ignore[arg-type]
        result = level_network(net, method="auto", time_limit=1.5, jit=True, tidy=False)
        check_feasible(net, result.start_minutes)
        assert makespan(result) >= optimum, f"{name}: below the published optimum"
        assert result.lower_bound <= optimum
        if result.proven_optimal:
            assert makespan(result) == optimum, f"{name}: 'proven optimal' but not the published optimum"
        hit += makespan(result) == optimum
    # the misses are in the classes known to be hard (j3013, j3029, j3045); the benchmark runs all 480
    assert hit >= len(sample) - 4


def test_a_very_long_plan_at_a_fine_step_is_rounded_up_and_still_feasible(monkeypatch: pytest.MonkeyPatch) -> None:
    import pmfit.engine.level.problem as problem

    monkeypatch.setattr(problem, "MAX_GRID_CELLS", 2_000)
    # durations in odd minutes (gcd 1 minute) over about 12 working days
    net = arrays_net([1441, 2881, 961, 1201], [(0, 2, 0, 7), (1, 3, 2, -30)],
                     [{0: 1}, {0: 1}, {0: 1}, {0: 1}], [1])
    result = level_network(net, method="heuristic", schedules=50)
    assert result.problem.unit > 1
    assert "level_rounded" in [d.code for d in result.diagnostics]
    check_feasible(net, result.start_minutes)
    monkeypatch.setattr(problem, "MAX_GRID_CELLS", 5)  # fewer cells than tasks: nothing fits
    with pytest.raises(PlanError) as err:
        level_network(net, method="heuristic", schedules=50)
    assert err.value.codes == ["plan_too_long"]


# ---- a second, CP-free oracle: brute force over every activity list (FS links, no lags) -------------
def brute_force_optimum(durations: list[int], preds: list[set[int]], demands: list[dict[int, int]],
                        capacity: list[int]) -> int:
    """Try every precedence-feasible order with a naive unit-step serial scheduler.

    For finish-to-start links without lags the active schedules contain an optimum, and
    serial scheduling over all orders generates every active schedule (Kolisch 1996), so the
    best makespan found is the optimum. Written from scratch here: no code shared with pmfit.
    """
    n = len(durations)
    best = 10**9
    for order in itertools.permutations(range(n)):
        position = {j: i for i, j in enumerate(order)}
        if any(position[p] > position[j] for j in range(n) for p in preds[j]):
            continue
        start: dict[int, int] = {}
        for j in order:
            t = max((start[p] + durations[p] for p in preds[j]), default=0)
            while True:
                fits = all(
                    sum(demands[i].get(r, 0) for i in start if start[i] <= tau < start[i] + durations[i])
                    + demands[j].get(r, 0) <= capacity[r]
                    for tau in range(t, t + durations[j]) for r in range(len(capacity)))
                if fits:
                    break
                t += 1
            start[j] = t
        best = min(best, max((start[j] + durations[j] for j in range(n)), default=0))
    return best


@st.composite
def fs_instances(draw: st.DrawFn) -> tuple[list[int], list[set[int]], list[dict[int, int]], list[int]]:
    n = draw(st.integers(2, 6))
    durations = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    preds: list[set[int]] = [set() for _ in range(n)]
    for a, b in itertools.combinations(range(n), 2):
        if draw(st.integers(0, 3)) == 0:
            preds[b].add(a)
    capacity = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    demands = [{r: draw(st.integers(0, capacity[r])) for r in range(len(capacity))} for _ in range(n)]
    return durations, preds, demands, capacity


@settings(max_examples=60, deadline=None)
@given(fs_instances())
def test_heuristic_reaches_the_brute_force_optimum(case: tuple[list[int], list[set[int]], list[dict[int, int]],
                                                                list[int]]) -> None:
    durations, preds, demands, capacity = case
    optimum = brute_force_optimum(durations, preds, demands, capacity)
    links = [(a, b, 0, 0) for b in range(len(durations)) for a in sorted(preds[b])]
    net = arrays_net(durations, links, [{r: float(u) for r, u in row.items() if u} for row in demands],
                     [float(c) for c in capacity])
    result = level_network(net, method="heuristic", schedules=200, jit=False)
    check_feasible(net, result.start_minutes)
    assert makespan(result) >= optimum
    assert makespan(result) == optimum  # six tasks or fewer: 200 schedules always find it
    if result.proven_optimal:
        assert result.lower_bound == optimum


@settings(max_examples=40, deadline=None)
@given(instances(), st.data())
def test_random_instances_with_fixed_and_unleveled_tasks(net: Network, data: st.DataObject) -> None:
    levelable = np.array([data.draw(st.integers(0, 2)) > 0 for _ in range(net.n)])
    levelable[data.draw(st.integers(0, net.n - 1))] = False
    pinned = data.draw(st.integers(0, net.n - 1))
    ctype = net.constraint_type.copy()
    ctime = net.constraint_time.copy()
    ctype[pinned], ctime[pinned] = 6, data.draw(st.integers(0, 6))  # must start on
    from dataclasses import replace

    varied = replace(net, levelable=levelable, constraint_type=ctype, constraint_time=ctime)
    for method in ("heuristic", "auto") if cp_available() else ("heuristic",):
        result = level_network(varied, method=method, schedules=30, time_limit=5.0, workers=1, jit=False)  # type: ignore[arg-type]
        check_feasible(varied, result.start_minutes, strict_capacity=False)
        assert result.start_minutes[pinned] == ctime[pinned]
        for i in np.flatnonzero(~levelable):
            if i != pinned:  # a task that may not wait for resources starts as its predecessors allow
                need = max([0] + [int(result.start_minutes[net.link_src[k]]) + int(result.cpm.link_offset[k])
                                  for k in net.predecessors(int(i))])
                assert result.start_minutes[i] == need


# ---- resource calendars: a resource's days off ------------------------------------------------------
VACATION = """
project: {name: Vacation, start: 2027-01-04}
resources:
  - id: alice
    name: Alice
    units: 1
    calendar: {holidays: [{date: 2027-01-06, until: 2027-01-08, name: Ski trip}]}
  - {id: dev, name: Developers, units: 2}
tasks:
  - {id: design, duration: 3d, needs: {alice: 1}}
  - {id: review, duration: 1d, needs: {alice: 1}}
  - {id: build, duration: 2d, after: [design], needs: {dev: 1}}
"""


def assert_respects_time_off(net: Network, start: np.ndarray, blocked: list[tuple[int, int, int]]) -> None:
    owner = np.repeat(np.arange(net.n), np.diff(net.demand_ptr))
    for r, a, b in blocked:
        for i in owner[net.demand_resource == r]:
            s, f = int(start[i]), int(start[i] + net.duration[i])
            assert f <= a or s >= b or s == f, f"{net.ids[i]} works during {net.resource_ids[r]}'s time off"


@pytest.mark.parametrize("method", ["heuristic", "auto"])
def test_resource_calendar_days_off(method: str) -> None:
    from pmfit.engine.level import resource_time_off

    plan = loads(VACATION)
    net = compile_plan(plan)
    assert resource_time_off(plan, net) == [(0, 2 * 480, 5 * 480)]  # Wed 6 .. Fri 8 Jan
    if method == "auto" and not cp_available():
        pytest.skip("OR-Tools is not installed")
    result = level(plan, method=method, schedules=300, time_limit=3.0)  # type: ignore[arg-type]
    check_feasible(result.network, result.start_minutes)
    assert_respects_time_off(result.network, result.start_minutes, [(0, 960, 2400)])
    # design needs Alice for 3 days in a row: only from Mon 11 Jan (day 5); build follows
    assert result["design"].start_minute == 5 * 480
    assert result.duration_after == 10 * 480
    assert "Alice is off 3 days" in (result["design"].cause or "")


@settings(max_examples=40, deadline=None)
@given(instances(), st.data())
def test_random_days_off_are_never_used(net: Network, data: st.DataObject) -> None:
    blocked = []
    for _ in range(data.draw(st.integers(1, 3))):
        r = data.draw(st.integers(0, len(net.capacity) - 1))
        a = data.draw(st.integers(0, 10))
        blocked.append((r, a, a + data.draw(st.integers(1, 4))))
    for method in ("heuristic", "auto") if cp_available() else ("heuristic",):
        result = level_network(net, method=method, schedules=30, time_limit=5.0, workers=1, jit=False,  # type: ignore[arg-type]
                               blocked=blocked)
        check_feasible(net, result.start_minutes)
        assert_respects_time_off(net, result.start_minutes, blocked)
        assert makespan(result) >= cpm_length(net)


def test_implied_precedences_do_not_chain_through_a_pinned_task() -> None:
    """A -> P(must start on day 0) -> B: P ignores A, so B may start right after P, long before A ends."""
    import pmfit

    plan = pmfit.loads("""
project: {name: Pinned, start: 2027-01-04}
resources: [{id: r, units: 2}]
tasks:
  - {id: a, duration: 5d, needs: {r: 1}}
  - {id: p, duration: 1d, after: [a], constraint: {must_start_on: 2027-01-04}, needs: {r: 1}}
  - {id: b, duration: 1d, after: [p], needs: {r: 1}}
""")
    result = pmfit.level(plan, time_limit=5, method="cp")
    mpd = 480
    assert result["p"].start_minute == 0
    assert result["b"].start_minute == 1 * mpd  # right after p, not after a (5d)
    assert result.finish_minutes.max() == 5 * mpd  # a sets the finish
