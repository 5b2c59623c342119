"""``pmfit import FILE --project NAME`` picks projects of a multi-project Primavera XER file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.io.test_xer import TWO_PROJECTS


def _two_projects(tmp_path: Path) -> Path:
    path = tmp_path / "two.xer"
    text = TWO_PROJECTS.replace("plan_start_date\tclndr_id", "plan_start_date\tclndr_id\texport_flag") \
        .replace("Alpha\t2024-01-08 00:00\t", "Alpha\t2024-01-08 00:00\t\tY") \
        .replace("Béta\t2024-01-08 00:00\t", "Béta\t2024-01-08 00:00\t\tN")
    path.write_bytes(text.encode("cp1252"))
    return path


def test_the_project_option_picks_projects(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _two_projects(tmp_path)
    default = json.loads(cli("import", path, "--json", "--no-check").stdout)
    assert default["tasks"] == 1  # Alpha: the project the file marks for export
    assert any("--project NAME" in line for line in default["dropped"])
    out = tmp_path / "beta.yaml"
    result = cli("import", path, "--project", "Béta", "--out", out, "--json", "--no-check")
    assert result.exit_code == 0 and json.loads(result.stdout)["tasks"] == 3
    assert "B1" in out.read_text(encoding="utf-8")
    both = json.loads(cli("import", path, "-p", "Alpha", "-p", "Béta", "--json", "--no-check").stdout)
    assert both["tasks"] == 1 + 3 + 2  # each project becomes a top-level summary task
    missing = cli("import", path, "--project", "Gamma")
    assert missing.exit_code != 0 and "has no project Gamma" in missing.output and "Traceback" not in missing.output


def test_the_project_option_on_a_single_project_format_is_refused(cli, tiny_plan: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", tiny_plan, "--project", "X")
    assert result.exit_code != 0 and "Primavera XER" in result.output and "Traceback" not in result.output
