"""Freezing a schedule into a :class:`~pmfit.model.plan.Baseline`, and what tasks cost.

What a task costs is the one cost model of :mod:`pmfit.engine.cost` (per-hour
and per-use rates, fixed costs on tasks and summary tasks).

A baseline carries its own project start and calendar, and the cumulative
planned value per period, so that its planned value never changes when the
plan changes afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from pmfit.engine.network import Network
from pmfit.model.duration import Duration

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import Baseline, Plan, Task

FloatArray = npt.NDArray[np.float64]


def cost_rates(plan: Plan, network: Network) -> tuple[FloatArray, FloatArray]:
    """Per leaf task: cost per working minute (from resources) and fixed cost.

    Fixed cost includes per-use resource rates and the task's own ``cost``,
    plus its share of any summary task's own ``cost`` (see :mod:`pmfit.engine.cost`).
    """
    from pmfit.engine.cost import cost_model

    model = cost_model(plan, network)
    return model.per_minute, model.fixed


def task_costs(plan: Plan, network: Network, duration: npt.NDArray[np.int64] | None = None) -> FloatArray:
    """The cost of each leaf task for the given durations (working minutes)."""
    per_minute, fixed = cost_rates(plan, network)
    d = network.duration if duration is None else duration
    return per_minute * d + fixed


def _work(task: Task, work_resources: set[str], minutes: int) -> Duration | None:
    units = sum(u for rid, u in task.needs.items() if rid in work_resources)
    if not units:
        return None
    hours = units * minutes / 60.0
    return Duration(round(hours, 4), "h")


def period_ends(start: dt.date, finish: dt.date, period: str) -> list[dt.date]:
    """The last day of each period (day, week ending Sunday, month) from ``start`` to ``finish``."""
    out: list[dt.date] = []
    if finish < start:
        finish = start
    if period == "day":
        day = start
        while day <= finish:
            out.append(day)
            day += dt.timedelta(days=1)
    elif period == "week":
        day = start + dt.timedelta(days=6 - start.weekday())
        while True:
            out.append(day)
            if day >= finish:
                break
            day += dt.timedelta(days=7)
    elif period == "month":
        year, month = start.year, start.month
        while True:
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            out.append(nxt - dt.timedelta(days=1))
            if out[-1] >= finish:
                break
            year, month = nxt.year, nxt.month
    else:
        raise ValueError(f"unknown period {period!r} (day, week or month)")
    return out


def auto_period(start: dt.date, finish: dt.date) -> str:
    """Days for a short project, weeks up to two years, months beyond."""
    span = (finish - start).days
    return "day" if span <= 45 else "week" if span <= 730 else "month"


def baseline_calendar(baseline: Baseline, plan: Plan) -> WorkingTime:
    """The working calendar a baseline was frozen with (the plan's when it has none)."""
    from pmfit.engine.workcal import WorkingTime

    return WorkingTime(baseline.calendar or plan.project.calendar, baseline.start or plan.project.start)


class Accrual:
    """The sum of linear ramps: value ``cost_i`` accrued evenly from ``start_i`` to ``finish_i``.

    ``V(t) = sum_i cost_i x clip((t - start_i) / (finish_i - start_i), 0, 1)``, and a
    zero-length item (a milestone) adds its whole cost at ``t >= finish_i``.
    ``V`` is piecewise linear with breaks at the starts and finishes, so it is
    built once by a sweep over the sorted breakpoints, O(n log n), and then
    evaluated (:meth:`at`) or inverted (:meth:`first_reaching`) exactly.
    """

    def __init__(self, starts: npt.ArrayLike, finishes: npt.ArrayLike, costs: npt.ArrayLike) -> None:
        s = np.asarray(starts, dtype=np.float64)
        f = np.maximum(np.asarray(finishes, dtype=np.float64), s)
        c = np.asarray(costs, dtype=np.float64)
        ramp = f > s
        points, inverse = np.unique(np.concatenate([s, f]), return_inverse=True)
        n = len(s)
        rate = np.where(ramp, c / np.where(ramp, f - s, 1.0), 0.0)
        slope_delta = np.zeros(len(points))
        np.add.at(slope_delta, inverse[:n], rate)
        np.add.at(slope_delta, inverse[n:], -rate)
        jumps = np.zeros(len(points))
        np.add.at(jumps, inverse[n:], np.where(ramp, 0.0, c))
        slope_after = np.cumsum(slope_delta)
        value = np.zeros(len(points))
        if len(points):
            gains = slope_after[:-1] * np.diff(points)
            value = np.cumsum(np.concatenate([[0.0], gains])) + np.cumsum(jumps)
        self.points = points
        self.value = value          # V at each breakpoint (jumps included)
        self.jumps = jumps
        self.slope_after = np.where(np.abs(slope_after) < 1e-12, 0.0, slope_after)
        self.total = float(c.sum())

    def at(self, times: npt.ArrayLike) -> FloatArray:
        """``V(t)`` for each time."""
        t = np.asarray(times, dtype=np.float64)
        if len(self.points) == 0:
            return np.zeros(t.shape)
        k = np.searchsorted(self.points, t, side="right") - 1
        safe = np.maximum(k, 0)
        out = self.value[safe] + self.slope_after[safe] * (t - self.points[safe])
        return np.asarray(np.where(k < 0, 0.0, out), dtype=np.float64)

    def first_reaching(self, target: float) -> float:
        """The earliest time with ``V(t) >= target`` (the last breakpoint when never reached)."""
        if len(self.points) == 0:
            return 0.0
        if target <= 0:
            return float(self.points[0])
        tolerance = 1e-9 * max(1.0, abs(target))
        reached = np.flatnonzero(self.value >= target - tolerance)
        if len(reached) == 0:
            return float(self.points[-1])
        k = int(reached[0])
        if k == 0:
            return float(self.points[0])
        before = float(self.value[k - 1])
        left = float(self.value[k] - self.jumps[k])  # the value just before any step at points[k]
        slope = float(self.slope_after[k - 1])
        if slope > 0 and target <= left + tolerance:
            return min(float(self.points[k - 1]) + (target - before) / slope, float(self.points[k]))
        return float(self.points[k])


def planned_value_at(baseline: Baseline, calendar: WorkingTime, times: npt.NDArray[np.int64],
                     summaries: set[str] | None = None) -> FloatArray:
    """Cumulative planned value at each time (working minutes on ``calendar``).

    Each task's budget accrues linearly over its baseline working time,
    ``PV_i(t) = cost_i x clip((t - start_i) / (finish_i - start_i), 0, 1)``;
    a zero-length task (milestone) earns its budget at its date.
    """
    _, starts, finishes, costs = leaf_arrays(baseline, calendar, summaries)
    return Accrual(starts, finishes, costs).at(times)


def leaf_arrays(baseline: Baseline, calendar: WorkingTime, summaries: set[str] | None = None
                ) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Ids, start and finish times (working minutes) and budgets of a baseline's leaf tasks.

    A task is a summary when another baseline task names it as parent, or when
    it is in ``summaries`` (the plan's summary ids, for baselines without parents).
    """
    parents = {bt.parent for bt in baseline.tasks.values() if bt.parent} | (summaries or set())
    ids = [tid for tid in baseline.tasks if tid not in parents]
    leaves = [baseline.tasks[tid] for tid in ids]
    starts = np.array([calendar.offset(bt.start) for bt in leaves], dtype=np.int64)
    finishes = np.array([calendar.offset(bt.finish) for bt in leaves], dtype=np.int64)
    finishes = np.maximum(finishes, starts)
    costs = np.array([bt.cost for bt in leaves], dtype=float)
    return ids, starts, finishes, costs


def freeze(
    plan: Plan,
    name: str = "baseline",
    created: dt.datetime | dt.date | None = None,
    schedule: Schedule | None = None,
    period: str | None = None,
) -> Baseline:
    """Freeze ``schedule`` into a named :class:`Baseline`.

    The schedule defaults to the status-date schedule when the plan has a
    status date (finished work where it happened, as MS Project's Set
    Baseline does), else the plan's CPM schedule.

    Per task: start, finish, duration, work and cost (summaries roll up their
    leaves); for the project: start, finish, total cost, the calendar, and the
    cumulative planned value at the end of each period (``period``: day,
    week, month; chosen from the project length when omitted).
    """
    from pmfit.engine.schedule import schedule as cpm_schedule
    from pmfit.model.plan import Baseline, BaselineTask, PlannedValue

    if schedule is None and plan.progress is not None and plan.progress.status_date is not None:
        from pmfit.engine.status import status_schedule

        schedule = status_schedule(plan).schedule  # actuals where they happened (MS Project)
    sched = schedule or cpm_schedule(plan)
    net = sched.network
    costs = task_costs(plan, net)
    cost_by_id = {tid: float(costs[i]) for i, tid in enumerate(net.ids)}
    for s, sid in enumerate(net.summary_ids):
        members = net.summary_leaf[net.summary_ptr[s]:net.summary_ptr[s + 1]]
        cost_by_id[sid] = float(costs[members].sum())
    tasks: dict[str, BaselineTask] = {}
    mpd = sched.minutes_per_day
    by_id = {t.id: t for t in plan.tasks}
    work_resources = {r.id for r in plan.resources if r.kind == "work"}
    for tid, row in sched.tasks.items():
        task = by_id[tid]
        tasks[tid] = BaselineTask(
            start=row.start, finish=row.finish,
            duration=Duration.from_minutes(row.duration, mpd),
            work=None if row.summary else _work(task, work_resources, row.duration),
            cost=round(cost_by_id.get(tid, 0.0), 6),
            name=task.name if task.name != tid else None,
            parent=task.parent,
            milestone=row.milestone,
        )
    total = float(costs.sum())
    frozen = Baseline(
        name=name, created=created, finish=sched.finish, cost=round(total, 6), tasks=tasks,
        start=sched.start, calendar=plan.project.calendar,
    )
    cal = baseline_calendar(frozen, plan)
    first, last = sched.start.date(), sched.finish.date()
    ends = period_ends(first, last, period or auto_period(first, last))
    pv = planned_value_at(frozen, cal, np.array([cal.day_end(d) for d in ends], dtype=np.int64))
    points = [PlannedValue(date=d, pv=round(float(v), 6)) for d, v in zip(ends, pv, strict=True)]
    return frozen.model_copy(update={"timephased": points})


def with_baseline(plan: Plan, baseline: Baseline, replace: bool = False) -> Plan:
    """A new plan with ``baseline`` added (or replacing one of the same name when ``replace``)."""
    from pmfit.model.diagnostics import Diagnostic, PlanError

    names = [b.name for b in plan.baselines]
    if baseline.name in names and not replace:
        raise PlanError(Diagnostic(
            "baseline_exists",
            f"the plan already has a baseline named '{baseline.name}'; choose another name "
            "or replace it (--force)", path=("baselines",)))
    kept = [b for b in plan.baselines if b.name != baseline.name]
    if baseline.name in names:
        at = names.index(baseline.name)
        kept.insert(at, baseline)
    else:
        kept.append(baseline)
    return plan.model_copy(update={"baselines": kept})


__all__ = ["cost_rates", "task_costs", "freeze", "with_baseline", "planned_value_at",
           "baseline_calendar", "period_ends", "auto_period", "leaf_arrays", "Accrual"]
