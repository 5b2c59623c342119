"""Issue 12, defect 3 at the command line: a task without duration is a warning, an error with --strict."""

from __future__ import annotations

from pathlib import Path

PLAN = """\
project: {name: Vague, start: 2027-01-04}
resources: [{id: dev, units: 2}]
tasks:
  - {id: vague, name: Something to do}
  - {id: build, work: 80h, needs: {dev: 2}, after: [vague]}
"""


def test_validate_warns_and_strict_fails(cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 0 and "warning [no_duration]" in result.stderr and ":4:" in result.stderr
    result = cli("validate", path, "--strict")
    assert result.exit_code == 1 and "'vague'" in result.stderr
    csv = cli("schedule", path, "--csv")
    assert "build,build,2027-01-04T08:00,2027-01-08T17:00,5.0," in csv.stdout
