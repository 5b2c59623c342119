"""``pmfit import`` and ``pmfit export``: report, JSON, writing files, refusing to overwrite, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import shared_path
from typer.testing import Result

from pmfit.importing import import_file

Cli = Callable[..., Result]


def test_import_json_reports_read_dropped_and_the_schedule_check(cli: Cli) -> None:
    path = shared_path("projects", "xer", "p6viewer-terminal-building-airport.xer")
    result = cli("import", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["format"] == "xer"
    assert data["tasks"] == 91 and data["resources"] == 7
    assert "84 links" in data["read"]
    assert data["schedule_checked"] == 66 and data["schedule_differences"] == []
    assert any("activity codes" in line for line in data["dropped"])


def test_import_prints_the_report_and_differences(cli: Cli) -> None:
    path = shared_path("projects", "mspdi", "mpxj-legacy-sample.xml")
    result = cli("import", path, "--report")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "read" in out and "approximated" in out and "dropped" in out
    assert "schedule check: 17 of 19 tasks have the file's dates" in out
    assert "resource calendar of 'Second Resource'" in out
    assert "cost per use" in out


def test_import_to_a_plan_file_and_never_overwrite(cli: Cli, tmp_path: Path) -> None:
    source = shared_path("projects", "mspdi", "mpxj-task-links-project2019.xml")
    target = tmp_path / "plan.yaml"
    result = cli("import", source, "--to", target)
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stdout
    plan, _ = import_file(target)
    assert len(plan.tasks) == 16
    assert cli("validate", target).exit_code == 0
    again = cli("import", source, "--to", target)
    assert again.exit_code == 1
    assert "exists" in again.stderr and "--force" in again.stderr
    assert cli("import", source, "--to", target, "--force").exit_code == 0


def test_import_refuses_pod_and_missing_files(cli: Cli, tmp_path: Path) -> None:
    pod = shared_path("projects", "pod", "projectlibre-ms-project-2003-deployment.pod")
    result = cli("import", pod)
    assert result.exit_code == 1
    assert "pod_refused" in result.stderr and "MS Project XML" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    missing = cli("import", tmp_path / "nope.xml", "--json")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["diagnostics"][0]["code"] == "bad_file"


def test_export_to_ms_project_and_primavera_and_back(cli: Cli, tiny_plan: Path, tmp_path: Path) -> None:
    from pmfit.api import load

    original = load(tiny_plan)
    for suffix, name in ((".xml", "mspdi"), (".xer", "xer")):
        out = tmp_path / f"tiny{suffix}"
        result = cli("export", tiny_plan, "--to", out, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["format"] == name
        back, report = import_file(out)
        assert sorted(t.id for t in back.tasks) == sorted(t.id for t in original.tasks)
        assert report.schedule_differences == []  # the file carries pmfit's own dates
        # every other command reads the exported file directly
        assert cli("schedule", out, "--json").exit_code == 0
    assert cli("export", tiny_plan, "--to", tmp_path / "tiny.xml").exit_code == 1  # exists


def test_export_unknown_extension_is_a_clear_error(cli: Cli, tiny_plan: Path, tmp_path: Path) -> None:
    result = cli("export", tiny_plan, "--to", tmp_path / "plan.foo")
    assert result.exit_code == 1
    assert "unknown_format" in result.stderr and ".xer" in result.stderr


def test_export_dispatches_every_writer_by_extension(cli: Cli, tiny_plan: Path, tmp_path: Path) -> None:
    expected = {".ics": b"BEGIN:VCALENDAR", ".csv": b"id", ".xlsx": b"PK", ".yaml": b"version: 1", ".json": b"{"}
    for suffix, head in expected.items():
        out = tmp_path / "out" / f"tiny{suffix}"
        out.parent.mkdir(exist_ok=True)
        result = cli("export", tiny_plan, "--to", out)
        assert result.exit_code == 0, (suffix, result.stderr)
        assert out.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(head), suffix
        assert len(import_file(out)[0].tasks) >= 7, suffix  # and pmfit reads each one back
