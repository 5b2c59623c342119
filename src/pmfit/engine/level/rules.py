"""Priority rules for the schedule generation schemes (smaller value = scheduled first).

- LFT, latest finish time: the unconstrained late finish (CPM backward pass);
- LST, latest start time: the unconstrained late start;
- MTS, most total successors: how many tasks follow, directly or not;
- GRPW, greatest rank positional weight: own duration plus the durations of
  the direct successors.

Each rule is returned as a *rank* vector (0, 1, 2, ... with ties broken by
the task index) so every kernel sees the same scale.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pmfit.engine.level.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RULES = ("LFT", "LST", "MTS", "GRPW")
#: Above this many tasks MTS counts direct successors only (the bitset closure would be too large).
MTS_EXACT_LIMIT = 20000


def as_ranks(value: FloatArray) -> FloatArray:
    """Positions after a stable sort on ``value``: a rule as an activity-list key."""
    order = np.argsort(value, kind="stable")
    ranks = np.empty(len(value), dtype=np.float64)
    ranks[order] = np.arange(len(value), dtype=np.float64)
    return ranks


def late_dates(problem: Problem) -> tuple[IntArray, IntArray]:
    """Latest start and finish (grid units) with the critical-path length as horizon, ignoring resources."""
    return problem.late_dates


def total_successors(problem: Problem) -> IntArray:
    """Number of tasks reachable from each task (bitset closure in reverse topological order)."""
    n = problem.n
    if n > MTS_EXACT_LIMIT:
        return np.diff(problem.fsp).astype(np.int64)
    words = (n + 63) // 64
    reach = np.zeros((n, words), dtype=np.uint64)
    from pmfit.engine.level.sgs import kernels_for

    kernels_for(n * words, None).reach_bits(problem.network.order, problem.fsp, problem.fsd, reach)
    counts = np.unpackbits(reach.view(np.uint8), axis=1).sum(axis=1)
    return np.asarray(counts, dtype=np.int64)


def rule_values(problem: Problem, rule: str) -> FloatArray:
    """The raw value of a rule per task (smaller = more urgent)."""
    ls, lf = late_dates(problem)
    if rule == "LFT":
        return lf.astype(np.float64)
    if rule == "LST":
        return ls.astype(np.float64)
    if rule == "MTS":
        return -total_successors(problem).astype(np.float64)
    if rule == "GRPW":
        succ_dur = np.zeros(problem.n, dtype=np.int64)
        owner = np.repeat(np.arange(problem.n), np.diff(problem.fsp))
        np.add.at(succ_dur, owner, problem.dur[problem.fsd])
        return -(problem.dur + succ_dur).astype(np.float64)
    raise ValueError(f"unknown priority rule {rule!r} (choose from {', '.join(RULES)})")
