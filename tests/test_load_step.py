"""The load step: the checks that need the scheduler run above the readers, on every path a user loads by.

A dependency cycle, a date no calendar can hold and a resource calendar without working time are found by
:mod:`pmfit.engine.checks` (the model imports no engine module), run by :func:`pmfit.importing.checked`.
Each is reported with the same id, file and line through ``pmfit.load``, ``pmfit.loads``, the CLI and the
workspace import. The expected lines are read off the plans below by hand (and are what the checks gave
when the model ran them itself, before this move).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import pmfit
from pmfit.model.diagnostics import PlanError

# name -> (plan text, diagnostic id, line, task, words of the message)
CASES: dict[str, tuple[str, str, int, str | None, str]] = {
    # a -> b -> c -> a; reported on a's `after:` (line 5), not on its `id:` line
    "cycle": ("""project: {name: Cycle, start: 2027-01-04}
tasks:
  - id: a
    duration: 1d
    after: [c]
  - {id: b, duration: 1d, after: [a]}
  - {id: c, duration: 1d, after: [b]}
""", "dependency_cycle", 5, "a", "a -> b -> c -> a"),
    # a date 7,000 years out: its constraint (line 6)
    "far_date": ("""project: {name: Far, start: 2027-01-04}
tasks:
  - {id: a, duration: 1d}
  - id: b
    duration: 2d
    constraint: {type: SNET, date: 9000-01-04}
""", "bad_calendar", 6, "b", "too far from the project start"),
    # 100 million working days: the task's links (line 5) are where its start comes from
    "long_duration": ("""project: {name: Long, start: 2027-01-04}
tasks:
  - {id: a, duration: 1d}
  - id: b
    after: [a]
    duration: 99999999d
""", "bad_calendar", 5, "b", "100,000,000 working days"),
    # a resource that never works: its calendar (line 5)
    "resource_calendar": ("""project: {name: Rescal, start: 2027-01-04}
resources:
  - {id: dev, units: 1}
  - id: ops
    calendar: {workweek: []}
tasks:
  - {id: a, duration: 1d, needs: {dev: 1}}
""", "bad_calendar", 5, None, "resource 'ops'"),
}


def _only(diagnostics: list[pmfit.Diagnostic], code: str) -> pmfit.Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def _check(diagnostic: pmfit.Diagnostic, name: str, file: str) -> None:
    _, code, line, task, words = CASES[name]
    assert (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.task) == (code, file, line, task)
    assert words in diagnostic.message


@pytest.mark.parametrize("name", sorted(CASES))
def test_pmfit_load_and_loads_report_it_located(name: str, tmp_path: Path) -> None:
    text, code, *_ = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(PlanError) as from_file:
        pmfit.load(path)
    _check(_only(from_file.value.diagnostics, code), name, str(path))
    with pytest.raises(PlanError) as from_text:
        pmfit.loads(text, "typed.yaml")
    _check(_only(from_text.value.diagnostics, code), name, "typed.yaml")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_reports_it_with_file_and_line_and_exit_1(name: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    text, code, line, *_ = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    for command in (["validate"], ["schedule"]):
        reset_consoles()
        result = CliRunner().invoke(app, [*command, str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 1, result.output
        assert f"{path}:{line}" in result.stderr and f"[{code}]" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    reset_consoles()
    result = CliRunner().invoke(app, ["validate", "--json", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert [(d["code"], d["line"]) for d in body["diagnostics"] if d["code"] == code] == [(code, line)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_workspace_refuses_it_on_import_and_on_commit(name: str, tmp_path: Path) -> None:
    from pmfit.workspace import Workspace

    text, code, line, *_ = CASES[name]
    ws = Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}", create=True)
    try:
        with pytest.raises(PlanError) as imported:
            ws.import_bytes(text.encode(), f"{name}.yaml")
        found = _only(imported.value.diagnostics, code)
        assert found.line == line and str(found.file).endswith(f"{name}.yaml")
        assert ws.list_projects() == []  # nothing reached the store
        fine = ws.import_bytes(b"project: {name: Fine, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d}\n",
                               "fine.yaml")
        with pytest.raises(PlanError) as committed:
            ws.commit(fine.project.id, fine.version.id, text=text)  # type: ignore[union-attr]
        assert _only(committed.value.diagnostics, code).line == line
    finally:
        ws.close()


def test_a_plan_object_with_a_cycle_is_refused_by_the_workspace_and_named_by_validate(tmp_path: Path) -> None:
    from pmfit.workspace import Workspace

    fine = "project: {name: Fine, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d}\n  - {id: b, duration: 1d}\n"
    plan = pmfit.loads(fine)
    data = plan.model_dump()
    data["tasks"][0]["after"] = [{"task": "b"}]
    data["tasks"][1]["after"] = [{"task": "a"}]
    looped = pmfit.Plan.model_validate(data)
    assert [d.code for d in pmfit.validate(looped)] == ["dependency_cycle"]
    assert pmfit.validate(plan) == []
    ws = Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}", create=True)
    try:
        saved = ws.import_bytes(fine.encode(), "fine.yaml")
        with pytest.raises(PlanError) as refused:
            ws.commit(saved.project.id, saved.version.id, plan=looped)  # type: ignore[union-attr]
        assert [d.code for d in refused.value.diagnostics] == ["dependency_cycle"]
    finally:
        ws.close()


def test_a_json_plan_and_an_import_report_it_too(tmp_path: Path) -> None:
    text = CASES["cycle"][0]
    path = tmp_path / "cycle.json"
    path.write_text(json.dumps(yaml.safe_load(text), default=str))
    with pytest.raises(PlanError) as loaded:
        pmfit.load(path)
    assert _only(loaded.value.diagnostics, "dependency_cycle").file == str(path)
    with pytest.raises(PlanError) as imported:
        pmfit.import_file(path)
    assert _only(imported.value.diagnostics, "dependency_cycle").file == str(path)


def test_the_checks_compile_the_plan_the_project_then_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One compile for load + schedule: the network the checks built is the one the project schedules on."""
    from pmfit.engine import network

    compiles: list[int] = []
    real = network._compile

    def counted(*args: object, **kwargs: object) -> object:
        compiles.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(network, "_compile", counted)
    path = tmp_path / "plan.yaml"
    path.write_text("project: {name: P, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 2d}\n"
                    "  - {id: b, duration: 1d, after: [a]}\n")
    plan = pmfit.load(path)
    assert len(compiles) == 1
    assert pmfit.schedule(plan).finish.date().isoformat() == "2027-01-06"  # a Mon-Tue, b Wed
    assert len(compiles) == 1


def test_a_web_edit_that_closes_a_cycle_is_refused_when_validated() -> None:
    from pmfit.workspace.edit import plan_data, plan_from_data

    data = plan_data(pmfit.loads("project: {name: P, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d}\n"
                                 "  - {id: b, duration: 1d, after: [a]}\n"))
    assert [t.id for t in plan_from_data(data).tasks] == ["a", "b"]
    data["tasks"][0]["after"] = ["b"]
    with pytest.raises(PlanError) as refused:
        plan_from_data(data)
    assert [(d.code, d.task) for d in refused.value.diagnostics] == [("dependency_cycle", "a")]
