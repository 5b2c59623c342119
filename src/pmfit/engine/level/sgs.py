"""The heuristic: priority-rule schedules, biased random sampling, justification, genetic search.

1. Every priority rule (:mod:`.rules`) with the serial and the parallel
   schedule generation scheme, each improved by forward-backward
   justification (Tormos & Lova 2001; Valls, Ballestín & Quintanilla 2005).
2. Regret-based biased random sampling on latest finish (Kolisch 1996),
   justified, until the population is full.
3. A steady-state genetic search over activity lists (two-point crossover,
   Hartmann 1998), each child justified.

It stops at the schedule count or the time budget, whichever comes first,
or as soon as the makespan meets a lower bound (then it is proven optimal).
Every forward or backward pass counts as one generated schedule.

The loops live in :mod:`.kernels`; for large jobs the whole module is
compiled by numba (:func:`compiled_kernels`), so the loops can call each other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.jit import JIT_THRESHOLD, numba_available
from pmfit.engine.level import kernels as _py_kernels
from pmfit.engine.level.problem import IGNORE_RESOURCES, PINNED, Problem, build_problem
from pmfit.engine.level.rules import RULES, as_ranks, rule_values

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

@cache
def compiled_kernels() -> Any:
    """The kernels compiled by numba as one unit (numba caches them on disk)."""
    from pmfit.engine.level import _jit

    return _jit


def kernels_for(work: int, jit: bool | None = None) -> Any:
    """Compiled kernels when the job is big enough (or ``jit=True``), else the Python ones."""
    use = (work >= JIT_THRESHOLD) if jit is None else jit
    if use and numba_available():
        k = compiled_kernels()
        _warm_up(k)
        return k
    return _py_kernels


@cache
def _warm_up(k: Any) -> None:
    """Load every compiled loop once (numba loads its cache on first call), outside any time budget."""
    from pmfit.engine.network import Network

    net = Network.from_arrays(np.array([2, 3], dtype=np.int64), np.array([0]), np.array([1]),
                              capacity=np.array([1.0]), demand_ptr=np.array([0, 1, 2]),
                              demand_resource=np.array([0, 0]), demand_units=np.array([1.0, 1.0]),
                              priority=np.zeros(2, dtype=np.int64), levelable=np.ones(2, dtype=bool))
    problem = build_problem(net)
    runner = _Runner(problem, k)
    start = np.zeros(2, dtype=np.int64)
    key = np.arange(2, dtype=np.float64)
    k.seed_rng(0)
    runner.parallel(key, start)
    runner.sample(key, 1.0, key)
    runner.justify(key, start)
    pop = np.stack([key, key[::-1].copy()])
    runner.evolve(pop, np.array([5, 5], dtype=np.int64), np.zeros(2), 1, np.array([5], dtype=np.int64), start,
                  10**9, 0.05, 0.0, 0.5)


@dataclass(frozen=True)
class HeuristicResult:
    """The best schedule the heuristic found (grid units) and how it got there."""

    start: IntArray
    makespan: int
    schedules: int
    seconds: float
    lower_bound: int
    source: str

    @property
    def proven_optimal(self) -> bool:
        return self.makespan <= self.lower_bound


class _Runner:
    """Holds the arrays and the scratch grid for one problem."""

    def __init__(self, problem: Problem, k: Any) -> None:
        self.p = problem
        self.k = k
        n = problem.n
        self.usage = problem.blocked_grid()
        self.busage = np.zeros_like(self.usage)
        self.zero_rank = np.zeros(n, dtype=np.int64)
        self.blower = np.zeros(n, dtype=np.int64)
        self.bmode = np.where(problem.mode == PINNED, IGNORE_RESOURCES, problem.mode).astype(np.int64)
        self.counter = np.zeros(1, dtype=np.int64)
        self.order = np.empty(n, dtype=np.int64)

    def justify(self, key: FloatArray, start: IntArray, rounds: int = 3) -> int:
        p = self.p
        return int(self.k.justify(
            key, p.rank, self.zero_rank, p.dur,
            p.fpp, p.fps, p.fpo, p.fsp, p.fsd, p.findeg,
            p.bpp, p.bps, p.bpo, p.bsp, p.bsd, p.bindeg,
            p.lower, self.blower, p.mode, self.bmode,
            p.dptr, p.dres, p.dun, p.cap, self.usage, self.busage, start, self.order, rounds, self.counter))

    def serial(self, key: FloatArray, start: IntArray) -> int:
        p = self.p
        self.counter[0] += 1
        return int(self.k.serial_sgs(key, p.rank, p.dur, p.fpp, p.fps, p.fpo, p.fsp, p.fsd, p.findeg,
                                     p.lower, p.mode, p.dptr, p.dres, p.dun, p.cap, self.usage, start,
                                     self.order))

    def parallel(self, key: FloatArray, start: IntArray) -> int:
        p = self.p
        self.counter[0] += 1
        return int(self.k.parallel_sgs(key, p.rank, p.dur, p.fsp, p.fsd, p.fso, p.findeg,
                                       p.lower, p.mode, p.dptr, p.dres, p.dun, p.cap, self.usage, start,
                                       self.order))

    def sample(self, value: FloatArray, alpha: float, out: FloatArray) -> None:
        p = self.p
        self.k.sample_keys(value, alpha, p.rank, p.fsp, p.fsd, p.findeg, out)

    def evolve(self, pop: FloatArray, fitness: IntArray, hashes: FloatArray, children: int, best: IntArray,
               best_start: IntArray, budget: int, mutation: float, local: float, parallel_share: float) -> None:
        p = self.p
        self.k.evolve(pop, fitness, hashes, children, mutation, local, parallel_share, p.rank, self.zero_rank,
                      p.dur, p.fpp, p.fps, p.fpo, p.fsp, p.fsd, p.fso, p.findeg,
                      p.bpp, p.bps, p.bpo, p.bsp, p.bsd, p.bindeg,
                      p.lower, self.blower, p.mode, self.bmode,
                      p.dptr, p.dres, p.dun, p.cap, self.usage, self.busage, best_start, best, self.counter,
                      budget)


def single_pass(problem: Problem, rule: str = "LFT", scheme: str = "serial", jit: bool | None = None) -> IntArray:
    """One priority-rule pass, no improvement (the classic leveler; MS Project-style with LFT)."""
    runner = _Runner(problem, kernels_for(problem.n, jit))
    key = as_ranks(rule_values(problem, rule))
    start = np.zeros(problem.n, dtype=np.int64)
    if scheme == "serial":
        runner.serial(key, start)
    else:
        runner.parallel(key, start)
    return start


def solve_heuristic(
    problem: Problem,
    schedules: int = 1000,
    time_limit: float | None = None,
    seed: int = 0,
    jit: bool | None = None,
    population: int | None = None,
    lower_bound: int | None = None,
    mutation: float = 0.1,
    local: float | None = None,
    parallel_share: float = 0.5,
    restart: int = 0,
) -> HeuristicResult:
    """Run the heuristic within ``schedules`` generated schedules and ``time_limit`` seconds.

    Tuning (defaults chosen on a 120-instance spread of J30, two to four seeds):
    ``population`` 60 up to 2,000 schedules, else 160; ``mutation`` 0.1 (neighbour swaps per
    list position); ``local`` 0.4 up to 2,000 schedules, else 0.3 (share of children that are
    perturbed copies of the best);
    ``parallel_share`` 0.5 (share of children decoded by the parallel scheme before
    justification); ``restart`` > 0 re-samples the worse half after that many schedules
    without a gain (off by default: it did not help on J30).
    """
    n = problem.n
    lb = problem.lower_bound() if lower_bound is None else lower_bound
    if n == 0:
        return HeuristicResult(np.zeros(0, dtype=np.int64), 0, 0, 0.0, 0, "empty")
    k = kernels_for(n * max(schedules, 1), jit)
    if population is None:
        population = 60 if schedules <= 2000 else 160
    if local is None:
        local = 0.4 if schedules <= 2000 else 0.3
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    k.seed_rng(seed)
    runner = _Runner(problem, k)
    best = np.array([np.iinfo(np.int64).max], dtype=np.int64)
    best_start = np.zeros(n, dtype=np.int64)
    source = ""

    def out_of_budget() -> bool:
        if runner.counter[0] >= schedules or best[0] <= lb:
            return True
        return deadline is not None and time.perf_counter() >= deadline

    pop_keys: list[FloatArray] = []
    pop_fit: list[int] = []
    pop_hash: list[float] = []

    def consider(key: FloatArray, start: IntArray, makespan: int, label: str) -> None:
        nonlocal source
        pop_keys.append(key.copy())
        pop_fit.append(makespan)
        pop_hash.append(float(k.schedule_hash(start)))
        if makespan < best[0]:
            best[0] = makespan
            best_start[:] = start
            source = label

    # 1. every rule, serial and parallel, justified
    values = {rule: rule_values(problem, rule) for rule in RULES}
    start = np.zeros(n, dtype=np.int64)
    for rule in RULES:
        for scheme in ("serial", "parallel"):
            if out_of_budget() and best[0] < np.iinfo(np.int64).max:
                break
            key = as_ranks(values[rule])
            if scheme == "parallel":
                m = runner.parallel(key, start)
                consider(key, start, m, f"{rule} parallel")
                key = start.astype(np.float64) + key * 1e-9
            m = runner.justify(key, start)
            consider(key, start, m, f"{rule} {scheme} + justification")
    # 2. regret-based biased random sampling on LFT
    lft = values["LFT"]
    key = np.zeros(n, dtype=np.float64)
    while len(pop_keys) < population and not out_of_budget():
        runner.sample(lft, 1.0, key)
        m = runner.justify(key, start)
        consider(key, start, m, "biased random sampling + justification")
    # 3. genetic search
    if not out_of_budget() and len(pop_keys) >= 2:
        order = np.argsort(pop_fit, kind="stable")[:population]
        pop = np.ascontiguousarray(np.stack([pop_keys[i] for i in order]))
        fit = np.array([pop_fit[i] for i in order], dtype=np.int64)
        hashes = np.array([pop_hash[i] for i in order], dtype=np.float64)
        chunk = max(1, min(50, 200_000 // max(n * 8, 1)))
        before = int(best[0])
        last_gain = int(runner.counter[0])
        while not out_of_budget():
            runner.evolve(pop, fit, hashes, chunk, best, best_start, schedules, mutation, local, parallel_share)
            if best[0] < before:
                source = "genetic search + justification"
                before = int(best[0])
                last_gain = int(runner.counter[0])
            elif restart and int(runner.counter[0]) - last_gain > restart:
                # stagnation: the worse half of the population is replaced by fresh samples
                last_gain = int(runner.counter[0])
                for i in np.argsort(fit, kind="stable")[len(fit) // 2:]:
                    if out_of_budget():
                        break
                    runner.sample(lft, 1.0, key)
                    fit[i] = runner.justify(key, start)
                    pop[i] = key
                    hashes[i] = float(k.schedule_hash(start))
                    if fit[i] < best[0]:
                        best[0] = fit[i]
                        best_start[:] = start
                        source = "biased random sampling + justification"
                        before = int(best[0])
    return HeuristicResult(best_start.copy(), int(best[0]), int(runner.counter[0]),
                           time.perf_counter() - t0, lb, source)
