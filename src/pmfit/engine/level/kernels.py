"""Inner loops of the leveler, written once as plain Python over arrays.

:mod:`pmfit.engine.level.sgs` runs them as Python for small jobs and compiled
by numba for large ones (the whole module is compiled together, so the loops
may call each other). Keep them numba-friendly: numpy arrays and scalars only.

Conventions (all times are integer *grid units*, see :mod:`.problem`):

- a direction is a set of CSR arrays: ``pp/ps/po`` = for task j, its
  predecessors ``ps[pp[j]:pp[j+1]]`` and offsets so that ``S[j] >= S[ps] + po``;
  ``sp/sd/so`` = the same links grouped by predecessor; ``indeg`` = number of
  predecessors. The backward pass runs the same loops on the reversed arrays.
- ``mode[j]``: 0 = levelled normally, 1 = ignores resources (``level: false``),
  2 = pinned at ``lower[j]`` (must-start/must-finish dates).
- demands in CSR: task j needs ``dun[k]`` units of resource ``dres[k]`` for
  ``k in dptr[j]:dptr[j+1]``; ``usage[r, t]`` is the resource grid; between
  calls it holds only the blocked time (a resource's days off, at full capacity).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Grid = npt.NDArray[np.int64]


def seed_rng(seed: int) -> None:
    """Seed the generator the loops draw from (numba keeps its own)."""
    np.random.seed(seed)


def reach_bits(order: IntArray, sp: IntArray, sd: IntArray, reach: npt.NDArray[np.uint64]) -> None:
    """Transitive successors as bit rows: ``reach[i]`` has bit q set when q follows i (reverse topological pass)."""
    words = reach.shape[1]
    one = np.uint64(1)
    for idx in range(len(order) - 1, -1, -1):
        i = order[idx]
        for x in range(sp[i], sp[i + 1]):
            q = sd[x]
            for w in range(words):
                reach[i, w] |= reach[q, w]
            reach[i, q // 64] |= one << np.uint64(q % 64)


def _heap_push(keys: FloatArray, idx: IntArray, size: int, key: float, j: int) -> int:
    pos = size
    keys[pos] = key
    idx[pos] = j
    while pos > 0:
        parent = (pos - 1) // 2
        if keys[parent] > keys[pos] or (keys[parent] == keys[pos] and idx[parent] > idx[pos]):
            tk = keys[parent]
            keys[parent] = keys[pos]
            keys[pos] = tk
            ti = idx[parent]
            idx[parent] = idx[pos]
            idx[pos] = ti
            pos = parent
        else:
            break
    return size + 1


def _heap_pop(keys: FloatArray, idx: IntArray, size: int) -> int:
    """Remove the smallest (key, index); returns the new size (the item is left at ``idx[size]``)."""
    size -= 1
    tk = keys[0]
    ti = idx[0]
    keys[0] = keys[size]
    idx[0] = idx[size]
    keys[size] = tk
    idx[size] = ti
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and (keys[right] < keys[left] or (keys[right] == keys[left] and idx[right] < idx[left])):
            best = right
        if keys[best] < keys[pos] or (keys[best] == keys[pos] and idx[best] < idx[pos]):
            tk = keys[best]
            keys[best] = keys[pos]
            keys[pos] = tk
            ti = idx[best]
            idx[best] = idx[pos]
            idx[pos] = ti
            pos = best
        else:
            break
    return size


def earliest_fit(
    j: int, t: int, dur: IntArray, dptr: IntArray, dres: IntArray, dun: IntArray,
    cap: IntArray, usage: Grid,
) -> int:
    """The first ``t' >= t`` where task j's demands fit under every capacity for its whole duration."""
    d = dur[j]
    if d <= 0:
        return t
    while True:
        ok = True
        for k in range(dptr[j], dptr[j + 1]):
            r = dres[k]
            room = cap[r] - dun[k]
            # Scan backwards: the last conflict in the window gives the longest safe jump.
            for tau in range(t + d - 1, t - 1, -1):
                if usage[r, tau] > room:
                    t = tau + 1
                    ok = False
                    break
            if not ok:
                break
        if ok:
            return t


def _place(j: int, t: int, dur: IntArray, dptr: IntArray, dres: IntArray, dun: IntArray,
           usage: Grid, sign: int) -> None:
    for k in range(dptr[j], dptr[j + 1]):
        r = dres[k]
        u = dun[k] * sign
        for tau in range(t, t + dur[j]):
            usage[r, tau] += u


def clear_usage(usage: Grid, horizon: int) -> None:
    for r in range(usage.shape[0]):
        for t in range(min(horizon, usage.shape[1])):
            usage[r, t] = 0


def remove_all(start: IntArray, dur: IntArray, dptr: IntArray, dres: IntArray, dun: IntArray,
               usage: Grid) -> None:
    """Take every task's usage off the grid again (what was there before, e.g. blocked time, stays)."""
    for j in range(len(dur)):
        _place(j, start[j], dur, dptr, dres, dun, usage, -1)


def serial_sgs(
    key: FloatArray, rank: IntArray,
    dur: IntArray, pp: IntArray, ps: IntArray, po: IntArray,
    sp: IntArray, sd: IntArray, indeg: IntArray,
    lower: IntArray, mode: IntArray,
    dptr: IntArray, dres: IntArray, dun: IntArray, cap: IntArray,
    usage: Grid, start: IntArray, order: IntArray,
) -> int:
    """Serial schedule generation: take the eligible task with the smallest ``(rank, key)``,
    start it at the earliest precedence- and resource-feasible time; repeat.

    Returns the makespan; ``start`` gets the starts and ``order`` the activity list.
    The usage grid is restored before returning.
    """
    n = len(dur)
    remaining = indeg.copy()
    hk = np.empty(n, dtype=np.float64)
    hi = np.empty(n, dtype=np.int64)
    size = 0
    big = float(n + 1) * 4.0 + 1.0
    for j in range(n):
        if remaining[j] == 0:
            size = _heap_push(hk, hi, size, rank[j] * big * 1e6 + key[j], j)
    count = 0
    makespan = 0
    while size > 0:
        size = _heap_pop(hk, hi, size)
        j = hi[size]
        order[count] = j
        count += 1
        if mode[j] == 2:
            t = lower[j]
        else:
            t = lower[j]
            for k in range(pp[j], pp[j + 1]):
                c = start[ps[k]] + po[k]
                if c > t:
                    t = c
            if mode[j] == 0:
                t = earliest_fit(j, t, dur, dptr, dres, dun, cap, usage)
        start[j] = t
        _place(j, t, dur, dptr, dres, dun, usage, 1)
        if t + dur[j] > makespan:
            makespan = t + dur[j]
        for s in range(sp[j], sp[j + 1]):
            q = sd[s]
            remaining[q] -= 1
            if remaining[q] == 0:
                size = _heap_push(hk, hi, size, rank[q] * big * 1e6 + key[q], q)
    remove_all(start, dur, dptr, dres, dun, usage)
    return makespan


def parallel_sgs(
    key: FloatArray, rank: IntArray,
    dur: IntArray, sp: IntArray, sd: IntArray, so: IntArray, indeg: IntArray,
    lower: IntArray, mode: IntArray,
    dptr: IntArray, dres: IntArray, dun: IntArray, cap: IntArray,
    usage: Grid, start: IntArray, order: IntArray,
) -> int:
    """Parallel (time-incrementing) schedule generation.

    At each decision time ``t`` the eligible tasks whose predecessors allow a
    start at ``t`` are tried in ``(rank, key)`` order and started at ``t``
    when their resources are free for their whole duration; then ``t``
    advances to the next finish or release. Gives non-delay schedules.
    """
    n = len(dur)
    remaining = indeg.copy()
    es = lower.copy()
    elig = np.empty(n, dtype=np.int64)
    failed_at = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    ne = 0
    for j in range(n):
        if remaining[j] == 0:
            elig[ne] = j
            ne += 1
    big = float(n + 1) * 4.0 + 1.0
    count = 0
    makespan = 0
    t = 0
    if ne > 0:
        t = es[elig[0]]
        for a in range(ne):
            if es[elig[a]] < t:
                t = es[elig[a]]
    while count < n:
        # pick the best candidate at t not yet refused at t
        best = -1
        best_key = 0.0
        for a in range(ne):
            j = elig[a]
            ready = es[j] <= t or mode[j] == 2
            if ready and failed_at[j] != t:
                kj = rank[j] * big * 1e6 + key[j]
                if best < 0 or kj < best_key or (kj == best_key and j < elig[best]):
                    best = a
                    best_key = kj
        if best >= 0:
            j = elig[best]
            if mode[j] == 2:
                s = lower[j]
            elif mode[j] == 1:  # ignores resources: starts as its predecessors allow, even if t has moved on
                s = es[j]
            else:
                s = t
                if earliest_fit(j, t, dur, dptr, dres, dun, cap, usage) != t:
                    failed_at[j] = t
                    continue
            start[j] = s
            done[j] = True
            _place(j, s, dur, dptr, dres, dun, usage, 1)
            if s + dur[j] > makespan:
                makespan = s + dur[j]
            order[count] = j
            count += 1
            ne -= 1
            elig[best] = elig[ne]
            for x in range(sp[j], sp[j + 1]):
                q = sd[x]
                c = s + so[x]
                if c > es[q]:
                    es[q] = c
                remaining[q] -= 1
                if remaining[q] == 0:
                    elig[ne] = q
                    ne += 1
            continue
        # advance time: next finish after t, or next release of an eligible task
        nxt = -1
        for a in range(ne):
            e = es[elig[a]]
            if e > t and (nxt < 0 or e < nxt):
                nxt = e
        for j in range(n):
            if done[j]:
                f = start[j] + dur[j]
                if f > t and (nxt < 0 or f < nxt):
                    nxt = f
        if nxt < 0:
            nxt = t + 1
        t = nxt
    remove_all(start, dur, dptr, dres, dun, usage)
    return makespan


def sample_keys(
    value: FloatArray, alpha: float, rank: IntArray,
    sp: IntArray, sd: IntArray, indeg: IntArray, out: FloatArray,
) -> None:
    """Regret-based biased random sampling of an activity list.

    Among the eligible tasks (of the best plan-priority rank), task j is drawn
    with probability proportional to ``(max_E v - v_j + 1) ** alpha``, where
    smaller ``v`` is more urgent (e.g. latest finish). ``out[j]`` is j's
    position in the list.
    """
    n = len(value)
    remaining = indeg.copy()
    elig = np.empty(n, dtype=np.int64)
    weight = np.empty(n, dtype=np.float64)
    ne = 0
    for j in range(n):
        if remaining[j] == 0:
            elig[ne] = j
            ne += 1
    for pos in range(n):
        best_rank = rank[elig[0]]
        vmax = -1e300
        for a in range(ne):
            j = elig[a]
            if rank[j] < best_rank:
                best_rank = rank[j]
        for a in range(ne):
            j = elig[a]
            if rank[j] == best_rank and value[j] > vmax:
                vmax = value[j]
        total = 0.0
        for a in range(ne):
            j = elig[a]
            w = 0.0
            if rank[j] == best_rank:
                w = (vmax - value[j] + 1.0) ** alpha
            weight[a] = w
            total += w
        pick = np.random.random() * total
        chosen = ne - 1
        acc = 0.0
        for a in range(ne):
            acc += weight[a]
            if pick < acc and weight[a] > 0.0:
                chosen = a
                break
        while weight[chosen] <= 0.0:
            chosen -= 1
        j = elig[chosen]
        out[j] = float(pos)
        ne -= 1
        elig[chosen] = elig[ne]
        for x in range(sp[j], sp[j + 1]):
            q = sd[x]
            remaining[q] -= 1
            if remaining[q] == 0:
                elig[ne] = q
                ne += 1


def justify(
    key: FloatArray, rank: IntArray, zero_rank: IntArray,
    dur: IntArray,
    fpp: IntArray, fps: IntArray, fpo: IntArray, fsp: IntArray, fsd: IntArray, findeg: IntArray,
    bpp: IntArray, bps: IntArray, bpo: IntArray, bsp: IntArray, bsd: IntArray, bindeg: IntArray,
    lower: IntArray, blower: IntArray, mode: IntArray, bmode: IntArray,
    dptr: IntArray, dres: IntArray, dun: IntArray, cap: IntArray,
    usage: Grid, busage: Grid, start: IntArray, order: IntArray, max_rounds: int, counter: IntArray,
) -> int:
    """Forward-backward improvement (justification) of the list ``key``.

    A forward serial pass, then repeatedly: a backward pass that takes tasks
    latest-finish first and packs them right, and a forward pass that takes
    them in the order of their backward starts and packs them left. Stops when
    a round does not shorten the schedule. ``start`` gets the best forward
    schedule; ``key`` is overwritten with its start order (the list to keep);
    ``counter[0]`` counts the passes (each pass is one generated schedule). The backward
    passes use ``busage``, a grid without blocked time (they only produce an order).
    """
    n = len(dur)
    best = serial_sgs(key, rank, dur, fpp, fps, fpo, fsp, fsd, findeg, lower, mode,
                      dptr, dres, dun, cap, usage, start, order)
    counter[0] += 1
    bstart = np.empty(n, dtype=np.int64)
    fstart = np.empty(n, dtype=np.int64)
    bkey = np.empty(n, dtype=np.float64)
    for j in range(n):
        key[j] = start[j] * 1.0 + key[j] * 1e-9
    for _ in range(max_rounds):
        for j in range(n):
            bkey[j] = -float(start[j] + dur[j]) + 1e-9 * start[j]
        bm = serial_sgs(bkey, zero_rank, dur, bpp, bps, bpo, bsp, bsd, bindeg, blower, bmode,
                        dptr, dres, dun, cap, busage, bstart, order)
        counter[0] += 1
        for j in range(n):
            bkey[j] = float(bm - bstart[j] - dur[j])
        m = serial_sgs(bkey, rank, dur, fpp, fps, fpo, fsp, fsd, findeg, lower, mode,
                       dptr, dres, dun, cap, usage, fstart, order)
        counter[0] += 1
        if m < best:
            best = m
            for j in range(n):
                start[j] = fstart[j]
                key[j] = fstart[j] * 1.0 + bkey[j] * 1e-9
        else:
            break
    return best


def crossover(mother: FloatArray, father: FloatArray, child: FloatArray, taken: npt.NDArray[np.bool_],
              mutation: float) -> None:
    """Two-point activity-list crossover (Hartmann 1998) on keys; the child gets positions."""
    n = len(mother)
    lm = np.argsort(mother, kind="mergesort")
    lf = np.argsort(father, kind="mergesort")
    q1 = np.random.randint(0, n + 1)
    q2 = np.random.randint(0, n + 1)
    if q1 > q2:
        q1, q2 = q2, q1
    for j in range(n):
        taken[j] = False
    pos = 0
    for a in range(q1):
        j = lm[a]
        child[j] = float(pos)
        taken[j] = True
        pos += 1
    a = 0
    while pos < q2 and a < n:
        j = lf[a]
        if not taken[j]:
            child[j] = float(pos)
            taken[j] = True
            pos += 1
        a += 1
    for a in range(n):
        j = lm[a]
        if not taken[j]:
            child[j] = float(pos)
            taken[j] = True
            pos += 1
    # mutation: swap neighbours in the list (the decoder restores precedence order)
    if mutation > 0.0:
        lc = np.argsort(child, kind="mergesort")
        for a in range(n - 1):
            if np.random.random() < mutation:
                j = lc[a]
                i = lc[a + 1]
                tmp = child[j]
                child[j] = child[i]
                child[i] = tmp


def schedule_hash(start: IntArray) -> float:
    """A fingerprint of a schedule (to keep duplicate schedules out of the population)."""
    h = 0.0
    for j in range(len(start)):
        h += start[j] * (1.0 + ((j * 0.6180339887498949) % 1.0))
    return h


def evolve(
    pop: FloatArray, fitness: IntArray, hashes: FloatArray, children: int, mutation: float, local: float,
    parallel_share: float, rank: IntArray, zero_rank: IntArray, dur: IntArray,
    fpp: IntArray, fps: IntArray, fpo: IntArray, fsp: IntArray, fsd: IntArray, fso: IntArray, findeg: IntArray,
    bpp: IntArray, bps: IntArray, bpo: IntArray, bsp: IntArray, bsd: IntArray, bindeg: IntArray,
    lower: IntArray, blower: IntArray, mode: IntArray, bmode: IntArray,
    dptr: IntArray, dres: IntArray, dun: IntArray, cap: IntArray,
    usage: Grid, busage: Grid, best_start: IntArray, best: IntArray, counter: IntArray, budget: int,
) -> None:
    """Steady-state genetic search over activity lists with justification.

    Tournament parents, two-point crossover, neighbour-swap mutation, each
    child decoded and improved by :func:`justify` (Lamarckian: the improved
    list replaces the child). A child replaces the worst member when it is no
    worse and not a copy of a member. Stops after ``children`` children or when ``counter[0]`` reaches
    ``budget`` passes; ``best[0]``/``best_start`` track the best schedule.
    """
    size, n = pop.shape
    child = np.empty(n, dtype=np.float64)
    taken = np.zeros(n, dtype=np.bool_)
    start = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    for _ in range(children):
        if counter[0] >= budget:
            break
        a = np.random.randint(0, size)
        b = np.random.randint(0, size)
        mother = a if fitness[a] <= fitness[b] else b
        a = np.random.randint(0, size)
        b = np.random.randint(0, size)
        father = a if fitness[a] <= fitness[b] else b
        if np.random.random() < local:
            # local move: a perturbed copy of the best member
            top = 0
            for i in range(size):
                if fitness[i] < fitness[top]:
                    top = i
            crossover(pop[top], pop[top], child, taken, mutation * 3.0)
        else:
            crossover(pop[mother], pop[father], child, taken, mutation)
        if np.random.random() < parallel_share:
            # decode with the parallel scheme first; justification starts from its order
            parallel_sgs(child, rank, dur, fsp, fsd, fso, findeg, lower, mode, dptr, dres, dun, cap,
                         usage, start, order)
            counter[0] += 1
            for j in range(n):
                child[j] = start[j] * 1.0 + child[j] * 1e-9
        m = justify(child, rank, zero_rank, dur, fpp, fps, fpo, fsp, fsd, findeg,
                    bpp, bps, bpo, bsp, bsd, bindeg, lower, blower, mode, bmode,
                    dptr, dres, dun, cap, usage, busage, start, order, 3, counter)
        if m < best[0]:
            best[0] = m
            for j in range(n):
                best_start[j] = start[j]
        h = schedule_hash(start)
        duplicate = False
        worst = 0
        for i in range(size):
            if fitness[i] > fitness[worst]:
                worst = i
            if fitness[i] == m and hashes[i] == h:
                duplicate = True
        if m <= fitness[worst] and not duplicate:
            fitness[worst] = m
            hashes[worst] = h
            for j in range(n):
                pop[worst, j] = child[j]
