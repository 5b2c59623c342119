"""Docs that cannot fall behind: every command has help and a real example, every plan-file field and
file format is documented, the site builds in strict mode, and every example in the docs is a real run.

The examples are re-run by tools/docs_sessions.py (see its docstring for the conventions); when a
command's output changes on purpose, `python tools/docs_sessions.py --update PAGE` rewrites the page.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sessions = _module("pmfit_docs_sessions", ROOT / "tools" / "docs_sessions.py")
reference = _module("pmfit_docs_reference", ROOT / "docs" / "hooks" / "reference.py")
PAGES = [ROOT / "README.md", *sessions.pages()]


def _commands() -> list[str]:
    """The top-level commands (a command group such as ``pmfit db`` counts once)."""
    return [name for name, _ in reference.cli_commands(subcommands=False)]


def test_every_command_and_option_has_help() -> None:
    import typer.main

    from pmfit.cli.app import app

    group = typer.main.get_command(app)
    registered = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    registered += [g.name or "" for g in getattr(app, "registered_groups", [])]
    assert sorted(group.commands) == sorted(registered)  # type: ignore[attr-defined]
    for name, command in reference.cli_commands():
        assert (command.help or "").strip(), f"pmfit {name} has no help text"
        for param in command.params:
            if param.name == "help" or getattr(param, "hidden", False):
                continue
            assert (getattr(param, "help", None) or "").strip(), f"pmfit {name}: {param.name} has no help"


def test_every_command_has_a_real_example_in_the_docs() -> None:
    """A command is documented when a page runs it (a `$ pmfit NAME` line the docs test executes)."""
    runs = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    for name in _commands():
        assert re.search(rf"^\$ pmfit {re.escape(name)}\b", runs, flags=re.M), (
            f"`pmfit {name}` has no example in docs/: show it in a how-to page with a real run")
    reference_page = reference.cli_page()
    for name, _ in reference.cli_commands():
        assert f"# pmfit {name} {{#pmfit-" in reference_page


def test_every_plan_file_field_is_documented() -> None:
    assert reference.undocumented_fields() == [], (
        "plan-file fields without a description: add them to docs/hooks/fields.yaml")
    page = reference.plan_file_page()
    for field in ("work", "needs", "probability", "cares_about", "percent_complete", "shifts"):
        assert f"| `{field}` |" in page


def test_every_format_and_diagnostic_is_documented() -> None:
    from pmfit.model.diagnostics import CODES

    assert reference.formats_missing_notes() == [], (
        "formats without keeps/loses: add them to docs/hooks/formats.yaml (or Format.keeps/.loses)")
    page = reference.diagnostics_page()
    assert all(f"`{code}`" in page for code in CODES)


def test_every_public_function_is_documented() -> None:
    assert reference.undocumented_api() == [], "public functions without a docstring (pmfit.__all__)"
    page = reference.python_api_page()
    assert all(f"`pmfit.{name}`" in page for name, _ in reference.public_api())


def test_the_site_builds_in_strict_mode(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    command = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    result = subprocess.run([*command, "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "reference" / "plan-file" / "index.html").is_file()
    assert (tmp_path / "site" / "tutorial" / "01-first-plan" / "index.html").is_file()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_the_docs_are_real_runs(page: Path) -> None:
    run = sessions.run_page(page)
    assert not run.problems, (
        "\n\n".join(str(p) for p in run.problems)
        + f"\n\nIf the change is intended: python tools/docs_sessions.py --update {page.relative_to(ROOT)}")


def test_the_docs_runner_catches_a_wrong_output(tmp_path: Path) -> None:
    """The checker itself: a page that shows a wrong finish date or exit code fails."""
    plan = ("```yaml\n# plan.yaml\nproject: {name: P, start: 2027-01-04}\n"
            "tasks:\n  - {id: a, duration: 2d}\n```\n\n")
    good = tmp_path / "good.md"
    good.write_text(plan + "```console\n$ pmfit validate plan.yaml\nok plan.yaml: 1 tasks, 0 resources, 0 risks\n```\n",
                    encoding="utf-8")
    assert sessions.run_page(good).problems == []
    wrong = tmp_path / "wrong.md"
    wrong.write_text(plan + "```console\n$ pmfit validate plan.yaml\nok plan.yaml: 2 tasks\n```\n", encoding="utf-8")
    assert len(sessions.run_page(wrong).problems) == 1
    code = tmp_path / "code.md"
    code.write_text(plan + "```console\n$ pmfit validate plan.yaml\n$ echo $?\n1\n```\n", encoding="utf-8")
    assert "exits 0" in str(sessions.run_page(code).problems[0])


def test_the_readme_stays_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 200
    assert "make run\nmake test" in "\n".join(lines)


def test_docs_do_not_mention_paths_that_do_not_exist() -> None:
    for page in PAGES:
        for path in set(re.findall(r"examples/[\w.-]+\.yaml", page.read_text(encoding="utf-8"))):
            assert (ROOT / path).is_file(), f"{page.name}: {path}"
