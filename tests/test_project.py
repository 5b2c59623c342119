"""One plan, one truth: the project object, its current schedule, labels and one compile per report."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import pmfit
from pmfit.project import SIMULATION, Project

CASES = Path(__file__).parent / "cases" / "current"
GOLDEN = CASES / "golden_current_finish.yaml"
CURRENT_FINISH = dt.datetime(2027, 1, 21, 17, 0)
PLANNED_FINISH = dt.datetime(2027, 1, 19, 17, 0)


@pytest.fixture
def golden() -> pmfit.Plan:
    plan = pmfit.load(GOLDEN)
    # a baseline of the plan as it was before anything happened, for earned value
    return pmfit.baseline(plan, "approved", ignore_progress=True)


# ---- counting compiles ---------------------------------------------------------------
@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call of ``compile_plan``, wherever it was imported from."""
    import sys

    import pmfit.engine.network as network

    original = network.compile_plan
    calls: list[str] = []

    def counted(plan: pmfit.Plan, *args: object, **kwargs: object) -> pmfit.Network:
        calls.append(plan.project.name)
        return original(plan, *args, **kwargs)  # type: ignore[arg-type]

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("pmfit") and getattr(module, "compile_plan", None) is original:
            monkeypatch.setattr(module, "compile_plan", counted)
    yield calls


def test_a_report_is_gathered_with_one_compile(golden: pmfit.Plan, compiles: list[str]) -> None:
    facts = pmfit.status_facts(golden, iterations=500)
    assert facts.leveling is not None and facts.risk is not None and facts.evm is not None
    assert facts.changes is not None and facts.advice is not None
    assert compiles == ["Golden current finish"]


def test_the_example_report_is_one_compile_too(compiles: list[str]) -> None:
    plan = pmfit.load(Path(__file__).parents[1] / "examples" / "software-release.yaml")
    compiles.clear()  # loading validates (and compiles) the plan; the report must not compile again
    pmfit.report(plan, "technical", iterations=500)
    assert len(compiles) == 1


def test_a_project_caches_its_results(golden: pmfit.Plan, compiles: list[str]) -> None:
    project = Project(golden)
    assert project.schedule() is project.schedule()
    assert project.simulate(300, 1) is project.simulate(300, 1)
    assert project.earned_value() is project.earned_value()
    project.level(time_limit=0.5)
    assert project.level(time_limit=0.5) is project.leveled
    assert len(compiles) == 1


# ---- the golden current finish --------------------------------------------------------
def test_the_current_schedule_respects_progress(golden: pmfit.Plan) -> None:
    sched = pmfit.schedule(golden)
    assert sched.finish == CURRENT_FINISH
    assert sched["a"].start == dt.datetime(2027, 1, 4, 8) and sched["a"].finish == dt.datetime(2027, 1, 11, 17)
    assert sched["b"].start == dt.datetime(2027, 1, 12, 8) and sched["b"].finish == dt.datetime(2027, 1, 18, 17)
    assert sched["c"].start == dt.datetime(2027, 1, 14, 8) and sched["c"].finish == dt.datetime(2027, 1, 15, 17)
    assert pmfit.schedule(golden, as_planned=True).finish == PLANNED_FINISH


def test_schedule_why_status_report_and_risk_agree_on_the_current_finish(golden: pmfit.Plan) -> None:
    # schedule
    assert pmfit.schedule(golden).finish == CURRENT_FINISH
    # why: the chain of the last task ends at b's actual start; c is held after the status date
    chain = pmfit.why(golden, "go")
    assert chain[0].start == CURRENT_FINISH
    assert [s.task for s in chain] == ["go", "d", "b"] and chain[-1].kind == "actual_start"
    assert "actual start" in chain[-1].reason
    held = pmfit.why(golden, "c")
    assert held[-1].kind == "status_date" and "held after the status date" in held[-1].reason
    # status (earned value): the forecast finish is the current schedule's
    assert pmfit.earned_value(golden).forecast_finish == CURRENT_FINISH
    # report
    facts = pmfit.status_facts(golden, iterations=300)
    assert facts.schedule.finish == CURRENT_FINISH
    labelled = {f.key: f for f in facts.finishes}
    assert labelled["current"].finish == CURRENT_FINISH and labelled["current"].label == "current schedule"
    assert labelled["as_planned"].finish == PLANNED_FINISH
    assert labelled["baseline"].finish == PLANNED_FINISH
    assert labelled["p80"].label.startswith("P80 of the simulation (300 iterations")
    # risk with degenerate estimates: every iteration is the current schedule
    flat = golden.model_copy(update={"tasks": [t.model_copy(update={"estimate": None}) for t in golden.tasks]})
    result = pmfit.simulate(flat, 200, seed=1)
    cal = pmfit.schedule(flat).calendar
    assert cal.finish_at(result.percentile(50)) == cal.finish_at(result.percentile(80)) == CURRENT_FINISH


def test_the_cli_shows_the_same_current_finish(golden: pmfit.Plan, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pmfit.cli.app import app

    plan_file = tmp_path / "golden.yaml"
    plan_file.write_text(GOLDEN.read_text())
    runner = CliRunner()
    out = runner.invoke(app, ["schedule", str(plan_file), "--json"])
    data = json.loads(out.stdout)
    assert data["finish"] == "2027-01-21T17:00" and data["schedule"] == "current"
    planned = json.loads(runner.invoke(app, ["schedule", str(plan_file), "--json", "--as-planned"]).stdout)
    assert planned["finish"] == "2027-01-19T17:00" and planned["schedule"] == "planned"
    why = runner.invoke(app, ["why", str(plan_file), "c"])
    assert "held after the status date" in why.stdout.replace("\n", " ")
    risk = json.loads(runner.invoke(app, ["risk", str(plan_file), "--json", "-n", "300",
                                          "--no-risk-impact"]).stdout)
    assert risk["schedule"] == "current"
    assert risk["deterministic"]["date"] == "2027-01-21T17:00"


def test_risk_and_report_give_the_same_p80_with_the_same_iterations_and_seed(golden: pmfit.Plan) -> None:
    risk = pmfit.simulate(golden, 700, seed=11)
    facts = pmfit.status_facts(golden, iterations=700, seed=11)
    assert facts.risk is not None
    assert facts.risk.p80 == risk.network.calendar.finish_at(risk.percentile(80))  # type: ignore[union-attr]
    # and one policy when nobody says: the report's defaults are the simulation's
    assert pmfit.simulate(golden).iterations == SIMULATION.iterations
    assert pmfit.simulate(golden).seed == SIMULATION.seed


def test_leveling_keeps_started_work_where_it_is(golden: pmfit.Plan) -> None:
    leveled = pmfit.level(golden, time_limit=1.0)
    tasks = leveled.tasks
    # a finished and b in progress do not move; c and d share no one with b, d waits for dev and qa
    assert tasks["a"].start == dt.datetime(2027, 1, 4, 8)
    assert tasks["b"].finish == dt.datetime(2027, 1, 18, 17)
    assert leveled.finish_before == CURRENT_FINISH
    assert leveled.finish_after is not None and leveled.finish_after >= CURRENT_FINISH
    planned = pmfit.level(golden, time_limit=1.0, as_planned=True)
    assert planned.finish_before == PLANNED_FINISH


def test_a_status_date_before_the_start_is_refused_by_the_api(golden: pmfit.Plan) -> None:
    with pytest.raises(pmfit.PlanError) as err:
        pmfit.earned_value(golden, as_of=dt.date(2026, 12, 1))
    assert err.value.codes == ["bad_status_date"]
    with pytest.raises(pmfit.PlanError) as err:
        pmfit.status_facts(golden, as_of=dt.date(2026, 12, 1))
    assert err.value.codes == ["bad_status_date"]


def test_results_serialise_to_json(golden: pmfit.Plan) -> None:
    project = Project(golden)
    project.simulate(200, 3)
    project.earned_value()
    data = json.loads(json.dumps(project.to_dict()))
    assert data["schedule"]["finish"] == "2027-01-21T17:00" and data["schedule"]["kind"] == "current"
    assert [f["key"] for f in data["finishes"]] == ["current", "as_planned", "p50", "p80", "baseline"]
    assert data["version"] == Project(golden).version != Project(golden, as_of=dt.date(2027, 1, 12)).version
    facts = pmfit.status_facts(project, iterations=200, seed=3)
    assert json.loads(json.dumps(facts.to_dict()))["finishes"][0]["key"] == "current"


def test_load_finds_the_sidecar_baselines_and_save_baseline_writes_them(tmp_path: Path) -> None:
    plan_file = tmp_path / "golden.yaml"
    plan_file.write_text(GOLDEN.read_text())
    frozen = pmfit.save_baseline(plan_file, "v1", sidecar=True)
    assert (tmp_path / "golden.baselines.yaml").exists()
    assert plan_file.read_text() == GOLDEN.read_text()
    loaded = pmfit.load(plan_file)
    assert [b.name for b in loaded.baselines] == ["v1"]
    assert loaded.baselines[0].finish == frozen.finish == CURRENT_FINISH  # the current schedule, frozen
    with pytest.raises(pmfit.PlanError) as err:
        pmfit.save_baseline(plan_file, "v1", sidecar=True)
    assert err.value.codes == ["baseline_exists"]


def test_export_writes_the_current_schedule(golden: pmfit.Plan, tmp_path: Path) -> None:
    import csv

    def go_finish(path: Path) -> str:
        rows = {r["id"]: r for r in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())}
        return rows["go"]["finish"]

    pmfit.export_file(golden, tmp_path / "current.csv")
    pmfit.export_file(golden, tmp_path / "planned.csv", as_planned=True)
    assert go_finish(tmp_path / "current.csv").startswith("2027-01-21")
    assert go_finish(tmp_path / "planned.csv").startswith("2027-01-19")
    pmfit.export_file(golden, tmp_path / "current.xml")
    assert "2027-01-21T17:00:00" in (tmp_path / "current.xml").read_text(encoding="utf-8")


def test_the_demo_report_line_adds_no_second_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from pmfit.cli.commands.demo import DemoContext
    from pmfit.cli.commands.report import demo_step

    monkeypatch.delenv("PMFIT_DEMO_NO_REPORTS", raising=False)
    monkeypatch.setenv("PMFIT_DEMO_REPORTS", str(tmp_path))
    plan = pmfit.load(GOLDEN)
    project = Project(plan)
    line = demo_step(DemoContext("golden.yaml", "golden.yaml", plan, project.current, project))
    text = line.text  # type: ignore[attr-defined]
    assert "P80 of the simulation" in text and "than the current schedule" in text
    assert not re.search(r"\d{2} [A-Z][a-z]{2}( \d{4})?\b", text), text


def test_labelled_finishes_come_from_the_current_schedule_runs(golden: pmfit.Plan) -> None:
    project = Project(golden)
    current = project.level(time_limit=0.5)
    project.level(time_limit=0.5, as_planned=True)  # computed later, but not the current schedule's
    sim = project.simulate(300, 2)
    project.simulate(300, 2, as_planned=True)
    assert project.leveled is current and project.simulation is sim
    labelled = {f.key: f.finish for f in project.finishes()}
    assert labelled["leveled"] == current.finish_after
    assert labelled["p80"] == project.current.calendar.finish_at(sim.percentile(80))
