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
import itertools
import operator
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, overload

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
    from pmfit.model.plan import Link, Plan

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

LINK_TYPES = ("FS", "SS", "FF", "SF")
FS, SS, FF, SF = 0, 1, 2, 3
CONSTRAINT_TYPES = ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = range(8)
DISTRIBUTIONS = ("fixed", "triangular", "pert", "uniform")

# plain attribute reads for map(): one pass over 100,000 tasks or 300,000 links, no Python frame per item
_TASK_FIELDS = operator.attrgetter("id", "parent", "after", "milestone", "duration", "estimate", "work", "priority",
                                   "level", "group", "constraint", "deadline", "leveling_delay", "needs", "name")
_LINK_FIELDS = operator.attrgetter("task", "type", "lag")
_VALUE = operator.attrgetter("_value_")
_AMOUNT = operator.attrgetter("amount")
_UNIT = operator.attrgetter("unit")
_ESTIMATE_FIELDS = operator.attrgetter("optimistic", "likely", "pessimistic", "distribution")
_T = TypeVar("_T")


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
    link_origin: Sequence[tuple[str, str]] = field(default_factory=list)
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


class LinkOrigins(Sequence[tuple[str, str]]):
    """Where each network link came from in the plan: ``(task that holds the link, predecessor as
    written)``, a summary's id for a link inherited from it or written on it. Made on demand, not
    as 300,000 tuples at compile time: only ``why`` and diagnostics read it."""

    __slots__ = ("_holder", "_holder_ids", "_link", "_written")

    def __init__(self, holder_ids: Sequence[str], holder: IntArray, written: Sequence[str], link: IntArray) -> None:
        self._holder_ids = holder_ids  # task ids, by the holder's place in the plan
        self._holder = holder  # the holder of each written link
        self._written = written  # the predecessor id of each written link
        self._link = link  # the written link behind each network link

    def taking(self, kept: IntArray) -> LinkOrigins:
        """These origins for the links at ``kept`` only."""
        if len(kept) == len(self._link):
            return self
        return LinkOrigins(self._holder_ids, self._holder, self._written, self._link[kept])

    def __len__(self) -> int:
        return len(self._link)

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(index, slice):
            return list(self)[index]
        written = int(self._link[index])
        return self._holder_ids[int(self._holder[written])], self._written[written]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        links = self._link.tolist()
        holders = map(self._holder_ids.__getitem__, self._holder[self._link].tolist())
        return zip(holders, map(self._written.__getitem__, links), strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LinkOrigins({list(self)!r})"


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


def _add_leveling_delays(delays: list[Duration | None], minutes: Callable[[Duration], int], link_dst: IntArray,
                         link_lag: IntArray, ctype: IntArray, ctime: IntArray) -> None:
    """A leveling delay waits after the task's earliest start (MS Project's Leveling Delay).

    ``ES = max(links, start floor) + delay`` is ``max(links + delay, start floor + delay)``: the
    delay is added to the lag of every link into the task and to its start floor (the project
    start becomes an SNET at the delay; an SNET or FNET moves by it). Must-dates (MSO, MFO) and
    ALAP tasks are not moved by leveling, and an SNLT/FNLT task is delayed through its links only.
    ``delays`` holds each leaf's delay (None for none).
    """
    if delays.count(None) == len(delays):
        return
    delay = np.array([minutes(d) if d is not None else 0 for d in delays], dtype=np.int64)
    if not delay.any():
        return
    link_lag += delay[link_dst]
    for i in np.flatnonzero(delay > 0).tolist():
        wait = int(delay[i])
        if ctype[i] == ASAP:
            ctype[i], ctime[i] = SNET, wait
        elif ctype[i] in (SNET, FNET):
            ctime[i] += wait


def _minutes_each(values: Sequence[Duration], minutes_per_day: int, days_per_week: int) -> IntArray:
    """``[v.minutes(minutes_per_day, days_per_week) for v in values]`` with numpy: the same
    IEEE products, rounded half to even as ``round`` does, held at ``MAX_MINUTES`` the same way."""
    from pmfit.model.duration import ELAPSED_MINUTES, MAX_MINUTES

    per_unit = {"m": 1, "h": 60, "d": minutes_per_day, "w": minutes_per_day * days_per_week,
                "mo": minutes_per_day * 20, **ELAPSED_MINUTES}
    count = len(values)
    amounts = np.fromiter(map(_AMOUNT, values), dtype=np.float64, count=count)
    factors = np.fromiter(map(per_unit.__getitem__, map(_UNIT, values)), dtype=np.float64, count=count)
    with np.errstate(over="ignore", invalid="ignore"):
        product = amounts * factors
        held = np.abs(product) <= MAX_MINUTES
        return np.where(held, np.rint(np.where(held, product, 0.0)), np.sign(product) * MAX_MINUTES).astype(np.int64)


def _concat_ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without the Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total, dtype=np.int64)


class _GroupOf(dict[str, int]):
    """Predecessor name -> group; a name that is no task's is the empty group."""

    def __init__(self, empty: int) -> None:
        super().__init__()
        self.empty = empty

    def __missing__(self, name: str) -> int:
        return self.empty


def _compile(plan: Plan, calendar: WorkingTime | None) -> Network:
    # The plan's tasks are read column by column, each task once (``_TASK_FIELDS``): at 100,000
    # tasks each pass over the task objects costs about 20 ms, whatever it does with them.
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.duration import Duration
    from pmfit.model.plan import ConstraintType

    no_duration = Duration(0, "d")
    cal = calendar or WorkingTime(plan.project.calendar, plan.project.start)
    mpd, dpw = cal.minutes_per_day, cal.days_per_week
    tasks = plan.tasks
    (ids, parents, afters, milestones, durations, estimates, works, priorities, levels, groups, constraints,
     deadlines, delays, needs, names) = (
        tuple(zip(*map(_TASK_FIELDS, tasks), strict=True)) if tasks else ((),) * 15)
    summaries: set[str] = set(parents)  # type: ignore[arg-type]
    summaries.discard(None)  # type: ignore[arg-type]  # None removed: now plan.summary_ids()
    leaf_pos = [p for p, tid in enumerate(ids) if tid not in summaries]
    n = len(leaf_pos)

    pick = operator.itemgetter(*leaf_pos) if 1 < n < len(tasks) else None

    def leaf_column(column: tuple[_T, ...]) -> list[_T]:
        if n == len(column):  # no summaries: every task is a leaf
            return list(column)
        return list(pick(column)) if pick is not None else [column[p] for p in leaf_pos]

    leaf_ids = leaf_column(ids)
    leaf_index = dict(zip(leaf_ids, range(n), strict=True))

    children: dict[str, list[str]] = {}
    for tid, parent in zip(ids, parents, strict=True):
        if parent is not None:
            children.setdefault(parent, []).append(tid)

    leaf_cache: dict[str, list[int]] = {}

    def leaves_of(task_id: str) -> list[int]:
        """The leaves under ``task_id`` in WBS order (a summary's: its children's, in turn)."""
        if task_id in leaf_index:
            return [leaf_index[task_id]]
        found = leaf_cache.get(task_id)
        if found is None:
            found = []
            stack = list(reversed(children.get(task_id, [])))
            expanded = {task_id}
            while stack:
                child = stack.pop()
                if child in leaf_index:
                    found.append(leaf_index[child])
                elif child in leaf_cache:  # a summary already expanded: its leaves in one step
                    found.extend(leaf_cache[child])
                else:
                    if child in expanded and child in chain_from(task_id):
                        # validation refuses a parent cycle; a plan built in code may still hold one
                        raise PlanError(Diagnostic("parent_cycle", f"task '{child}' is its own ancestor",
                                                   task=child))
                    expanded.add(child)
                    stack.extend(reversed(children.get(child, [])))
            leaf_cache[task_id] = found
        return found

    # A task id names the last task with that id (as a dict of all tasks would); every task of a
    # summary's id is a summary, so these hold summaries only.
    summary_at = {tid: p for p, tid in enumerate(ids) if tid in summaries}
    parent_of = dict(zip(ids, parents, strict=True))
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

    # Only the summaries that carry something leaves inherit are visited per leaf. A leaf is no
    # task's parent, so its ancestors are its parent's chain (a parent cycle cannot pass through it).
    inheriting = {tid for tid, after, due, constraint in zip(ids, afters, deadlines, constraints, strict=True)
                  if tid in summaries and (after or due is not None or constraint is not None)}
    inherited_of_parent: dict[str, tuple[str, ...]] = {}

    def inherited(parent: str | None) -> tuple[str, ...]:
        if parent is None:
            return ()
        found = inherited_of_parent.get(parent)
        if found is None:
            found = inherited_of_parent[parent] = tuple(a for a in chain_from(parent) if a in inheriting)
        return found

    if inheriting:
        leaf_parents = leaf_column(parents)
        if len(leaf_index) < n:  # two leaves share an id: the id's (last) task's parent, for both
            leaf_parents = [parent_of[tid] if parent is not None else None
                            for tid, parent in zip(leaf_ids, leaf_parents, strict=True)]
        of_parent = {parent: inherited(parent) for parent in set(leaf_parents)}
        leaf_inherits: list[tuple[str, ...]] = list(map(of_parent.__getitem__, leaf_parents))
    else:
        leaf_inherits = [()] * n

    default_dist = DISTRIBUTIONS.index(plan.project.distribution)
    minutes_of: dict[tuple[float, str], int] = {}

    def minutes(duration: Duration) -> int:
        if duration.amount == 0:
            return 0
        key = (duration.amount, duration.unit)
        value = minutes_of.get(key)
        if value is None:
            value = minutes_of[key] = duration.minutes(mpd, dpw)
        return value

    leaf_milestones = leaf_column(milestones)
    leaf_estimates = leaf_column(estimates)
    # Task.planned_duration(): the duration, else the estimate's likely value, else from the work
    # (a milestone's is zero)
    planned_of: list[Duration] = [
        no_duration if is_milestone else written if written is not None else estimate.likely if estimate is not None
        else no_duration
        for is_milestone, written, estimate in zip(leaf_milestones, leaf_column(durations), leaf_estimates,
                                                   strict=True)]
    for i, work in enumerate(leaf_column(works)):
        if work is not None and planned_of[i] is no_duration and not leaf_milestones[i]:
            planned_of[i] = tasks[leaf_pos[i]].planned_duration()
    planned = _minutes_each(planned_of, mpd, dpw)
    duration = np.maximum(planned, 0)
    milestone = np.array(leaf_milestones, dtype=bool) | (planned == 0)
    optimistic = duration.astype(np.float64)
    likely = optimistic.copy()
    pessimistic = optimistic.copy()
    distribution = np.zeros(n, dtype=np.int64)
    estimated = [i for i, estimate in enumerate(leaf_estimates)
                 if estimate is not None and not leaf_milestones[i]]
    if estimated:
        low, mode, high, shape = zip(*map(_ESTIMATE_FIELDS, (leaf_estimates[i] for i in estimated)), strict=True)
        optimistic[estimated] = _minutes_each(low, mpd, dpw)
        likely[estimated] = _minutes_each(mode, mpd, dpw)
        pessimistic[estimated] = _minutes_each(high, mpd, dpw)
        distribution[estimated] = [DISTRIBUTIONS.index(dist) if dist else default_dist for dist in shape]
    priority = np.array(leaf_column(priorities), dtype=np.int64)
    levelable = np.array(leaf_column(levels), dtype=bool)
    group = np.full(n, -1, dtype=np.int64)
    group_names: list[str] = []
    group_index: dict[str, int] = {}
    for i, name in enumerate(leaf_column(groups)):
        if name:
            group[i] = group_index.setdefault(name, len(group_index))
            if len(group_names) < len(group_index):
                group_names.append(name)
    ctype = np.full(n, ASAP, dtype=np.int64)
    ctime = np.full(n, NO_LOWER, dtype=np.int64)
    leaf_constraints = leaf_column(constraints)
    for i, constraint in enumerate(leaf_constraints):
        if constraint is not None:
            kind = CONSTRAINT_TYPES.index(constraint.type.value)
            ctype[i] = kind
            when = constraint.date
            if when is not None:
                if kind in (FNET, FNLT, MFO):
                    ctime[i] = cal.day_end(when)
                else:
                    ctime[i] = cal.day_start(when)
    deadline = np.full(n, NO_UPPER, dtype=np.int64)
    for i, due in enumerate(leaf_column(deadlines)):
        if due is not None:
            deadline[i] = cal.day_end(due)

    # What leaves inherit from the summaries above them, links aside (see _links).
    dated = {a for a in inheriting
             if deadlines[summary_at[a]] is not None or constraints[summary_at[a]] is not None}
    for i, above in enumerate(leaf_inherits) if dated else ():
        inherited_from = [a for a in above if a in dated]
        for ancestor in inherited_from:
            # A summary finishes when its last leaf does: its deadline binds every leaf.
            inherited_deadline = deadlines[summary_at[ancestor]]
            if inherited_deadline is not None:
                deadline[i] = min(int(deadline[i]), cal.day_end(inherited_deadline))
        if leaf_constraints[i] is None:
            for ancestor in inherited_from:
                summary_constraint = constraints[summary_at[ancestor]]
                if (summary_constraint is not None and summary_constraint.type is ConstraintType.SNET
                        and summary_constraint.date):
                    ctype[i] = SNET
                    ctime[i] = cal.day_start(summary_constraint.date)
                    break
        for ancestor in inherited_from:
            # FNLT on a summary: every leaf finishes by then (the summary ends with its last leaf).
            summary_constraint = constraints[summary_at[ancestor]]
            if (summary_constraint is None or summary_constraint.type is not ConstraintType.FNLT
                    or summary_constraint.date is None):
                continue
            limit = cal.day_end(summary_constraint.date)
            if ctype[i] == ASAP:
                ctype[i], ctime[i] = FNLT, limit
            elif ctype[i] == FNLT:
                ctime[i] = min(int(ctime[i]), limit)
            else:  # the leaf has its own constraint: hold the date as a deadline instead
                deadline[i] = min(int(deadline[i]), limit)

    # Summaries deepest-last in the plan expand first (children usually follow their parent), so
    # each expansion reuses the ones below it.
    summary_ids = [tid for tid in ids if tid in summaries]
    for sid in reversed(summary_ids):
        leaves_of(sid)
    link_src, link_dst, link_type, link_lag, link_elapsed, origin = _links(
        ids, afters, leaf_pos, leaf_index, leaf_inherits, summary_at, summaries, leaves_of, mpd, dpw)
    _add_leveling_delays(leaf_column(delays), minutes, link_dst, link_lag, ctype, ctime)
    link_src, link_dst, link_type, link_lag, link_elapsed, kept = _first_of_each_link(
        link_src, link_dst, link_type, link_lag, link_elapsed)

    resource_ids = [r.id for r in plan.resources]
    res_index = {rid: k for k, rid in enumerate(resource_ids)}
    demand_task: list[int] = []
    demand_resource: list[int] = []
    demand_units: list[float] = []
    for i, need in enumerate(leaf_column(needs)):
        if need:
            for rid, units in need.items():
                if rid in res_index:
                    demand_task.append(i)
                    demand_resource.append(res_index[rid])
                    demand_units.append(units)
    demand_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.array(demand_task, dtype=np.int64), minlength=n), out=demand_ptr[1:])

    summary_ptr = np.zeros(len(summary_ids) + 1, dtype=np.int64)
    summary_leaf: list[int] = []
    for s, sid in enumerate(summary_ids):
        summary_leaf.extend(leaves_of(sid))
        summary_ptr[s + 1] = len(summary_leaf)

    project_deadline = NO_UPPER
    if plan.project.deadline is not None:
        project_deadline = cal.day_end(plan.project.deadline)

    network = Network.from_arrays(
        duration,
        link_src,
        link_dst,
        link_type,
        link_lag,
        link_elapsed=link_elapsed if link_elapsed.any() else None,
        ids=leaf_ids,
        names=leaf_column(names),
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
        summary_names=[names[summary_at[s]] for s in summary_ids],
        summary_ptr=summary_ptr,
        summary_leaf=np.array(summary_leaf, dtype=np.int64),
        calendar=cal,
        project_deadline=project_deadline,
    )
    # The links were made grouped by successor, in the order the network keeps them (its stable
    # sort by successor leaves them be), so their origins line up without sorting again.
    if len(kept):
        object.__setattr__(network, "link_origin", origin.taking(kept))
    return network


def _links(
    ids: tuple[str, ...], afters: tuple[list[Link], ...], leaf_pos: list[int], leaf_index: dict[str, int],
    leaf_inherits: list[tuple[str, ...]], summary_at: dict[str, int], summaries: set[str],
    leaves_of: Callable[[str], list[int]], mpd: int, dpw: int,
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, LinkOrigins]:
    """Every link into every leaf, as arrays: ``(src, dst, type, working lag, elapsed lag, origin)``.

    Leaf by leaf: its own links, then those of each summary above it that has links (nearest
    first); each link in the order written, a link on a summary predecessor once per leaf under
    it (in WBS order), a link of a leaf to itself dropped. Duplicates stay (see
    :func:`_first_of_each_link`). ``origin[k]`` is the (task, predecessor as written) of link k.

    Each written link is read once (predecessor, type, lag); the fan-out over leaves and over
    the summaries above them is done with array operations, not a Python step per link made.
    """
    from pmfit.model.duration import ELAPSED_MINUTES

    written = [link for after in afters for link in after]
    empty = np.zeros(0, dtype=np.int64)
    if not written:
        return empty, empty, empty, empty, empty, LinkOrigins((), empty, (), empty)
    pred_names, link_types, lags = zip(*map(_LINK_FIELDS, written), strict=True)
    link_count = np.fromiter(map(len, afters), dtype=np.int64, count=len(afters))
    link_start = np.cumsum(link_count) - link_count
    type_code = {name: code for code, name in enumerate(LINK_TYPES)}
    types = np.fromiter(map(type_code.__getitem__, map(_VALUE, link_types)), dtype=np.int64, count=len(written))
    # lags: working minutes, or calendar minutes for an elapsed one (3ed); most are zero
    working = np.zeros(len(written), dtype=np.int64)
    elapsed = np.zeros(len(written), dtype=np.int64)
    nonzero = np.flatnonzero(np.fromiter(map(_AMOUNT, lags), dtype=np.float64, count=len(lags)))
    if len(nonzero):
        some = [lags[k] for k in nonzero.tolist()]
        lag_minutes = _minutes_each(some, mpd, dpw)
        is_elapsed = np.fromiter((unit in ELAPSED_MINUTES for unit in map(_UNIT, some)), dtype=bool,
                                 count=len(some))
        working[nonzero] = np.where(is_elapsed, 0, lag_minutes)
        elapsed[nonzero] = np.where(is_elapsed, lag_minutes, 0)
    # predecessors: group k < n is leaf k alone; a summary (any parent name) is the group of its
    # leaves; a name that is neither is the empty group at the end
    n = len(leaf_pos)  # (leaf_index has fewer entries when two leaves share an id)
    group_of = _GroupOf(n + len(summaries))
    group_of.update(zip(summaries, range(n, n + len(summaries)), strict=True))
    group_of.update(leaf_index)
    group_leaves = [leaves_of(name) for name in summaries]
    group_count = np.array([1] * n + [len(found) for found in group_leaves] + [0], dtype=np.int64)
    group_members = np.concatenate([np.arange(n, dtype=np.int64),
                                    np.fromiter(itertools.chain.from_iterable(group_leaves), dtype=np.int64)])
    group_start = np.cumsum(group_count) - group_count
    pred_group = np.fromiter(map(group_of.__getitem__, pred_names), dtype=np.int64, count=len(written))

    # (target leaf, task whose links apply) in order: each leaf's own, then its inherited summaries'
    if any(leaf_inherits):
        owner_target: list[int] = []
        owner_task: list[int] = []
        for i, (p, above) in enumerate(zip(leaf_pos, leaf_inherits, strict=True)):
            owner_target.append(i)
            owner_task.append(p)
            for ancestor in above:
                owner_target.append(i)
                owner_task.append(summary_at[ancestor])
        target_of_owner = np.array(owner_target, dtype=np.int64)
        owner = np.array(owner_task, dtype=np.int64)
    else:
        target_of_owner = np.arange(n, dtype=np.int64)
        owner = np.array(leaf_pos, dtype=np.int64)
    counts = link_count[owner]
    link = _concat_ranges(link_start[owner], counts)  # the written link behind each (leaf, link)
    target = np.repeat(target_of_owner, counts)
    fan = group_count[pred_group[link]]
    src = group_members[_concat_ranges(group_start[pred_group[link]], fan)]
    link = np.repeat(link, fan)
    dst = np.repeat(target, fan)
    keep = src != dst
    if not keep.all():
        src, dst, link = src[keep], dst[keep], link[keep]
    owner = np.repeat(np.arange(len(ids), dtype=np.int64), link_count)
    return src, dst, types[link], working[link], elapsed[link], LinkOrigins(ids, owner, pred_names, link)


def _first_of_each_link(
    a: IntArray, b: IntArray, t: IntArray, lag: IntArray, cal: IntArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
    """The links in the order given, each (pred, succ, type, lag, elapsed lag) kept once, at its first
    occurrence; the last array holds the positions kept."""
    every = np.arange(len(a), dtype=np.int64)
    if len(a) < 2:
        return a, b, t, lag, cal, every
    # Only links whose (pred, succ) pair repeats can be duplicates: find those first (one sort of
    # one key), and compare type and lags among them alone.
    pair = b * (int(max(a.max(), b.max())) + 1) + a
    by_pair = np.argsort(pair, kind="stable")
    repeats = pair[by_pair][1:] == pair[by_pair][:-1]
    if not repeats.any():
        return a, b, t, lag, cal, every
    suspect = np.zeros(len(a), dtype=bool)
    suspect[by_pair[1:][repeats]] = True
    suspect[by_pair[:-1][repeats]] = True
    rows = np.flatnonzero(suspect)
    sa, sb, st, slag, scal = a[rows], b[rows], t[rows], lag[rows], cal[rows]
    order = np.lexsort((rows, scal, slag, st, sa, sb))  # equal links together, first occurrence first
    same = np.zeros(len(rows), dtype=bool)
    same[1:] = ((sa[order][1:] == sa[order][:-1]) & (sb[order][1:] == sb[order][:-1])
                & (st[order][1:] == st[order][:-1]) & (slag[order][1:] == slag[order][:-1])
                & (scal[order][1:] == scal[order][:-1]))
    if not same.any():
        return a, b, t, lag, cal, every
    keep = np.ones(len(a), dtype=bool)
    keep[rows[order[same]]] = False
    kept = np.flatnonzero(keep)
    return a[kept], b[kept], t[kept], lag[kept], cal[kept], kept


def as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
