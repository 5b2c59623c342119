"""``pmfit risk``: tables, JSON, charts, progress, and bad input (exit codes and ids, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

RISKY_PLAN = """\
project:
  name: Risky release
  start: 2027-01-04
  deadline: 2027-02-26
resources:
  - {id: dev, rate: 100/h}
tasks:
  - {id: spec, duration: 5d, needs: {dev: 1}}
  - {id: build, after: [spec], estimate: [10d, 15d, 25d], needs: {dev: 1}, group: backend}
  - {id: docs, after: ["spec SS+2d"], estimate: [3d, 4d, 6d]}
  - {id: release, milestone: true, after: [build, docs], deadline: 2027-02-19}
risks:
  - {id: vendor, name: Vendor API late, probability: 0.5, delays: {build: 10d}, cost: 5000}
  - {id: typo, name: Typo in the docs, probability: 0.5, delays: {docs: 1d}}
"""


@pytest.fixture
def risky_plan(tmp_path: Path) -> Path:
    path = tmp_path / "risky.yaml"
    path.write_text(RISKY_PLAN, encoding="utf-8")
    return path


def test_risk_table(cli, risky_plan: Path) -> None:
    result = cli("risk", risky_plan, "--iterations", "2000")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("plan (CPM)", "P10", "P50", "P80", "P90", "Chance of meeting each date", "project deadline",
                 "release: deadline", "Milestones", "Top drivers", "build", "Risks by their effect on P80", "vendor",
                 "Cost: P50"):
        assert text in out, text
    # the vendor risk sits on the critical path, the typo has float: vendor is listed first
    assert out.index("vendor") < out.index("typo")


def test_risk_json_is_repeatable_and_seeded(cli, risky_plan: Path) -> None:
    first = cli("risk", risky_plan, "--iterations", "3000", "--seed", "5", "--json")
    again = cli("risk", risky_plan, "--iterations", "3000", "--seed", "5", "--json")
    other = cli("risk", risky_plan, "--iterations", "3000", "--seed", "6", "--json")
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout
    assert data["iterations"] == 3000 and data["seed"] == 5
    assert set(data["percentiles"]) == {"P10", "P50", "P80", "P90"}
    p = [data["percentiles"][k]["minutes"] for k in ("P10", "P50", "P80", "P90")]
    assert p == sorted(p) and p[0] >= data["deterministic"]["minutes"] - 5 * 480
    # spec (5d, fixed) then build >= 10d: the finish is at least 15 working days
    assert data["percentiles"]["P10"]["days"] >= 15
    assert [r["id"] for r in data["risks"]] == ["vendor", "typo"]
    assert data["risks"][0]["p80_delta_days"] > 0
    assert data["cost"]["P50"] > 0
    assert "release" in data["milestones"]


def test_risk_plot_png_and_svg(cli, risky_plan: Path, tmp_path: Path) -> None:
    for name in ("risk.png", "risk.svg"):
        target = tmp_path / name
        result = cli("risk", risky_plan, "--iterations", "500", "--plot", target)
        assert result.exit_code == 0, result.stderr
        assert target.stat().st_size > 1000
    assert "<svg" in (tmp_path / "risk.svg").read_text(encoding="utf-8")


def test_risk_precision_stops_early(cli, risky_plan: Path) -> None:
    result = cli("risk", risky_plan, "--iterations", "200000", "--precision", "2d", "--json",
                 "--no-risk-impact")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["stopped_early"] and data["iterations"] < 200000
    assert data["p80_standard_error_days"] <= 2


def test_risk_progress_bar_for_long_runs(cli, risky_plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pmfit.cli.commands import risk as command

    monkeypatch.setattr(command, "PROGRESS_WORK", 1)
    result = cli("risk", risky_plan, "--iterations", "1000")
    assert result.exit_code == 0, result.stderr
    assert "P80" in result.stdout


@pytest.mark.parametrize("args", [
    ("--iterations", "0"),
    ("--correlation", "1.5"),
    ("--precision", "soon"),
    ("--precision", "0d"),
    ("--plot", "chart.gif"),
])
def test_risk_usage_errors_exit_2(cli, risky_plan: Path, args: tuple[str, ...]) -> None:
    result = cli("risk", risky_plan, *args)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_risk_bad_plans_exit_1(cli, tmp_path: Path) -> None:
    missing = cli("risk", tmp_path / "nope.yaml")
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text(RISKY_PLAN.replace("after: [spec], estimate", "after: [release], estimate"), encoding="utf-8")
    result = cli("risk", cycle)
    assert result.exit_code == 1
    assert "dependency_cycle" in result.stderr and "Traceback" not in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(RISKY_PLAN.replace("probability: 0.5, delays: {build", "probability: 1.5, delays: {build"),
                   encoding="utf-8")
    result = cli("risk", bad, "--json")
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["bad_probability"]
    result = cli("risk", bad)
    assert result.exit_code == 1 and f"{bad}:" in result.stderr and "[bad_probability]" in result.stderr
    disordered = tmp_path / "disordered.yaml"
    disordered.write_text(RISKY_PLAN.replace("estimate: [10d, 15d, 25d]", "estimate: [20d, 15d, 25d]"),
                          encoding="utf-8")
    result = cli("risk", disordered)
    assert result.exit_code == 1 and "[bad_estimate]" in result.stderr and "'build'" in result.stderr


def test_risk_unwritable_chart_exit_1(cli, risky_plan: Path, tmp_path: Path) -> None:
    result = cli("risk", risky_plan, "--iterations", "200", "--plot", tmp_path / "missing-dir" / "c.png")
    assert result.exit_code == 1
    assert "cannot write the chart" in result.stderr
