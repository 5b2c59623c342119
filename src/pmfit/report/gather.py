"""Adapters from each engine's result to the report's fact records (one function per engine)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pmfit.report.facts import (
    AdviceFacts, ChangeFacts, EvmFacts, LevelingFacts, RiskFacts, ScheduleFacts,
)

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Plan


def planned_cost(plan: Plan, sched: Schedule) -> float | None:
    """Resource cost (units x hourly rate x working hours) plus fixed task costs, or None without rates."""
    rates = {r.id: r.rate.per_hour(plan.project.calendar.hours) for r in plan.resources if r.rate}
    if not rates and not any(t.cost for t in plan.tasks):
        return None
    total = 0.0
    for task in plan.tasks:
        if task.id not in sched.tasks or sched[task.id].summary:
            continue
        hours = sched[task.id].duration / 60
        total += sum(units * rates.get(rid, 0.0) * hours for rid, units in task.needs.items())
        total += task.cost or 0.0
    return round(total, 2)


def leveling(plan: Plan, sched: Schedule, time_limit: float, unavailable: dict[str, str]) -> LevelingFacts | None:
    unavailable["leveling"] = "Resource leveling is not available in this version."
    return None


def risk(plan: Plan, sched: Schedule, iterations: int, seed: int, schedule: ScheduleFacts,
         unavailable: dict[str, str]) -> RiskFacts | None:
    unavailable["risk"] = "Schedule risk simulation is not available in this version."
    return None


def evm(plan: Plan, sched: Schedule, as_of: dt.date | dt.datetime | None,
        unavailable: dict[str, str]) -> EvmFacts | None:
    unavailable["evm"] = "Earned value is not available in this version."
    return None


def changes(plan: Plan, previous: Plan | None, unavailable: dict[str, str]) -> ChangeFacts | None:
    unavailable["changes"] = "Change tracking is not available in this version."
    return None


def advice(plan: Plan, unavailable: dict[str, str]) -> AdviceFacts | None:
    unavailable["advice"] = "Role advice is not available in this version."
    return None


def chart_data(plan: Plan, sched: Schedule, as_of: dt.datetime, risk_facts: RiskFacts | None,
               evm_facts: EvmFacts | None, leveling_facts: LevelingFacts | None) -> dict[str, object]:
    """Series for the report charts, taken from the same results as the facts."""
    progress = plan.progress.tasks if plan.progress else {}
    base = plan.baselines[0].tasks if plan.baselines else {}
    bars = []
    for row in sched.tasks.values():
        if row.summary:
            continue
        record = progress.get(row.id)
        b = base.get(row.id)
        bars.append({
            "id": row.id, "name": row.name, "start": row.start, "finish": row.finish,
            "critical": row.critical, "milestone": row.milestone,
            "percent_complete": record.percent_complete if record else None,
            "baseline_start": getattr(b, "start", None), "baseline_finish": getattr(b, "finish", None),
        })
    return {"gantt": bars, "as_of": as_of}
