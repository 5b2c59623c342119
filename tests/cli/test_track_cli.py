"""``pmfit baseline``, ``pmfit status`` and ``pmfit diff`` end to end (in-process, real files)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import pmfit

PLAN = """\
project: {name: Tracked, start: 2027-01-04}
resources:
  - {id: dev, rate: 100/h}
tasks:
  - {id: a, duration: 5d, needs: {dev: 1}}
  - {id: b, duration: 5d, after: [a], needs: {dev: 1}}
  - {id: c, duration: 5d, after: [a], cost: 1000}
  - {id: d, milestone: true, after: [b, c]}
"""
PROGRESS = """\
progress:
  status_date: 2027-01-13
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-11, actual_cost: 5000}
    b: {actual_start: 2027-01-12, percent_complete: 20, actual_cost: 1200}
"""
# Baseline (no progress): a Mon 4 - Fri 8 (4000), b and c Mon 11 - Fri 15 (4000, 1000), BAC 9000.
# Status end of Wed 13 Jan = working day 8: PV = 4000 + 3/5 x 4000 + 3/5 x 1000 = 7000.
# EV = 4000 + 0.2 x 4000 = 4800; AC = 5000 + 1200 = 6200.
# Status-date schedule: b has 4d left from Wed 13 -> Tue 19; c is overdue -> Thu 14 .. Wed 20; d Wed 20.

CLI = Callable[..., Result]


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def _with_progress(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + PROGRESS, encoding="utf-8")


def test_baseline_then_status(cli: CLI, plan_file: Path) -> None:
    out = cli("baseline", plan_file, "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["cost"] == pytest.approx(9000)
    assert plan_file.read_text(encoding="utf-8").startswith(PLAN)
    _with_progress(plan_file)
    out = cli("status", plan_file, "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    project = data["project"]
    assert (project["bac"], project["pv"], project["ev"], project["ac"]) == (9000, 7000, 4800, 6200)
    assert project["spi"] == pytest.approx(4800 / 7000, abs=1e-4)
    assert project["cpi"] == pytest.approx(4800 / 6200, abs=1e-4)
    assert data["forecast_finish"] == "2027-01-20T17:00"
    assert set(data["behind"]) >= {"b", "c"}
    assert data["status_date"] == "2027-01-13T17:00"


def test_status_table_and_plot(cli: CLI, plan_file: Path, tmp_path: Path) -> None:
    assert cli("baseline", plan_file).exit_code == 0
    _with_progress(plan_file)
    png = tmp_path / "s-curve.png"
    out = cli("status", plan_file, "--plot", png)
    assert out.exit_code == 0, out.stderr
    for text in ("Earned value", "EAC (BAC/CPI)", "TCPI", "SPI(t)", "Behind schedule", "Wed 20 Jan 2027"):
        assert text in out.stdout
    assert "start_overdue" in out.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "s-curve.svg"
    assert cli("status", plan_file, "--plot", svg, "--json").exit_code == 0
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_status_as_of_and_bad_options(cli: CLI, plan_file: Path, tmp_path: Path) -> None:
    assert cli("baseline", plan_file).exit_code == 0
    _with_progress(plan_file)
    out = cli("status", plan_file, "--as-of", "2027-01-15", "--json")
    assert out.exit_code == 0
    # by Fri 15 the whole baseline was due: PV = BAC
    assert json.loads(out.stdout)["project"]["pv"] == 9000
    assert cli("status", plan_file, "--as-of", "15/01/2027").exit_code == 2
    assert cli("status", plan_file, "--period", "fortnight").exit_code == 2
    out = cli("status", plan_file, "--plot", tmp_path / "chart.txt")
    assert out.exit_code == 2 and "png" in out.stderr
    out = cli("status", plan_file, "--baseline", "nope")
    assert out.exit_code == 1 and "unknown_baseline" in out.stderr
    assert "Traceback" not in out.stderr


def test_status_without_a_baseline(cli: CLI, plan_file: Path) -> None:
    _with_progress(plan_file)
    out = cli("status", plan_file)
    assert out.exit_code == 1
    assert "no_baseline" in out.stderr and "pmfit baseline" in out.stderr
    out = cli("status", plan_file, "--json")
    assert out.exit_code == 1 and json.loads(out.stdout)["diagnostics"][0]["code"] == "no_baseline"


def test_baseline_names_force_sidecar_and_list(cli: CLI, plan_file: Path) -> None:
    assert cli("baseline", plan_file, "--name", "v1").exit_code == 0
    before = plan_file.read_bytes()
    out = cli("baseline", plan_file, "--name", "v1")
    assert out.exit_code == 1 and "baseline_exists" in out.stderr
    assert plan_file.read_bytes() == before
    assert cli("baseline", plan_file, "--name", "v1", "--force").exit_code == 0
    assert cli("baseline", plan_file, "--name", "v2", "--sidecar").exit_code == 0
    assert (plan_file.parent / "plan.baselines.yaml").exists()
    out = cli("baseline", plan_file, "--list", "--json")
    assert [b["name"] for b in json.loads(out.stdout)["baselines"]] == ["v1", "v2"]
    # pmfit.load finds the baselines wherever `pmfit baseline` put them, the sidecar's after the file's
    assert [b.name for b in pmfit.load(plan_file).baselines] == ["v1", "v2"]


def test_baseline_ignore_progress(cli: CLI, plan_file: Path) -> None:
    _with_progress(plan_file)
    assert cli("baseline", plan_file, "--name", "now").exit_code == 0
    assert cli("baseline", plan_file, "--name", "orig", "--ignore-progress").exit_code == 0
    plan = pmfit.load(plan_file)
    # the status-date baseline holds a's real finish (Mon 11); the original plan's holds Fri 8
    assert plan.baseline("now").tasks["a"].finish.day == 11
    assert plan.baseline("orig").tasks["a"].finish.day == 8


def test_diff_two_files(cli: CLI, tmp_path: Path) -> None:
    old = tmp_path / "v1.yaml"
    new = tmp_path / "v2.yaml"
    old.write_text(PLAN, encoding="utf-8")
    new.write_text(PLAN.replace("  - {id: b, duration: 5d", "  - {id: b, duration: 8d"), encoding="utf-8")
    out = cli("diff", old, new, "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    # b grows by 3 days and is critical: Fri 15 -> Wed 20 Jan
    assert data["finish_moved_days"] == 3
    assert data["drivers"][0] == {"task": "b", "changes": ["duration: 5d → 8d"], "effect_days": 3.0}
    out = cli("diff", old, new, "--markdown")
    assert out.stdout.startswith(f"# What changed: {old} → {new}")
    out = cli("diff", old, new)
    assert "What drove the finish date" in out.stdout and "+3" in out.stdout


def test_diff_against_a_baseline_and_usage_errors(cli: CLI, plan_file: Path, tmp_path: Path) -> None:
    assert cli("baseline", plan_file).exit_code == 0
    _with_progress(plan_file)
    out = cli("diff", plan_file, "--baseline", "baseline", "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["finish_moved_days"] == 3   # Fri 15 -> Wed 20
    assert cli("diff", plan_file, plan_file, "--baseline", "baseline").exit_code == 2
    out = cli("diff", plan_file, tmp_path / "missing.yaml")
    assert out.exit_code == 1 and "Traceback" not in out.stderr


def test_examples_with_progress(cli: CLI, examples_dir: Path, tmp_path: Path) -> None:
    found = [p for p in sorted(examples_dir.glob("*.yaml")) if "progress:" in p.read_text(encoding="utf-8")]
    if not found:
        pytest.skip("no example plan with progress")
    for example in found:
        path = tmp_path / example.name
        shutil.copy(example, path)
        out = cli("baseline", path, "--ignore-progress", "--name", "plan")
        assert out.exit_code == 0, (example.name, out.stderr)
        out = cli("status", path, "--json")
        assert out.exit_code == 0, (example.name, out.stderr)
        data = json.loads(out.stdout)
        project = data["project"]
        assert 0 <= project["ev"] <= project["bac"]
        assert project["pv"] > 0 and project["ac"] > 0
        assert data["earned_schedule"]["es_days"] <= data["earned_schedule"]["at_days"] + 1e-6 or \
            project["ev"] >= project["pv"]
