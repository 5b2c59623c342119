"""The batched Monte Carlo kernels: the CPM recurrence for a chunk of iterations at once.

Arrays are laid out (tasks x iterations): row ``j`` holds task ``j`` in every
iteration of the chunk, so each link is read once per chunk and its relation
is applied to a whole row of iterations. The relation is the one
:mod:`pmfit.engine.cpm` applies, link by link:

    ES[dst] >= ES[src] + offset,   offset = lag + d[src]·[FS|FF] - d[dst]·[FF|SF]

(the ``offset`` of :func:`pmfit.engine.cpm.link_offsets`), with the lower,
upper and must bounds :func:`pmfit.engine.cpm.bounds` gives for the
iteration's durations:

- forward, in topological order: ``ES[j] = max(lower[j], max_k ES[src_k] + offset_k)``,
  then ``ES[j] = must[j]`` where a must-date is set (as ``kernels.forward_pass``);
- backward, in reverse order, pushed along the predecessor lists (as
  ``kernels.backward_pass_by_pred``): ``LS[j] = min(upper[j], finish - d[j],
  project deadline - d[j], must[j], min_k LS[dst_k] - offset_k)``;
- a task is critical in an iteration when ``LS - ES <= 0`` (``CpmResult.critical``).

The tests run single iterations through :func:`pmfit.engine.cpm.critical_path_method`
and require the same finish and the same critical set.

The kernels are written once, over *row primitives* (``relax_max``,
``fill``, ...). Run as Python, each primitive is one numpy operation on a
row of iterations, so a small plan needs no compiler at all (no numba
start-up). Compiled by numba (:func:`pmfit.engine.jit.kernel`,
``parallel=True``), each primitive is a plain loop that vectorises, and
blocks of iterations run on all cores.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.jit import numba_available
from pmfit.engine.kernels import NO_LOWER, NO_UPPER

#: ``range`` when run as Python; :func:`register_helpers` swaps in ``numba.prange`` before
#: compiling (numba is imported only when it is used: a small plan starts faster without it).
prange = range

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: random numbers and quantiles of a chunk (float32: see montecarlo._Buffers)
Quantiles = npt.NDArray[np.float32]

# sampling codes, in network.DISTRIBUTIONS order
FIXED, TRIANGULAR, PERT, UNIFORM = 0, 1, 2, 3


# ---- row primitives (numpy versions; the loop versions are in _register_loops) -------------


def fill(row: Any, value: Any) -> None:
    """``row[:] = value`` (a scalar or a row)."""
    row[:] = value


def relax_max(target: IntArray, source: IntArray, d_src: IntArray, d_dst: IntArray,
              lag: int, a: int, c: int) -> None:
    """``target = max(target, source + lag + a·d_src - c·d_dst)``: one link, forward."""
    if c == 0:
        if a == 1:
            np.maximum(target, source + d_src + lag, out=target)
        else:
            np.maximum(target, source + lag, out=target)
    else:
        np.maximum(target, source + lag + a * d_src - d_dst, out=target)


def relax_min(target: IntArray, source: IntArray, d_src: IntArray, d_dst: IntArray,
              lag: int, a: int, c: int) -> None:
    """``target = min(target, source - lag - a·d_src + c·d_dst)``: one link, backward (target = pred)."""
    if c == 0:
        if a == 1:
            np.minimum(target, source - d_src - lag, out=target)
        else:
            np.minimum(target, source - lag, out=target)
    else:
        np.minimum(target, source - lag - a * d_src + d_dst, out=target)


def pin(row: IntArray, pins: IntArray) -> None:
    """``row = pins`` where a pin is set (``!= NO_LOWER``): must-start/must-finish dates."""
    np.copyto(row, pins, where=pins != NO_LOWER)


def cap(row: IntArray, pins: IntArray) -> None:
    """``row = min(row, pins)`` where a pin is set."""
    np.minimum(row, pins, out=row, where=pins != NO_LOWER)


def latest_finish(finish: IntArray, start: IntArray, d: IntArray) -> None:
    """``finish = max(finish, start + d)``."""
    np.maximum(finish, start + d, out=finish)


def late_bound(row: IntArray, upper: Any, finish: IntArray, d: IntArray, deadline: int) -> None:
    """``row = min(upper, finish - d, deadline - d)`` (``upper`` a scalar or a row)."""
    np.minimum(upper, finish - d, out=row)
    if deadline < NO_UPPER:
        np.minimum(row, deadline - d, out=row)


def count_later(row: IntArray, pins: Any) -> int:
    """Iterations where ``row`` is after a pin that is set (a scalar or a row; ``NO_LOWER`` = none)."""
    return int(np.count_nonzero((row > pins) & (pins != NO_LOWER)))


def count_critical(late: IntArray, early: IntArray) -> int:
    """Iterations with total float ``late - early <= 0``."""
    return int(np.count_nonzero(late <= early))


def add_where(row: Any, occurred: BoolArray, value: Any) -> None:
    """``row += value`` in the iterations where ``occurred``."""
    np.add(row, value, out=row, where=occurred)


def add_row(row: IntArray, other: IntArray) -> None:
    """``row += other``."""
    row += other


def add_scaled(row: FloatArray, rate: float, d: IntArray) -> None:
    """``row += rate · d``."""
    row += rate * d


def moments(q: Quantiles) -> tuple[float, float]:
    """``(sum q, sum q²)``."""
    q64 = q.astype(np.float64)
    return float(q64.sum()), float(q64 @ q64)


def shared_factor(q: Quantiles, factor: Quantiles, shared: float, own: float, phi: FloatArray) -> None:
    """``q = Phi(shared·factor + own·q)``: normals in, quantiles out (the group's copula).

    ``Phi`` is read from ``phi`` (:func:`phi_table`), linearly interpolated.
    """
    z = shared * factor.astype(np.float64) + own * q.astype(np.float64)
    pos = np.clip((z - PHI_LOW) * PHI_SCALE, 0.0, float(PHI_STEPS))
    i = np.minimum(pos.astype(np.int64), PHI_STEPS - 1)
    frac = pos - i
    q[:] = phi[i] * (1.0 - frac) + phi[i + 1] * frac


def triangular(row: IntArray, q: Quantiles, lo: float, mode: float, hi: float) -> None:
    """``row = round(F⁻¹(q))`` for the triangular distribution (lo, mode, hi).

    ``F⁻¹(q) = lo + sqrt(q (hi - lo)(mode - lo))`` below ``q = (mode - lo)/(hi - lo)``,
    ``hi - sqrt((1 - q)(hi - lo)(hi - mode))`` above.
    """
    q64 = q.astype(np.float64)
    cut = (mode - lo) / (hi - lo)
    left = q64 < cut
    root = np.sqrt(np.where(left, q64 * ((hi - lo) * (mode - lo)), (1.0 - q64) * ((hi - lo) * (hi - mode))))
    row[:] = (np.where(left, lo + root, hi - root) + 0.5).astype(np.int64)


def tabulated(row: IntArray, q: Quantiles, lo: float, hi: float, table: FloatArray) -> None:
    """``row = round(lo + (hi - lo)·x(q))``, ``x`` the Beta quantile from a table (PERT).

    ``table`` holds ``x`` on an even grid of ``steps`` intervals of q, then
    ``1/alpha`` and ``1/beta``. Inside, ``x`` is interpolated linearly; in the
    first and last interval it follows the Beta's power-law tails
    (``x ~ q^(1/alpha)`` near 0, ``1 - x ~ (1 - q)^(1/beta)`` near 1), where a
    straight line would be far off.
    """
    steps = len(table) - 3
    pos = q.astype(np.float64) * steps
    i = np.minimum(pos.astype(np.int64), steps - 1)
    frac = pos - i
    x01 = table[i] * (1.0 - frac) + table[i + 1] * frac
    x01 = np.where(i == 0, table[1] * pos ** table[steps + 1], x01)
    x01 = np.where(i == steps - 1, 1.0 - (1.0 - table[steps - 1]) * np.maximum(steps - pos, 0.0) ** table[steps + 2],
                   x01)
    row[:] = (lo + x01 * (hi - lo) + 0.5).astype(np.int64)


def uniform(row: IntArray, q: Quantiles, lo: float, hi: float) -> None:
    """``row = round(lo + q·(hi - lo))``."""
    row[:] = (lo + q.astype(np.float64) * (hi - lo) + 0.5).astype(np.int64)


#: The normal CDF is tabulated on [PHI_LOW, -PHI_LOW] in PHI_STEPS steps: linear
#: interpolation is within 1e-8 of the exact value, the same in Python and compiled,
#: and much cheaper than erfc per sample.
PHI_LOW = -8.5
PHI_STEPS = 1 << 15
PHI_SCALE = PHI_STEPS / (-2.0 * PHI_LOW)


@cache
def phi_table() -> FloatArray:
    """``Phi(z)`` at ``z = PHI_LOW + i / PHI_SCALE`` for ``i = 0..PHI_STEPS``."""
    z = PHI_LOW + np.arange(PHI_STEPS + 1) / PHI_SCALE
    return np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z.tolist()])


# ---- the kernels -----------------------------------------------------------------------------


def sample_durations(
    base: IntArray, sample_of: IntArray, dist: IntArray, lo: FloatArray, mode: FloatArray,
    hi: FloatArray, group: IntArray, rho: float, table: FloatArray, table_row: IntArray,
    q: Quantiles, factor: Quantiles, occurred: BoolArray, risk_ptr: IntArray,
    risk_task: IntArray, risk_delay: IntArray, row_of: IntArray, d: IntArray, sum_q: FloatArray,
    sum_qq: FloatArray, phi: FloatArray,
) -> None:
    """Durations of a chunk into ``d`` (rows x iterations; task ``j`` in row ``row_of[j]``).

    Task ``j`` with ``s = sample_of[j] >= 0`` gets ``round(F_s⁻¹(q[s]))``; the
    others keep ``base[j]``. Ungrouped samples arrive in ``q`` as uniforms;
    grouped ones as standard normals ``e``, turned into ``z = sqrt(rho)·factor[g]
    + sqrt(1 - rho)·e`` and ``q = Phi(z)`` (written back, so ``q`` ends holding
    every sample's quantile). Then each risk ``r`` adds its delays in the
    iterations where it occurred. ``sum_q``/``sum_qq`` accumulate each
    sample's quantiles and their squares (for the rank correlations).
    """
    n = d.shape[0]
    shared = math.sqrt(rho)
    own = math.sqrt(1.0 - rho)
    for j in prange(n):
        s = sample_of[j]
        if s < 0:
            fill(d[row_of[j]], base[j])
            continue
        qs = q[s]
        g = group[s]
        if g >= 0:
            shared_factor(qs, factor[g], shared, own, phi)
        total, squares = moments(qs)
        sum_q[s] += total
        sum_qq[s] += squares
        kind = dist[s]
        if kind == TRIANGULAR:
            triangular(d[row_of[j]], qs, lo[s], mode[s], hi[s])
        elif kind == PERT:
            tabulated(d[row_of[j]], qs, lo[s], hi[s], table[table_row[s]])
        else:
            uniform(d[row_of[j]], qs, lo[s], hi[s])
    for r in range(len(risk_ptr) - 1):
        for k in range(risk_ptr[r], risk_ptr[r + 1]):
            add_where(d[row_of[risk_task[k]]], occurred[r], risk_delay[k])


def cpm_passes(
    order: IntArray, pred_ptr: IntArray, src_row: IntArray, link_lag: IntArray,
    from_finish: IntArray, to_finish: IntArray, lower: IntArray, upper: IntArray, must: IntArray,
    bound_row: IntArray, lower_rows: IntArray, upper_rows: IntArray, must_rows: IntArray,
    project_deadline: int, d: IntArray, nblocks: int, backward: bool,
    early: IntArray, late: IntArray, finish: IntArray, critical_count: IntArray, conflict_count: IntArray,
) -> None:
    """Forward and backward passes over a chunk (see the module doc); blocks of iterations in parallel.

    ``bound_row[j] >= 0`` means task ``j``'s bounds change with its duration
    and are read per iteration from row ``bound_row[j]`` of ``*_rows``;
    otherwise ``lower/upper/must[j]`` hold. ``finish[it]`` receives the
    project finish, ``critical_count[b, j]`` counts block ``b``'s iterations
    where task ``j`` had total float <= 0, ``conflict_count[b, j]`` those where
    its predecessors would have started it after its must-date. Without ``backward`` only the
    forward pass runs (the finish is all a run without a risk needs).

    Rows follow the topological order (task ``order[r]`` is row ``r``) so that
    the passes walk memory forwards and backwards; ``src_row[k]`` is the row of
    link ``k``'s predecessor.
    """
    width = d.shape[1]
    per_block = -(-width // nblocks)
    per_block = -(-per_block // 16) * 16  # whole cache lines per block (16 x int32 = 64 bytes)
    for b in prange(nblocks):
        first = min(width, b * per_block)
        last = min(width, first + per_block)
        cpm_block(order, pred_ptr, src_row, link_lag, from_finish, to_finish, lower, upper, must,
                  bound_row, lower_rows, upper_rows, must_rows, project_deadline, d, first, last,
                  backward, early, late, finish, critical_count[b], conflict_count[b])


def cpm_block(
    order: IntArray, pred_ptr: IntArray, src_row: IntArray, link_lag: IntArray,
    from_finish: IntArray, to_finish: IntArray, lower: IntArray, upper: IntArray, must: IntArray,
    bound_row: IntArray, lower_rows: IntArray, upper_rows: IntArray, must_rows: IntArray,
    project_deadline: int, d: IntArray, first: int, last: int, backward: bool,
    early: IntArray, late: IntArray, finish: IntArray, critical_count: IntArray, conflict_count: IntArray,
) -> None:
    """The passes for iterations ``first:last`` of a chunk, one row slice per task (row = position)."""
    fin = finish[first:last]
    fill(fin, 0)
    # forward: ES[j] = max(lower, ES[src] + offset), then pinned by must-dates
    for idx in range(len(order)):
        j = order[idx]
        ej = early[idx, first:last]
        dj = d[idx, first:last]
        row = bound_row[j]
        if row >= 0:
            fill(ej, lower_rows[row, first:last])
        else:
            fill(ej, lower[j])
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = src_row[k]
            relax_max(ej, early[i, first:last], d[i, first:last], dj, link_lag[k], from_finish[k],
                      to_finish[k])
        if row >= 0:
            conflict_count[j] += count_later(ej, must_rows[row, first:last])
            pin(ej, must_rows[row, first:last])
        elif must[j] != NO_LOWER:
            conflict_count[j] += count_later(ej, must[j])
            fill(ej, must[j])
        latest_finish(fin, ej, dj)
    if not backward:
        return
    # backward: LS[j] = min(upper, finish - d, deadline - d, must, LS[dst] - offset)
    for idx in range(len(order)):
        j = order[idx]
        row = bound_row[j]
        if row >= 0:
            late_bound(late[idx, first:last], upper_rows[row, first:last], fin, d[idx, first:last],
                       project_deadline)
        else:
            late_bound(late[idx, first:last], upper[j], fin, d[idx, first:last], project_deadline)
    for idx in range(len(order) - 1, -1, -1):
        j = order[idx]
        lj = late[idx, first:last]
        dj = d[idx, first:last]
        row = bound_row[j]
        if row >= 0:
            cap(lj, must_rows[row, first:last])
        elif must[j] != NO_LOWER:
            fill(lj, np.minimum(lj, must[j]))
        critical_count[j] += count_critical(lj, early[idx, first:last])
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = src_row[k]
            relax_min(late[i, first:last], lj, d[i, first:last], dj, link_lag[k], from_finish[k],
                      to_finish[k])


def reach_forward(order: IntArray, pred_ptr: IntArray, link_src: IntArray, reach: npt.NDArray[np.uint8]) -> None:
    """Mark every task downstream of a marked one (``reach[j] = 1``), in one topological sweep."""
    for idx in range(len(order)):
        j = order[idx]
        if reach[j]:
            continue
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            if reach[link_src[k]]:
                reach[j] = 1
                break


def chunk_outputs(
    d: IntArray, early: IntArray, row_of: IntArray, cost_rate: FloatArray, risk_cost: FloatArray,
    occurred: BoolArray, tracked: IntArray, cost: FloatArray, tracked_start: IntArray,
    tracked_finish: IntArray,
) -> None:
    """Per-iteration cost (rate x duration, plus the costs of risks that occurred) and tracked dates.

    ``tracked_start``/``tracked_finish`` are (tracked tasks x iterations).
    """
    fill(cost, 0.0)
    for j in range(d.shape[0]):
        if cost_rate[j] != 0.0:
            add_scaled(cost, cost_rate[j], d[row_of[j]])
    for r in range(len(risk_cost)):
        add_where(cost, occurred[r], risk_cost[r])
    for t in range(len(tracked)):
        j = row_of[tracked[t]]
        fill(tracked_start[t], early[j])
        fill(tracked_finish[t], early[j])
        add_row(tracked_finish[t], d[j])


@cache
def register_helpers() -> None:
    """Give numba a loop version of every row primitive (once, before compiling the kernels)."""
    if numba_available():
        import numba

        global prange
        prange = numba.prange
        _register_loops()


def _register_loops() -> None:  # pragma: no cover - exercised through the compiled kernels
    from numba import types
    from numba.extending import overload

    def is_array(x: Any) -> bool:
        return isinstance(x, types.Array)

    @overload(fill, jit_options={"nogil": True})
    def _fill(row: Any, value: Any) -> Any:
        if is_array(value):
            def fill_row(row: Any, value: Any) -> None:
                for t in range(len(row)):
                    row[t] = value[t]
            return fill_row

        def fill_scalar(row: Any, value: Any) -> None:
            for t in range(len(row)):
                row[t] = value
        return fill_scalar

    @overload(relax_max, jit_options={"nogil": True})
    def _relax_max(target: Any, source: Any, d_src: Any, d_dst: Any, lag: Any, a: Any, c: Any) -> Any:
        def impl(target: Any, source: Any, d_src: Any, d_dst: Any, lag: Any, a: Any, c: Any) -> None:
            w = len(target)
            if c == 0:
                if a == 1:
                    for t in range(w):
                        target[t] = max(target[t], source[t] + d_src[t] + lag)
                else:
                    for t in range(w):
                        target[t] = max(target[t], source[t] + lag)
            else:
                for t in range(w):
                    target[t] = max(target[t], source[t] + lag + a * d_src[t] - d_dst[t])
        return impl

    @overload(relax_min, jit_options={"nogil": True})
    def _relax_min(target: Any, source: Any, d_src: Any, d_dst: Any, lag: Any, a: Any, c: Any) -> Any:
        def impl(target: Any, source: Any, d_src: Any, d_dst: Any, lag: Any, a: Any, c: Any) -> None:
            w = len(target)
            if c == 0:
                if a == 1:
                    for t in range(w):
                        target[t] = min(target[t], source[t] - d_src[t] - lag)
                else:
                    for t in range(w):
                        target[t] = min(target[t], source[t] - lag)
            else:
                for t in range(w):
                    target[t] = min(target[t], source[t] - lag - a * d_src[t] + d_dst[t])
        return impl

    @overload(pin, jit_options={"nogil": True})
    def _pin(row: Any, pins: Any) -> Any:
        def impl(row: Any, pins: Any) -> None:
            for t in range(len(row)):
                if pins[t] != NO_LOWER:
                    row[t] = pins[t]
        return impl

    @overload(cap, jit_options={"nogil": True})
    def _cap(row: Any, pins: Any) -> Any:
        def impl(row: Any, pins: Any) -> None:
            for t in range(len(row)):
                if pins[t] != NO_LOWER and pins[t] < row[t]:
                    row[t] = pins[t]
        return impl

    @overload(latest_finish, jit_options={"nogil": True})
    def _latest_finish(finish: Any, start: Any, d: Any) -> Any:
        def impl(finish: Any, start: Any, d: Any) -> None:
            for t in range(len(finish)):
                finish[t] = max(finish[t], start[t] + d[t])
        return impl

    @overload(late_bound, jit_options={"nogil": True})
    def _late_bound(row: Any, upper: Any, finish: Any, d: Any, deadline: Any) -> Any:
        if is_array(upper):
            def from_row(row: Any, upper: Any, finish: Any, d: Any, deadline: Any) -> None:
                for t in range(len(row)):
                    value = min(upper[t], finish[t] - d[t])
                    if deadline < NO_UPPER:
                        value = min(value, deadline - d[t])
                    row[t] = value
            return from_row

        def from_scalar(row: Any, upper: Any, finish: Any, d: Any, deadline: Any) -> None:
            for t in range(len(row)):
                value = min(upper, finish[t] - d[t])
                if deadline < NO_UPPER:
                    value = min(value, deadline - d[t])
                row[t] = value
        return from_scalar

    @overload(count_later, jit_options={"nogil": True})
    def _count_later(row: Any, pins: Any) -> Any:
        if is_array(pins):
            def from_row(row: Any, pins: Any) -> int:
                count = 0
                for t in range(len(row)):
                    if pins[t] != NO_LOWER and row[t] > pins[t]:
                        count += 1
                return count
            return from_row

        def from_scalar(row: Any, pins: Any) -> int:
            count = 0
            if pins != NO_LOWER:
                for t in range(len(row)):
                    if row[t] > pins:
                        count += 1
            return count
        return from_scalar

    @overload(count_critical, jit_options={"nogil": True})
    def _count_critical(late: Any, early: Any) -> Any:
        def impl(late: Any, early: Any) -> int:
            count = 0
            for t in range(len(late)):
                if late[t] <= early[t]:
                    count += 1
            return count
        return impl

    @overload(add_where, jit_options={"nogil": True})
    def _add_where(row: Any, occurred: Any, value: Any) -> Any:
        def impl(row: Any, occurred: Any, value: Any) -> None:
            for t in range(len(row)):
                if occurred[t]:
                    row[t] += value
        return impl

    @overload(add_scaled, jit_options={"nogil": True})
    def _add_scaled(row: Any, rate: Any, d: Any) -> Any:
        def impl(row: Any, rate: Any, d: Any) -> None:
            for t in range(len(row)):
                row[t] += rate * d[t]
        return impl

    @overload(add_row, jit_options={"nogil": True})
    def _add_row(row: Any, other: Any) -> Any:
        def impl(row: Any, other: Any) -> None:
            for t in range(len(row)):
                row[t] += other[t]
        return impl

    @overload(moments, jit_options={"nogil": True})
    def _moments(q: Any) -> Any:
        def impl(q: Any) -> tuple[float, float]:
            total = 0.0
            squares = 0.0
            for t in range(len(q)):
                u = np.float64(q[t])
                total += u
                squares += u * u
            return total, squares
        return impl

    @overload(shared_factor, jit_options={"nogil": True})
    def _shared_factor(q: Any, factor: Any, shared: Any, own: Any, phi: Any) -> Any:
        def impl(q: Any, factor: Any, shared: Any, own: Any, phi: Any) -> None:
            for t in range(len(q)):
                z = shared * np.float64(factor[t]) + own * np.float64(q[t])
                pos = (z - PHI_LOW) * PHI_SCALE
                if pos < 0.0:
                    pos = 0.0
                elif pos > PHI_STEPS:
                    pos = float(PHI_STEPS)
                i = min(int(pos), PHI_STEPS - 1)
                frac = pos - i
                q[t] = phi[i] * (1.0 - frac) + phi[i + 1] * frac
        return impl

    @overload(triangular, jit_options={"nogil": True})
    def _triangular(row: Any, q: Any, lo: Any, mode: Any, hi: Any) -> Any:
        def impl(row: Any, q: Any, lo: Any, mode: Any, hi: Any) -> None:
            cut = (mode - lo) / (hi - lo)
            left = (hi - lo) * (mode - lo)
            right = (hi - lo) * (hi - mode)
            for t in range(len(row)):
                u = np.float64(q[t])
                below = u < cut
                root = math.sqrt(u * left if below else (1.0 - u) * right)
                row[t] = int((lo + root if below else hi - root) + 0.5)
        return impl

    @overload(tabulated, jit_options={"nogil": True})
    def _tabulated(row: Any, q: Any, lo: Any, hi: Any, table: Any) -> Any:
        def impl(row: Any, q: Any, lo: Any, hi: Any, table: Any) -> None:
            steps = len(table) - 3
            inv_alpha = table[steps + 1]
            inv_beta = table[steps + 2]
            for t in range(len(row)):
                pos = np.float64(q[t]) * steps
                i = min(int(pos), steps - 1)
                if i == 0:
                    x01 = table[1] * pos ** inv_alpha
                elif i == steps - 1:
                    x01 = 1.0 - (1.0 - table[steps - 1]) * max(steps - pos, 0.0) ** inv_beta
                else:
                    frac = pos - i
                    x01 = table[i] * (1.0 - frac) + table[i + 1] * frac
                row[t] = int(lo + x01 * (hi - lo) + 0.5)
        return impl

    @overload(uniform, jit_options={"nogil": True})
    def _uniform(row: Any, q: Any, lo: Any, hi: Any) -> Any:
        def impl(row: Any, q: Any, lo: Any, hi: Any) -> None:
            for t in range(len(row)):
                row[t] = int(lo + np.float64(q[t]) * (hi - lo) + 0.5)
        return impl

    from numba.extending import register_jitable

    register_jitable(cpm_block)
