"""``pmfit advise``: plans, portfolios, briefs, the interview, salary overrides and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

Cli = Callable[..., Result]

SOFTWARE_PLAN = """\
project: {name: Billing API, start: 2027-01-04, currency: USD}
stakeholders:
  - {name: Head of Product, audience: business}
resources:
  - {id: dev, name: Backend developers, units: 4, skills: [python, postgresql], team: Platform}
  - {id: qa, name: QA engineers, units: 1, skills: [test automation], team: Quality}
tasks:
  - {id: spec, name: Write the API specification, duration: 5d, needs: {dev: 1}}
  - {id: arch, name: Architecture review of the service split, duration: 3d, needs: {dev: 1}, after: [spec]}
  - id: build
    name: Build the invoice endpoints
    estimate: {optimistic: 10d, likely: 15d, pessimistic: 30d}
    needs: {dev: 3}
    after: [arch]
  - {id: tests, name: Write integration tests, duration: 8d, needs: {qa: 1}, after: ["build SS+5d"]}
  - {id: release, name: Release to production, milestone: true, after: [build, tests]}
"""

SALARIES_YAML = """\
loaded_cost: {multiplier: 1.25, source: Acme HR 2025, year: 2025}
rows:
  - {role: general, median: 50000, currency: USD, source: Acme pay bands, year: 2025}
  - {role: it, median: 60000, currency: USD, source: Acme pay bands, year: 2025}
  - {role: technical, median: 70000, low: 65000, high: 80000, currency: USD, source: Acme pay bands, year: 2025}
"""


@pytest.fixture
def software_plan(tmp_path: Path) -> Path:
    path = tmp_path / "billing.yaml"
    path.write_text(SOFTWARE_PLAN, encoding="utf-8")
    return path


def _json(result: Result) -> dict:  # type: ignore[type-arg]
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_advise_plan_table_and_json(cli: Cli, software_plan: Path) -> None:
    out = _json(cli("advise", software_plan, "--json"))
    assert out["recommendation"]["role"] == "technical"
    assert set(out["cost"]["roles"]) == {"general", "it", "technical"}
    assert out["cost"]["roles"]["general"]["yearly_loaded"] == round(100750 * 1.42)
    assert "CC BY 4.0" in out["attribution"]
    assert out["onet_statements"] and out["onet_statements"][0]["id"]
    table = cli("advise", software_plan)
    assert table.exit_code == 0, table.stderr
    for text in ("technical PM", "What the work reads as", "O*NET", "CC BY 4.0", "this project", "estimate"):
        assert text in table.stdout


def test_salaries_file_overrides_yaml_and_csv(cli: Cli, software_plan: Path, tmp_path: Path) -> None:
    yml = tmp_path / "pay.yaml"
    yml.write_text(SALARIES_YAML, encoding="utf-8")
    out = _json(cli("advise", software_plan, "--json", "--salaries", yml))
    roles = out["cost"]["roles"]
    assert roles["general"]["yearly_loaded"] == round(50000 * 1.25)
    assert roles["technical"]["yearly_loaded"] == round(70000 * 1.25)
    assert roles["technical"]["salary"]["source"] == "Acme pay bands"
    csv_file = tmp_path / "pay.csv"
    csv_file.write_text("role,median,currency,source,year\ngeneral,40000,USD,Our table,2025\n"
                        "it,45000,USD,Our table,2025\n", encoding="utf-8")
    out = _json(cli("advise", software_plan, "--json", "--salaries", csv_file))
    roles = out["cost"]["roles"]
    assert roles["general"]["yearly_loaded"] == round(40000 * 1.42)
    assert roles["technical"]["salary"]["median"] == round((40000 * 1.4 + 45000 * 1.2) / 2)
    assert roles["technical"]["estimate"] is True


def test_plan_pm_salaries_path_is_relative_to_the_plan(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pay.yaml").write_text(SALARIES_YAML, encoding="utf-8")
    plan = tmp_path / "p.yaml"
    plan.write_text(SOFTWARE_PLAN.replace("currency: USD}", "currency: USD, pm_salaries: pay.yaml}"),
                    encoding="utf-8")
    out = _json(cli("advise", plan, "--json"))
    assert out["cost"]["roles"]["it"]["yearly_loaded"] == round(60000 * 1.25)


@pytest.mark.parametrize(("content", "suffix"), [
    ("rows:\n  - {role: general, median: 50000}\n", ".yaml"),  # no source or year
    ("rows: [\n", ".yaml"),
    ("role,median\nwizard,5\n", ".csv"),
    ("", ".csv"),
])
def test_bad_salary_files_exit_1_with_an_id(cli: Cli, software_plan: Path, tmp_path: Path, content: str,
                                            suffix: str) -> None:
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(content, encoding="utf-8")
    result = cli("advise", software_plan, "--salaries", bad)
    assert result.exit_code == 1
    assert "bad_salaries" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_usage_and_missing_files(cli: Cli, software_plan: Path, tmp_path: Path) -> None:
    assert cli("advise").exit_code == 2
    assert cli("advise", software_plan, "--interview").exit_code == 2
    missing = cli("advise", tmp_path / "nope.yaml")
    assert missing.exit_code == 1 and "nope.yaml" in missing.stderr
    assert cli("advise", software_plan, "--salaries", tmp_path / "nope.csv").exit_code == 1
    cyclic = tmp_path / "cycle.yaml"
    cyclic.write_text("project: {name: C, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d, after: [b]}\n"
                      "  - {id: b, duration: 1d, after: [a]}\n", encoding="utf-8")
    result = cli("advise", cyclic)
    assert result.exit_code == 1 and "dependency_cycle" in result.stderr


def test_portfolio_of_files_and_folder(cli: Cli, software_plan: Path, tmp_path: Path, examples_dir: Path) -> None:
    move = examples_dir / "office-move.yaml"
    if not move.exists():
        pytest.skip("example not written yet")
    out = _json(cli("advise", software_plan, move, "--json"))
    assert [p["role"] for p in out["projects"]] == ["technical", "general"]
    assert out["naive"]["technical"]["difference_vs_recommended"] >= 0
    assert "1.0 FTE" in out["sharing_rule"] and "CC BY 4.0" in out["attribution"]
    folder = _json(cli("advise", examples_dir, "--json"))
    assert len(folder["projects"]) == len(list(examples_dir.glob("*.yaml")))
    table = cli("advise", examples_dir)
    assert table.exit_code == 0 and "Saving against a technical PM everywhere" in table.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("advise", empty)
    assert result.exit_code == 1 and "no_plans" in result.stderr


def test_brief(cli: Cli, tmp_path: Path) -> None:
    brief = tmp_path / "brief.txt"
    brief.write_text("IT Project Manager\nLead the data centre migration and the network upgrade.\n"
                     "Roll out Microsoft 365 and new laptops to 300 users, with end-user training.\n"
                     "Report to the CFO and the operations director.\n", encoding="utf-8")
    out = _json(cli("advise", "--brief", brief, "--json"))
    assert out["recommendation"]["role"] == "it"
    assert out["source"] == "brief" and out["confidence"]["value"] <= 0.99
    assert out["reading"]["probabilities"]["it"] >= 0.5
    # reasons quote the brief, never the internal ids of its sentences (issue 12, defect 9)
    text = brief.read_text(encoding="utf-8")
    for reason in out["reasons"]:
        assert not any(item.startswith("s") and item[1:].isdigit() for item in reason["items"])
        assert all(item in text for item in reason["items"])
    assert any("IT Project Manager" in n for n in out["notes"])
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = cli("advise", "--brief", empty)
    assert result.exit_code == 1 and "bad_brief" in result.stderr


def test_interview_from_stdin(cli: Cli) -> None:
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles
    from pmfit.engine.advise.brief import QUESTIONS

    answers = {"name": "Data platform", "dev_pct": "75", "technology": "4", "engineers": "7", "team_size": "9",
               "specs": "y", "teams": "3"}
    text = "".join(answers.get(q.key, "") + "\n" for q in QUESTIONS)
    reset_consoles()
    result = CliRunner().invoke(app, ["advise", "--interview", "--json"], input=text)
    reset_consoles()
    assert result.exit_code == 0, result.stderr
    # prompts go to stderr: stdout is the JSON and nothing else (issue 12, defect 9: no leading spaces)
    assert result.stdout.startswith("{"), repr(result.stdout[:40])
    out = json.loads(result.stdout)
    assert out["recommendation"]["role"] == "technical" and out["project"] == "Data platform"
    # a bad answer is asked again; three bad answers stop with exit 1
    bad = "x\n" + "150\n" * 3
    reset_consoles()
    result = CliRunner().invoke(app, ["advise", "--interview"], input=bad)
    reset_consoles()
    assert result.exit_code == 1


def test_consultation_brief_for_a_low_confidence_plan(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "bare.yaml"
    plan.write_text("project: {name: Bare, start: 2027-01-04}\ntasks:\n"
                    + "".join(f"  - {{id: t{i}, name: Step {i}, duration: 2d}}\n" for i in range(5)),
                    encoding="utf-8")
    out_file = tmp_path / "consult.md"
    result = cli("advise", plan, "--consultation", out_file)
    assert result.exit_code == 0, result.stderr
    assert "Confidence is low" in result.stdout
    text = out_file.read_text(encoding="utf-8")
    assert "Questions for the expert to ask" in text and "NTCP" in text


def test_a_plan_in_another_currency_says_its_costs_are_not_converted(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "eur.yaml"
    plan.write_text(SOFTWARE_PLAN.replace("currency: USD}", "currency: EUR}"), encoding="utf-8")
    table = cli("advise", plan)
    assert table.exit_code == 0, table.stderr
    flat = " ".join(table.stdout.split())
    assert "USD, not converted from EUR" in flat and "no exchange rate" in flat
    out = _json(cli("advise", plan, "--json"))
    assert out["cost"]["currency"] == "USD" and out["cost"]["plan_currency"] == "EUR"
