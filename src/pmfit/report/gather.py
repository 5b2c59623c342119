"""Adapters from each engine's result to the report's fact records (one function per engine)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pmfit.report.facts import (
    AdviceFacts,
    BehindFact,
    ChangeFacts,
    DelayFact,
    DriverFact,
    EvmFacts,
    LevelingFacts,
    OverallocationFact,
    RiskEventFact,
    RiskFacts,
    ScheduleFacts,
)

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Plan
    from pmfit.project import Project


def planned_cost(project: Project) -> float | None:
    """The plan's cost over the current schedule by the engine's one cost model, or None without costs."""
    return project.planned_cost()


def leveling(project: Project, time_limit: float, unavailable: dict[str, str]) -> LevelingFacts | None:
    """Leveling facts of the current schedule, when the plan asks anything of its resources."""
    plan = project.plan
    if not plan.resources or not any(t.needs for t in plan.tasks):
        unavailable["leveling"] = "The plan assigns no resources to its tasks, so there is nothing to level."
        return None
    result = project.level(time_limit=time_limit, method="auto")
    mpd = result.minutes_per_day
    cal = project.current.calendar
    delays = [DelayFact(t.id, t.name, round(t.delay / mpd, 2), t.cause or "resource limits")
              for t in result.delays()]
    over = []
    for profile in result.profiles.values():
        if profile.peak_before > profile.capacity + 1e-9:
            first = next((a for a, _, u in profile.before if u > profile.capacity + 1e-9), None)
            over.append(OverallocationFact(profile.resource, profile.name, profile.peak_before, profile.capacity,
                                           cal.start_at(first) if first is not None else None))
    assert result.finish_before is not None and result.finish_after is not None
    return LevelingFacts(result.finish_before, result.finish_after, round(result.added_days, 2), delays, over,
                         result.method + (" (proven optimal)" if result.proven_optimal else ""))


def risk(project: Project, iterations: int, seed: int, schedule: ScheduleFacts,
         unavailable: dict[str, str]) -> RiskFacts | None:
    """Monte Carlo facts: percentile dates, the chance of the deadline, drivers, risk events.

    The simulation is the project's (the same as ``pmfit risk`` with these iterations and seed):
    a project in progress is simulated from its status date (remaining work only).
    """
    plan = project.plan
    result = project.simulate(iterations, seed)
    mpd = result.minutes_per_day
    cal = project.current.calendar

    def when(minutes: float) -> dt.datetime:
        return cal.finish_at(int(minutes))

    chance = None
    if schedule.deadline is not None:
        chance = round(result.probability_by(cal.offset(schedule.deadline)), 4)
    drivers = [DriverFact(d["id"], d["name"], d["criticality"], d["sensitivity"]) for d in result.drivers(top=8)]
    register = {r.id: r for r in plan.risks}
    events = []
    for impact in sorted(result.risks, key=lambda r: -(r.delta or 0.0)):
        source = register.get(impact.id)
        events.append(RiskEventFact(
            impact.id, impact.name, impact.probability, round((impact.delta or 0.0) / mpd, 1),
            source.cost if source else None, source.owner if source else None,
            source.mitigation if source else None, list(source.delays) if source else []))
    cost_p50 = cost_p80 = None
    if result.cost is not None:
        import numpy as np

        cost_p50 = round(float(np.quantile(result.cost, 0.5)), 2)
        cost_p80 = round(float(np.quantile(result.cost, 0.8)), 2)
    pct = result.percentiles
    return RiskFacts(
        iterations=result.iterations, seed=result.seed, p10=when(pct[10]), p50=when(pct[50]), p80=when(pct[80]),
        p90=when(pct[90]), deterministic_finish=when(result.deterministic_finish),
        merge_bias_days=round(result.merge_bias / mpd, 1), probability_on_time=chance, drivers=drivers,
        risks=events, cost_p50=cost_p50, cost_p80=cost_p80)


def evm(project: Project, unavailable: dict[str, str]) -> EvmFacts | None:
    """Earned value against the first baseline, when the plan has progress and a baseline."""
    plan = project.plan
    if plan.progress is None or project.status_date is None:
        unavailable["evm"] = "The plan records no progress yet, so there is no earned value to report."
        return None
    if not plan.baselines:
        unavailable["evm"] = ("The plan has no approved baseline to measure progress against "
                              "(save one with `pmfit baseline`).")
        return None
    result = project.earned_value()
    p = result.project
    behind = []
    for task_id in result.behind:
        task = result.tasks.get(task_id)
        if task is None:
            continue
        expected = 100.0 * task.figures.pv / task.figures.bac if task.figures.bac else 0.0
        steps = result.status.schedule.why(task_id, depth=2) if task_id in result.status.schedule.tasks else []
        driver = steps[0].predecessor if steps and steps[0].kind == "link" else None
        late = task.finish_variance_days if task.finish_variance_days is not None else 0.0
        behind.append(BehindFact(task_id, task.name, round(late, 1), round(task.percent, 1), round(expected, 1),
                                 driver))
    return EvmFacts(
        status_date=result.status_date, bac=round(p.bac, 2), pv=round(p.pv, 2), ev=round(p.ev, 2),
        ac=round(p.ac, 2), sv=round(p.sv, 2), cv=round(p.cv, 2), spi=_r(p.spi), cpi=_r(p.cpi), eac=_r(p.eac, 2),
        etc=_r(p.etc, 2), vac=_r(p.vac, 2), tcpi=_r(p.tcpi), spi_t=_r(result.schedule.spi_t),
        forecast_finish=result.schedule.forecast_finish, behind=behind)


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def changes(project: Project, previous: Plan | None, unavailable: dict[str, str]) -> ChangeFacts | None:
    """What changed since the previous report's plan, else since the first baseline."""
    from pmfit.engine.diff import diff_baseline, diff_plans

    plan = project.plan
    if previous is not None:
        result = diff_plans(previous, plan, old_label="the last report", new_label="now")
        against = "the last report"
    elif plan.baselines:
        result = diff_baseline(plan, plan.baselines[0], schedule=project.current)
        against = f"the approved plan ('{plan.baselines[0].name}')"
    else:
        unavailable["changes"] = "There is no earlier version or baseline to compare with."
        return None
    added = [c.id for c in result.changes if c.kind == "added" and c.entity == "task"]
    removed = [c.id for c in result.changes if c.kind == "removed" and c.entity == "task"]
    links = [str(c) for c in result.changes if c.entity == "link"]
    # One line per changed item (a task whose dates, length and cost all moved is one change).
    grouped: dict[str, list[str]] = {}
    for c in result.changes:
        if c.entity == "link" or (c.entity == "task" and c.kind in ("added", "removed")):
            continue
        key = f"{c.entity} '{c.id}'"
        text = str(c)
        grouped.setdefault(key, []).append(text.split(": ", 1)[1] if ": " in text else text)
    changed = [f"{key}: {'; '.join(parts)}" for key, parts in grouped.items()]
    drivers = [d.task for d in result.drivers]
    return ChangeFacts(against, added, removed, changed, links, round(result.finish_moved_days, 2), drivers)


def advice(project: Project, unavailable: dict[str, str]) -> AdviceFacts | None:
    """The recommended kind of PM and the yearly cost of each option."""
    from pmfit.engine.advise.data import ROLE_LABELS

    result = project.advice()
    costs = result.cost.costs
    chosen = costs[result.recommended].yearly
    alternatives = {ROLE_LABELS[role]: round(cost.yearly - chosen, -2)
                    for role, cost in costs.items() if role != result.recommended}
    return AdviceFacts(result.recommended, result.label, round(result.confidence.value, 2),
                       [r.text for r in result.reasons], round(chosen, -2), alternatives, result.cost.currency,
                       result.programme or "", result.attribution)


def chart_data(plan: Plan, sched: Schedule, as_of: dt.datetime) -> dict[str, object]:
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
