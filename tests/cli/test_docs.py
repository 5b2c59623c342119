"""Docs that cannot fall behind: every command has help and docs, and the tour's examples are real."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOUR_COMMANDS = ("validate", "schedule", "why", "schema", "demo")
BOX = re.compile(r"[─│╭╮╰╯┏┓┗┛┃━┳┻╋┡┩╇└┘┌┐├┤┬┴┼]")


def _commands() -> list[tuple[str, object]]:
    """Every top-level command and command group (``pmfit db``) of the app."""
    from pmfit.cli.app import app

    commands = [(c.name or c.callback.__name__, c) for c in app.registered_commands]  # type: ignore[union-attr]
    return commands + [(g.name or g.typer_instance.info.name, g) for g in app.registered_groups]  # type: ignore[misc]


def _tour() -> str:
    """The README's CLI tour and Python API sections."""
    from conftest import readme_section

    return readme_section("A tour of the command line") + readme_section("The Python API")


def _doc_text() -> str:
    """README.md and the pages under docs/ (how-to, reference, explanation)."""
    pages = sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").is_dir() else []
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *pages])


def test_every_command_and_option_has_help() -> None:
    import typer.main

    from pmfit.cli.app import app

    group = typer.main.get_command(app)
    assert sorted(group.commands) == sorted(name for name, _ in _commands())  # type: ignore[attr-defined]
    pending = list(group.commands.items())  # type: ignore[attr-defined]
    while pending:
        name, command = pending.pop()
        assert (command.help or "").strip(), f"pmfit {name} has no help text"
        for param in command.params:
            if param.name == "help":
                continue
            assert (getattr(param, "help", None) or "").strip(), f"pmfit {name}: {param.name} has no help"
        # a command group (pmfit db): each of its sub-commands too
        pending.extend((f"{name} {sub}", c) for sub, c in getattr(command, "commands", {}).items())


def test_every_command_is_documented() -> None:
    tour = _tour()
    for command in TOUR_COMMANDS:
        assert f"pmfit {command}" in tour, f"README.md's CLI tour does not show `pmfit {command}`"
    docs = _doc_text()
    for name, _ in _commands():
        assert re.search(rf"pmfit {re.escape(name)}\b", docs), (
            f"`pmfit {name}` is not mentioned in README.md or docs/: show it with a real run")


# ---- the tour's examples are real runs ---------------------------------------------
def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", _tour(), flags=re.S)


def _sessions() -> list[tuple[str, str, int]]:
    """(command, documented output, documented exit code) for every ``$ pmfit`` line."""
    out: list[tuple[str, str, int]] = []
    for block in _blocks("console"):
        parts = re.split(r"^\$ ", block, flags=re.M)[1:]
        for part in parts:
            command, _, output = part.partition("\n")
            if command.startswith("echo $?"):
                previous = out.pop()
                out.append((previous[0], previous[1], int(output.strip())))
                continue
            out.append((command.strip(), output, 0))
    return out


def _norm(text: str) -> str:
    text = BOX.sub(" ", text)
    text = re.sub(r"\(\d+ plans in [0-9.]+ s\)", "(N plans in T s)", text)
    return " ".join(text.split())


@pytest.fixture
def doc_plan(tmp_path: Path) -> Path:
    block = next(b for b in _blocks("yaml") if b.startswith("project: {name: Checkout API"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "plan.yaml").write_text(block, encoding="utf-8")
    (tmp_path / "fixed").mkdir()
    (tmp_path / "fixed" / "plan.yaml").write_text(block.replace("[desgin]", "[design]"), encoding="utf-8")
    return tmp_path


def test_documented_sessions_match_real_output(cli, doc_plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = _sessions()
    assert len(sessions) >= 10
    for command, documented, code in sessions:
        if ">" in command:
            continue
        args = shlex.split(command)
        assert args[0] == "pmfit"
        if args[1:2] == ["demo"]:
            # The real demo, report step included, in a folder where examples/ is the bundled one.
            demo_dir = doc_plan / "demo"
            demo_dir.mkdir(exist_ok=True)
            if not (demo_dir / "examples").exists():
                (demo_dir / "examples").symlink_to(ROOT / "examples")
            monkeypatch.delenv("PMFIT_DEMO_NO_REPORTS", raising=False)
            monkeypatch.chdir(demo_dir)
        elif "--out" in args:
            monkeypatch.chdir(doc_plan)
        elif "plan.yaml" in args:
            monkeypatch.chdir(doc_plan / ("broken" if args[1] == "validate" else "fixed"))
        else:
            monkeypatch.chdir(ROOT)
        result = cli(*args[1:])
        actual = result.stdout + result.stderr
        assert "Traceback" not in actual
        assert result.exit_code == code, (command, actual)
        if "┏" in documented:  # a table: its width follows the terminal; check title and summary
            title = documented.splitlines()[0].strip()
            finish = documented[documented.index("Finish "):]
            assert title in actual and _norm(finish) in _norm(actual), command
        elif "..." in documented:  # abridged JSON: the part shown must be the real start
            shown = documented[: documented.index("...")].rsplit("\n", 1)[0]
            assert _norm(actual).startswith(_norm(shown)), command
        elif "Usage:" in documented:
            assert "No such option" in actual and "Usage: pmfit" in actual
        else:
            assert _norm(actual) == _norm(documented), command


def test_documented_python_session_is_real(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    code = next(b for b in _blocks("python") if "pmfit.load(" in b)
    expected = next(b for b in _blocks("text") if b.startswith("Northwind"))
    monkeypatch.chdir(ROOT)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "README.md (Python API)", "exec"), {"__name__": "__doc_example__"})
    got = [line.rstrip() for line in buffer.getvalue().splitlines()]
    want = [line.rstrip() for line in expected.splitlines()]
    assert got == want


def test_docs_do_not_mention_paths_that_do_not_exist() -> None:
    text = _tour()
    for path in set(re.findall(r"examples/[\w.-]+\.yaml", text)):
        assert (ROOT / path).is_file(), path
