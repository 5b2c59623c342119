"""Defect 1 of issue 12: a budget decision follows from the figures it quotes.

The executive report once asked to "Approve EUR -97,729 more budget or cut scope" with
a forecast of 82,271 far under a budget of 180,000, because the rule fired on the cost
status (CPI) and not on forecast against budget.
"""

from __future__ import annotations

import datetime as dt

import pmfit
from pmfit.report.facts import project_facts
from pmfit.report.status_rules import decisions_needed

PLAN = """
project: {name: Shop, start: 2027-01-04, currency: EUR, budget: 180000}
resources:
  - {id: dev, name: Developers, units: 1, rate: 100/h}
tasks:
  - {id: a, name: Build, duration: 10d, needs: {dev: 1}}
  - {id: b, name: Test, duration: 10d, needs: {dev: 1}, after: [a]}
"""


def _overspent_plan() -> pmfit.Plan:
    """Planned cost 16,000 (2 x 10 days x 8 h x 100); task a done at twice its cost."""
    plan = pmfit.baseline(pmfit.loads(PLAN))
    text = pmfit.dumps(plan) + (
        "progress:\n  status_date: 2027-01-15\n  tasks:\n"
        "    a: {actual_start: 2027-01-04, actual_finish: 2027-01-15, actual_cost: 16000}\n")
    return pmfit.loads(text)


def test_forecast_under_budget_never_asks_for_negative_budget() -> None:
    facts = project_facts(pmfit.Project(_overspent_plan()), include=frozenset({"evm"}))
    assert facts.cost_status != "green"  # CPI 0.5: the work done cost twice its plan
    # EAC = AC + (BAC - EV) / CPI = 16,000 + 8,000 / 0.5 = 32,000, far under 180,000
    assert facts.evm is not None and facts.evm.eac is not None
    assert abs(facts.evm.eac - 32000) < 1
    texts = [d.what + " " + d.why for d in facts.decisions]
    assert not any(d.what.startswith("Approve") for d in facts.decisions), texts
    review = [t for t in texts if "Review the spending" in t]
    assert review and "EUR 32,000" in review[0] and "EUR 180,000" in review[0]


def _decisions(budget: float, forecast: float, cost_rag: str) -> list[str]:
    now = dt.datetime(2027, 1, 15, 17)
    schedule = project_facts(pmfit.Project(pmfit.loads(PLAN)), include=frozenset()).schedule
    return [d.what for d in decisions_needed(schedule, None, None, [], now, "green", cost_rag,  # type: ignore[arg-type]
                                             budget, forecast, "EUR")]


def test_overrun_asks_for_the_overrun() -> None:
    assert "Approve EUR 20,000 more budget or cut scope" in _decisions(180000, 200000, "amber")
    # the figures decide, not the status colour: a green CPI with a forecast over budget still asks
    assert "Approve EUR 20,000 more budget or cut scope" in _decisions(180000, 200000, "green")


def test_under_budget_with_poor_cost_status_asks_for_review() -> None:
    decided = _decisions(180000, 82271, "red")
    assert not any("more budget" in d for d in decided)
    assert "Review the spending on the work done so far" in decided
    assert _decisions(180000, 82271, "green") == []
