"""Hypothesis invariants of the role advisor.

- adding software-development effort never lowers the technical-PM score;
- adding IT-operations work never lowers the IT-PM score;
- the recommendation is never a more expensive role than a sufficient cheaper one (checked with the
  thresholds written out here, for any order of salaries);
- costs follow the salary table (loaded yearly = median x multiplier; project = yearly x FTE x years).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmfit.advising import shipped_role_data
from pmfit.engine.advise import advise
from pmfit.engine.advise.cost import cost_table
from pmfit.engine.advise.data import RoleData, SalaryRow, SalaryTable
from pmfit.model.plan import Plan

DATA = shipped_role_data()
SETTINGS = settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = [
    "Build the payment API", "Write unit tests for the billing service", "Install rack servers",
    "Configure the firewall rules", "Migrate mailboxes to Exchange Online", "Order office furniture",
    "Plan the launch campaign", "Negotiate the lease", "Weekly status meeting", "Phase 2", "Misc",
    "Train users on the new CRM", "Prototype the recommendation model", "Recruit two analysts",
    "Book the conference venue", "Design the database schema", "Cut-over weekend", "Sign-off by the board",
]
RESOURCES = [
    {"id": "dev", "name": "Software engineers", "units": 3, "skills": ["python"], "team": "Platform"},
    {"id": "ops", "name": "Systems administrators", "units": 2, "skills": ["windows server"], "team": "Infra"},
    {"id": "fac", "name": "Facilities coordinator", "units": 1, "team": "Facilities"},
    {"id": "p1", "name": "Person 1", "units": 1},
]
DEV_TASKS = ["Implement the REST API endpoints", "Refactor the backend microservices", "Write integration tests",
             "Build the React front-end", "Code review of the pull requests"]
IT_TASKS = ["Install and cable the new network switches", "Deploy laptops to all staff", "Migrate servers to Azure",
            "Patch the Windows servers", "Set up VPN and MFA for remote users"]


@st.composite
def plans(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 9))
    resources = draw(st.lists(st.sampled_from(RESOURCES), max_size=4, unique_by=lambda r: r["id"]))
    rids = [r["id"] for r in resources]
    tasks = []
    for i in range(n):
        task: dict[str, Any] = {"id": f"t{i}", "name": draw(st.sampled_from(NAMES))}
        if draw(st.booleans()):
            o = draw(st.integers(1, 10))
            task["estimate"] = {"optimistic": f"{o}d", "likely": f"{o + draw(st.integers(0, 5))}d",
                                "pessimistic": f"{o + draw(st.integers(5, 25))}d"}
        else:
            task["duration"] = f"{draw(st.integers(1, 20))}d"
        if rids and draw(st.booleans()):
            task["needs"] = {draw(st.sampled_from(rids)): draw(st.sampled_from([0.5, 1, 2]))}
        if i and draw(st.booleans()):
            task["after"] = [f"t{draw(st.integers(0, i - 1))}"]
        if draw(st.integers(0, 5)) == 0:
            task["domain"] = draw(st.sampled_from(["software", "it", "facilities", "marketing"]))
        tasks.append(task)
    stakeholders = [{"name": f"S{i}", "audience": draw(st.sampled_from(["business", "technical"])),
                     **({"approves": ["t0"]} if draw(st.booleans()) else {})}
                    for i in range(draw(st.integers(0, 5)))]
    project: dict[str, Any] = {"name": "Generated", "start": "2027-01-04",
                               "objectives": ["Reduce costs by 10%"] * draw(st.integers(0, 3))}
    if draw(st.booleans()):
        project["deadline"] = "2027-06-30"
    return {"project": project, "resources": resources, "tasks": tasks, "stakeholders": stakeholders}


def _with_task(body: dict[str, Any], name: str, days: int, domain: str | None, needs: str | None) -> Plan:
    tasks = [*body["tasks"], {"id": "added", "name": name, "duration": f"{days}d",
                              **({"domain": domain} if domain else {}),
                              **({"needs": {needs: 1}} if needs else {})}]
    return Plan.model_validate({**body, "tasks": tasks})


@SETTINGS
@given(plans(), st.sampled_from(DEV_TASKS), st.integers(1, 30), st.booleans())
def test_more_software_development_never_lowers_the_technical_score(body: dict[str, Any], name: str, days: int,
                                                                    use_dev: bool) -> None:
    before = advise(Plan.model_validate(body), DATA).scores["technical"].score
    rids = {r["id"] for r in body["resources"]}
    after = advise(_with_task(body, name, days, "software", "dev" if use_dev and "dev" in rids else None),
                   DATA).scores["technical"].score
    assert after >= before - 1e-9


@SETTINGS
@given(plans(), st.sampled_from(IT_TASKS), st.integers(1, 30), st.booleans())
def test_more_it_operations_never_lowers_the_it_score(body: dict[str, Any], name: str, days: int,
                                                      use_ops: bool) -> None:
    before = advise(Plan.model_validate(body), DATA).scores["it"].score
    rids = {r["id"] for r in body["resources"]}
    after = advise(_with_task(body, name, days, "infrastructure", "ops" if use_ops and "ops" in rids else None),
                   DATA).scores["it"].score
    assert after >= before - 1e-9


salaries = st.integers(40_000, 250_000)


@SETTINGS
@given(plans(), salaries, salaries, st.one_of(st.none(), salaries), st.floats(1.0, 2.0))
def test_never_a_more_expensive_role_than_a_sufficient_cheaper_one(body: dict[str, Any], g: int, i: int,
                                                                   t: int | None, mult: float) -> None:
    rows = [SalaryRow("general", g, g, g, source="test", year=2025), SalaryRow("it", i, i, i, source="test", year=2025)]
    if t is not None:
        rows.append(SalaryRow("technical", t, t, t, source="test", year=2025))
    data = RoleData(DATA.vocabulary, SalaryTable(tuple(rows), loaded_multiplier=mult))
    a = advise(Plan.model_validate(body), data)
    # the capability rule, written out independently: technical >= 0.5 needs a technical PM;
    # IT >= 0.4 or technical >= 0.3 needs at least an IT PM; otherwise a general PM is enough
    tech, it = a.scores["technical"].score, a.scores["it"].score
    need = 3 if tech >= 0.5 else 2 if (it >= 0.4 or tech >= 0.3) else 1
    capability = {"general": 1, "it": 2, "technical": 3}
    yearly = {r: c.yearly for r, c in a.cost.costs.items()}
    assert capability[a.recommended] >= need
    for role, cap in capability.items():
        if cap >= need:
            assert yearly[a.recommended] <= yearly[role] + 1e-6


@SETTINGS
@given(salaries, salaries, st.one_of(st.none(), salaries), st.floats(1.0, 2.5), st.floats(0.0, 40.0),
       st.floats(1.0, 2000.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_costs_follow_the_salary_table(g: int, i: int, t: int | None, mult: float, team: float, days: float,
                                       over_general: float, over_it: float) -> None:
    rows = [SalaryRow("general", g, g * 0.8, g * 1.2, source="test", year=2025),
            SalaryRow("it", i, i * 0.8, i * 1.2, source="test", year=2025)]
    if t is not None:
        rows.append(SalaryRow("technical", t, t, t, source="test", year=2025))
    table = SalaryTable(tuple(rows), loaded_multiplier=mult, ratio_over_general=over_general, ratio_over_it=over_it)
    costs = cost_table(table, currency="USD", location=None, organisation=None, team_size=team,
                       duration_days=days, days_per_year=260)
    alloc = round(max(0.25, team / 8), 2)
    tech = t if t is not None else round((g * (1 + over_general) + i * (1 + over_it)) / 2)
    for role, median in (("general", g), ("it", i), ("technical", tech)):
        c = costs.costs[role]
        assert c.yearly == pytest.approx(median * mult)
        assert c.allocation == alloc
        assert c.project == pytest.approx(median * mult * alloc * days / 260)
        low, high = c.yearly_range
        assert low <= c.yearly + 1e-6 <= high + 2e-6 * c.yearly
    if t is None:
        assert costs.costs["technical"].salary.basis == "estimate"
