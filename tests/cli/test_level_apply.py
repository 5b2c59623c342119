"""Defect 6 of issue 12: ``pmfit level --apply`` keeps the leveled dates as leveling delays.

MS Project stores a Leveling Delay per task and "Clear Leveling" removes it; so does pmfit:
``--apply`` writes ``leveling_delay`` into each task that moved (comments and layout of the
plan file kept, atomically), the CPM honours it, and ``--clear`` restores the original file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import pmfit

# One developer, two tasks that both need them: leveling runs them one after the other.
# By hand: unleveled, a (3d) and b (2d) both start Mon 4 Jan; the finish is Wed 6 Jan (3 days).
# Leveled, one waits for the other: 5 working days, finishing Fri 8 Jan.
PLAN = """\
# A plan with one developer and two parallel tasks
project: {name: Lev, start: 2027-01-04}
resources:
  - {id: dev, name: Developer, units: 1}
tasks:
  - {id: a, name: Backend, duration: 3d, needs: {dev: 1}}  # the API
  - id: b
    name: Frontend
    duration: 2d
    needs: {dev: 1}
    priority: 900  # the UI goes first
    # the UI waits for nobody
  - {id: c, name: Release, milestone: true, after: [a, b]}
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_leveling_delay_is_honoured_by_the_cpm() -> None:
    plan = pmfit.loads(PLAN.replace("needs: {dev: 1}}  # the API", "needs: {dev: 1}, leveling_delay: 2d}"))
    sched = pmfit.schedule(plan)
    assert sched.tasks["a"].start.isoformat() == "2027-01-06T08:00:00"  # Mon 4 + 2 working days
    assert sched.finish.isoformat() == "2027-01-08T17:00:00"
    with pytest.raises(pmfit.PlanError):
        pmfit.loads(PLAN.replace("needs: {dev: 1}}  # the API", "needs: {dev: 1}, leveling_delay: -1d}"))


def test_delay_adds_to_links_and_constraints() -> None:
    text = """\
project: {name: D, start: 2027-01-04}
tasks:
  - {id: a, duration: 2d}
  - {id: b, duration: 1d, after: [a], leveling_delay: 1d}
  - {id: c, duration: 1d, constraint: {start_no_earlier_than: 2027-01-05}, leveling_delay: 2d}
"""
    sched = pmfit.schedule(pmfit.loads(text))
    assert sched.tasks["b"].start.isoformat() == "2027-01-07T08:00:00"  # a ends Tue 5; + 1 day waits
    assert sched.tasks["c"].start.isoformat() == "2027-01-07T08:00:00"  # SNET Tue 5 + 2 days


def test_api_apply_and_clear() -> None:
    plan = pmfit.loads(PLAN)
    leveled = pmfit.level(plan, time_limit=1.0, method="heuristic")
    applied = pmfit.apply_leveling(plan, time_limit=1.0, method="heuristic")
    assert {t.id: str(t.leveling_delay) for t in applied.tasks if t.leveling_delay} == {"a": "2d"}
    assert pmfit.schedule(applied).finish == leveled.finish_after
    assert pmfit.schedule(applied).finish.isoformat() == "2027-01-08T17:00:00"
    assert pmfit.clear_leveling(applied) == plan
    # applying again levels the plan without its old delays: the same delays
    assert pmfit.apply_leveling(applied, time_limit=1.0, method="heuristic") == applied


def test_cli_apply_then_schedule_then_clear(cli: Callable[..., Result], plan_file: Path) -> None:
    before = cli("schedule", plan_file, "--json")
    assert json.loads(before.stdout)["finish"].startswith("2027-01-06T17:00")
    applied = cli("level", plan_file, "--apply", "--method", "heuristic", "--time-limit", "1s")
    assert applied.exit_code == 0, applied.stderr
    text = plan_file.read_text(encoding="utf-8")
    assert "  - {id: a, name: Backend, duration: 3d, needs: {dev: 1}, leveling_delay: 2d}  # the API\n" in text
    assert text.replace(", leveling_delay: 2d", "") == PLAN  # nothing else changed, comments kept
    after = cli("schedule", plan_file, "--json")
    assert json.loads(after.stdout)["finish"].startswith("2027-01-08T17:00")
    assert "Fri 08 Jan 2027" in applied.stdout
    cleared = cli("level", plan_file, "--clear")
    assert cleared.exit_code == 0, cleared.stderr
    assert plan_file.read_text(encoding="utf-8") == PLAN
    assert json.loads(cli("schedule", plan_file, "--json").stdout)["finish"].startswith("2027-01-06T17:00")


def test_block_style_task_gets_its_own_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    # b first in priority order is block style: give a the priority so b waits
    path = tmp_path / "plan.yaml"
    text = PLAN.replace("priority: 900", "priority: 100")
    path.write_text(text, encoding="utf-8")
    assert cli("level", path, "--apply", "--method", "heuristic", "--time-limit", "1s").exit_code == 0
    written = path.read_text(encoding="utf-8")
    assert "    priority: 100  # the UI goes first\n    leveling_delay: 3d\n    # the UI waits" in written
    assert pmfit.schedule(pmfit.load(path)).finish.isoformat() == "2027-01-08T17:00:00"
    assert cli("level", path, "--clear").exit_code == 0
    assert path.read_text(encoding="utf-8") == text


def test_a_baseline_of_the_leveled_plan(cli: Callable[..., Result], plan_file: Path) -> None:
    assert cli("level", plan_file, "--apply", "--method", "heuristic", "--time-limit", "1s").exit_code == 0
    assert cli("baseline", plan_file).exit_code == 0
    plan = pmfit.load(plan_file)
    assert plan.baselines[0].finish is not None
    assert plan.baselines[0].finish.isoformat() == "2027-01-08T17:00:00"


def test_apply_refuses_other_formats(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(pmfit.loads(PLAN).model_dump(mode="json")), encoding="utf-8")
    result = cli("level", path, "--apply")
    assert result.exit_code == 1
    assert "not_a_yaml_plan" in result.stderr
    assert "Traceback" not in result.stderr


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "src" / "pmfit" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_applied_delays_reproduce_the_leveled_schedule(path: Path) -> None:
    """With progress too: every task not yet started starts where leveling put it, and the finish is the same."""
    plan = pmfit.load(path)
    project = pmfit.Project(plan)
    leveled = pmfit.level(project, method="heuristic", schedules=300)
    applied = pmfit.apply_leveling(plan, method="heuristic", schedules=300)
    sched = pmfit.schedule(applied)
    assert sched.finish == leveled.finish_after
    status = project.status
    unstarted = [tid for tid in leveled.tasks if status is None or status.tasks[tid].state == "not_started"]
    assert unstarted
    assert all(sched.tasks[tid].start == leveled.tasks[tid].start for tid in unstarted)
    assert any(t.leveling_delay is not None for t in applied.tasks)


def test_why_names_the_leveling_delay() -> None:
    plan = pmfit.loads("""\
project: {name: W, start: 2027-01-04}
tasks:
  - {id: a, duration: 2d}
  - {id: b, duration: 2d, after: ["a FS+1d"], leveling_delay: 1d}
  - {id: c, duration: 1d, leveling_delay: 3d}
""")
    b = pmfit.why(plan, "b")[0]
    assert b.link == "a FS +1d lag" and b.reason.endswith("and its leveling delay of 1d")
    c = pmfit.why(plan, "c")[0]
    assert c.kind == "leveling" and c.reason.startswith("the project start") and "leveling delay of 3d" in c.reason


def test_apply_json_says_what_was_written(cli: Callable[..., Result], plan_file: Path) -> None:
    result = cli("level", plan_file, "--apply", "--method", "heuristic", "--time-limit", "1s", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["leveling_delays"] == {"a": "2d"}
    assert data["finish_unleveled"].startswith("2027-01-06T17:00") and data["finish_after"].startswith("2027-01-08")
    assert cli("level", plan_file, "--apply", "--clear").exit_code == 2  # one or the other
