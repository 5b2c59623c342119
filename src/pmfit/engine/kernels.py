"""Inner loops of the network engines, written once as plain Python over arrays.

:func:`pmfit.engine.jit.kernel` runs them as Python for small plans and
compiled by numba for large ones. Keep them numba-friendly: numpy arrays and
scalars only, no Python objects.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

NO_LOWER = -(2**62)
NO_UPPER = 2**62

# Driver codes for the forward pass (a link index is >= 0).
DRIVER_PROJECT_START = -1
DRIVER_CONSTRAINT = -2
DRIVER_MUST = -3


def topological_order(succ_ptr: IntArray, succ_dst: IntArray, indegree: IntArray) -> IntArray:
    """Kahn's algorithm; returns the order (shorter than n when there is a cycle)."""
    n = len(indegree)
    remaining = indegree.copy()
    order = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        if remaining[i] == 0:
            order[tail] = i
            tail += 1
    while head < tail:
        node = order[head]
        head += 1
        for k in range(succ_ptr[node], succ_ptr[node + 1]):
            dst = succ_dst[k]
            remaining[dst] -= 1
            if remaining[dst] == 0:
                order[tail] = dst
                tail += 1
    return order[:tail]


def forward_pass(
    order: IntArray,
    pred_ptr: IntArray,
    pred_src: IntArray,
    link_offset: IntArray,
    lower: IntArray,
    lower_driver: IntArray,
    must: IntArray,
    early_start: IntArray,
    driver: IntArray,
) -> None:
    """Early starts: ``ES[j] = max(lower[j], max_k ES[src_k] + offset_k)``.

    ``offset_k`` folds the link type, the lag and both durations into one
    number (see :func:`pmfit.engine.cpm.link_offsets`). ``must`` (must start
    on / must finish on) overrides everything. ``driver`` records what set
    each date: a link index, or a negative DRIVER_* code.
    """
    for idx in range(len(order)):
        j = order[idx]
        best = lower[j]
        why = lower_driver[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            candidate = early_start[pred_src[k]] + link_offset[k]
            if candidate > best or (candidate == best and why == DRIVER_PROJECT_START and candidate > 0):
                best = candidate
                why = k
        if must[j] != NO_LOWER:
            best = must[j]
            why = DRIVER_MUST
        early_start[j] = best
        driver[j] = why


def backward_pass(
    order: IntArray,
    succ_ptr: IntArray,
    succ_link: IntArray,
    link_dst: IntArray,
    link_offset: IntArray,
    upper: IntArray,
    must: IntArray,
    late_start: IntArray,
) -> None:
    """Late starts: ``LS[i] = min(upper[i], min_k LS[dst_k] - offset_k)``, capped by must-dates."""
    for idx in range(len(order) - 1, -1, -1):
        i = order[idx]
        best = upper[i]
        for s in range(succ_ptr[i], succ_ptr[i + 1]):
            k = succ_link[s]
            candidate = late_start[link_dst[k]] - link_offset[k]
            if candidate < best:
                best = candidate
        if must[i] != NO_LOWER and must[i] < best:
            best = must[i]
        late_start[i] = best


def group_by_key(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Stable counting sort: ``(ptr, perm)`` with ``keys[perm[ptr[i]:ptr[i+1]]] == i``.

    O(n + m), where ``np.argsort`` is O(m log m): the CSR build of a
    million-task network spends most of its time here otherwise.
    """
    m = len(keys)
    ptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(m):
        ptr[keys[k] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    perm = np.empty(m, dtype=np.int64)
    for k in range(m):
        key = keys[k]
        perm[fill[key]] = k
        fill[key] += 1
    return ptr, perm


def backward_pass_by_pred(
    order: IntArray,
    pred_ptr: IntArray,
    pred_src: IntArray,
    link_offset: IntArray,
    upper: IntArray,
    must: IntArray,
    late_start: IntArray,
) -> None:
    """The same late starts as :func:`backward_pass`, pushed along the predecessor CSR.

    In reverse topological order each task's late start is final when it is
    reached (all its successors pushed into it), so it pushes
    ``LS[j] - offset_k`` into each predecessor. Links are then read in
    storage order instead of through ``succ_link``, which is faster on large
    networks (fewer cache misses).
    """
    n = len(upper)
    for i in range(n):
        late_start[i] = upper[i]
    for idx in range(len(order) - 1, -1, -1):
        j = order[idx]
        best = late_start[j]
        if must[j] != NO_LOWER and must[j] < best:
            best = must[j]
        late_start[j] = best
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_src[k]
            candidate = best - link_offset[k]
            if candidate < late_start[i]:
                late_start[i] = candidate


def free_float_pass(
    link_src: IntArray,
    link_dst: IntArray,
    link_offset: IntArray,
    early_start: IntArray,
    free_float: IntArray,
) -> None:
    """``FF[i] = min(FF[i], min over links i->j of ES[j] - ES[i] - offset)`` (in place).

    ``free_float`` comes in holding each task's bound without successors
    (project finish minus early finish).
    """
    for k in range(len(link_src)):
        i = link_src[k]
        slack = early_start[link_dst[k]] - early_start[i] - link_offset[k]
        if slack < free_float[i]:
            free_float[i] = slack


def alap_pass(
    order: IntArray,
    pred_ptr: IntArray,
    pred_src: IntArray,
    link_offset: IntArray,
    alap: npt.NDArray[np.bool_],
    early_start: IntArray,
    limit: IntArray,
    start: IntArray,
) -> None:
    """Scheduled starts: ALAP tasks as late as they can go without delaying a successor.

    Every other task stays at its early start. In reverse topological order
    each task's scheduled start is final when it is reached; it then caps
    each predecessor at ``start[j] - offset_k``. An ALAP task starts at
    ``max(ES, min(limit, caps))`` where ``limit`` holds its own bound (the
    project finish or a deadline, minus its duration). A chain of ALAP tasks
    moves together; a successor that is not ALAP never moves.
    """
    for idx in range(len(order) - 1, -1, -1):
        j = order[idx]
        if alap[j]:
            best = limit[j]
            if best < early_start[j]:
                best = early_start[j]
            start[j] = best
        else:
            start[j] = early_start[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_src[k]
            candidate = start[j] - link_offset[k]
            if candidate < limit[i]:
                limit[i] = candidate
