"""One cost model: baseline, earned value, risk and the report agree on what a plan costs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pmfit
from pmfit.engine.cost import cost_model
from pmfit.project import Project

CASE = Path(__file__).parents[1] / "cases" / "cost" / "per_use_and_summary.yaml"
PLANNED = 1800.0


@pytest.fixture
def plan() -> pmfit.Plan:
    return pmfit.load(CASE)


def test_the_cost_model_by_hand(plan: pmfit.Plan) -> None:
    project = Project(plan)
    model = project.cost
    by_id = dict(zip(model.ids, model.task_costs(project.network.duration).tolist(), strict=True))
    assert by_id == {"a": 950.0, "b": 650.0, "handover": 200.0}
    assert model.total(project.network.duration) == PLANNED
    assert model.resource_costs(project.network.duration) == {"dev": 800.0, "crane": 500.0}
    assert model.per_use.tolist() == [0.0, 500.0, 0.0]
    assert model.summary_share.tolist() == [150.0, 150.0, 0.0]


def test_cost_over_time_by_hand(plan: pmfit.Plan) -> None:
    project = Project(plan)
    sched = project.current
    cpm = sched.cpm
    cal = sched.calendar
    times = [cal.offset(pmfit.schedule(plan).start), 240, 480, 959, 960]
    curve = project.cost.cost_over_time(cpm.start, cpm.finish, project.network.duration, times)
    assert curve.tolist() == pytest.approx([0.0, 475.0, 950.0, 950.0 + 650.0 * 479 / 480, PLANNED])
    per_resource = project.cost.resource_cost_over_time(cpm.start, cpm.finish, project.network.duration,
                                                          [480, 960])
    assert per_resource["dev"].tolist() == pytest.approx([800.0, 800.0])
    assert per_resource["crane"].tolist() == pytest.approx([0.0, 500.0])


def test_baseline_earned_value_risk_and_report_agree(plan: pmfit.Plan) -> None:
    with_base = pmfit.baseline(plan, "approved")
    base = with_base.baselines[0]
    assert base.cost == PLANNED  # baseline BAC
    assert sum(t.cost for tid, t in base.tasks.items() if tid != "phase") == PLANNED
    ev = pmfit.earned_value(with_base, as_of=plan.project.start)
    assert ev.project.bac == PLANNED  # earned value BAC
    risk = pmfit.simulate(plan, 200, seed=1)  # no estimates: every iteration costs the plan
    assert risk.cost is not None and np.all(risk.cost == PLANNED)  # risk P50 (and every percentile)
    facts = pmfit.status_facts(with_base, iterations=200, seed=1)
    assert facts.risk is not None and facts.risk.cost_p50 == PLANNED  # the report's risk section
    assert facts.baseline_cost == PLANNED
    assert facts.forecast_cost == PLANNED
    assert Project(plan).planned_cost() == PLANNED
    assert facts.cost_status != "green"  # 120% of the budget is not green


def test_the_cost_model_is_vectorised_over_iterations(plan: pmfit.Plan) -> None:
    project = Project(plan)
    durations = np.array([[480, 480, 0], [960, 480, 0], [0, 0, 0]])
    assert project.cost.totals(durations).tolist() == [PLANNED, PLANNED + 800.0, 1000.0]


def test_a_plan_without_costs_has_none(plan: pmfit.Plan) -> None:
    bare = pmfit.loads("project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duration: 1d}]\n")
    model = cost_model(bare, pmfit.compile_plan(bare))
    assert not model.known
    assert Project(bare).planned_cost() is None
