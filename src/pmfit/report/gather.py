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
    from pmfit.engine.status import StatusSchedule
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


def leveling(plan: Plan, sched: Schedule, time_limit: float, unavailable: dict[str, str],
             results: dict[str, object]) -> LevelingFacts | None:
    """Leveling facts, when the plan asks anything of its resources."""
    if not plan.resources or not any(t.needs for t in plan.tasks):
        unavailable["leveling"] = "The plan assigns no resources to its tasks, so there is nothing to level."
        return None
    from pmfit.engine.level import level as run_level

    result = run_level(plan, time_limit=time_limit, method="auto")
    mpd = result.minutes_per_day
    cal = sched.calendar
    delays = [DelayFact(t.id, t.name, round(t.delay / mpd, 2), t.cause or "resource limits")
              for t in result.delays()]
    over = []
    for profile in result.profiles.values():
        if profile.peak_before > profile.capacity + 1e-9:
            first = next((a for a, _, u in profile.before if u > profile.capacity + 1e-9), None)
            over.append(OverallocationFact(profile.resource, profile.name, profile.peak_before, profile.capacity,
                                           cal.start_at(first) if first is not None else None))
    assert result.finish_before is not None and result.finish_after is not None
    facts = LevelingFacts(result.finish_before, result.finish_after, round(result.added_days, 2), delays, over,
                          result.method + (" (proven optimal)" if result.proven_optimal else ""))
    results["level"] = result
    return facts


def risk(plan: Plan, sched: Schedule, iterations: int, seed: int, schedule: ScheduleFacts,
         unavailable: dict[str, str], results: dict[str, object],
         status: StatusSchedule | None = None) -> RiskFacts | None:
    """Monte Carlo facts: percentile dates, the chance of the deadline, drivers, risk events.

    A project in progress is simulated from its status date (remaining work only).
    """
    if status is not None:
        from pmfit.engine.forecast import simulate_remaining

        result = simulate_remaining(plan, iterations, seed, status=status)
    else:
        from pmfit.engine.risk import simulate

        result = simulate(plan, iterations, seed)
    mpd = result.minutes_per_day
    cal = sched.calendar

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
    facts = RiskFacts(
        iterations=result.iterations, seed=result.seed, p10=when(pct[10]), p50=when(pct[50]), p80=when(pct[80]),
        p90=when(pct[90]), deterministic_finish=when(result.deterministic_finish),
        merge_bias_days=round(result.merge_bias / mpd, 1), probability_on_time=chance, drivers=drivers,
        risks=events, cost_p50=cost_p50, cost_p80=cost_p80)
    results["risk"] = result
    return facts


def evm(plan: Plan, sched: Schedule, as_of: dt.date | dt.datetime | None,
        unavailable: dict[str, str], results: dict[str, object]) -> EvmFacts | None:
    """Earned value against the first baseline, when the plan has progress and a baseline."""
    if plan.progress is None or (plan.progress.status_date is None and as_of is None):
        unavailable["evm"] = "The plan records no progress yet, so there is no earned value to report."
        return None
    if not plan.baselines:
        unavailable["evm"] = ("The plan has no approved baseline to measure progress against "
                              "(save one with `pmfit baseline`).")
        return None
    from pmfit.engine.track import earned_value

    result = earned_value(plan, None, as_of, None)
    p = result.project
    mpd = sched.minutes_per_day
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
    del mpd
    facts = EvmFacts(
        status_date=result.status_date, bac=round(p.bac, 2), pv=round(p.pv, 2), ev=round(p.ev, 2),
        ac=round(p.ac, 2), sv=round(p.sv, 2), cv=round(p.cv, 2), spi=_r(p.spi), cpi=_r(p.cpi), eac=_r(p.eac, 2),
        etc=_r(p.etc, 2), vac=_r(p.vac, 2), tcpi=_r(p.tcpi), spi_t=_r(result.schedule.spi_t),
        forecast_finish=result.schedule.forecast_finish, behind=behind)
    results["evm"] = result
    return facts


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def changes(plan: Plan, previous: Plan | None, unavailable: dict[str, str]) -> ChangeFacts | None:
    """What changed since the previous report's plan, else since the first baseline."""
    from pmfit.engine.diff import diff_baseline, diff_plans

    if previous is not None:
        result = diff_plans(previous, plan, old_label="the last report", new_label="now")
        against = "the last report"
    elif plan.baselines:
        result = diff_baseline(plan, plan.baselines[0])
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


def advice(plan: Plan, unavailable: dict[str, str], results: dict[str, object]) -> AdviceFacts | None:
    """The recommended kind of PM and the yearly cost of each option."""
    from pmfit.engine.advise.data import ROLE_LABELS
    from pmfit.io.roledata import advise_plan

    result = advise_plan(plan)
    costs = result.cost.costs
    chosen = costs[result.recommended].yearly
    alternatives = {ROLE_LABELS[role]: round(cost.yearly - chosen, -2)
                    for role, cost in costs.items() if role != result.recommended}
    results["advice"] = result
    return AdviceFacts(result.recommended, result.label, round(result.confidence.value, 2),
                       [r.text for r in result.reasons], round(chosen, -2), alternatives, result.cost.currency,
                       result.programme or "", result.attribution)


def chart_data(plan: Plan, sched: Schedule, as_of: dt.datetime,
               results: dict[str, object]) -> dict[str, object]:
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
    out: dict[str, object] = {"gantt": bars, "as_of": as_of}
    # Engine results (not serialised) so that charts draw the very numbers the facts quote.
    out.update({f"_{k}": v for k, v in results.items()})
    return out
