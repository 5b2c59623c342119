"""Monte Carlo from the status date: what is left of a project in progress.

The risk engine simulates a plan as if nothing had happened. Once work has
started, the honest question is about the remaining work: finished tasks
are facts (fixed at their actual dates), a task in progress keeps its actual
start and only its remaining duration is uncertain, and a risk whose tasks
are all finished can no longer strike. This module builds that network from
the status-date schedule and hands it to the same simulation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from pmfit.engine.risk.montecarlo import RiskEvent, simulate_network
from pmfit.engine.risk.plan import DEFAULT_CORRELATION, cost_model, risk_events
from pmfit.engine.risk.result import RiskResult
from pmfit.engine.status import StatusSchedule, status_schedule
from pmfit.model.plan import Plan


def simulate_remaining(
    plan: Plan,
    iterations: int = 10_000,
    seed: int | np.random.Generator | None = None,
    as_of: dt.date | dt.datetime | None = None,
    *,
    status: StatusSchedule | None = None,
    correlation: float | None = None,
    risk_impact: bool = True,
    precision: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RiskResult:
    """Simulate the plan's remaining work from its status date (see the module doc).

    Finished tasks are fixed; a task in progress varies only in its remaining
    part, scaled like its three-point estimate (``elapsed + remaining x o/m ...
    remaining x p/m``); risks on finished tasks are dropped.
    """
    status = status or status_schedule(plan, as_of)
    net = status.schedule.network
    optimistic = net.optimistic.astype(float).copy()
    likely = net.likely.astype(float).copy()
    pessimistic = net.pessimistic.astype(float).copy()
    distribution = net.distribution.copy()
    done = np.zeros(net.n, dtype=bool)
    for i, task_id in enumerate(net.ids):
        state = status.tasks[task_id]
        d = float(net.duration[i])
        if state.state == "done":
            optimistic[i] = likely[i] = pessimistic[i] = d
            distribution[i] = 0
            done[i] = True
        elif state.state == "in_progress":
            elapsed = d - state.remaining
            m = likely[i]
            if m > 0 and distribution[i] != 0:
                optimistic[i] = elapsed + state.remaining * optimistic[i] / m
                pessimistic[i] = elapsed + state.remaining * pessimistic[i] / m
            else:
                optimistic[i] = pessimistic[i] = d
            likely[i] = d
    remaining_net = replace(net, optimistic=optimistic, likely=likely, pessimistic=pessimistic,
                            distribution=distribution)
    events: list[RiskEvent] = []
    for event in risk_events(plan, net):
        delays = {i: minutes for i, minutes in event.delays.items() if not done[i]}
        if delays:
            events.append(replace(event, delays=delays))
    costs = cost_model(plan, net)
    if correlation is None:
        correlation = plan.project.risk_correlation
    return simulate_network(
        remaining_net, iterations, seed, risks=events,
        correlation=DEFAULT_CORRELATION if correlation is None else correlation,
        cost_rate=None if costs is None else costs[0], fixed_cost=0.0 if costs is None else costs[1],
        risk_impact=risk_impact, precision=precision, progress=progress)
