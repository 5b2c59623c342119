"""Why each task moved, and what each resource carries before and after leveling.

For a task that leveling delayed, the delay splits in two parts:

- *waiting for a resource*: the time between the earliest start its
  (leveled) predecessors allow and its leveled start. The cause is the first
  instant, at that earliest start, where the task's demand did not fit: which
  resource, how many units it needed, how many were in use and by which tasks;
- *waiting for a predecessor*: the time its driving predecessor was itself
  moved by leveling.

Profiles are step functions: ``(from, to, units)`` segments in working
minutes, one list per resource, for the unleveled (CPM) and leveled starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pmfit.engine.level.problem import NORMAL, Problem

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DelayCause:
    """What held a task back (times in working minutes)."""

    delay: int
    resource_wait: int
    predecessor_wait: int
    resource: str | None = None
    resource_name: str | None = None
    needed: float = 0.0
    in_use: float = 0.0
    capacity: float = 0.0
    blockers: tuple[str, ...] = ()
    at: int | None = None
    predecessor: str | None = None
    unavailable: bool = False  # the resource was not working (its own calendar)
    time_off: tuple[tuple[str, int], ...] = ()  # (resource name, minutes off) while the task waited

    def describe(self, minutes_per_day: int) -> str:
        """The cause in words: ``delayed 4 days: Backend developers needed 2 units, 3 in use by a and b``."""
        def days(m: int) -> str:
            value = m / minutes_per_day
            text = f"{value:.2f}".rstrip("0").rstrip(".")
            return f"{text} day" + ("" if text == "1" else "s")

        parts = []
        if self.resource_wait > 0:
            if self.resource_name is not None and self.unavailable:
                parts.append(f"{self.resource_name} needed {_num(self.needed)} unit"
                             f"{'' if self.needed == 1 else 's'} and is not working then (its own calendar)")
            elif self.resource_name is not None:
                who = _join([f"'{b}'" for b in self.blockers]) if self.blockers else "other tasks"
                parts.append(f"{self.resource_name} needed {_num(self.needed)} unit"
                             f"{'' if self.needed == 1 else 's'}, {_num(self.in_use)} of {_num(self.capacity)} "
                             f"in use by {who}")
            else:
                parts.append("placed later by the optimiser to shorten the whole project "
                             "(no single resource conflict at its earliest start)")
        if self.predecessor_wait > 0 and self.predecessor:
            parts.append(f"its predecessor '{self.predecessor}' was moved by leveling")
        if self.time_off:
            off = _join([f"{name} is off {days(m)}" for name, m in self.time_off])
            if parts:
                parts[0] = f"{parts[0]} ({off} in that time)"
        if self.resource_wait > 0 and self.predecessor_wait > 0:
            return (f"delayed {days(self.delay)}: {days(self.resource_wait)} waiting because "
                    f"{parts[0]}; {days(self.predecessor_wait)} because {parts[1]}")
        return f"delayed {days(self.delay)}: " + "; ".join(parts)


def _num(x: float) -> str:
    return f"{x:g}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 4:
        items = [*items[:3], f"{len(items) - 3} more"]
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_delays(problem: Problem, unleveled: IntArray, leveled: IntArray) -> dict[int, DelayCause]:
    """A :class:`DelayCause` for every task whose leveled start is later than its unleveled one.

    ``unleveled`` and ``leveled`` are starts in grid units.
    """
    p = problem
    net = p.network
    unit = p.unit
    out: dict[int, DelayCause] = {}
    delayed = np.flatnonzero(leveled > unleveled)
    if len(delayed) == 0:
        return out
    finish = leveled + p.dur
    task_of = np.repeat(np.arange(p.n), np.diff(p.dptr))
    by_resource = [np.flatnonzero(p.dres == r) for r in range(p.resources)]
    grid = _usage_grid(p, leveled)
    for j in delayed.tolist():
        earliest = int(p.lower[j])
        driver = -1
        for k in range(int(p.fpp[j]), int(p.fpp[j + 1])):
            c = int(leveled[p.fps[k]] + p.fpo[k])
            if c > earliest:
                earliest = c
                driver = int(p.fps[k])
        earliest = max(earliest, int(unleveled[j]))
        resource_wait = int(leveled[j]) - earliest
        predecessor_wait = earliest - int(unleveled[j])
        cause: dict[str, object] = {}
        if resource_wait > 0 and p.mode[j] == NORMAL:
            cause = _blocking(p, j, earliest, leveled, finish, task_of, by_resource, grid)
            if len(p.blocked) and not cause.get("unavailable"):
                off = _time_off(p, j, earliest, int(leveled[j]))
                if off:
                    cause["time_off"] = off
        out[j] = DelayCause(
            delay=(int(leveled[j]) - int(unleveled[j])) * unit,
            resource_wait=max(resource_wait, 0) * unit,
            predecessor_wait=max(predecessor_wait, 0) * unit,
            predecessor=net.ids[driver] if driver >= 0 and predecessor_wait > 0 else None,
            **cause,  # type: ignore[arg-type]
        )
    return out


def _time_off(p: Problem, j: int, a: int, b: int) -> tuple[tuple[str, int], ...]:
    """Minutes each of task j's resources was off (own calendar) between ``a`` and ``b`` (grid units)."""
    net = p.network
    out = []
    for k in range(int(p.dptr[j]), int(p.dptr[j + 1])):
        r = int(p.dres[k])
        cells = int((p.blocked_base[r, a:b] > 0).sum())
        if cells:
            out.append((net.resource_names[r] if net.resource_names else net.resource_ids[r], cells * p.unit))
    return tuple(out)


def _usage_grid(p: Problem, start: IntArray) -> npt.NDArray[np.int64]:
    """Units in use per resource and grid unit for the schedule ``start``."""
    horizon = int((start + p.dur).max(initial=0)) + 1
    grid = np.zeros((max(p.resources, 1), max(horizon, p.horizon + 1)), dtype=np.int64)
    if len(p.blocked):
        base = p.blocked_base
        grid[:, :base.shape[1]] += base[:, :grid.shape[1]]
    task_of = np.repeat(np.arange(p.n), np.diff(p.dptr))
    for k in np.flatnonzero(p.dur[task_of] > 0).tolist():
        j = int(task_of[k])
        grid[int(p.dres[k]), int(start[j]):int(start[j] + p.dur[j])] += int(p.dun[k])
    return grid


def _blocking(p: Problem, j: int, t: int, start: IntArray, finish: IntArray,
              task_of: IntArray, by_resource: list[IntArray], grid: npt.NDArray[np.int64]) -> dict[str, object]:
    """The first instant in ``[t, t + d_j)`` where task j's demand did not fit, and who was there."""
    net = p.network
    scale = p.units_scale
    d = int(p.dur[j])
    best: tuple[int, int, int] | None = None  # (tau, demand index, resource)
    off = p.blocked_base if len(p.blocked) else None
    for k in range(int(p.dptr[j]), int(p.dptr[j + 1])):
        r, u = int(p.dres[k]), int(p.dun[k])
        window = np.zeros(d, dtype=np.int64)
        part = grid[r, t:t + d]
        window[:len(part)] = part
        lo, hi = max(t, int(start[j])), min(t + d, int(finish[j]))
        if lo < hi:
            window[lo - t:hi - t] -= u  # j itself is in the grid at its leveled place
        over = np.flatnonzero(window + u > int(p.cap[r]))
        if len(over) and (best is None or t + int(over[0]) < best[0]):
            best = (t + int(over[0]), k, r)
    if best is None:
        return {}
    tau, k, r = best
    if off is not None and tau < off.shape[1] and off[r, tau] > 0:
        return {
            "resource": net.resource_ids[r],
            "resource_name": net.resource_names[r] if net.resource_names else net.resource_ids[r],
            "needed": float(p.dun[k]) / scale, "in_use": float(p.cap[r]) / scale,
            "capacity": float(p.cap[r]) / scale, "at": tau * p.unit, "unavailable": True,
        }
    others = by_resource[r]
    others = others[task_of[others] != j]
    tasks = task_of[others]
    running = (start[tasks] <= tau) & (finish[tasks] > tau)
    units = p.dun[others][running]
    who = tasks[running]
    rank = np.argsort(-units, kind="stable")
    return {
        "resource": net.resource_ids[r],
        "resource_name": net.resource_names[r] if net.resource_names else net.resource_ids[r],
        "needed": float(p.dun[k]) / scale,
        "in_use": int(units.sum()) / scale,
        "capacity": float(p.cap[r]) / scale,
        "blockers": tuple(net.ids[int(i)] for i in who[rank]),
        "at": tau * p.unit,
    }


@dataclass(frozen=True)
class ResourceProfile:
    """Units in use over time for one resource: ``(from, to, units)`` segments in working minutes."""

    resource: str
    name: str
    capacity: float
    before: list[tuple[int, int, float]]
    after: list[tuple[int, int, float]]

    @property
    def peak_before(self) -> float:
        return max((u for _, _, u in self.before), default=0.0)

    @property
    def peak_after(self) -> float:
        return max((u for _, _, u in self.after), default=0.0)

    def overallocated_minutes(self, which: str = "after") -> int:
        segments = self.after if which == "after" else self.before
        return sum(b - a for a, b, u in segments if u > self.capacity + 1e-9)

    def to_dict(self) -> dict[str, object]:
        return {
            "resource": self.resource, "name": self.name, "capacity": self.capacity,
            "peak_before": self.peak_before, "peak_after": self.peak_after,
            "overallocated_minutes_before": self.overallocated_minutes("before"),
            "overallocated_minutes_after": self.overallocated_minutes("after"),
            "before": [list(s) for s in self.before], "after": [list(s) for s in self.after],
        }


def usage_segments(start: IntArray, duration: IntArray, tasks: IntArray,
                   units: npt.NDArray[np.float64]) -> list[tuple[int, int, float]]:
    """The step function of units in use (tasks ``tasks`` with ``units`` each), merged where equal."""
    keep = duration[tasks] > 0
    tasks, units = tasks[keep], units[keep]
    if len(tasks) == 0:
        return []
    times = np.concatenate([start[tasks], start[tasks] + duration[tasks]])
    deltas = np.concatenate([units, -units])
    order = np.argsort(times, kind="stable")
    times, deltas = times[order], deltas[order]
    points, first = np.unique(times, return_index=True)
    level = np.round(np.cumsum(np.add.reduceat(deltas, first)), 9)
    # merge neighbouring segments with the same level, drop the idle ones
    keep = np.ones(len(points) - 1, dtype=bool)
    keep[1:] = level[1:-1] != level[:-2]
    lefts = points[:-1][keep]
    rights = np.append(lefts[1:], points[-1])
    units_at = level[:-1][keep]
    busy = units_at != 0
    return list(zip(lefts[busy].tolist(), rights[busy].tolist(), units_at[busy].tolist(), strict=True))


def profiles(problem: Problem, before: IntArray, after: IntArray) -> list[ResourceProfile]:
    """Per-resource usage before and after (starts in working minutes, real units)."""
    net = problem.network
    dur = net.duration.astype(np.int64)
    task_of = np.repeat(np.arange(net.n), np.diff(net.demand_ptr)) if net.n else np.zeros(0, np.int64)
    out = []
    for r, rid in enumerate(net.resource_ids):
        mask = net.demand_resource == r
        tasks = task_of[mask].astype(np.int64)
        units = net.demand_units[mask].astype(float)
        out.append(ResourceProfile(
            resource=rid, name=net.resource_names[r] if net.resource_names else rid,
            capacity=float(net.capacity[r]),
            before=usage_segments(before, dur, tasks, units),
            after=usage_segments(after, dur, tasks, units)))
    return out
