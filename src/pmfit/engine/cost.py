"""The one cost model: what a plan's work costs, used by baselines, earned value, risk and reports.

Cost of a leaf task (MS Project's rule for work resources, prorated accrual)::

    cost = sum over needs (units x rate per working minute x duration)   # per-hour/day/... rates
         + sum over needs (units x per-use rate)                         # charged once per use
         + the task's own fixed ``cost``
         + its share of every enclosing summary task's own fixed ``cost``

A summary task's own ``cost`` is shared among its leaf tasks in proportion to
their planned durations (equally when they all have none), so no money is left
out of a budget and a summary cost accrues while its work happens.

Everything is arrays over the compiled network's leaves (``Network.demand_*``
CSR), so building the model is O(tasks + assignments) with no per-task lookups,
and costing any number of duration vectors (a schedule, a status date, ten
thousand Monte Carlo iterations) is one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pmfit.engine.network import Network
    from pmfit.model.plan import Plan

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class CostModel:
    """Per leaf task: cost per working minute and fixed cost; per resource: its share of both.

    ``known`` is False when the plan states no rate, no fixed cost and no risk
    cost at all (then there is no cost to report, rather than a cost of zero).
    """

    ids: list[str]
    per_minute: FloatArray          # per leaf: sum of units x time-based rate (per working minute)
    fixed: FloatArray               # per leaf: per-use rates + own cost + summary shares
    per_use: FloatArray             # per leaf: the per-use part of ``fixed``
    own: FloatArray                 # per leaf: the task's own fixed cost
    summary_share: FloatArray       # per leaf: its share of summary tasks' own costs
    resource_ids: list[str]
    # per assignment (network demand CSR order): task, resource, rate per minute, per-use charge
    assignment_task: IntArray
    assignment_resource: IntArray
    assignment_per_minute: FloatArray
    assignment_per_use: FloatArray
    risk_cost: float = 0.0
    known: bool = False

    @property
    def n(self) -> int:
        return len(self.per_minute)

    def task_costs(self, duration: npt.ArrayLike) -> FloatArray:
        """Cost of each leaf for durations in working minutes (1-D), or per row of a 2-D array."""
        d = np.asarray(duration, dtype=np.float64)
        return np.asarray(self.per_minute * d + self.fixed, dtype=np.float64)

    def total(self, duration: npt.ArrayLike) -> float:
        """The plan's cost for one vector of leaf durations."""
        return float(self.task_costs(duration).sum())

    def totals(self, durations: npt.ArrayLike) -> FloatArray:
        """The plan's cost for each row of an ``iterations x tasks`` duration matrix (one matmul)."""
        d = np.asarray(durations, dtype=np.float64)
        return np.asarray(d @ self.per_minute + float(self.fixed.sum()), dtype=np.float64)

    def resource_costs(self, duration: npt.ArrayLike) -> dict[str, float]:
        """Cost per resource (time-based rates x duration + per-use), for one duration vector."""
        d = np.asarray(duration, dtype=np.float64)
        per_assignment = self.assignment_per_minute * d[self.assignment_task] + self.assignment_per_use
        sums = np.bincount(self.assignment_resource, weights=per_assignment, minlength=len(self.resource_ids))
        return {rid: float(sums[k]) for k, rid in enumerate(self.resource_ids)}

    def cost_over_time(self, start: npt.ArrayLike, finish: npt.ArrayLike, duration: npt.ArrayLike,
                       times: npt.ArrayLike) -> FloatArray:
        """Cumulative cost at each time (working minutes): every task's cost accrues linearly
        from its start to its finish; a zero-length task (milestone) adds its cost at its date."""
        from pmfit.engine.baseline import Accrual

        return Accrual(start, finish, self.task_costs(duration)).at(times)

    def resource_cost_over_time(self, start: npt.ArrayLike, finish: npt.ArrayLike, duration: npt.ArrayLike,
                                times: npt.ArrayLike) -> dict[str, FloatArray]:
        """Cumulative cost of each resource at each time (linear accrual over each assignment's task)."""
        from pmfit.engine.baseline import Accrual

        s = np.asarray(start, dtype=np.float64)
        f = np.asarray(finish, dtype=np.float64)
        d = np.asarray(duration, dtype=np.float64)
        t = self.assignment_task
        per_assignment = self.assignment_per_minute * d[t] + self.assignment_per_use
        out: dict[str, FloatArray] = {}
        order = np.argsort(self.assignment_resource, kind="stable")
        bounds = np.searchsorted(self.assignment_resource[order], np.arange(len(self.resource_ids) + 1))
        for k, rid in enumerate(self.resource_ids):
            sel = order[bounds[k]:bounds[k + 1]]
            out[rid] = Accrual(s[t[sel]], f[t[sel]], per_assignment[sel]).at(times)
        return out

    def to_dict(self, duration: npt.ArrayLike | None = None) -> dict[str, Any]:
        """JSON-ready: the rates per task and, given durations, the costs."""
        out: dict[str, Any] = {
            "known": self.known,
            "tasks": [{"id": tid, "per_hour": round(float(self.per_minute[i]) * 60, 6),
                       "fixed": round(float(self.fixed[i]), 6)} for i, tid in enumerate(self.ids)],
        }
        if duration is not None:
            out["total"] = round(self.total(duration), 2)
            out["resources"] = {k: round(v, 2) for k, v in self.resource_costs(duration).items()}
        return out


def cost_model(plan: Plan, network: Network) -> CostModel:
    """The cost model of ``plan`` over its compiled ``network`` (see the module doc)."""
    n = network.n
    cal = network.calendar
    minutes_per_day = cal.minutes_per_day if cal is not None else 480
    hours_per_day = minutes_per_day / 60.0
    resources = plan.resources
    rate_per_minute = np.array([r.rate.per_hour(hours_per_day) / 60.0 if r.rate is not None else 0.0
                                for r in resources], dtype=np.float64)
    rate_per_use = np.array([r.rate.amount if r.rate is not None and r.rate.per == "use" else 0.0
                             for r in resources], dtype=np.float64)
    has_rate = np.array([r.rate is not None for r in resources], dtype=bool)
    task = np.repeat(np.arange(n, dtype=np.int64), np.diff(network.demand_ptr)) if n else np.zeros(0, np.int64)
    res = network.demand_resource.astype(np.int64)
    units = network.demand_units.astype(np.float64)
    a_minute = units * rate_per_minute[res] if len(res) else np.zeros(0)
    a_use = units * rate_per_use[res] if len(res) else np.zeros(0)
    per_minute = np.bincount(task, weights=a_minute, minlength=n).astype(np.float64)
    per_use = np.bincount(task, weights=a_use, minlength=n).astype(np.float64)

    own_by_id = {t.id: t.cost for t in plan.tasks if t.cost}
    own = np.array([own_by_id.get(tid, 0.0) for tid in network.ids], dtype=np.float64)
    summary_share = np.zeros(n)
    for s, sid in enumerate(network.summary_ids):
        amount = own_by_id.get(sid)
        if not amount:
            continue
        members = network.summary_leaf[network.summary_ptr[s]:network.summary_ptr[s + 1]]
        if len(members) == 0:
            continue
        weights = network.duration[members].astype(np.float64)
        total = weights.sum()
        weights = weights / total if total > 0 else np.full(len(members), 1.0 / len(members))
        np.add.at(summary_share, members, amount * weights)  # nested summaries each give a share
    risk_cost = float(sum(r.cost or 0.0 for r in plan.risks))
    known = bool((len(res) and has_rate[res].any()) or own_by_id or risk_cost)
    return CostModel(
        ids=list(network.ids), per_minute=per_minute, fixed=per_use + own + summary_share, per_use=per_use,
        own=own, summary_share=summary_share, resource_ids=[r.id for r in resources],
        assignment_task=task, assignment_resource=res, assignment_per_minute=a_minute, assignment_per_use=a_use,
        risk_cost=risk_cost, known=known)


__all__ = ["CostModel", "cost_model"]
