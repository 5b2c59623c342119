"""The batched Monte Carlo kernels: the CPM recurrence for a chunk of iterations at once.

Arrays are laid out (tasks x iterations): row ``j`` holds task ``j`` in every
iteration of the chunk, so each link is read once per chunk and its relation
is applied to a whole row, branch-free (the compiler vectorises it). The
relation is the one :mod:`pmfit.engine.cpm` applies, link by link:

    ES[dst] >= ES[src] + offset,   offset = lag + d[src]·[FS|FF] - d[dst]·[FF|SF]

(the same ``offset`` as :func:`pmfit.engine.cpm.link_offsets`), with the
lower, upper and must bounds that :func:`pmfit.engine.cpm.bounds` gives
for the iteration's durations:

- forward, in topological order: ``ES[j] = max(lower[j], max_k ES[src_k] + offset_k)``,
  then ``ES[j] = must[j]`` where a must-date is set (as ``kernels.forward_pass``);
- backward, in reverse order, pushed along the predecessor lists (as
  ``kernels.backward_pass_by_pred``): ``LS[j] = min(upper[j], finish - d[j],
  project deadline - d[j], must[j], min_k LS[dst_k] - offset_k)``;
- a task is critical in an iteration when ``LS - ES <= 0`` (``CpmResult.critical``).

The tests run single iterations through :func:`pmfit.engine.cpm.critical_path_method`
and require the same finish and the same critical set.

Written in plain Python over arrays; :func:`pmfit.engine.jit.kernel` compiles
them with numba (``parallel=True``: blocks of iterations run on all cores).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt

from pmfit.engine.jit import numba_available
from pmfit.engine.kernels import NO_LOWER, NO_UPPER

try:  # numba's parallel range when compiled; a plain range when run as Python
    from numba import prange
except ImportError:  # pragma: no cover - numba is the optional 'fast' extra
    prange = range  # type: ignore[misc]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# sampling codes, in network.DISTRIBUTIONS order
FIXED, TRIANGULAR, PERT, UNIFORM = 0, 1, 2, 3


def inverse_cdf(dist: int, q: float, lo: float, mode: float, hi: float,
                table: FloatArray, row: int) -> float:
    """The ``q``-quantile of a task's duration distribution (working minutes).

    Triangular and uniform in closed form; PERT-beta from a quantile table
    (``table[row]`` on an even grid of q, linearly interpolated).
    """
    if dist == TRIANGULAR:
        width = hi - lo
        if width <= 0.0:
            return lo
        if q < (mode - lo) / width:
            return lo + math.sqrt(q * width * (mode - lo))
        return hi - math.sqrt((1.0 - q) * width * (hi - mode))
    if dist == PERT:
        steps = table.shape[1] - 1
        pos = q * steps
        i = int(pos)
        if i >= steps:
            i = steps - 1
        frac = pos - i
        x01 = float(table[row, i] * (1.0 - frac) + table[row, i + 1] * frac)
        return lo + x01 * (hi - lo)
    return lo + q * (hi - lo)


def sample_durations(
    base: IntArray, sample_of: IntArray, dist: IntArray, lo: FloatArray, mode: FloatArray,
    hi: FloatArray, group: IntArray, rho: float, table: FloatArray, table_row: IntArray,
    q: FloatArray, factor: FloatArray, occurred: BoolArray, risk_ptr: IntArray,
    risk_task: IntArray, risk_delay: IntArray, d: IntArray, sum_q: FloatArray, sum_qq: FloatArray,
) -> None:
    """Durations of a chunk into ``d`` (tasks x iterations).

    Task ``j`` with ``s = sample_of[j] >= 0`` gets ``round(F_s⁻¹(q[s, it]))``;
    the others keep ``base[j]``. Ungrouped samples arrive in ``q`` as
    uniforms; grouped ones as standard normals ``e``, turned into
    ``z = sqrt(rho)·factor[group, it] + sqrt(1 - rho)·e`` and ``q = Phi(z)``
    (written back, so ``q`` ends holding every sample's quantile). Then each
    risk ``r`` that occurred in iteration ``it`` adds its delays. ``sum_q`` and
    ``sum_qq`` accumulate each sample's quantiles and their squares (for the
    rank correlations).
    """
    n, width = d.shape
    shared = math.sqrt(rho)
    own = math.sqrt(1.0 - rho)
    root2 = math.sqrt(2.0)
    for j in prange(n):
        s = sample_of[j]
        dj = d[j]
        if s < 0:
            fixed = base[j]
            for it in range(width):
                dj[it] = fixed
            continue
        qs = q[s]
        g = group[s]
        if g >= 0:
            fg = factor[g]
            for it in range(width):
                qs[it] = 0.5 * math.erfc(-(shared * fg[it] + own * qs[it]) / root2)
        total = 0.0
        squares = 0.0
        for it in range(width):
            total += qs[it]
            squares += qs[it] * qs[it]
        sum_q[s] += total
        sum_qq[s] += squares
        a = lo[s]
        b = hi[s]
        c = mode[s]
        if dist[s] == TRIANGULAR:
            # the closed form of inverse_cdf, hoisted so that the loop vectorises
            cut = (c - a) / (b - a)
            left = (b - a) * (c - a)
            right = (b - a) * (b - c)
            for it in range(width):
                u = qs[it]
                low = a + math.sqrt(u * left)
                high = b - math.sqrt((1.0 - u) * right)
                dj[it] = int((low if u < cut else high) + 0.5)
        else:
            for it in range(width):
                dj[it] = int(inverse_cdf(dist[s], qs[it], a, c, b, table, table_row[s]) + 0.5)
    for r in range(len(risk_ptr) - 1):
        for it in range(width):
            if occurred[r, it]:
                for k in range(risk_ptr[r], risk_ptr[r + 1]):
                    d[risk_task[k], it] += risk_delay[k]


def cpm_passes(
    order: IntArray, pred_ptr: IntArray, link_src: IntArray, link_lag: IntArray,
    from_finish: IntArray, to_finish: IntArray, lower: IntArray, upper: IntArray, must: IntArray,
    bound_row: IntArray, lower_rows: IntArray, upper_rows: IntArray, must_rows: IntArray,
    project_deadline: int, d: IntArray, nblocks: int,
    early: IntArray, late: IntArray, finish: IntArray, critical_count: IntArray,
) -> None:
    """Forward and backward passes over a chunk (see the module doc); blocks of iterations in parallel.

    ``bound_row[j] >= 0`` means task ``j``'s bounds change with its duration
    and are read per iteration from row ``bound_row[j]`` of ``*_rows``;
    otherwise ``lower/upper/must[j]`` hold. ``finish[it]`` receives the
    project finish, ``critical_count[b, j]`` counts block ``b``'s iterations
    where task ``j`` had total float <= 0.
    """
    width = d.shape[1]
    per_block = -(-width // nblocks)
    per_block = -(-per_block // 8) * 8  # whole cache lines per block
    for b in prange(nblocks):
        first = min(width, b * per_block)
        last = min(width, first + per_block)
        cpm_block(order, pred_ptr, link_src, link_lag, from_finish, to_finish, lower, upper, must,
                  bound_row, lower_rows, upper_rows, must_rows, project_deadline, d, first, last,
                  early, late, finish, critical_count[b])


def cpm_block(
    order: IntArray, pred_ptr: IntArray, link_src: IntArray, link_lag: IntArray,
    from_finish: IntArray, to_finish: IntArray, lower: IntArray, upper: IntArray, must: IntArray,
    bound_row: IntArray, lower_rows: IntArray, upper_rows: IntArray, must_rows: IntArray,
    project_deadline: int, d: IntArray, first: int, last: int,
    early: IntArray, late: IntArray, finish: IntArray, critical_count: IntArray,
) -> None:
    """The passes for iterations ``first:last`` of a chunk; inner loops run over contiguous row slices."""
    n = d.shape[0]
    w = last - first
    fin = finish[first:last]
    for t in range(w):
        fin[t] = 0
    # forward: ES[j] = max(lower, ES[src] + offset), pinned by must-dates
    for idx in range(len(order)):
        j = order[idx]
        ej = early[j, first:last]
        dj = d[j, first:last]
        row = bound_row[j]
        if row >= 0:
            lj = lower_rows[row, first:last]
            for t in range(w):
                ej[t] = lj[t]
        else:
            low = lower[j]
            for t in range(w):
                ej[t] = low
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = link_src[k]
            lag = link_lag[k]
            a = from_finish[k]
            c = to_finish[k]
            ei = early[i, first:last]
            di = d[i, first:last]
            if c == 0:  # FS (a = 1) and SS (a = 0): the successor's duration plays no part
                if a == 1:
                    for t in range(w):
                        ej[t] = max(ej[t], ei[t] + di[t] + lag)
                else:
                    for t in range(w):
                        ej[t] = max(ej[t], ei[t] + lag)
            else:
                for t in range(w):
                    ej[t] = max(ej[t], ei[t] + lag + a * di[t] - dj[t])
        if row >= 0:
            mj = must_rows[row, first:last]
            for t in range(w):
                if mj[t] != NO_LOWER:
                    ej[t] = mj[t]
        elif must[j] != NO_LOWER:
            pin = must[j]
            for t in range(w):
                ej[t] = pin
        for t in range(w):
            fin[t] = max(fin[t], ej[t] + dj[t])
    # backward: LS[j] = min(upper, finish - d, deadline - d, must, LS[dst] - offset)
    for j in range(n):
        lj = late[j, first:last]
        dj = d[j, first:last]
        row = bound_row[j]
        if row >= 0:
            uj = upper_rows[row, first:last]
            for t in range(w):
                lj[t] = min(uj[t], fin[t] - dj[t])
        else:
            up = upper[j]
            for t in range(w):
                lj[t] = min(up, fin[t] - dj[t])
        if project_deadline < NO_UPPER:
            for t in range(w):
                lj[t] = min(lj[t], project_deadline - dj[t])
    for idx in range(len(order) - 1, -1, -1):
        j = order[idx]
        lj = late[j, first:last]
        ej = early[j, first:last]
        dj = d[j, first:last]
        row = bound_row[j]
        if row >= 0:
            mj = must_rows[row, first:last]
            for t in range(w):
                if mj[t] != NO_LOWER and mj[t] < lj[t]:
                    lj[t] = mj[t]
        elif must[j] != NO_LOWER:
            pin = must[j]
            for t in range(w):
                lj[t] = min(lj[t], pin)
        count = 0
        for t in range(w):
            if lj[t] <= ej[t]:
                count += 1
        critical_count[j] += count
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = link_src[k]
            lag = link_lag[k]
            a = from_finish[k]
            c = to_finish[k]
            li = late[i, first:last]
            di = d[i, first:last]
            if c == 0:
                if a == 1:
                    for t in range(w):
                        li[t] = min(li[t], lj[t] - lag - di[t])
                else:
                    for t in range(w):
                        li[t] = min(li[t], lj[t] - lag)
            else:
                for t in range(w):
                    li[t] = min(li[t], lj[t] - lag - a * di[t] + dj[t])


def chunk_outputs(
    d: IntArray, early: IntArray, cost_rate: FloatArray, risk_cost: FloatArray, occurred: BoolArray,
    tracked: IntArray, nblocks: int, cost: FloatArray, tracked_start: IntArray, tracked_finish: IntArray,
) -> None:
    """Per-iteration cost (rate x duration, plus the costs of risks that occurred) and tracked dates."""
    n, width = d.shape
    per_block = (width + nblocks - 1) // nblocks
    for b in prange(nblocks):
        first = b * per_block
        last = min(width, first + per_block)
        for it in range(first, last):
            cost[it] = 0.0
        for j in range(n):
            rate = cost_rate[j]
            if rate != 0.0:
                for it in range(first, last):
                    cost[it] += rate * d[j, it]
        for r in range(len(risk_cost)):
            for it in range(first, last):
                if occurred[r, it]:
                    cost[it] += risk_cost[r]
        for t in range(len(tracked)):
            j = tracked[t]
            for it in range(first, last):
                tracked_start[it, t] = early[j, it]
                tracked_finish[it, t] = early[j, it] + d[j, it]


@cache
def register_helpers() -> None:
    """Make :func:`inverse_cdf` callable from the compiled kernels (once, before compiling)."""
    if numba_available():
        from numba.extending import register_jitable

        register_jitable(inverse_cdf)
        register_jitable(cpm_block)
