"""``pmfit level``: tables, JSON, the chart, and bad input (exit codes, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import shared_path

PLAN = """\
project: {name: API rebuild, start: 2027-01-04}
resources:
  - {id: dev, name: Backend developers, units: 3}
tasks:
  - {id: build-api, duration: 4d, needs: {dev: 2}}
  - {id: migrate-db, duration: 2d, needs: {dev: 1}}
  - {id: frontend, duration: 3d, needs: {dev: 2}, priority: 100}
  - {id: test, duration: 1d, after: [build-api, frontend]}
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_table_output(cli, plan_file: Path) -> None:
    result = cli("level", plan_file, "--method", "heuristic", "--time-limit", "2s")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "frontend" in out and "4d" in out
    assert "Backend developers needed 2 units, 3 of 3 in use by 'build-api' and 'migrate-db'" in out
    assert "Finish before leveling Fri 08 Jan 2027, leveled Wed 13 Jan 2027 (+3d)" in out
    assert "Traceback" not in result.stderr


def test_json_output(cli, plan_file: Path) -> None:
    result = cli("level", plan_file, "--json", "--method", "heuristic", "--schedules", "100")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["finish_before"] == "2027-01-08T17:00" and data["finish_after"] == "2027-01-13T17:00"
    assert data["duration_days_before"] == 5 and data["duration_days_after"] == 8
    tasks = {t["id"]: t for t in data["tasks"]}
    assert tasks["frontend"]["delay_days"] == 4
    assert tasks["frontend"]["blocked_by"] == ["build-api", "migrate-db"]
    dev = next(p for p in data["profiles"] if p["resource"] == "dev")
    assert dev["peak_before"] == 5 and dev["peak_after"] == 3


def test_plot(cli, plan_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "level.png"
    result = cli("level", plan_file, "--method", "heuristic", "--plot", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_psplib_file(cli) -> None:
    path = shared_path("psplib", "j30", "instances", "j301_1.sm")
    result = cli("level", path, "--json", "--time-limit", "3s")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["duration_days_after"] == 43  # the published optimum of j301_1


@pytest.mark.parametrize(("args", "code"), [
    (["--method", "magic"], 2),
    (["--time-limit", "soon"], 2),
    (["--time-limit", "0s"], 2),
    (["--plot", "chart.txt"], 2),
])
def test_usage_errors(cli, plan_file: Path, args: list[str], code: int) -> None:
    result = cli("level", plan_file, *args)
    assert result.exit_code == code
    assert "Traceback" not in result.stderr


def test_bad_plan_is_exit_1_with_an_id(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(PLAN.replace("after: [build-api, frontend]", "after: [build-ap]"), encoding="utf-8")
    result = cli("level", path)
    assert result.exit_code == 1
    assert "[unknown_task]" in result.stderr
    missing = cli("level", tmp_path / "nope.yaml")
    assert missing.exit_code == 1 and "[bad_file]" in missing.stderr


def test_bad_psplib_file_is_exit_1(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.sm"
    path.write_text("PRECEDENCE RELATIONS:\njobnr. #modes\n 1 1 1 9\nREQUESTS/DURATIONS:\n", encoding="utf-8")
    result = cli("level", path)
    assert result.exit_code == 1
    assert "[bad_field]" in result.stderr and "broken.sm" in result.stderr
