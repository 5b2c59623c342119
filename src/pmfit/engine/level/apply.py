"""Keeping a leveled schedule in the plan: MS Project's Leveling Delay per task.

Leveling computes dates; a PM keeps them the way MS Project does, as a *leveling delay* on
each task that leveling moved: working time the task waits after its earliest start. The
plan's own durations, links and constraints stay as they were, the CPM honours the delays
(:func:`pmfit.engine.network.compile_plan`), and "Clear Leveling" removes them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from pmfit.engine.cpm import link_offsets
from pmfit.engine.network import FNET, MFO, MSO, SNET
from pmfit.model.duration import Duration

if TYPE_CHECKING:
    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Plan

#: rounds of correction after the first estimate (the status date can absorb part of a delay)
MAX_ROUNDS = 50


def clear_leveling(plan: Plan) -> Plan:
    """The plan without leveling delays (MS Project's Clear Leveling); the same plan when it has none."""
    if not any(t.leveling_delay is not None for t in plan.tasks):
        return plan
    tasks = [t.model_copy(update={"leveling_delay": None}) if t.leveling_delay is not None else t
             for t in plan.tasks]
    return plan.model_copy(update={"tasks": tasks})


def with_leveling_delays(plan: Plan, delays: dict[str, Duration]) -> Plan:
    """The plan with ``delays`` as its leveling delays (every other task's delay cleared)."""
    tasks = [t.model_copy(update={"leveling_delay": delays.get(t.id)})
             if delays.get(t.id) != t.leveling_delay else t for t in plan.tasks]
    return plan.model_copy(update={"tasks": tasks})


def leveling_delays(plan: Plan, leveled: LeveledSchedule,
                    current: Callable[[Plan], Schedule]) -> dict[str, Duration]:
    """Leveling delays (per leaf task id) that make ``current(plan with them)`` start every task
    where ``leveled`` put it; tasks that leveling did not move get none.

    ``plan`` has no delays of its own (see :func:`clear_leveling`). The first estimate is, in
    topological order, the leveled start minus the earliest start the links, the project start
    and SNET/FNET constraints allow with every predecessor at its leveled start; a few rounds of
    correction then add what the status date absorbed (work cannot start before it, delay or not).
    """
    net = leveled.network
    target = np.asarray(leveled.start_minutes, dtype=np.int64)
    offset = link_offsets(net)
    floor = np.zeros(net.n, dtype=np.int64)
    raised = (net.constraint_type == SNET) | (net.constraint_type == FNET)
    floor[raised] = np.where(net.constraint_type[raised] == FNET,
                             net.constraint_time[raised] - net.duration[raised], net.constraint_time[raised])
    floor = np.maximum(floor, 0)
    earliest = floor.copy()
    for k in range(net.m):
        b = int(net.link_dst[k])
        earliest[b] = max(earliest[b], int(target[net.link_src[k]] + offset[k]))
    pinned = (net.constraint_type == MSO) | (net.constraint_type == MFO)
    delay = np.where(pinned, 0, np.maximum(target - earliest, 0)).astype(np.int64)
    mpd = leveled.minutes_per_day if leveled.calendar is not None else 480

    def as_plan(minutes: np.ndarray) -> Plan:  # type: ignore[type-arg]
        return with_leveling_delays(plan, {net.ids[i]: Duration.from_minutes(int(minutes[i]), mpd)
                                           for i in np.flatnonzero(minutes > 0)})

    calendar = current(plan).calendar
    for _ in range(MAX_ROUNDS):
        sched = current(as_plan(delay))
        start = np.array([calendar.offset(sched.tasks[tid].start) for tid in net.ids], dtype=np.int64)
        short = np.maximum(target - start, 0)
        short[pinned] = 0
        if not short.any():
            break
        # A task behind a predecessor that is itself short moves when that one does: correct it in a
        # later round, or it would be delayed twice.
        waiting = np.zeros(net.n, dtype=bool)
        np.logical_or.at(waiting, net.link_dst, short[net.link_src] > 0)
        delay = delay + np.where(waiting, 0, short)
    return {net.ids[i]: Duration.from_minutes(int(delay[i]), mpd) for i in np.flatnonzero(delay > 0)}


__all__ = ["clear_leveling", "leveling_delays", "with_leveling_delays"]
