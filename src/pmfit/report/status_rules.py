"""Red/amber/green: the stated rules that decide a project's status, and the decisions it needs."""

from __future__ import annotations

import datetime as dt

from pmfit.report.facts import (
    DecisionFact,
    EvmFacts,
    LevelingFacts,
    ObjectiveFact,
    Rag,
    RiskFacts,
    ScheduleFacts,
)

_ORDER: dict[Rag, int] = {"green": 0, "amber": 1, "red": 2}

ON_TIME_GREEN = 0.80
ON_TIME_AMBER = 0.50
INDEX_GREEN = 0.95
INDEX_AMBER = 0.90
BUDGET_AMBER = 1.10


def worst(*statuses: Rag) -> Rag:
    return max(statuses, key=lambda s: _ORDER[s])


def schedule_status(schedule: ScheduleFacts, risk: RiskFacts | None, evm: EvmFacts | None) -> tuple[Rag, str]:
    """Schedule RAG and the rule that decided it, in plain words."""
    if risk is not None and risk.probability_on_time is not None:
        p = risk.probability_on_time
        status: Rag = "green" if p >= ON_TIME_GREEN else "amber" if p >= ON_TIME_AMBER else "red"
        return status, (f"schedule is {status}: the chance of meeting the deadline is {p:.0%} "
                        f"(green from {ON_TIME_GREEN:.0%}, amber from {ON_TIME_AMBER:.0%})")
    if schedule.days_to_deadline is not None:
        margin = schedule.days_to_deadline
        status = "green" if margin >= 0.05 * max(schedule.duration_days, 1) else "amber" if margin >= 0 else "red"
        return status, (f"schedule is {status}: the planned finish leaves {margin:g} working days before the "
                        "deadline (green with at least 5% of the project's length to spare, amber with less, "
                        "red when late)")
    if evm is not None and evm.spi_t is not None:
        s = evm.spi_t
        status = "green" if s >= INDEX_GREEN else "amber" if s >= INDEX_AMBER else "red"
        return status, (f"schedule is {status}: work is progressing at {s:.0%} of the planned pace "
                        f"(green from {INDEX_GREEN:.0%}, amber from {INDEX_AMBER:.0%})")
    if schedule.finish_variance_days is not None:
        v = schedule.finish_variance_days
        status = "green" if v <= 0 else "amber" if v <= 0.05 * max(schedule.duration_days, 1) else "red"
        return status, f"schedule is {status}: the finish is {v:g} working days later than the approved plan"
    return "green", "schedule is green: there is no deadline or approved plan to measure against"


def cost_status(budget: float | None, forecast: float | None, evm: EvmFacts | None) -> tuple[Rag, str]:
    """Cost RAG and its rule."""
    if evm is not None and evm.cpi is not None and evm.ac > 0:
        c = evm.cpi
        status: Rag = "green" if c >= INDEX_GREEN else "amber" if c >= INDEX_AMBER else "red"
        return status, (f"cost is {status}: each unit of money spent has bought {c:.2f} units of planned work "
                        f"(green from {INDEX_GREEN:.2f}, amber from {INDEX_AMBER:.2f})")
    if budget and forecast is not None:
        ratio = forecast / budget
        status = "green" if ratio <= 1 else "amber" if ratio <= BUDGET_AMBER else "red"
        return status, (f"cost is {status}: forecast cost is {ratio:.0%} of the budget "
                        f"(green within budget, amber up to {BUDGET_AMBER:.0%})")
    return "green", "cost is green: there is no budget or spending to measure against"


def objectives_status(objectives: list[str], schedule: Rag, cost: Rag, finish_phrase: str) -> list[ObjectiveFact]:
    """Each business objective is as safe as the date or money it depends on."""
    out = []
    for objective in objectives:
        text = objective.lower()
        money = any(w in text for w in ("cost", "budget", "save", "saving", "spend", "$", "€", "£", "revenue"))
        status = worst(schedule, cost) if money else schedule
        if status == "green":
            why = "on track"
        elif money:
            why = "at risk: the forecast date or cost has moved against plan"
        else:
            why = f"at risk because {finish_phrase}"
        out.append(ObjectiveFact(objective, status, why))
    return out


def decisions_needed(
    schedule: ScheduleFacts, risk: RiskFacts | None, leveling: LevelingFacts | None,
    approvals: list[tuple[str, str, dt.datetime]], as_of: dt.datetime, schedule_rag: Rag,
    cost_rag: Rag, budget: float | None, forecast_cost: float | None, currency: str,
) -> list[DecisionFact]:
    """Decisions the sponsors must take, each with a date (derived by stated rules)."""
    out: list[DecisionFact] = []
    soon = (as_of + dt.timedelta(days=14)).date()
    if schedule_rag != "green" and schedule.deadline is not None:
        promise = risk.p80 if risk is not None else schedule.finish
        out.append(DecisionFact(
            f"Move the deadline to {promise:%d %B %Y}, add people to the work that sets the finish date, "
            "or reduce scope", soon,
            f"the deadline of {schedule.deadline:%d %B %Y} is not safe on the current plan"))
    if leveling is not None and leveling.delay_days > 0 and leveling.overallocated:
        names = ", ".join(o.name for o in leveling.overallocated[:3])
        first = min((o.first for o in leveling.overallocated if o.first), default=None)
        out.append(DecisionFact(
            f"Approve extra capacity for {names}, or accept a finish {leveling.delay_days:g} working days later",
            max(first.date(), soon) if first else soon,
            "the plan books these people for more work than they have time for"))
    if risk is not None:
        for event in risk.risks[:3]:
            if event.p80_impact_days >= 5 and not event.mitigation:
                out.append(DecisionFact(
                    f"Fund a response to the risk '{event.name}'", soon,
                    f"if it happens it can move the promised date by about {event.p80_impact_days:g} working days",
                    event.owner))
    for who, what, when in approvals:
        if as_of <= when <= as_of + dt.timedelta(days=42):
            out.append(DecisionFact(f"{who} to approve '{what}'", when.date(), "the work cannot go ahead without it",
                                    who))
    out.extend(_budget_decisions(cost_rag, budget, forecast_cost, currency, soon))
    out.sort(key=lambda d: d.by or dt.date.max)
    return out


def _budget_decisions(cost_rag: Rag, budget: float | None, forecast_cost: float | None, currency: str,
                      by: dt.date) -> list[DecisionFact]:
    """A budget decision follows from the figures it quotes: forecast against budget.

    More budget is asked for only when the forecast is above the budget, and then for the
    overrun; a poor cost status with the forecast still within budget asks for a review of
    the spending instead (never a negative "more budget").
    """
    if not budget or forecast_cost is None:
        return []
    if forecast_cost > budget:
        overrun = forecast_cost - budget
        return [DecisionFact(
            f"Approve {currency} {overrun:,.0f} more budget or cut scope", by,
            f"the forecast cost of {currency} {forecast_cost:,.0f} is above the budget of "
            f"{currency} {budget:,.0f}")]
    if cost_rag != "green":
        return [DecisionFact(
            "Review the spending on the work done so far", by,
            f"the work done has cost more than planned, though the forecast cost of {currency} "
            f"{forecast_cost:,.0f} is within the budget of {currency} {budget:,.0f}: no more budget is needed")]
    return []
