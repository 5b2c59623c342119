"""Defect 7 of issue 12: ``pmfit progress PLAN TASK ...`` records progress without hand-editing YAML.

Only the plan file's progress section changes (the status date and the task's entry), every
comment stays, the write is atomic, and bad input is a located diagnostic with exit 1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import pmfit

PLAN = """\
# Weekly status: tracked with pmfit progress
project: {name: Track, start: 2027-01-04}
tasks:
  - {id: design, name: Design, duration: 3d}   # Mon 4 - Wed 6
  - {id: build, name: Build, duration: 5d, after: [design]}  # Thu 7 - Wed 13
  - {id: ship, name: Ship, milestone: true, after: [build]}
"""

WITH_PROGRESS = PLAN + """\
progress:
  # as of the Tuesday stand-up
  status_date: 2027-01-05
  tasks:
    design:
      actual_start: 2027-01-04  # on time
      percent_complete: 30
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_done_fills_dates_from_the_schedule_and_keeps_comments(cli: Callable[..., Result], plan_file: Path) -> None:
    result = cli("progress", plan_file, "design", "--done", "--status-date", "2027-01-06")
    assert result.exit_code == 0, result.stderr
    text = plan_file.read_text(encoding="utf-8")
    assert text.startswith(PLAN)  # everything before is byte for byte the same, comments included
    assert text[len(PLAN):] == ("progress:\n  status_date: 2027-01-06\n  tasks:\n"
                                "    design: {actual_start: 2027-01-04, actual_finish: 2027-01-06, "
                                "percent_complete: 100}\n")
    record = pmfit.load(plan_file).progress.tasks["design"]  # type: ignore[union-attr]
    assert record.actual_finish == dt.date(2027, 1, 6) and record.percent_complete == 100


def test_updates_an_existing_entry_in_place(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(WITH_PROGRESS, encoding="utf-8")
    result = cli("progress", path, "design", "--percent", "60", "--actual-cost", "1500", "--status-date",
                 "2027-01-06")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert text == WITH_PROGRESS.replace("status_date: 2027-01-05", "status_date: 2027-01-06").replace(
        "      percent_complete: 30\n", "      percent_complete: 60\n      actual_cost: 1500\n")
    # a second task gets its own entry next to the first
    assert cli("progress", path, "build", "--actual-start", "2027-01-06", "--remaining", "4d").exit_code == 0
    plan = pmfit.load(path)
    assert plan.progress is not None
    assert plan.progress.tasks["build"].actual_start == dt.date(2027, 1, 6)
    assert str(plan.progress.tasks["build"].remaining) == "4d"
    assert "# as of the Tuesday stand-up" in path.read_text(encoding="utf-8")


def test_schedule_follows_the_recorded_progress(cli: Callable[..., Result], plan_file: Path) -> None:
    # design finished a day late (Thu 7): build starts Fri 8 and ends Thu 14
    assert cli("progress", plan_file, "design", "--actual-start", "2027-01-04", "--actual-finish",
               "2027-01-07", "--status-date", "2027-01-07").exit_code == 0
    finish = json.loads(cli("schedule", plan_file, "--json").stdout)["finish"]
    assert finish.startswith("2027-01-14T17:00")


@pytest.mark.parametrize(("args", "code", "words"), [
    (["desing", "--done"], "unknown_task", "did you mean 'design'"),
    (["design", "--percent", "120"], "bad_progress", "between 0 and 100"),
    (["design", "--percent", "-5"], "bad_progress", "between 0 and 100"),
    (["design", "--actual-start", "2027-01-06", "--actual-finish", "2027-01-05"], "bad_progress", "before"),
    (["design", "--actual-start", "2026-12-31"], "bad_progress", "before the project starts"),
    (["design", "--percent", "10", "--status-date", "2026-12-01"], "bad_status_date", "before the project"),
    (["design", "--remaining", "-2d"], "bad_progress", "negative"),
    (["ship", "--percent", "50"], "bad_progress", "milestone"),
])
def test_bad_input_is_a_located_diagnostic(cli: Callable[..., Result], plan_file: Path, args: list[str],
                                           code: str, words: str) -> None:
    result = cli("progress", plan_file, *args)
    assert result.exit_code == 1, result.stdout
    assert f"[{code}]" in result.stderr and words in result.stderr
    assert str(plan_file) in result.stderr
    assert "Traceback" not in result.stderr
    assert plan_file.read_text(encoding="utf-8") == PLAN  # nothing written


def test_diagnostic_names_the_line_of_the_task(cli: Callable[..., Result], plan_file: Path) -> None:
    result = cli("progress", plan_file, "build", "--percent", "150")
    assert result.stderr.startswith(f"{plan_file}:5: error [bad_progress] task 'build'")  # build is on line 5


def test_nothing_to_record_is_a_usage_error(cli: Callable[..., Result], plan_file: Path) -> None:
    assert cli("progress", plan_file, "design").exit_code == 2
    assert cli("progress", plan_file, "design", "--actual-start", "soon").exit_code == 2


def test_api_record_progress_returns_a_new_plan() -> None:
    plan = pmfit.loads(PLAN)
    new = pmfit.record_progress(plan, "design", percent=50, status_date=dt.date(2027, 1, 5))
    assert plan.progress is None  # the plan given is not changed
    assert new.progress is not None and new.progress.status_date == dt.date(2027, 1, 5)
    record = new.progress.tasks["design"]
    assert record.percent_complete == 50 and record.actual_start == dt.date(2027, 1, 4)
    with pytest.raises(pmfit.PlanError) as err:
        pmfit.record_progress(plan, "nope", done=True)
    assert err.value.diagnostics[0].code == "unknown_task"
