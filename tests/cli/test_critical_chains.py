"""Defect 2 of issue 12: the critical path is drawn as a chain only where links join the tasks.

Three parallel tasks of equal length are all critical but not linked; they were printed
as "cluster → frontend → cicd", as if each waited for the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

import pmfit
from pmfit.cli.commands import demo as demo_module
from pmfit.engine.schedule import critical_path_text

UNLINKED = """\
project: {name: Parallel, start: 2027-01-04}
tasks:
  - {id: cluster, name: Build the cluster, duration: 5d}
  - {id: frontend, name: Build the frontend, duration: 5d}
  - {id: cicd, name: Set up CI/CD, duration: 5d}
"""

# design → build is one chain; docs is critical (same length as the chain) but linked to nothing
MIXED = """\
project: {name: Mixed, start: 2027-01-04}
tasks:
  - {id: design, name: Design, duration: 2d}
  - {id: build, name: Build, duration: 3d, after: [design]}
  - {id: docs, name: Docs, duration: 5d}
  - {id: extra, name: Extra, duration: 1d}
"""


def test_unlinked_critical_tasks_are_a_list_not_a_chain() -> None:
    sched = pmfit.schedule(pmfit.loads(UNLINKED))
    assert sorted(sched.critical_path) == ["cicd", "cluster", "frontend"]
    text = sched.critical_path_text()
    assert "→" not in text
    assert text.startswith("tasks not linked to one another: ")
    assert sorted(text.split(": ", 1)[1].split(", ")) == ["cicd", "cluster", "frontend"]


def test_a_chain_and_a_lone_critical_task() -> None:
    sched = pmfit.schedule(pmfit.loads(MIXED))
    assert sorted(sched.critical_path) == ["build", "design", "docs"]  # extra has 4 days of float
    assert sched.critical_path_text() == "design → build; not linked: docs"


def test_text_shortens_long_chains_and_counts_the_rest() -> None:
    chains = [[f"t{i}" for i in range(20)], ["a", "b"], ["c", "d"], ["e", "f"], ["x"]]
    text = critical_path_text(chains, [t for c in chains for t in c], max_chains=2, max_tasks=3)
    assert text == "t0 → t1 → t2 → … (20 tasks); a → b; 2 more chain(s); not linked: x"
    assert critical_path_text([], []) == "(none)"


def test_schedule_command_prints_no_false_chain(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "parallel.yaml"
    path.write_text(UNLINKED, encoding="utf-8")
    result = cli("schedule", path)
    assert result.exit_code == 0, result.stderr
    last = result.stdout.split("critical path:", 1)[1]
    assert "→" not in last
    assert "not linked" in last and "cluster" in last and "cicd" in last


def test_diff_prints_no_false_chain(cli: Callable[..., Result], tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(MIXED, encoding="utf-8")
    new.write_text(UNLINKED, encoding="utf-8")
    result = cli("diff", old, new)
    assert result.exit_code == 0, result.stderr
    before = next(line for line in result.stdout.splitlines() if line.startswith("Critical path before"))
    after = next(line for line in result.stdout.splitlines() if line.startswith("Critical path after"))
    assert before.endswith("design → build; not linked: docs")
    assert "→" not in after and "not linked" in after
    md = pmfit.diff(pmfit.loads(MIXED), pmfit.loads(UNLINKED)).to_markdown()
    assert "- after: tasks not linked to one another:" in md


def test_demo_prints_no_false_chain() -> None:
    plan = pmfit.loads(UNLINKED)
    project = pmfit.Project(plan)
    ctx = demo_module.DemoContext("parallel.yaml", "parallel.yaml", plan, project.current, project)
    line = demo_module.step_critical_path(ctx)
    assert "→" not in line.text and "not linked" in line.text


def test_technical_report_names_the_chains() -> None:
    md = pmfit.report(pmfit.loads(MIXED), "technical", "md")
    assert "Critical path: 3 tasks (design → build; not linked: docs)" in str(md)
