"""From a plan to a simulation: risk register, cost rates, then :func:`simulate_network`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pmfit.engine.network import Network, compile_plan
from pmfit.engine.risk.montecarlo import ProgressFn, RiskEvent, simulate_network
from pmfit.engine.risk.result import RiskResult

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

#: Correlation within a task group when neither the call nor the plan sets one.
DEFAULT_CORRELATION = 0.5


def risk_events(plan: Plan, network: Network) -> list[RiskEvent]:
    """The plan's risk register with task indices and working-minute delays.

    A delay on a summary task applies to each of its leaves (as links on summaries do).
    """
    cal = network.calendar
    mpd = cal.minutes_per_day if cal is not None else 480
    dpw = cal.days_per_week if cal is not None else 5
    summary = {sid: s for s, sid in enumerate(network.summary_ids)}
    events = []
    for risk in plan.risks:
        delays: dict[int, int] = {}
        for tid, delay in risk.delays.items():
            minutes = delay.minutes(mpd, dpw)
            if tid in summary:
                s = summary[tid]
                targets = network.summary_leaf[network.summary_ptr[s]:network.summary_ptr[s + 1]].tolist()
            else:
                targets = [network.index(tid)]
            for i in targets:
                delays[i] = delays.get(i, 0) + minutes
        events.append(RiskEvent(id=risk.id, name=risk.name, probability=risk.probability,
                                delays=delays, cost=risk.cost or 0.0))
    return events


def cost_model(plan: Plan, network: Network) -> tuple[np.ndarray, float] | None:  # type: ignore[type-arg]
    """Cost per working minute of each task and the fixed cost, or None when no cost is known."""
    cal = network.calendar
    hours_per_day = (cal.minutes_per_day if cal is not None else 480) / 60.0
    rate = np.zeros(network.n)
    fixed = 0.0
    known = False
    resources = {r.id: r for r in plan.resources}
    for i, tid in enumerate(network.ids):
        task = plan.task(tid)
        if task.cost is not None:
            fixed += task.cost
            known = True
        for rid, units in task.needs.items():
            res = resources.get(rid)
            if res is None or res.rate is None:
                continue
            known = True
            if res.rate.per == "use":
                fixed += res.rate.amount * units
            else:
                rate[i] += units * res.rate.per_hour(hours_per_day) / 60.0
    if any(r.cost for r in plan.risks):
        known = True
    return (rate, fixed) if known else None


def simulate(
    plan: Plan,
    iterations: int = 10_000,
    seed: int | np.random.Generator | None = None,
    *,
    correlation: float | None = None,
    precision: float | None = None,
    risk_impact: bool = True,
    keep_durations: bool = False,
    progress: ProgressFn | None = None,
) -> RiskResult:
    """Monte Carlo schedule risk of a plan (see :func:`simulate_network`).

    ``precision`` is in working minutes (stop once P80's standard error is that small).
    ``correlation`` defaults to the plan's ``project.risk_correlation``, else 0.5.
    """
    if correlation is None:
        correlation = plan.project.risk_correlation
    if correlation is None:
        correlation = DEFAULT_CORRELATION
    network = compile_plan(plan)
    costs = cost_model(plan, network)
    return simulate_network(
        network, iterations, seed, risks=risk_events(plan, network), correlation=correlation,
        cost_rate=None if costs is None else costs[0], fixed_cost=0.0 if costs is None else costs[1],
        precision=precision, risk_impact=risk_impact, keep_durations=keep_durations, progress=progress,
    )
