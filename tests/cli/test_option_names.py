"""Issue 12, defect 8: one name for one idea across commands, old spellings kept as hidden aliases.

--out/-o is the file a command writes, --plot a chart, -n a count (--iterations), --format/-f the
output's format; on/off flags show no type in the help."""

from __future__ import annotations

from pathlib import Path

import typer.main

from pmfit.cli.app import app


def _visible() -> dict[str, dict[str, list[str]]]:
    group = typer.main.get_command(app)
    return {name: {p.name: [*p.opts, *p.secondary_opts] for p in command.params  # type: ignore[misc]
                   if not getattr(p, "hidden", False) and p.param_type_name == "option"}
            for name, command in group.commands.items()}  # type: ignore[attr-defined]


def test_one_spelling_per_idea() -> None:
    for command, options in _visible().items():
        for name, spellings in options.items():
            if "-n" in spellings:
                assert name == "iterations", f"pmfit {command}: -n is {spellings}, not --iterations"
            assert "--to" not in spellings, f"pmfit {command}: write --out, not --to"
            if "--out" in spellings:
                assert "-o" in spellings, f"pmfit {command}: --out without -o"
            if "--format" in spellings:
                assert "-f" in spellings, f"pmfit {command}: --format without -f"
    visible = _visible()
    assert "-n" in visible["risk"]["iterations"] and "-n" in visible["report"]["iterations"]
    assert "--out" in visible["export"]["out"] and "--out" in visible["import"]["out"]


def test_flags_show_no_type_in_help(cli) -> None:
    for command in ("export", "baseline", "schedule", "import"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout, f"pmfit {command} --help shows <bool>"
        assert "--force" in result.stdout or command == "schedule"


def test_old_spellings_still_work_and_are_hidden(cli, tiny_plan: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.xml"
    new = tmp_path / "new.xml"
    assert cli("export", tiny_plan, "--to", old).exit_code == 0 and old.is_file()
    assert cli("export", tiny_plan, "-o", new).exit_code == 0 and new.read_bytes() == old.read_bytes()
    assert cli("import", new, "--to", tmp_path / "back.yaml").exit_code == 0
    assert cli("import", new, "--out", tmp_path / "back2.yaml").exit_code == 0
    assert (tmp_path / "back.yaml").read_text() == (tmp_path / "back2.yaml").read_text()
    result = cli("baseline", tiny_plan, "-n", "approved")
    assert result.exit_code == 0 and "approved" in result.stdout
    assert "approved" in cli("baseline", tiny_plan, "--list").stdout
    assert "--to" not in cli("export", "--help").stdout
    assert cli("export", tiny_plan).exit_code == 2  # no output file: a usage error
    both = cli("export", tiny_plan, "--to", tmp_path / "a.xml", "--out", tmp_path / "b.xml")
    assert both.exit_code == 2 and "old spelling" in both.output
