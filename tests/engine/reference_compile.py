"""compile_plan as it was before it read the plan column by column (commit bfecd8f): the per-link
Python loop, kept as the reference :mod:`tests.engine.test_compile_equivalence` compares the
current code with on random plans. Not used by pmfit itself."""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.engine.network import (ALAP, ASAP, CONSTRAINT_TYPES, DISTRIBUTIONS, FNET, FNLT, LINK_TYPES, MFO, SNET,
                                  IntArray, Network)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.duration import Duration
    from pmfit.model.plan import Plan, Task


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
