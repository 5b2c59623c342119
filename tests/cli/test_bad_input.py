"""Malformed input: exit 1, a located message with a diagnostic id on stderr, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import TINY_PLAN

COMMANDS = (["validate"], ["schedule"], ["schedule", "--csv"], ["why", "{plan}", "a"])


def _args(command: list[str], plan: Path) -> list[str]:
    if "{plan}" in command:
        return [str(plan) if part == "{plan}" else part for part in command]
    return [*command, str(plan)]


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, expected diagnostic id)."""
    files: dict[str, tuple[bytes | None, str]] = {
        "garbage": (bytes(range(1, 256)) * 4, "bad_file"),            # not UTF-8
        "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "bad_file"),
        "empty": (b"", "bad_yaml"),
        "whitespace": (b"   \n\n# only a comment\n", "bad_yaml"),
        "truncated": (TINY_PLAN[: TINY_PLAN.index("holidays:") + 30].encode(), "bad_yaml"),
        "cut_in_task": (TINY_PLAN[: TINY_PLAN.index("after: [b, c]") + 9].encode(), "bad_yaml"),
        "scalar": (b"just some words\n", "bad_field"),
        "list": (b"- 1\n- 2\n", "bad_field"),
        "tabs": (b"project:\n\tname: x\n", "bad_yaml"),
        "no_project": (b"tasks: []\n", "missing_field"),
    }
    out: dict[str, tuple[Path, str]] = {}
    for name, (content, code) in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(content or b"")
        out[name] = (path, code)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    out["directory"] = (folder, "bad_file")
    out["missing"] = (tmp_path / "does-not-exist.yaml", "bad_file")
    return out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_malformed_files_exit_1_with_located_id(cli, tmp_path: Path, command: list[str]) -> None:
    for name, (path, code) in _bad_files(tmp_path).items():
        result = cli(*_args(command, path))
        both = result.stdout + result.stderr
        assert "Traceback" not in both, name
        assert result.exit_code == 1, (name, result.exit_code, both)
        assert result.stdout == "", name
        assert f"[{code}]" in result.stderr, (name, result.stderr)
        assert str(path) in result.stderr, name


def test_truncated_yaml_names_the_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "cut.yaml"
    path.write_text('project: {name: "T, start: 2027-01-04}\ntasks: []\n')
    result = cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr and "[bad_yaml]" in result.stderr


def test_json_mode_reports_bad_file_as_json(cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    result = cli("schedule", path, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["diagnostics"][0]["code"] == "bad_yaml"


def test_unreadable_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(TINY_PLAN)

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 0 does not stop root, so fake it
    result = cli("validate", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{path}" in result.stderr and "[bad_file]" in result.stderr and "Permission denied" in result.stderr


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(TINY_PLAN)), junk=st.binary(max_size=12))
def test_any_truncation_or_corruption_never_tracebacks(cli, tmp_path: Path, cut: int, junk: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(TINY_PLAN.encode()[:cut] + junk)
    result = cli("schedule", path, "--csv")
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    assert result.exit_code in (0, 1), both
    if result.exit_code == 1:
        assert result.stdout == ""
        assert "error [" in result.stderr
