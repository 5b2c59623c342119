"""Earned value and earned schedule: published worked examples, end-to-end plans, invariants.

The worked examples live in tests/cases/evm/*.yaml with their sources and the
hand-written expected figures; this file only runs them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pmfit
from pmfit.engine.baseline import freeze, with_baseline
from pmfit.engine.track import (
    Figures,
    earned_schedule_periods,
    earned_schedule_time,
    earned_value,
)
from pmfit.model.plan import TaskProgress

CASES = Path(__file__).parents[1] / "cases" / "evm"


def _case(name: str) -> dict[str, Any]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _check(figures: Figures, expect: dict[str, float], rel: float = 1e-6) -> None:
    for key, want in expect.items():
        got = getattr(figures, key)
        assert got == pytest.approx(want, rel=rel, abs=1e-6), key


# ---- worked examples (formulas) ------------------------------------------------
def test_pra_toy_project_figures() -> None:
    case = _case("pra_toy_project.yaml")
    inp, expect = case["inputs"], dict(case["expect"])
    pv = inp["pv_cumulative"][inp["period"] - 1]
    figures = Figures(inp["bac"], pv, inp["ev"], inp["ac"])
    es = earned_schedule_periods(inp["pv_cumulative"], inp["ev"])
    at = inp["period"]
    pd_ = len(inp["pv_cumulative"])
    assert es == pytest.approx(expect.pop("es"))
    assert es / at == pytest.approx(expect.pop("spi_t"), rel=1e-6)
    assert es - at == pytest.approx(expect.pop("sv_t"))
    assert pd_ / (es / at) == pytest.approx(expect.pop("ieac_t"), rel=1e-6)
    _check(figures, expect)


def test_status_report_period12_task_level_rollup() -> None:
    case = _case("status_report_period12.yaml")
    total = Figures(0, 0, 0, 0)
    for row in case["tasks"].values():
        ev = row["bac"] * row["percent"] / 100
        total = total + Figures(row["bac"], row["pv"], ev, row["ac"])
    expect = dict(case["expect"])
    published = expect.pop("published_rounded")
    _check(total, expect)
    assert round(total.eac_cpi) == published["eac_cpi"]
    assert round(total.vac) == published["vac"]


@pytest.mark.parametrize("index", [0, 1])
def test_single_figure_examples(index: int) -> None:
    case = _case("single_figures.yaml")["cases"][index]
    _check(Figures(**case["inputs"]), case["expect"], rel=1e-5)


def test_earned_schedule_periods_edges() -> None:
    pv = [10.0, 20.0, 40.0]
    assert earned_schedule_periods(pv, 0) == 0
    assert earned_schedule_periods(pv, 10) == 1          # exactly PV_1: one whole period
    assert earned_schedule_periods(pv, 5) == pytest.approx(0.5)
    assert earned_schedule_periods(pv, 40) == 3          # everything earned: the planned duration
    assert earned_schedule_periods([10.0, 10.0, 20.0], 15) == pytest.approx(2.5)  # a flat period is skipped


def test_ratios_with_a_zero_denominator_are_none() -> None:
    f = Figures(100, 0, 0, 0)
    assert f.spi is None and f.cpi is None and f.eac_cpi is None and f.eac_cpi_spi is None
    assert f.eac == 100  # falls back to AC + (BAC - EV)
    assert Figures(100, 50, 50, 100).tcpi is None


# ---- the same example through the whole engine --------------------------------
def _baselined(text: str, name: str = "baseline") -> pmfit.Plan:
    plan = pmfit.loads(text)
    frozen = freeze(plan.model_copy(update={"progress": None}), name=name)
    return with_baseline(plan, frozen)


PLAN_CASES = sorted(p for p in CASES.glob("*.yaml") if "plan" in yaml.safe_load(p.read_text(encoding="utf-8")))
_PROJECT_KEYS = ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac_cpi", "eac_atypical", "eac_cpi_spi",
                 "etc", "vac", "tcpi")
_ES_KEYS = {"es_days": "es", "at_days": "at", "pd_days": "pd", "spi_t": "spi_t", "ieac_t_days": "ieac_t"}


@pytest.mark.parametrize("path", PLAN_CASES, ids=[p.stem for p in PLAN_CASES])
def test_worked_plans_end_to_end(path: Path) -> None:
    """Each case's plan, baselined without its progress, gives the hand-written figures."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = _baselined(case["plan"])
    result = earned_value(plan)
    want = case["expect_plan"]
    p, es = result.project, result.schedule
    for key in _PROJECT_KEYS:
        if key in want:
            assert getattr(p, key) == pytest.approx(want[key], rel=1e-6), key
    for key, attr in _ES_KEYS.items():
        if key in want:
            assert getattr(es, attr) == pytest.approx(want[key], rel=1e-6), key
    if "es_forecast_finish" in want:
        assert es.forecast_finish == dt.datetime.fromisoformat(str(want["es_forecast_finish"]))
    if "forecast_finish" in want:
        assert result.forecast_finish == dt.datetime.fromisoformat(str(want["forecast_finish"]))
    if "diagnostics" in want:
        assert sorted({d.code for d in result.diagnostics}) == sorted(want["diagnostics"])
    for tid, figures in want.get("tasks", {}).items():
        for key, value in figures.items():
            assert getattr(result.tasks[tid].figures, key) == pytest.approx(value, rel=1e-6), (tid, key)
    # the time-phased table ends at the budget and agrees with the baseline's own table
    assert result.timephased[-1].pv == pytest.approx(p.bac)
    frozen = {row.date: row.pv for row in plan.baseline().timephased}
    for row in result.timephased:
        if row.date in frozen:
            assert row.pv == pytest.approx(frozen[row.date])
    status_day = result.status_date.date()
    on_status_day = [r for r in result.timephased if r.date == status_day]
    for row in on_status_day:   # daily periods: the reconstructed history ends at today's EV and AC
        assert row.ev == pytest.approx(p.ev) and row.ac == pytest.approx(p.ac)


WBS = """\
project: {name: W, start: 2027-01-04}
resources:
  - {id: dev, rate: 50/h}
tasks:
  - {id: s}
  - {id: a, parent: s, duration: 2d, needs: {dev: 1}}
  - {id: b, parent: s, duration: 2d, after: [a], needs: {dev: 2}}
  - {id: c, duration: 1d, after: [s], cost: 300}
progress:
  status_date: 2027-01-05
  ev_method: METHOD
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-05, actual_cost: 900}
    b: {actual_start: 2027-01-05, percent_complete: 40}
"""
# Budgets: a = 16h x 50 = 800; b = 2 x 16h x 50 = 1600; c = 300 (fixed); BAC = 2700.
# Status end of Tue 5 Jan = day 2: PV a = 800, b = 0 (planned Wed-Thu), c = 0 -> PV = 800.
# b started a day early, 40% done; AC of b is derived: 1 day x 8h x 2 x 50 = 800.


@pytest.mark.parametrize(("method", "ev_b"), [("percent", 640.0), ("0/100", 0.0), ("50/50", 800.0)])
def test_ev_methods_and_wbs_rollup(method: str, ev_b: float) -> None:
    plan = _baselined(WBS.replace("METHOD", method))
    result = earned_value(plan)
    assert result.project.bac == pytest.approx(2700)
    assert result.project.pv == pytest.approx(800)
    assert result.tasks["a"].figures.ev == pytest.approx(800)
    assert result.tasks["b"].figures.ev == pytest.approx(ev_b)
    assert result.tasks["b"].figures.ac == pytest.approx(800)
    assert result.tasks["b"].ac_derived
    branch = result.tasks["s"].figures
    assert branch.bac == pytest.approx(2400)
    assert branch.ev == pytest.approx(800 + ev_b)
    assert branch.ac == pytest.approx(1700)
    assert result.project.ev == pytest.approx(800 + ev_b)
    assert "derived_actual_cost" in {d.code for d in result.diagnostics}


def test_task_added_after_the_baseline_has_no_budget_but_keeps_its_cost() -> None:
    plan = _baselined(WBS.replace("METHOD", "percent"))
    tasks = [*plan.tasks, pmfit.Task(id="x", duration="1d", after=["c"])]  # type: ignore[list-item]
    progress = plan.progress.model_copy(update={"tasks": {  # type: ignore[union-attr]
        **plan.progress.tasks,  # type: ignore[union-attr]
        "x": TaskProgress(actual_start=dt.date(2027, 1, 5), actual_cost=123.0)}})
    changed = plan.model_copy(update={"tasks": tasks, "progress": progress})
    changed = pmfit.Plan.model_validate(changed.model_dump())
    result = earned_value(changed)
    assert result.tasks["x"].figures.bac == 0
    assert result.tasks["x"].figures.ac == 123
    assert result.project.ac == pytest.approx(900 + 800 + 123)
    assert "not_in_baseline" in {d.code for d in result.diagnostics}


def test_missing_and_unknown_baselines_are_clear_errors() -> None:
    plan = pmfit.loads(WBS.replace("METHOD", "percent"))
    with pytest.raises(pmfit.PlanError) as err:
        earned_value(plan)
    assert err.value.codes == ["no_baseline"]
    with pytest.raises(pmfit.PlanError) as err:
        earned_value(_baselined(WBS.replace("METHOD", "percent")), baseline="baselin")
    assert err.value.codes == ["unknown_baseline"]
    assert "did you mean 'baseline'" in str(err.value)


def test_a_finished_late_project_has_spi_one_but_spi_t_below_one() -> None:
    # Lipke's point: at the end of a late project SPI = 1, SPI(t) < 1.
    text = """\
project: {name: L, start: 2027-01-04}
tasks:
  - {id: a, duration: 5d, cost: 1000}
  - {id: b, duration: 5d, after: [a], cost: 1000}
progress:
  status_date: 2027-01-22
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-12, actual_cost: 1000}
    b: {actual_start: 2027-01-13, actual_finish: 2027-01-22, actual_cost: 1000}
"""
    result = earned_value(_baselined(text))
    assert result.project.spi == pytest.approx(1.0)
    # ES = PD = 10 days, AT = 15 days -> SPI(t) = 2/3
    assert result.schedule.es == pytest.approx(10)
    assert result.schedule.at == pytest.approx(15)
    assert result.schedule.spi_t == pytest.approx(2 / 3)
    assert result.schedule.forecast_finish == dt.datetime(2027, 1, 22, 17, 0)


# ---- invariants -----------------------------------------------------------------
@st.composite
def plans(draw: st.DrawFn) -> tuple[str, int]:
    n = draw(st.integers(1, 6))
    lines = ["project: {name: H, start: 2027-01-04}", "resources:", "  - {id: r, rate: 40/h}", "tasks:"]
    for i in range(n):
        d = draw(st.integers(0, 6))
        preds = draw(st.lists(st.integers(0, max(i - 1, 0)), max_size=2, unique=True)) if i else []
        after = f", after: [{', '.join(f't{p}' for p in preds)}]" if preds else ""
        cost = draw(st.sampled_from(["", ", cost: 250"]))
        body = "milestone: true" if d == 0 else f"duration: {d}d, needs: {{r: 1}}{cost}"
        lines.append(f"  - {{id: t{i}, {body}{after}}}")
    return "\n".join(lines) + "\n", draw(st.integers(0, 30))


def _on_plan(text: str, day: int) -> pmfit.Plan:
    """The plan with progress exactly as its baseline planned, as of working day ``day``."""
    plan = pmfit.loads(text)
    base = freeze(plan)
    sched = pmfit.schedule(plan)
    cal = sched.calendar
    status = cal.finish_at(cal.day_end(sched.start.date()) + (day - 1) * 480) if day else None
    status_date = status.date() if status else sched.start.date() - dt.timedelta(days=1)
    now = cal.day_end(status_date)
    records: dict[str, dict[str, Any]] = {}
    for tid, bt in base.tasks.items():
        s, f = cal.offset(bt.start), cal.offset(bt.finish)
        if bt.milestone:
            if f <= now:
                records[tid] = {"actual_start": bt.start, "actual_finish": bt.finish, "actual_cost": bt.cost}
        elif f <= now:
            records[tid] = {"actual_start": bt.start.date(), "actual_finish": bt.finish.date(),
                            "actual_cost": bt.cost}
        elif s < now:
            pct = 100.0 * (now - s) / (f - s)
            records[tid] = {"actual_start": bt.start.date(), "percent_complete": pct,
                            "actual_cost": bt.cost * pct / 100}
    data = plan.model_dump()
    data["progress"] = {"status_date": status_date, "tasks": records}
    data["baselines"] = [base.model_dump()]
    return pmfit.Plan.model_validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_a_project_exactly_on_plan(case: tuple[str, int]) -> None:
    text, day = case
    plan = _on_plan(text, day)
    result = earned_value(plan)
    p = result.project
    assert p.ev <= p.bac + 1e-6
    assert p.ev == pytest.approx(p.pv, rel=1e-9, abs=1e-6)
    assert p.ac == pytest.approx(p.ev, rel=1e-9, abs=1e-6)
    if p.pv > 0:
        assert p.spi == pytest.approx(1.0)
    if p.ac > 0:
        assert p.cpi == pytest.approx(1.0)
        assert p.eac == pytest.approx(p.bac)          # EAC = BAC when CPI = 1
        assert p.eac_cpi_spi == pytest.approx(p.bac)
        assert p.vac == pytest.approx(0, abs=1e-6)
    # on plan, the earned schedule never runs ahead of the actual time
    assert result.schedule.es <= result.schedule.at + 1e-6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 20), st.one_of(st.just(0.0), st.floats(0.01, 1000))),
                min_size=1,
                max_size=6), st.one_of(st.just(0.0), st.floats(1e-6, 1)))
def test_earned_schedule_inverts_the_pv_curve(tasks: list[tuple[int, int, float]], share: float) -> None:
    """Against a brute-force scan of the PV curve minute by minute (an obviously correct oracle)."""
    starts = np.array([s for s, _, _ in tasks], dtype=np.int64)
    finishes = starts + np.array([d for _, d, _ in tasks], dtype=np.int64)
    costs = np.array([c for _, _, c in tasks], dtype=float)
    ev = share * costs.sum()
    got = earned_schedule_time(starts, finishes, costs, ev)
    grid = np.arange(0, int(finishes.max()) + 2, dtype=float)
    span = (finishes - starts).astype(float)
    frac = np.where(span > 0, (grid[:, None] - starts) / np.where(span > 0, span, 1),
                    (grid[:, None] >= finishes).astype(float))
    pv = (np.clip(frac, 0, 1) * costs).sum(axis=1)
    if ev <= 0:
        return
    first = int(np.flatnonzero(pv >= ev * (1 - 1e-9))[0])   # first whole minute with PV >= EV
    assert first - 1 - 1e-6 <= got <= first + 1e-6
    # PV at the returned time reaches EV (up to interpolation rounding)
    col = np.array([[got]])
    frac_at = np.where(span > 0, (col - starts) / np.where(span > 0, span, 1), (col >= finishes).astype(float))
    assert float((np.clip(frac_at, 0, 1) * costs).sum()) >= ev - 1e-6 * max(1.0, ev)


@settings(max_examples=30, deadline=None)
@given(plans(), st.floats(0, 100))
def test_ev_never_exceeds_bac(case: tuple[str, int], pct: float) -> None:
    text, day = case
    plan = _on_plan(text, day)
    # overwrite every in-progress percent with an arbitrary one
    records = {tid: (rec.model_copy(update={"percent_complete": pct}) if rec.actual_finish is None else rec)
               for tid, rec in plan.progress.tasks.items()}  # type: ignore[union-attr]
    plan = plan.model_copy(update={"progress": plan.progress.model_copy(update={"tasks": records})})  # type: ignore[union-attr]
    result = earned_value(plan)
    assert result.project.ev <= result.project.bac + 1e-6
    for row in result.tasks.values():
        assert row.figures.ev <= row.figures.bac + 1e-6


def test_a_task_removed_after_the_baseline_keeps_its_planned_value() -> None:
    plan = _baselined(WBS.replace("METHOD", "percent"))
    # drop c (budget 300, planned Fri 8 Jan) from the plan, keep the baseline
    data = plan.model_dump()
    data["tasks"] = [t for t in data["tasks"] if t["id"] != "c"]
    smaller = pmfit.Plan.model_validate(data)
    result = earned_value(smaller, as_of=dt.date(2027, 1, 11))
    assert result.tasks["c"].state == "removed"
    assert result.tasks["c"].figures.pv == pytest.approx(300) and result.tasks["c"].figures.ev == 0
    assert result.project.bac == pytest.approx(2700)
    assert result.project.pv == pytest.approx(2700)
