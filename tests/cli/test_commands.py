"""validate, schedule, why, schema on a plan whose answers were worked out by hand (see conftest)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import EXPECTED, EXPECTED_CRITICAL, EXPECTED_FINISH, EXPECTED_FREE_FLOAT


# ---- validate ---------------------------------------------------------------
def test_validate_ok(cli, tiny_plan: Path) -> None:
    result = cli("validate", tiny_plan)
    assert result.exit_code == 0, result.stderr
    assert "ok" in result.stdout and "7 tasks, 1 resources, 0 risks" in result.stdout
    assert result.stderr == ""


def test_validate_json(cli, tiny_plan: Path) -> None:
    result = cli("validate", tiny_plan, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {"ok": True, "tasks": 7, "diagnostics": []}


def test_validate_unknown_task_names_file_line_and_id(cli, tiny_plan: Path) -> None:
    text = tiny_plan.read_text().replace('after: [b, c]', 'after: [b, cc]')
    tiny_plan.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "cc]" in row)
    result = cli("validate", tiny_plan)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{tiny_plan}:{line}:" in result.stderr
    assert "[unknown_task]" in result.stderr
    assert "did you mean 'c'" in result.stderr


def test_validate_cycle_reports_the_whole_cycle(cli, tiny_plan: Path) -> None:
    text = tiny_plan.read_text().replace("duration: 3d, parent: build,", "duration: 3d, parent: build, after: [d],")
    tiny_plan.write_text(text)
    result = cli("validate", tiny_plan)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "[dependency_cycle]" in result.stderr
    for task in ("a", "b", "d"):
        assert f"{task}" in result.stderr


def test_validate_json_error_goes_to_stdout_as_json(cli, tiny_plan: Path) -> None:
    tiny_plan.write_text(tiny_plan.read_text().replace("duration: 2d, after: [b, c]", "duration: -2d, after: [b, c]"))
    result = cli("validate", tiny_plan, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [d["code"] for d in data["diagnostics"]] == ["negative_duration"]
    assert data["diagnostics"][0]["task"] == "d"


def test_validate_strict_fails_on_warnings(cli, tiny_plan: Path) -> None:
    tiny_plan.write_text(tiny_plan.read_text().replace("needs: {dev: 1}", "needs: {dev: 3}"))
    assert cli("validate", tiny_plan).exit_code == 0
    result = cli("validate", tiny_plan, "--strict")
    assert result.exit_code == 1
    assert "[over_capacity]" in result.stderr


# ---- schedule ---------------------------------------------------------------
def test_schedule_json_matches_hand_computed_answers(cli, tiny_plan: Path) -> None:
    result = cli("schedule", tiny_plan, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["finish"] == EXPECTED_FINISH
    assert data["start"] == "2027-01-04T08:00"
    assert data["duration_days"] == 7
    assert data["critical_path"] == EXPECTED_CRITICAL
    rows = {row["id"]: row for row in data["tasks"]}
    assert list(rows) == ["build", "a", "b", "c", "d", "e", "m"]
    for tid, (start, finish, total_float, critical) in EXPECTED.items():
        row = rows[tid]
        assert (row["start"], row["finish"], row["total_float_days"], row["critical"]) == (
            start, finish, total_float, critical), tid
    for tid, free in EXPECTED_FREE_FLOAT.items():
        assert rows[tid]["free_float_days"] == free, tid
    assert rows["build"]["summary"] and rows["m"]["milestone"]


def test_schedule_csv(cli, tiny_plan: Path) -> None:
    result = cli("schedule", tiny_plan, "--csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["build", "a", "b", "c", "d", "e", "m"]
    for row in rows:
        start, finish, total_float, critical = EXPECTED[row["id"]]
        assert row["start"] == start and row["finish"] == finish
        assert float(row["total_float_days"]) == total_float
        assert row["critical"] == str(critical)


def test_schedule_critical_only(cli, tiny_plan: Path) -> None:
    result = cli("schedule", tiny_plan, "--csv", "--critical-only")
    assert result.exit_code == 0
    ids = [r["id"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert ids == ["build", "a", "b", "d", "m"]
    data = json.loads(cli("schedule", tiny_plan, "--json", "--critical-only").stdout)
    assert [t["id"] for t in data["tasks"]] == ids


def test_schedule_table(cli, tiny_plan: Path) -> None:
    result = cli("schedule", tiny_plan)
    assert result.exit_code == 0
    out = result.stdout
    assert "Tiny: Mon 04 Jan 2027 → Wed 13 Jan 2027" in out
    assert "Finish Wednesday 13 January 2027 17:00, 7 working days" in out
    assert "critical path: a → b → d → m" in out
    # one table row per task, each with its dates; the floats as written by hand
    row_c = next(line for line in out.splitlines() if " Docs " in line)
    assert "Tue 05 Jan 2027" in row_c and "Thu 07 Jan 2027" in row_c and " 1d " in row_c
    row_d = next(line for line in out.splitlines() if " Test " in line)
    assert "Tue 12 Jan 2027" in row_d and "●" in row_d
    row_e = next(line for line in out.splitlines() if " Review " in line)
    assert "●" not in row_e and " 2d " in row_e


def test_schedule_warns_on_missed_deadline_but_succeeds(cli, tiny_plan: Path) -> None:
    tiny_plan.write_text(tiny_plan.read_text().replace("milestone: true,", "milestone: true, deadline: 2027-01-12,"))
    result = cli("schedule", tiny_plan, "--csv")
    assert result.exit_code == 0
    assert "[deadline_missed]" in result.stderr
    assert "[deadline_missed]" not in result.stdout
    assert cli("schedule", tiny_plan, "--strict").exit_code == 1


# ---- why ----------------------------------------------------------------------
def test_why_json_chain(cli, tiny_plan: Path) -> None:
    result = cli("why", tiny_plan, "m", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["task"] == "m"
    chain = data["chain"]
    assert [s["task"] for s in chain] == ["m", "d", "b", "a"]
    assert [s["kind"] for s in chain] == ["link", "link", "link", "project_start"]
    assert [s["predecessor"] for s in chain] == ["d", "b", "a", None]
    assert chain[1]["start"] == "2027-01-12T08:00"
    assert "Plant shutdown" in chain[1]["calendar_note"]


def test_why_text(cli, tiny_plan: Path) -> None:
    result = cli("why", tiny_plan, "e")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "Review (e) starts Fri 08 Jan 2027 08:00" in out
    assert "float 2d" in out
    assert "FF +1d lag link from 'c'" in out
    assert "SS +1d lag link from 'a'" in out


def test_why_unknown_task(cli, tiny_plan: Path) -> None:
    result = cli("why", tiny_plan, "bb")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no task 'bb'" in result.stderr and "did you mean" in result.stderr


# ---- schema -------------------------------------------------------------------
def test_schema_is_json_schema_that_accepts_the_plans(cli, tiny_plan: Path, examples_dir: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in [tiny_plan, *sorted(examples_dir.glob("*.yaml"))]:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path.name, errors[:3])
    bad = json.loads(json.dumps(yaml.safe_load(tiny_plan.read_text()), default=str))
    bad["tasks"][1]["durration"] = "3d"
    assert list(validator.iter_errors(bad)), "a misspelt field must fail the schema"


def test_schema_out_file(cli, tmp_path: Path) -> None:
    target = tmp_path / "plan.schema.json"
    result = cli("schema", "--out", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["type"] == "object"


# ---- usage errors --------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["schedule"],                          # missing argument
    ["why", "plan.yaml"],                  # missing second argument
    ["schedule", "plan.yaml", "--bogus"],  # unknown option
    ["validate", "--json", "--nope", "x"],
    ["no-such-command"],
    ["demo", "--bogus"],
])
def test_usage_errors_exit_2(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert "Usage:" in result.stderr


def test_version_and_help(cli) -> None:
    from pmfit import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"pmfit {__version__}"
    help_text = cli("--help")
    assert help_text.exit_code == 0
    for command in ("validate", "schedule", "why", "schema", "demo"):
        assert command in help_text.stdout


def test_why_names_a_constraint_and_a_start_to_finish_link(cli, tmp_path: Path) -> None:
    # Hand-computed: 'kit' may not start before Wed 6 Jan (SNET), so it runs Wed 6 .. Thu 7.
    # 'fit' is tied by SF+1d to the start of 'kit': finish(fit) >= start(kit) + 1d = end of Wed 6,
    # so the 1-day 'fit' runs on Wed 6; 'ship' follows 'fit' FS on Thu 7.
    plan = tmp_path / "snet.yaml"
    plan.write_text(
        "project: {name: S, start: 2027-01-04}\n"
        "tasks:\n"
        "  - {id: kit, name: Kit arrives, duration: 2d, constraint: {start_no_earlier_than: 2027-01-06}}\n"
        "  - {id: fit, name: Fit, duration: 1d, after: ['kit SF+1d']}\n"
        "  - {id: ship, name: Ship, duration: 1d, after: [fit]}\n")
    data = json.loads(cli("why", plan, "ship", "--json").stdout)
    assert [s["task"] for s in data["chain"]] == ["ship", "fit", "kit"]
    assert [s["kind"] for s in data["chain"]] == ["link", "link", "constraint"]
    assert data["chain"][1]["link"] == "kit SF +1d lag"
    assert data["chain"][0]["start"] == "2027-01-07T08:00"
    assert data["chain"][1]["start"] == "2027-01-06T08:00"
    assert data["chain"][2]["start"] == "2027-01-06T08:00"
    text = " ".join(cli("why", plan, "ship").stdout.split())
    assert "SNET constraint: start no earlier than 2027-01-06" in text
