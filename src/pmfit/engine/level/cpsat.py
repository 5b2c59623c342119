"""The exact/improving method: OR-Tools CP-SAT (a core dependency of pmfit).

Variables (grid units): a start ``s_j`` per task and, for a task that takes
time, an interval ``[s_j, s_j + d_j)``.

Constraints, named as relations:

- ``Precedence``: ``s_dst >= s_src + offset`` for every link (all four link
  types with lags reduce to this, see :func:`pmfit.engine.cpm.link_offsets`);
- ``Release``: ``s_j >= lower_j`` (project start, start/finish-no-earlier-than);
- ``Pinned``: ``s_j == lower_j`` (must-start-on / must-finish-on);
- ``NotLeveled``: for ``level: false`` tasks ``s_j == max(lower_j, s_src + offset ...)``:
  they follow their predecessors but never wait for a resource;
- ``Cumulative``: per resource, the demands of the intervals running at any
  instant sum to at most the capacity (a resource's days off are fixed intervals
  that take all of its units);
- ``Makespan``: ``C >= s_j + d_j``; objective ``min C``.

Redundant (implied) constraints that make the search prove faster (see ``REDUNDANT``):

- ``Transitive``: ``s_j >= s_i + (longest link path from i to j)`` for every linked pair;
- ``Disjunctive``: a conflict graph joins two tasks that can never run at the same time
  (on some resource their demands together exceed its capacity, or a chain of links keeps
  one from starting before the other ends); each greedy maximal clique of it becomes a
  ``NoOverlap`` constraint, much stronger than the cumulatives for these tasks;
- ``Bound``: ``C >=`` the one-machine bound of those cliques (head + durations + tail).

Warm start: the heuristic's best schedule is given as a solution hint and its
makespan as the upper bound of ``C``. When time remains after the makespan is
settled, a second solve keeps ``C`` at its best value and minimises the
priority-weighted total shift from the unleveled (CPM) starts, so tasks stay
close to where the plan had them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pmfit.engine.level.problem import IGNORE_RESOURCES, PINNED, Problem

IntArray = npt.NDArray[np.int64]


#: CP-SAT parameters set on every solve (tuned on PSPLIB J30 with 2 workers, 1 s: the stronger
#: disjunctive propagation pays off on the conflict cliques below). A list value extends a
#: repeated field (e.g. ``subsolvers``).
SOLVER_PARAMETERS: dict[str, object] = {"use_strong_propagation_in_disjunctive": True}
#: Redundant constraints and bounds added to the model (tuned on PSPLIB J30):
#: ``no_overlap`` one disjunctive per resource over the tasks needing more than half of it;
#: ``transitive`` the longest link path between every pair of linked tasks;
#: ``set_times`` branch on the earliest-startable task first;
#: ``cliques`` disjunctives over conflict cliques (1: resource conflicts only, 2: and link chains);
#: ``clique_bound`` the one-machine bound of those cliques as the makespan's lower bound.
REDUNDANT: dict[str, int] = {"no_overlap": 0, "transitive": 1, "set_times": 0, "cliques": 2, "clique_bound": 1}
#: At most this many conflict cliques become disjunctive constraints.
MAX_CLIQUES = 200
#: Cliques and their bound only up to this many tasks (building them is quadratic and more).
CLIQUE_MAX_TASKS = 150


def _longest_paths(problem: Problem) -> dict[int, dict[int, int]]:
    """Longest offset path between every pair of linked tasks (two or more links apart)."""
    order = problem.network.order
    out: dict[int, dict[int, int]] = {}
    for i in order[::-1]:
        i = int(i)
        row: dict[int, int] = {}
        for x in range(int(problem.fsp[i]), int(problem.fsp[i + 1])):
            q, off = int(problem.fsd[x]), int(problem.fso[x])
            if problem.mode[q] == PINNED:
                continue  # a pinned task ignores its predecessors: no path runs through it
            for j, gap in out.get(q, {}).items():
                if row.get(j, -(2**62)) < off + gap:
                    row[j] = off + gap
            if row.get(q, -(2**62)) < off:
                row[q] = off
        out[i] = row
    return out


def _conflict_cliques(problem: Problem, dist: dict[int, dict[int, int]] | None,
                      max_cliques: int = 200) -> list[list[int]]:
    """Groups of tasks of which no two can run at the same time: a pair conflicts when, on
    some resource, their demands together exceed its capacity, or (with ``dist``) when a
    chain of links keeps one from starting before the other ends. Greedy maximal cliques
    of that conflict graph, each holding at least one resource conflict."""
    p = problem
    n = p.n
    use: list[dict[int, int]] = [{} for _ in range(n)]
    for j in range(n):
        if p.dur[j] <= 0:
            continue
        for k in range(int(p.dptr[j]), int(p.dptr[j + 1])):
            if p.dun[k] > 0:
                use[j][int(p.dres[k])] = int(p.dun[k])
    tasks = [j for j in range(n) if use[j]]
    cap = [int(c) for c in p.cap]
    res_adj: dict[int, set[int]] = {j: set() for j in tasks}
    adj: dict[int, set[int]] = {j: set() for j in tasks}
    for a, i in enumerate(tasks):
        for j in tasks[a + 1:]:
            if any(r in use[j] and u + use[j][r] > cap[r] for r, u in use[i].items()):
                res_adj[i].add(j)
                res_adj[j].add(i)
    for i in tasks:
        adj[i] |= res_adj[i]
    if dist is not None:
        for i in tasks:
            if p.mode[i] == PINNED:
                continue
            for j, gap in dist.get(i, {}).items():
                if j in adj and p.mode[j] != PINNED and gap >= p.dur[i]:
                    adj[i].add(j)
                    adj[j].add(i)
    seen: set[tuple[int, ...]] = set()
    out: list[list[int]] = []
    kept: list[set[int]] = []
    order = sorted(tasks, key=lambda t: (-len(res_adj[t]), -int(p.dur[t])))
    rank = {t: k for k, t in enumerate(order)}
    for v in order:
        if not res_adj[v]:
            continue
        clique = [v]
        for u in sorted(adj[v], key=rank.__getitem__):
            if all(u in adj[w] for w in clique):
                clique.append(u)
        key = tuple(sorted(clique))
        members = set(key)
        if key not in seen and not any(members <= c for c in kept):
            seen.add(key)
            kept.append(members)
            out.append(list(key))
            if len(out) >= max_cliques:
                break
    return out


def clique_bound(problem: Problem, dist: dict[int, dict[int, int]] | None = None,
                 max_tasks: int = CLIQUE_MAX_TASKS) -> int:
    """One-machine lower bound on the makespan over the conflict cliques (0 when not applicable).

    No two tasks of a clique overlap, so for any subset ``S`` of it the makespan is at least
    ``min head + sum of durations + min tail`` over ``S`` (head: earliest start by the links and
    dates; tail: longest link path from a task's end to the end of the project). Only for plans
    where every task is leveled and no resource has days off (as the energy bound).
    """
    p = problem
    n = p.n
    if n == 0 or n > max_tasks or not p.levelable_only or p.resources == 0 or len(p.blocked):
        return 0
    if dist is None:
        dist = _longest_paths(p)
    head = p.precedence_starts(np.zeros(n, dtype=np.int64), use_all=True)
    tail = np.zeros(n, dtype=np.int64)
    for i in range(n):
        reach = max((gap + int(p.dur[j]) for j, gap in dist.get(i, {}).items()), default=0)
        tail[i] = max(0, reach - int(p.dur[i]))
    best = 0
    for clique in _conflict_cliques(p, dist, MAX_CLIQUES):
        c = np.asarray(clique, dtype=np.int64)
        h, d, t = head[c].astype(np.float64), p.dur[c].astype(np.float64), tail[c].astype(np.float64)
        # subsets {head >= h[a], tail >= t[b]} for every pair (a, b): durations summed by a product
        work = ((h[None, :] >= h[:, None]) * d[None, :]) @ (t[None, :] >= t[:, None]).T.astype(np.float64)
        value = h[:, None] + work + t[None, :]
        value[work == 0] = 0  # an empty subset bounds nothing
        best = max(best, round(float(value.max())))
    return best


def cp_available() -> bool:
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class CpResult:
    """What CP-SAT found (grid units)."""

    start: IntArray | None
    makespan: int | None
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    proven_optimal: bool
    lower_bound: int
    seconds: float
    tidied: bool = False


def _late_starts(problem: Problem, horizon: int) -> IntArray:
    ls = horizon - problem.dur
    for j in problem.network.order[::-1]:
        for x in range(int(problem.fsp[j]), int(problem.fsp[j + 1])):
            if problem.mode[problem.fsd[x]] == PINNED:
                continue  # a pinned task ignores its predecessors
            c = ls[problem.fsd[x]] - problem.fso[x]
            if c < ls[j]:
                ls[j] = c
    return ls.astype(np.int64)


def solve_cp(
    problem: Problem,
    time_limit: float,
    hint: IntArray | None = None,
    workers: int = 2,
    tidy: bool = True,
    unleveled: IntArray | None = None,
    seed: int = 0,
    upper: int | None = None,
) -> CpResult:
    """Minimise the makespan with CP-SAT within ``time_limit`` seconds (see the module doc).

    ``hint``: a feasible schedule (grid units) given as solution hints; its makespan is also
    the model's horizon. ``upper``: a horizon without hints. ``tidy`` with ``unleveled``: the
    second solve towards the unleveled starts. ``workers``: CP-SAT threads.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    p = problem
    n = p.n
    es = p.precedence_starts(np.zeros(n, dtype=np.int64), use_all=True)
    lb = max(p.lower_bound(), int((es + p.dur).max()) if n else 0)
    dist = _longest_paths(p) if n <= 400 and (REDUNDANT.get("transitive") or REDUNDANT.get("cliques")) else None
    if REDUNDANT.get("clique_bound") and dist is not None and n <= CLIQUE_MAX_TASKS:
        lb = max(lb, clique_bound(p, dist))
    if hint is not None:
        horizon = int((hint + p.dur).max())
    elif upper is not None:
        horizon = max(int(upper), lb)
    else:
        horizon = int(max(p.lower.max(initial=0), 0) + p.dur.sum() + np.maximum(p.fpo, 0).sum())
        horizon = max(horizon, lb)
    ls = _late_starts(p, horizon)
    model = cp_model.CpModel()
    starts = []
    for j in range(n):
        lo, hi = int(es[j]), int(ls[j])
        if p.mode[j] == PINNED:
            lo = hi = int(p.lower[j])
        if hi < lo:
            hi = lo  # the hint horizon is always feasible; a pinned task may sit past it
        starts.append(model.new_int_var(lo, hi, f"s{j}"))
    makespan = model.new_int_var(lb, max(horizon, int((p.lower + p.dur).max(initial=0))), "makespan")
    for j in range(n):
        model.add(makespan >= starts[j] + int(p.dur[j]))
    for j in range(n):
        preds = range(int(p.fpp[j]), int(p.fpp[j + 1]))
        if p.mode[j] == PINNED:
            continue
        for k in preds:
            model.add(starts[j] >= starts[int(p.fps[k])] + int(p.fpo[k]))
        if p.mode[j] == IGNORE_RESOURCES and len(preds):
            terms = [starts[int(p.fps[k])] + int(p.fpo[k]) for k in preds] + [int(p.lower[j])]
            model.add_max_equality(starts[j], terms)
        elif p.mode[j] == IGNORE_RESOURCES:
            model.add(starts[j] == int(p.lower[j]))
    per_resource: list[tuple[list[object], list[int]]] = [([], []) for _ in range(p.resources)]
    interval_of: dict[int, object] = {}
    for j in range(n):
        d = int(p.dur[j])
        if d <= 0:
            continue
        interval = None
        for k in range(int(p.dptr[j]), int(p.dptr[j + 1])):
            u = int(p.dun[k])
            if u <= 0:
                continue
            if interval is None:
                interval = model.new_fixed_size_interval_var(starts[j], d, f"i{j}")
                interval_of[j] = interval
            per_resource[int(p.dres[k])][0].append(interval)
            per_resource[int(p.dres[k])][1].append(u)
    for r, a, b in p.blocked.tolist():
        # a resource's time off: a fixed interval that takes all of its units
        if a < horizon and b > a:
            per_resource[r][0].append(model.new_fixed_size_interval_var(a, min(b, horizon + 1) - a, f"off{r}_{a}"))
            per_resource[r][1].append(int(p.cap[r]))
    for r, (intervals, demands) in enumerate(per_resource):
        if intervals and sum(demands) > int(p.cap[r]):
            model.add_cumulative(intervals, demands, int(p.cap[r]))  # type: ignore[arg-type]
            if REDUNDANT.get("no_overlap"):
                # Disjunctive: tasks needing more than half the units can never run together.
                half = [iv for iv, u in zip(intervals, demands, strict=True) if 2 * u > int(p.cap[r])]
                if len(half) >= 2:
                    model.add_no_overlap(half)  # type: ignore[arg-type]
    if REDUNDANT.get("cliques") and dist is not None and n <= CLIQUE_MAX_TASKS:
        # Disjunctive: tasks of which no two can overlap (see _conflict_cliques).
        for clique in _conflict_cliques(p, dist if REDUNDANT.get("cliques", 0) >= 2 else None,
                                        MAX_CLIQUES):
            model.add_no_overlap([interval_of[j] for j in clique])  # type: ignore[misc]
    if REDUNDANT.get("transitive") and dist is not None:
        # Transitive precedences: s_j >= s_i + (longest path from i to j), for every reachable pair.
        for i, row in dist.items():
            for j, gap in row.items():
                if p.mode[j] != PINNED and p.mode[i] != PINNED:
                    model.add(starts[j] >= starts[i] + int(gap))
    if hint is not None:
        for j in range(n):
            model.add_hint(starts[j], int(hint[j]))
        model.add_hint(makespan, horizon)
    model.minimize(makespan)
    if REDUNDANT.get("set_times"):
        # "set times": branch on the task that can start earliest, at its earliest start
        model.add_decision_strategy(starts, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit))
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    for name, value in SOLVER_PARAMETERS.items():
        if isinstance(value, list):
            getattr(solver.parameters, name).extend(value)
        else:
            setattr(solver.parameters, name, value)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = max(lb, int(np.ceil(solver.best_objective_bound))) if status == cp_model.UNKNOWN else lb
        return CpResult(None, None, name, False, bound, time.perf_counter() - t0)
    best = int(solver.objective_value)
    found = np.array([solver.value(s) for s in starts], dtype=np.int64)
    proven = status == cp_model.OPTIMAL
    bound = best if proven else max(lb, int(np.ceil(solver.best_objective_bound - 1e-6)))
    tidied = False
    left = time_limit - (time.perf_counter() - t0)
    if tidy and unleveled is not None and left > 0.05 and n:
        # second solve: same makespan, tasks as close as possible to their unleveled starts
        model.clear_hints()  # type: ignore[no-untyped-call]
        for j in range(n):
            model.add_hint(starts[j], int(found[j]))
        model.add(makespan <= best)
        weight = 1 + (p.rank.max(initial=0) - p.rank) if n else p.rank
        shift = [int(weight[j]) * (starts[j] - int(unleveled[j])) for j in range(n)
                 if p.mode[j] != PINNED]
        model.minimize(sum(shift))  # type: ignore[arg-type]
        solver.parameters.max_time_in_seconds = max(0.05, min(left, max(0.25 * time_limit, 0.2)))
        status2 = solver.solve(model)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = np.array([solver.value(s) for s in starts], dtype=np.int64)
            tidied = True
    return CpResult(found, best, name, proven, bound, time.perf_counter() - t0, tidied)
