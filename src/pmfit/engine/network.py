"""The compiled network every engine shares: a plan as integer-indexed arrays.

Only *leaf* tasks (work tasks and milestones) are nodes. A summary task is
not scheduled itself: its dates roll up from its leaves, and a link that
names a summary applies to every leaf under it (a predecessor of a summary
precedes all of its leaves; a summary as predecessor means all of its
leaves), which is how MS Project treats links on summary tasks.

Links are kept in predecessor-CSR order (grouped by successor), with a
second index grouping them by predecessor for the backward pass.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from pmfit.engine import kernels
from pmfit.engine.jit import kernel
from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from collections.abc import Callable

    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.duration import Duration
    from pmfit.model.plan import Plan, Task

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

LINK_TYPES = ("FS", "SS", "FF", "SF")
FS, SS, FF, SF = 0, 1, 2, 3
CONSTRAINT_TYPES = ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = range(8)
DISTRIBUTIONS = ("fixed", "triangular", "pert", "uniform")


def _int(values: object, n: int, default: int = 0) -> IntArray:
    if values is None:
        return np.full(n, default, dtype=np.int64)
    return np.ascontiguousarray(values, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Network:
    """A plan compiled to arrays. Build with :func:`compile_plan` or :meth:`from_arrays`.

    Times are integer working minutes from the project start. ``NO_LOWER`` /
    ``NO_UPPER`` mark "no constraint" in the time arrays.
    """

    ids: list[str]
    duration: IntArray
    # links, grouped by successor (pred-CSR)
    pred_ptr: IntArray
    link_src: IntArray
    link_dst: IntArray
    link_type: IntArray
    link_lag: IntArray
    # the same links grouped by predecessor: succ_link[succ_ptr[i]:succ_ptr[i+1]]
    succ_ptr: IntArray
    succ_link: IntArray
    order: IntArray
    constraint_type: IntArray
    constraint_time: IntArray
    deadline: IntArray
    milestone: npt.NDArray[np.bool_]
    names: list[str] = field(default_factory=list)
    # resources: demand CSR per task
    resource_ids: list[str] = field(default_factory=list)
    resource_names: list[str] = field(default_factory=list)
    capacity: FloatArray = field(default_factory=lambda: np.zeros(0))
    demand_ptr: IntArray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    demand_resource: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    demand_units: FloatArray = field(default_factory=lambda: np.zeros(0))
    priority: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    levelable: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # three-point estimates in working minutes (equal to duration when absent)
    optimistic: FloatArray = field(default_factory=lambda: np.zeros(0))
    likely: FloatArray = field(default_factory=lambda: np.zeros(0))
    pessimistic: FloatArray = field(default_factory=lambda: np.zeros(0))
    distribution: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    group: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    group_names: list[str] = field(default_factory=list)
    # summary tasks: leaves of summary s are summary_leaf[summary_ptr[s]:summary_ptr[s+1]]
    summary_ids: list[str] = field(default_factory=list)
    summary_names: list[str] = field(default_factory=list)
    summary_ptr: IntArray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    summary_leaf: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # the plan's own link each network link came from: (successor id, predecessor id as written)
    link_origin: list[tuple[str, str]] = field(default_factory=list)
    # elapsed lags in calendar minutes per link (``3ed`` = 4320), on top of ``link_lag``'s working
    # minutes; empty when the plan has none (the common case pays nothing). The CPM resolves them
    # through ``calendar`` (see :mod:`pmfit.engine.elapsed`).
    link_elapsed: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    calendar: WorkingTime | None = None
    project_deadline: int = NO_UPPER

    @property
    def n(self) -> int:
        return len(self.duration)

    @property
    def m(self) -> int:
        return len(self.link_src)

    @property
    def has_elapsed(self) -> bool:
        """Some link has an elapsed lag (calendar time) to resolve through the calendar."""
        return len(self.link_elapsed) > 0

    def index(self, task_id: str) -> int:
        """The array index of a task id (built on first use)."""
        lookup: dict[str, int] | None = self.__dict__.get("_index")
        if lookup is None:
            lookup = {tid: i for i, tid in enumerate(self.ids)}
            object.__setattr__(self, "_index", lookup)
        return lookup[task_id]

    def predecessors(self, i: int) -> range:
        """Link indices of the links into task ``i``."""
        return range(int(self.pred_ptr[i]), int(self.pred_ptr[i + 1]))

    def successors(self, i: int) -> IntArray:
        """Link indices of the links out of task ``i``."""
        return self.succ_link[self.succ_ptr[i]:self.succ_ptr[i + 1]]

    def with_durations(self, duration: IntArray) -> Network:
        """The same network with other durations (what-if, simulation, progress)."""
        from dataclasses import replace

        return replace(self, duration=np.ascontiguousarray(duration, dtype=np.int64))

    @classmethod
    def from_arrays(
        cls,
        duration: object,
        link_src: object,
        link_dst: object,
        link_type: object = None,
        link_lag: object = None,
        *,
        ids: list[str] | None = None,
        constraint_type: object = None,
        constraint_time: object = None,
        deadline: object = None,
        milestone: object = None,
        check_cycles: bool = True,
        link_elapsed: object = None,
        **extra: object,
    ) -> Network:
        """Build a network from plain arrays (links as parallel src/dst/type/lag arrays).

        ``link_elapsed`` (optional, calendar minutes per link) adds elapsed lags; it needs
        ``calendar`` among the extra fields to be resolved.

        This is the compile step proper: it groups links both ways (CSR) and
        finds a topological order; a cycle raises :class:`PlanError` with the
        whole cycle named.
        """
        durations = _int(duration, 0)
        n = len(durations)
        src = _int(link_src, 0)
        dst = _int(link_dst, 0)
        m = len(src)
        types = _int(link_type, m, FS)
        lags = _int(link_lag, m, 0)
        elapsed = _int(link_elapsed, 0) if link_elapsed is not None else np.zeros(0, dtype=np.int64)
        if len(elapsed) and not elapsed.any():
            elapsed = elapsed[:0]
        if len(dst) != m or len(types) != m or len(lags) != m or (len(elapsed) and len(elapsed) != m):
            raise ValueError("link arrays differ in length")
        if m and (src.min() < 0 or dst.min() < 0 or src.max() >= n or dst.max() >= n):
            raise ValueError("a link names a task index outside the network")
        group = kernel(kernels.group_by_key, n + m)
        if group is kernels.group_by_key:  # small or no numba: numpy's sort beats a Python loop
            group = _group_by_key_numpy
        pred_ptr, by_dst = group(dst, n)
        src, dst, types, lags = src[by_dst], dst[by_dst], types[by_dst], lags[by_dst]
        if len(elapsed):
            elapsed = elapsed[by_dst]
        indegree = np.diff(pred_ptr)
        succ_ptr, succ_link = group(src, n)
        topo = kernel(kernels.topological_order, n + m)
        order = topo(succ_ptr, np.ascontiguousarray(dst[succ_link]), indegree)
        names = list(extra.pop("names", None) or [])  # type: ignore[call-overload]
        task_ids = ids if ids is not None else [str(i) for i in range(n)]
        if len(order) < n and check_cycles:
            raise PlanError(_cycle_diagnostic(n, src, dst, order, task_ids))
        return cls(
            ids=task_ids,
            names=names or list(task_ids),
            duration=durations,
            pred_ptr=pred_ptr,
            link_src=src,
            link_dst=dst,
            link_type=types,
            link_lag=lags,
            link_elapsed=elapsed,
            succ_ptr=succ_ptr,
            succ_link=succ_link,
            order=order,
            constraint_type=_int(constraint_type, n, ASAP),
            constraint_time=_int(constraint_time, n, NO_LOWER),
            deadline=_int(deadline, n, NO_UPPER),
            milestone=(np.asarray(milestone, dtype=bool) if milestone is not None
                       else durations == 0),
            **extra,  # type: ignore[arg-type]
        )


def _group_by_key_numpy(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """:func:`kernels.group_by_key` with numpy (stable argsort): the same answer."""
    perm = np.argsort(keys, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, perm


def _cycle_diagnostic(
    n: int, src: IntArray, dst: IntArray, order: IntArray, ids: list[str]
) -> Diagnostic:
    """Find one cycle among the tasks Kahn's algorithm could not order."""
    left = np.ones(n, dtype=bool)
    left[order] = False
    pred: dict[int, list[int]] = {}
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        if left[a] and left[b]:
            pred.setdefault(b, []).append(a)
    start = int(np.flatnonzero(left)[0])
    # Every task Kahn's algorithm could not order has an unordered predecessor (else it
    # would have been ordered), so walking predecessors must repeat a task: that is a
    # cycle. (Walking successors can dead-end at a task downstream of the cycle.)
    seen: dict[int, int] = {}
    path: list[int] = []
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(pred[node])
    cycle = [*path[seen[node]:], node]
    cycle.reverse()  # predecessor first: a -> b means b depends on a
    names = " -> ".join(ids[i] for i in cycle)
    return Diagnostic(
        "dependency_cycle",
        f"dependency cycle: {names}",
        task=ids[cycle[0]],
    )


#: The networks of the plans compiled last, by plan identity (a plan is frozen, so its network
#: never changes): validation, scheduling and every engine asked about one plan compile it once.
_compiled: dict[int, tuple[weakref.ref[Plan], Network]] = {}


def compile_plan(plan: Plan, calendar: WorkingTime | None = None) -> Network:
    """Compile a validated plan into a :class:`Network` (leaf tasks only).

    Costs time linear in tasks, links and WBS depth (a link on a summary task
    becomes one link per leaf under it). Without ``calendar`` the result is
    kept for as long as the plan lives, and asking again returns it.
    """
    if calendar is not None:
        return _compile(plan, calendar)
    key = id(plan)
    hit = _compiled.get(key)
    if hit is not None and hit[0]() is plan:
        return hit[1]
    network = _compile(plan, None)
    try:
        ref = weakref.ref(plan, lambda _ref, key=key: _compiled.pop(key, None))  # type: ignore[misc]
    except TypeError:  # a plan-like object that cannot be referenced weakly: not kept
        return network
    _compiled[key] = (ref, network)
    return network


def _add_leveling_delays(leaves: list[Task], minutes: Callable[[Duration], int], dst: list[int], lags: list[int],
                         ctype: IntArray, ctime: IntArray) -> None:
    """A leveling delay waits after the task's earliest start (MS Project's Leveling Delay).

    ``ES = max(links, start floor) + delay`` is ``max(links + delay, start floor + delay)``: the
    delay is added to the lag of every link into the task and to its start floor (the project
    start becomes an SNET at the delay; an SNET or FNET moves by it). Must-dates (MSO, MFO) and
    ALAP tasks are not moved by leveling, and an SNLT/FNLT task is delayed through its links only.
    """
    delay = [minutes(t.leveling_delay) if t.leveling_delay is not None else 0 for t in leaves]
    if not any(delay):
        return
    for k, target in enumerate(dst):
        lags[k] += delay[target]
    for i, wait in enumerate(delay):
        if wait <= 0:
            continue
        if ctype[i] == ASAP:
            ctype[i], ctime[i] = SNET, wait
        elif ctype[i] in (SNET, FNET):
            ctime[i] += wait


def _compile(plan: Plan, calendar: WorkingTime | None) -> Network:
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import ConstraintType

    cal = calendar or WorkingTime(plan.project.calendar, plan.project.start)
    mpd, dpw = cal.minutes_per_day, cal.days_per_week
    summaries = plan.summary_ids()
    leaves = [t for t in plan.tasks if t.id not in summaries]
    leaf_index = {t.id: i for i, t in enumerate(leaves)}
    n = len(leaves)

    children: dict[str, list[str]] = {}
    for task in plan.tasks:
        if task.parent is not None:
            children.setdefault(task.parent, []).append(task.id)

    leaf_cache: dict[str, list[int]] = {}

    def leaves_of(task_id: str) -> list[int]:
        if task_id in leaf_index:
            return [leaf_index[task_id]]
        if task_id not in leaf_cache:
            out: list[int] = []
            stack = list(reversed(children.get(task_id, [])))
            while stack:
                child = stack.pop()
                if child in leaf_index:
                    out.append(leaf_index[child])
                else:
                    stack.extend(reversed(children.get(child, [])))
            leaf_cache[task_id] = out
        return leaf_cache[task_id]

    parent_of = {t.id: t.parent for t in plan.tasks}
    by_id = {t.id: t for t in plan.tasks}  # plan.task() is a linear search
    chains: dict[str, tuple[str, ...]] = {}

    def chain_from(summary_id: str) -> tuple[str, ...]:
        """``summary_id`` and its ancestors, nearest first (memoised: linear in the WBS, not in leaves x depth)."""
        found = chains.get(summary_id)
        if found is not None:
            return found
        walk: list[str] = []
        seen: set[str] = set()
        node: str | None = summary_id
        while node is not None and node not in seen and node not in chains:
            seen.add(node)
            walk.append(node)
            node = parent_of.get(node)
        tail = chains.get(node, ()) if node is not None and node not in seen else ()
        for index in range(len(walk) - 1, -1, -1):
            tail = (walk[index], *tail)
            chains[walk[index]] = tail
        return chains[summary_id]

    def ancestors(task_id: str) -> tuple[str, ...]:
        parent = parent_of.get(task_id)
        if parent is None:
            return ()
        chain = chain_from(parent)
        # a cycle through the task itself (reported by validation): stop before the task, as before
        return chain[:chain.index(task_id)] if task_id in chain else chain

    # Only the summaries that carry something leaves inherit are visited per leaf.
    inheriting = {t.id for t in plan.tasks if t.id in summaries
                  and (t.after or t.deadline is not None or t.constraint is not None)}

    duration = np.zeros(n, dtype=np.int64)
    milestone = np.zeros(n, dtype=bool)
    ctype = np.full(n, ASAP, dtype=np.int64)
    ctime = np.full(n, NO_LOWER, dtype=np.int64)
    deadline = np.full(n, NO_UPPER, dtype=np.int64)
    optimistic = np.zeros(n)
    likely = np.zeros(n)
    pessimistic = np.zeros(n)
    distribution = np.zeros(n, dtype=np.int64)
    priority = np.zeros(n, dtype=np.int64)
    levelable = np.ones(n, dtype=bool)
    group = np.full(n, -1, dtype=np.int64)
    group_names: list[str] = []
    group_index: dict[str, int] = {}
    default_dist = DISTRIBUTIONS.index(plan.project.distribution)

    src: list[int] = []
    dst: list[int] = []
    types: list[int] = []
    lags: list[int] = []
    elapsed: list[int] = []  # calendar minutes of an elapsed lag (3ed), 0 for a working one
    origin: list[tuple[str, str]] = []
    type_code = {name: code for code, name in enumerate(LINK_TYPES)}
    minutes_of: dict[object, int] = {}

    def minutes(duration: Duration) -> int:
        if duration.amount == 0:
            return 0
        key = (duration.amount, duration.unit)
        value = minutes_of.get(key)
        if value is None:
            value = minutes_of[key] = duration.minutes(mpd, dpw)
        return value

    def add_links(task_id: str, links: list, target: int) -> None:  # type: ignore[type-arg]
        # Duplicates (the same link reached twice through summaries) are dropped after the loop.
        for link in links:
            t = type_code[link.type._value_]
            calendar_minutes = link.lag.minutes() if link.lag.elapsed else 0
            lag = 0 if calendar_minutes else minutes(link.lag)
            leaf = leaf_index.get(link.task)
            for a in (leaf,) if leaf is not None else leaves_of(link.task):
                if a != target:
                    src.append(a)
                    dst.append(target)
                    types.append(t)
                    lags.append(lag)
                    elapsed.append(calendar_minutes)
                    origin.append((task_id, link.task))

    for i, task in enumerate(leaves):
        d = 0 if task.milestone else minutes(task.planned_duration())
        duration[i] = max(d, 0)
        milestone[i] = task.milestone or d == 0
        if task.estimate is not None and not task.milestone:
            optimistic[i] = minutes(task.estimate.optimistic)
            likely[i] = minutes(task.estimate.likely)
            pessimistic[i] = minutes(task.estimate.pessimistic)
            dist = task.estimate.distribution
            distribution[i] = DISTRIBUTIONS.index(dist) if dist else default_dist
        else:
            optimistic[i] = likely[i] = pessimistic[i] = duration[i]
        priority[i] = task.priority
        levelable[i] = task.level
        if task.group:
            group[i] = group_index.setdefault(task.group, len(group_index))
            if len(group_names) < len(group_index):
                group_names.append(task.group)
        if task.constraint is not None:
            kind = CONSTRAINT_TYPES.index(task.constraint.type.value)
            ctype[i] = kind
            when = task.constraint.date
            if when is not None:
                if kind in (FNET, FNLT, MFO):
                    ctime[i] = cal.day_end(when)
                else:
                    ctime[i] = cal.day_start(when)
        if task.deadline is not None:
            deadline[i] = cal.day_end(task.deadline)
        inherited_from = [a for a in ancestors(task.id) if a in inheriting] if task.parent is not None else []
        for ancestor in inherited_from:
            # A summary finishes when its last leaf does: its deadline binds every leaf.
            inherited_deadline = by_id[ancestor].deadline
            if inherited_deadline is not None:
                deadline[i] = min(int(deadline[i]), cal.day_end(inherited_deadline))
        if task.after:
            add_links(task.id, task.after, i)
        for ancestor in inherited_from:
            # Links on a summary task apply to each of its leaves.
            add_links(ancestor, by_id[ancestor].after, i)
        if task.constraint is None:
            for ancestor in inherited_from:
                inherited = by_id[ancestor].constraint
                if inherited is not None and inherited.type is ConstraintType.SNET and inherited.date:
                    ctype[i] = SNET
                    ctime[i] = cal.day_start(inherited.date)
                    break
        for ancestor in inherited_from:
            # FNLT on a summary: every leaf finishes by then (the summary ends with its last leaf).
            inherited = by_id[ancestor].constraint
            if inherited is None or inherited.type is not ConstraintType.FNLT or inherited.date is None:
                continue
            limit = cal.day_end(inherited.date)
            if ctype[i] == ASAP:
                ctype[i], ctime[i] = FNLT, limit
            elif ctype[i] == FNLT:
                ctime[i] = min(int(ctime[i]), limit)
            else:  # the leaf has its own constraint: hold the date as a deadline instead
                deadline[i] = min(int(deadline[i]), limit)

    _add_leveling_delays(leaves, minutes, dst, lags, ctype, ctime)

    resource_ids = [r.id for r in plan.resources]
    res_index = {rid: k for k, rid in enumerate(resource_ids)}
    demand_ptr = np.zeros(n + 1, dtype=np.int64)
    demand_resource: list[int] = []
    demand_units: list[float] = []
    for i, task in enumerate(leaves):
        for rid, units in task.needs.items():
            if rid in res_index:
                demand_resource.append(res_index[rid])
                demand_units.append(units)
        demand_ptr[i + 1] = len(demand_resource)

    summary_ids = [t.id for t in plan.tasks if t.id in summaries]
    summary_ptr = np.zeros(len(summary_ids) + 1, dtype=np.int64)
    summary_leaf: list[int] = []
    for s, sid in enumerate(summary_ids):
        summary_leaf.extend(leaves_of(sid))
        summary_ptr[s + 1] = len(summary_leaf)

    project_deadline = NO_UPPER
    if plan.project.deadline is not None:
        project_deadline = cal.day_end(plan.project.deadline)

    link_src, link_dst, link_type, link_lag, link_elapsed, origin = _first_of_each_link(
        src, dst, types, lags, elapsed, origin)
    network = Network.from_arrays(
        duration,
        link_src,
        link_dst,
        link_type,
        link_lag,
        link_elapsed=link_elapsed if link_elapsed.any() else None,
        ids=[t.id for t in leaves],
        names=[t.name for t in leaves],
        constraint_type=ctype,
        constraint_time=ctime,
        deadline=deadline,
        milestone=milestone,
        resource_ids=resource_ids,
        resource_names=[r.name for r in plan.resources],
        capacity=np.array([r.units for r in plan.resources], dtype=float),
        demand_ptr=demand_ptr,
        demand_resource=np.array(demand_resource, dtype=np.int64),
        demand_units=np.array(demand_units, dtype=float),
        priority=priority,
        levelable=levelable,
        optimistic=optimistic,
        likely=likely,
        pessimistic=pessimistic,
        distribution=distribution,
        group=group,
        group_names=group_names,
        summary_ids=summary_ids,
        summary_names=[by_id[s].name for s in summary_ids],
        summary_ptr=summary_ptr,
        summary_leaf=np.array(summary_leaf, dtype=np.int64),
        calendar=cal,
        project_deadline=project_deadline,
    )
    # Links come back sorted by successor; sort origins the same way.
    if origin:
        by_dst = np.argsort(link_dst, kind="stable")
        object.__setattr__(network, "link_origin", [origin[k] for k in by_dst.tolist()])
    return network


def _first_of_each_link(
    src: list[int], dst: list[int], types: list[int], lags: list[int], elapsed: list[int],
    origin: list[tuple[str, str]],
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, list[tuple[str, str]]]:
    """The links in the order given, each (pred, succ, type, lag, elapsed lag) kept once, at its first occurrence."""
    a = np.array(src, dtype=np.int64)
    b = np.array(dst, dtype=np.int64)
    t = np.array(types, dtype=np.int64)
    lag = np.array(lags, dtype=np.int64)
    cal = np.array(elapsed, dtype=np.int64)
    if len(a) < 2:
        return a, b, t, lag, cal, origin
    order = np.lexsort((np.arange(len(a)), cal, lag, t, a, b))  # equal links together, first occurrence first
    same = np.zeros(len(a), dtype=bool)
    same[1:] = ((a[order][1:] == a[order][:-1]) & (b[order][1:] == b[order][:-1])
                & (t[order][1:] == t[order][:-1]) & (lag[order][1:] == lag[order][:-1])
                & (cal[order][1:] == cal[order][:-1]))
    if not same.any():
        return a, b, t, lag, cal, origin
    keep = np.ones(len(a), dtype=bool)
    keep[order[same]] = False
    kept = np.flatnonzero(keep)
    return a[kept], b[kept], t[kept], lag[kept], cal[kept], [origin[k] for k in kept.tolist()]


def as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
