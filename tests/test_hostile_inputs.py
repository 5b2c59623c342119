"""A hostile new user: nasty but plausible inputs to every command and to the Python API.

Each test pins one defect that was found by feeding pmfit such input: bad input must give a
clear message with a stable diagnostic id, exit 1 (2 for usage errors), nothing on stdout,
never a traceback or "internal error" (exit 3), and never destroy the user's files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import pmfit

HEAD = "project: {name: P, start: 2027-01-04, calendar: {hours: 8}}\n"


@pytest.fixture
def cli() -> Callable[..., Result]:
    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    runner = CliRunner()

    def invoke(*args: object) -> Result:
        reset_consoles()
        result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
        reset_consoles()
        return result

    return invoke


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_bad_input(result: Result, code: str, *, stdout_empty: bool = True) -> None:
    both = result.stdout + result.stderr
    assert "Traceback" not in both and "internal error" not in both, both
    assert result.exit_code == 1, (result.exit_code, both)
    assert f"[{code}]" in result.stderr, result.stderr
    if stdout_empty:
        assert result.stdout == "", result.stdout


# --- a duration or lag of centuries: the calendar cannot hold the dates -------------------------

HUGE_DURATION = HEAD + "tasks:\n  - {id: a, name: A, duration: 100000d}\n"
HUGE_LAG = HEAD + ("tasks:\n  - {id: a, name: A, duration: 1d}\n"
                   "  - {id: b, name: B, duration: 1d, after: ['a FS+99999999d']}\n")


@pytest.mark.parametrize("text, task", [(HUGE_DURATION, "a"), (HUGE_LAG, "b")], ids=["duration", "lag"])
@pytest.mark.parametrize("command", [["validate"], ["schedule"], ["schedule", "--json"], ["why", "{plan}", "a"],
                                     ["baseline", "--sidecar"]], ids=" ".join)
def test_centuries_long_plan_is_bad_input_naming_the_task(cli, tmp_path: Path, text: str, task: str,
                                                           command: list[str]) -> None:
    plan = _write(tmp_path, "plan.yaml", text)
    args = [str(plan) if c == "{plan}" else c for c in command]
    if "{plan}" not in command:
        args.insert(1, str(plan))
    result = cli(*args)
    _assert_bad_input(result, "bad_calendar", stdout_empty="--json" not in command)
    assert f"task '{task}'" in result.stderr
    assert f"{plan}:{3 if task == 'a' else 4}:" in result.stderr   # the task's line
    assert not (tmp_path / "plan.baselines.yaml").exists()


def test_centuries_long_plan_raises_plan_error_from_the_api(tmp_path: Path) -> None:
    with pytest.raises(pmfit.PlanError) as info:
        pmfit.schedule(pmfit.loads(HUGE_DURATION))
    assert info.value.diagnostics[0].code == "bad_calendar"
    assert info.value.diagnostics[0].task == "a"


HUGE_ESTIMATE = HEAD + "tasks:\n  - {id: a, name: A, estimate: {optimistic: 1d, likely: 2d, pessimistic: 99999999d}}\n"
YEAR_ONE = ("project: {name: P, start: 0001-01-01}\n"
            "tasks:\n  - {id: a, name: A, duration: 3d}\n")
OK_PLAN = HEAD + "tasks:\n  - {id: a, name: A, duration: 3d}\n"


@pytest.mark.parametrize("text, command", [
    (HUGE_DURATION, ["level"]),
    (HUGE_DURATION, ["report", "--iterations", "100"]),
    (HUGE_ESTIMATE, ["risk", "-n", "200", "--no-risk-impact"]),
    (HUGE_ESTIMATE, ["report", "--iterations", "100"]),
], ids=["level", "report", "risk-estimate", "report-estimate"])
def test_dates_beyond_the_calendar_are_bad_input_in_every_command(cli, tmp_path: Path, text: str,
                                                                  command: list[str]) -> None:
    plan = _write(tmp_path, "plan.yaml", text)
    result = cli(command[0], plan, *command[1:])
    _assert_bad_input(result, "bad_calendar")


def test_diff_of_plans_two_thousand_years_apart_is_bad_input(cli, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.yaml", YEAR_ONE)
    new = _write(tmp_path, "new.yaml", OK_PLAN)
    _assert_bad_input(cli("diff", old, new), "bad_calendar")


# --- .inf / .nan in numeric fields --------------------------------------------------------------

INF_UNITS = HEAD + ("resources:\n  - {id: dev, name: Dev, units: .inf}\n"
                    "tasks:\n  - {id: a, name: A, duration: 1d, needs: {dev: .inf}}\n")
NAN_BUDGET = ("project: {name: P, start: 2027-01-04, budget: .nan}\n"
              "tasks:\n  - {id: a, name: A, duration: 1d, cost: .inf}\n")


@pytest.mark.parametrize("command", [["validate"], ["baseline"], ["advise"], ["export", "--to", "{out}"]],
                         ids=" ".join)
@pytest.mark.parametrize("text, line", [(INF_UNITS, 3), (NAN_BUDGET, 1)], ids=["inf-units", "nan-budget"])
def test_infinite_or_nan_numbers_are_bad_fields(cli, tmp_path: Path, command: list[str], text: str,
                                                line: int) -> None:
    plan = _write(tmp_path, "plan.yaml", text)
    out = tmp_path / "out.xml"
    result = cli(command[0], plan, *[str(out) if c == "{out}" else c for c in command[1:]])
    _assert_bad_input(result, "bad_field")
    assert f"{plan}:{line}:" in result.stderr and "finite" in result.stderr
    assert plan.read_text(encoding="utf-8") == text and not out.exists()


# --- a resource calendar without working time ----------------------------------------------------

RESOURCE_NEVER_WORKS = HEAD + ("resources:\n  - {id: dev, name: Dev, units: 1, calendar: {workweek: []}}\n"
                               "tasks:\n  - {id: a, name: A, duration: 1d, needs: {dev: 1}}\n")


@pytest.mark.parametrize("command", [["validate"], ["level"], ["report", "--iterations", "100"]], ids=" ".join)
def test_resource_calendar_without_working_days_is_located(cli, tmp_path: Path, command: list[str]) -> None:
    plan = _write(tmp_path, "plan.yaml", RESOURCE_NEVER_WORKS)
    result = cli(command[0], plan, *command[1:])
    _assert_bad_input(result, "bad_calendar")
    assert f"{plan}:3:" in result.stderr and "resource 'dev'" in result.stderr


# --- dates before the year 1000 -----------------------------------------------------------------

def test_baseline_of_a_plan_in_the_year_one_is_saved_and_read_back(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", YEAR_ONE)
    result = cli("baseline", plan)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "'0001-01-03 17:00'" in plan.read_text(encoding="utf-8")
    (frozen,) = pmfit.load(plan).baselines
    assert frozen.tasks["a"].finish == dt.datetime(1, 1, 3, 17, 0)


# --- an imported file without tasks ---------------------------------------------------------------

EMPTY_MSPDI = ('<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project">'
               "<Name>x</Name></Project>\n")


@pytest.mark.parametrize("command", [["validate"], ["schedule"], ["level"], ["risk"], ["baseline"]],
                         ids=" ".join)
def test_a_file_without_tasks_is_no_tasks_like_an_empty_yaml_plan(cli, tmp_path: Path,
                                                                  command: list[str]) -> None:
    plan = _write(tmp_path, "empty.xml", EMPTY_MSPDI)
    result = cli(command[0], plan, *command[1:])
    _assert_bad_input(result, "no_tasks")
    assert str(plan) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.xml"]


def test_import_still_reads_a_calendar_only_file_with_a_warning(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "empty.xml", EMPTY_MSPDI)
    result = cli("import", plan)
    assert result.exit_code == 0 and "[no_tasks]" in result.stderr
    with pytest.raises(pmfit.PlanError) as info:
        pmfit.load(plan)
    assert [d.code for d in info.value.diagnostics] == ["no_tasks"]


# --- an output path that cannot be written ---------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["report", "{plan}", "-o", "{out}.html"],
    ["export", "{plan}", "--to", "{out}.xml", "--force"],
    ["import", "{plan}", "--to", "{out}.yaml", "--force"],
    ["schema", "--out", "{out}.json"],
    ["status", "{plan}", "--plot", "{out}.png"],
], ids=lambda c: c[0] + (" --plot" if "--plot" in c else ""))
@pytest.mark.parametrize("where", ["folder", "under-a-file", "missing-folder"])
def test_unwritable_output_is_bad_input_naming_the_path(cli, tmp_path: Path, command: list[str],
                                                         where: str) -> None:
    plan_text = (OK_PLAN + "baselines:\n  - name: b\n    tasks:\n      a: {start: 2027-01-04 08:00, "
                 "finish: 2027-01-06 17:00, duration: 3d}\nprogress:\n  status_date: 2027-01-05\n")
    plan = _write(tmp_path, "plan.yaml", plan_text)
    suffix = command[-1 if "--force" not in command else -2].split("}")[1]
    out = {"folder": tmp_path / f"out{suffix}", "under-a-file": plan / f"out{suffix}",
           "missing-folder": tmp_path / "no" / "such" / f"out{suffix}"}[where]
    if where == "folder":
        out.mkdir()
    args = [c.replace("{plan}", str(plan)).replace("{out}" + suffix, str(out)) for c in command]
    result = cli(*args)
    both = result.stdout + result.stderr
    assert "Traceback" not in both and "internal error" not in both, both
    assert result.exit_code == 1, (result.exit_code, both)
    assert str(out) in result.stderr and ".tmp" not in result.stderr
    assert plan.read_text(encoding="utf-8") == plan_text
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["plan.yaml"] + (
        [out.name] if where == "folder" else []))


# --- earned schedule after the project has finished ---------------------------------------------

DONE_PLAN = """\
project: {name: P, start: 2027-01-04}
resources:
  - {id: dev, name: Dev, units: 1, rate: 100/h}
tasks:
  - {id: a, name: A, duration: 3d, needs: {dev: 1}}
baselines:
  - name: b
    tasks:
      a: {start: 2027-01-04 08:00, finish: 2027-01-06 17:00, duration: 3d, cost: 2400}
progress:
  status_date: %s
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: %s, percent_complete: 100, actual_cost: 2400}
"""


@pytest.mark.parametrize("status_date, finished, at_days, spi_t", [
    ("2027-01-06", "2027-01-06", 3.0, 1.0),   # on time, status on the finish day
    ("2027-01-15", "2027-01-06", 3.0, 1.0),   # on time, status a week later: still on time
    ("2027-01-15", "2027-01-08", 5.0, 0.6),   # two days late (Mon-Fri): ES 3 / AT 5
])
def test_earned_schedule_of_a_finished_project_stops_at_its_actual_finish(
        status_date: str, finished: str, at_days: float, spi_t: float) -> None:
    plan = pmfit.loads(DONE_PLAN % (status_date, finished))
    es = pmfit.earned_value(plan).schedule
    assert (es.es, es.at, es.pd) == (3.0, at_days, 3.0)
    assert es.spi_t == pytest.approx(spi_t)


# --- leveling a task that needs more than exist ---------------------------------------------------

def test_level_does_not_claim_resources_fit_when_a_task_needs_more_than_exist(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", HEAD + "resources:\n  - {id: dev, name: Dev, units: 1}\n"
                  "tasks:\n  - {id: a, name: A, duration: 3d, needs: {dev: 5}}\n")
    result = cli("level", plan)
    assert result.exit_code == 0
    assert "every resource stays within its units" not in result.stdout
    assert "Dev stay over their units" in result.stdout
    assert "[over_capacity]" in result.stderr


# --- a report as of a day before the project --------------------------------------------------------

def test_report_as_of_a_date_before_the_start_is_bad_input(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN)
    out = tmp_path / "r.md"
    result = cli("report", plan, "--as-of", "1900-01-01", "-o", out)
    _assert_bad_input(result, "bad_status_date")
    assert "2027-01-04" in result.stderr and "1900-01-01" in result.stderr and str(plan) in result.stderr
    assert not out.exists()


# --- a baseline without a name ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   "])
def test_baseline_with_a_blank_name_is_a_usage_error_and_leaves_the_plan(cli, tmp_path: Path, name: str) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN)
    result = cli("baseline", plan, "--name", name)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "--name" in result.stderr and "Traceback" not in result.stderr
    assert plan.read_text(encoding="utf-8") == OK_PLAN


def test_advise_consultation_to_a_folder_fails_before_printing_advice(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN)
    (tmp_path / "brief.md").mkdir()
    result = cli("advise", plan, "--consultation", tmp_path / "brief.md")
    _assert_bad_input(result, "bad_file")
    assert str(tmp_path / "brief.md") in result.stderr


# --- a constraint date or deadline centuries from the start ------------------------------------------

@pytest.mark.parametrize("task_line, when", [
    ("{id: a, name: A, duration: 1d, constraint: {start_no_earlier_than: 9999-12-31}}", "9999-12-31"),
    ("{id: a, name: A, duration: 1d, deadline: 0001-01-01}", "0001-01-01"),
], ids=["snet-9999", "deadline-year-1"])
def test_a_date_centuries_away_names_the_task_and_its_line(cli, tmp_path: Path, task_line: str,
                                                          when: str) -> None:
    plan = _write(tmp_path, "plan.yaml", HEAD + "tasks:\n  - {id: z, name: Z, duration: 1d}\n  - " + task_line + "\n")
    result = cli("validate", plan)
    _assert_bad_input(result, "bad_calendar")
    assert f"{plan}:4:" in result.stderr and "task 'a'" in result.stderr and when in result.stderr


# --- absurdly large numbers -------------------------------------------------------------------------

HUGE_NUMBERS = HEAD + ("resources:\n  - {id: dev, name: Dev, units: 1e300, rate: 1e308/h}\n"
                       "tasks:\n  - {id: a, name: A, duration: 3d, needs: {dev: 1e300}}\n")


@pytest.mark.parametrize("command", [["validate"], ["baseline"], ["report", "--iterations", "100"], ["level"]],
                         ids=" ".join)
def test_units_and_rates_beyond_any_real_plan_are_bad_fields(cli, tmp_path: Path, command: list[str]) -> None:
    plan = _write(tmp_path, "plan.yaml", HUGE_NUMBERS)
    result = cli(command[0], plan, *command[1:])
    _assert_bad_input(result, "bad_field")
    assert f"{plan}:3:" in result.stderr and "units" in result.stderr and "rate" in result.stderr
    assert f"{plan}:5:" in result.stderr and "needs.dev" in result.stderr
    assert plan.read_text(encoding="utf-8") == HUGE_NUMBERS


def test_a_million_units_and_large_rates_still_schedule_and_cost(tmp_path: Path) -> None:
    plan = pmfit.loads(HEAD + "resources:\n  - {id: dev, name: Dev, units: 1000000, rate: 1000000/h}\n"
                       "tasks:\n  - {id: a, name: A, duration: 1d, needs: {dev: 1000000}}\n")
    frozen = pmfit.baseline(plan).baselines[0]
    assert frozen.cost == pytest.approx(1e6 * 1e6 * 8)   # units x rate x 8 hours


# --- durations that str() wrote in exponent notation ------------------------------------------------

ODD_DURATIONS = HEAD + ("tasks:\n  - {id: a, name: A, duration: 1234567.5m}\n"
                        "  - {id: b, name: B, duration: 0.0000001d}\n")


def test_tiny_and_long_durations_survive_a_write_and_read(cli, tmp_path: Path) -> None:
    plan = pmfit.loads(ODD_DURATIONS)
    text = pmfit.dumps(plan)
    assert "e-07" not in text and "e+06" not in text
    assert pmfit.loads(text) == plan
    source = _write(tmp_path, "plan.yaml", ODD_DURATIONS)
    result = cli("export", source, "--to", tmp_path / "copy.yaml")
    assert result.exit_code == 0, result.stderr
    assert pmfit.load(tmp_path / "copy.yaml").tasks[0].duration == plan.tasks[0].duration


def test_mspdi_duration_of_millions_of_hours_is_not_misreported_as_a_bad_duration(cli, tmp_path: Path) -> None:
    xml = ('<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project"><Name>x</Name>'
           "<StartDate>2027-01-04T08:00:00</StartDate><Tasks><Task><UID>1</UID><ID>1</ID><Name>A</Name>"
           "<Duration>PT99999999H0M0S</Duration></Task></Tasks></Project>\n")
    plan = _write(tmp_path, "big.xml", xml)
    result = cli("schedule", plan)
    _assert_bad_input(result, "bad_calendar")
    assert "e+07" not in result.stderr


# --- an impossible calendar date --------------------------------------------------------------------

def test_an_impossible_date_names_its_line(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", HEAD + "tasks:\n  - {id: z, name: Z, duration: 1d}\n"
                  "  - {id: a, name: A, duration: 1d, deadline: 2027-02-30}\n")
    result = cli("validate", plan)
    _assert_bad_input(result, "bad_yaml")
    assert f"{plan}:4:" in result.stderr and "2027-02-30" in result.stderr


# --- a must-finish date before the project start ------------------------------------------------------

def test_must_finish_before_the_project_start_says_so_not_predecessors() -> None:
    plan = pmfit.loads(HEAD + "tasks:\n  - {id: a, name: A, duration: 1d, constraint: {must_finish_on: 2026-12-31}}\n")
    (warning,) = [d for d in pmfit.schedule(plan).diagnostics if d.code == "constraint_conflict"]
    # Thu 31 Dec 2026 17:00 is 2 working days (Thu, Fri 1 Jan is a working day here: no holidays) before
    # the start on Mon 4 Jan: the task starts Thu 31 Dec 08:00, 2 working days early
    assert "before the project start" in warning.message and "predecessors" not in warning.message
    assert "2 working days" in warning.message


# --- why TASK for a task that does not exist ---------------------------------------------------------

def test_why_unknown_task_has_its_id_and_json(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN)
    result = cli("why", plan, "aa")
    _assert_bad_input(result, "unknown_task")
    assert "did you mean 'a'" in result.stderr and str(plan) in result.stderr
    data = json.loads(cli("why", plan, "aa", "--json").stdout)
    assert data["ok"] is False and data["diagnostics"][0]["code"] == "unknown_task"


# --- report() with an audience or format it does not have ---------------------------------------------

@pytest.mark.parametrize("kwargs, word", [({"audience": "board"}, "audience"), ({"format": "docx"}, "format")])
def test_report_api_rejects_unknown_audience_or_format_quickly(kwargs: dict[str, str], word: str) -> None:
    import time

    plan = pmfit.loads(OK_PLAN)
    began = time.perf_counter()
    with pytest.raises(ValueError, match=f"unknown (report )?{word}"):
        pmfit.report(plan, iterations=100, **kwargs)  # type: ignore[arg-type]
    assert time.perf_counter() - began < 0.5   # before the facts (schedule, risk, leveling) are gathered


# --- a plan file that is a symbolic link ---------------------------------------------------------------

@pytest.mark.parametrize("command", [["baseline"], ["export", "--to", "{plan}", "--force"]], ids=" ".join)
def test_writing_a_symlinked_plan_updates_the_real_file_and_keeps_the_link(cli, tmp_path: Path,
                                                                          command: list[str]) -> None:
    (tmp_path / "shared").mkdir()
    real = _write(tmp_path / "shared", "plan.yaml", OK_PLAN)
    link = tmp_path / "plan.yaml"
    link.symlink_to(real)
    result = cli(command[0], link, *[str(link) if c == "{plan}" else c for c in command[1:]])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    if command[0] == "baseline":
        assert [b.name for b in pmfit.load(real).baselines] == ["baseline"]
    assert pmfit.load(real).tasks == pmfit.loads(OK_PLAN).tasks


# --- a named pipe or a device instead of a file ---------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", [["validate", "{fifo}"], ["schedule", "{fifo}"], ["import", "{fifo}"],
                                     ["advise", "--brief", "{fifo}"], ["advise", "--salaries", "{fifo}", "{ok}"]],
                         ids=" ".join)
def test_a_named_pipe_is_refused_at_once_instead_of_blocking(cli, tmp_path: Path, command: list[str]) -> None:
    import signal

    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    ok = _write(tmp_path, "ok.yaml", OK_PLAN)

    def hung(*_: object) -> None:
        raise TimeoutError("pmfit blocked on a named pipe")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        result = cli(*[str(fifo) if c == "{fifo}" else str(ok) if c == "{ok}" else c for c in command])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    _assert_bad_input(result, "bad_file")
    assert "not a regular file" in result.stderr and str(fifo) in result.stderr


def test_dev_null_is_not_mistaken_for_an_empty_plan(cli) -> None:
    result = cli("validate", os.devnull)
    _assert_bad_input(result, "bad_file")


# --- report --for someone who is not in the plan ---------------------------------------------------------

def test_report_for_an_unknown_stakeholder_has_an_id_and_fails_fast(cli, tmp_path: Path) -> None:
    import time

    plan = _write(tmp_path, "plan.yaml", OK_PLAN + "stakeholders:\n  - {name: Ada Lee, role: CFO, audience: business}\n")
    began = time.perf_counter()
    result = cli("report", plan, "--for", "Grace")
    _assert_bad_input(result, "unknown_stakeholder")
    assert "Ada Lee" in result.stderr and str(plan) in result.stderr
    assert time.perf_counter() - began < 2.0
    assert cli("report", plan, "--for", "CFO", "--iterations", "100").exit_code == 0


# --- a holiday subdivision the country does not have, or in lower case -----------------------------------

def test_unknown_subdivision_is_a_located_calendar_error(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", "project: {name: P, start: 2027-01-04, calendar: {country: US, "
                  "subdivision: ZZ}}\ntasks:\n  - {id: a, name: A, duration: 3d}\n")
    result = cli("schedule", plan)
    _assert_bad_input(result, "bad_calendar")
    assert f"{plan}:1:" in result.stderr and "'ZZ'" in result.stderr and "CA" in result.stderr


def test_lower_case_subdivision_means_the_same_holidays() -> None:
    upper = pmfit.loads("project: {name: P, start: 2027-11-22, calendar: {country: US, subdivision: OR}}\n"
                        "tasks:\n  - {id: a, name: A, duration: 5d}\n")
    lower = pmfit.loads("project: {name: P, start: 2027-11-22, calendar: {country: us, subdivision: or}}\n"
                        "tasks:\n  - {id: a, name: A, duration: 5d}\n")
    assert lower.project.calendar.subdivision == "OR"
    # Thanksgiving (Thu 25 Nov 2027) is skipped: Mon 22 .. Mon 29
    assert pmfit.schedule(lower).finish == pmfit.schedule(upper).finish == dt.datetime(2027, 11, 29, 17, 0)


# --- a negative remaining duration in the progress section ---------------------------------------------

def test_negative_remaining_duration_is_bad_progress_at_its_line(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN + "progress:\n  status_date: 2027-01-05\n  tasks:\n"
                  "    a: {actual_start: 2027-01-04, percent_complete: 50, remaining: -2d}\n")
    result = cli("status", plan)
    _assert_bad_input(result, "bad_progress")
    assert f"{plan}:7:" in result.stderr and "remaining" in result.stderr


def test_a_half_done_milestone_is_bad_progress(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN + "  - {id: m, name: M, milestone: true, after: [a]}\n"
                  "progress:\n  status_date: 2027-01-05\n  tasks:\n"
                  "    m: {actual_start: 2027-01-04, percent_complete: 50}\n")
    result = cli("status", plan)
    _assert_bad_input(result, "bad_progress")
    assert f"{plan}:8:" in result.stderr and "milestone" in result.stderr


# --- `pmfit schedule | head`: the reader leaves early ------------------------------------------------------

@pytest.mark.parametrize("extra", [[], ["--csv"]], ids=["table", "csv"])
def test_a_closed_pipe_is_not_bad_input(tmp_path: Path, extra: list[str]) -> None:
    import subprocess
    import sys

    chain = "".join(f"  - {{id: t{i}, name: Task number {i}, duration: 1h, after: [t{i - 1}]}}\n"
                    for i in range(1, 3000))
    plan = _write(tmp_path, "plan.yaml", HEAD + "tasks:\n  - {id: t0, name: T0, duration: 1h}\n" + chain)
    proc = subprocess.Popen([sys.executable, "-m", "pmfit", "schedule", str(plan), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "120"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(200)   # like `| head -c 200`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err


# --- calendar exceptions that contradict each other --------------------------------------------------------

@pytest.mark.parametrize("exceptions, words", [
    ("[{date: 2027-01-09}, {date: 2027-01-09, working: false}]", "two exceptions cover 2027-01-09"),
    ("[{date: 2027-01-04, until: 2027-01-08, working: false}, {date: 2027-01-06}]", "two exceptions cover 2027-01-06"),
    ("[{date: 2027-03-01, until: 2027-02-01, working: false}]", "ends (2027-02-01) before it starts"),
], ids=["same-day", "inside-a-range", "reversed"])
def test_overlapping_or_reversed_exceptions_are_bad_calendar(cli, tmp_path: Path, exceptions: str,
                                                             words: str) -> None:
    plan = _write(tmp_path, "plan.yaml", f"project: {{name: P, start: 2027-01-04, calendar: {{exceptions: "
                  f"{exceptions}}}}}\ntasks:\n  - {{id: a, name: A, duration: 3d}}\n")
    result = cli("validate", plan)
    _assert_bad_input(result, "bad_calendar")
    assert f"{plan}:1:" in result.stderr and words in result.stderr


def test_a_working_day_shorter_than_a_minute_is_bad_calendar(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.yaml", "project: {name: P, start: 2027-01-04, calendar: {hours: 0.001}}\n"
                  "tasks:\n  - {id: a, name: A, duration: 3d}\n")
    result = cli("validate", plan)
    _assert_bad_input(result, "bad_calendar")
    assert "shorter than a minute" in result.stderr and f"{plan}:1:" in result.stderr


# --- a status date in the plan file before the project starts ----------------------------------------------

@pytest.mark.parametrize("command", [["validate"], ["status"], ["report", "--iterations", "100"]], ids=" ".join)
def test_status_date_before_the_start_in_the_file_is_bad_status_date(cli, tmp_path: Path, command: list[str]) -> None:
    plan = _write(tmp_path, "plan.yaml", OK_PLAN + "baselines:\n  - name: b\n    tasks:\n      a: {start: "
                  "2027-01-04 08:00, finish: 2027-01-06 17:00, duration: 3d}\nprogress:\n  status_date: 2026-01-01\n")
    result = cli(command[0], plan, *command[1:])
    _assert_bad_input(result, "bad_status_date")
    assert f"{plan}:9:" in result.stderr and "2026-01-01" in result.stderr and "2027-01-04" in result.stderr


def test_schedule_csv_never_writes_a_formula(tmp_path: Path) -> None:
    from pmfit.cli.app import app

    plan = tmp_path / "p.yaml"
    plan.write_text('project: {name: P, start: 2027-01-04}\n'
                    'tasks: [{id: a, name: "=HYPERLINK(\\"http://x\\")", duration: 1d}]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", str(plan), "--csv"])
    assert result.exit_code == 0
    row = result.stdout.splitlines()[1]
    assert row.split(",", 2)[1].startswith(("\"'=", "'="))


def test_status_as_of_before_the_start_is_bad_input(examples_dir: Path) -> None:
    from pmfit.cli.app import app

    result = CliRunner().invoke(app, ["status", str(examples_dir / "software-release.yaml"), "--as-of", "2020-01-01"])
    assert result.exit_code == 1
    assert "[bad_status_date]" in result.stderr and result.stdout == ""
