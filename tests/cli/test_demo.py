"""``pmfit demo``: schedules every bundled example, and what it says is true of the plans."""

from __future__ import annotations

import itertools
import json
import shlex
import sys
import textwrap
from pathlib import Path

import pytest

import pmfit
from pmfit.cli.commands import demo as demo_module

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "pmfit" / "examples"
NAMES = ["software-release.yaml", "it-infrastructure-rollout.yaml", "office-move.yaml"]


@pytest.fixture(scope="module")
def demo_json() -> dict:
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    reset_consoles()
    result = CliRunner().invoke(app, ["demo", "--json"])
    reset_consoles()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def _linked(plan: pmfit.Plan, before: str, after: str) -> bool:
    """True when ``after`` depends on ``before`` directly or through their summary tasks."""
    parents = {t.id: t.parent for t in plan.tasks}

    def up(tid: str) -> set[str]:
        out = {tid}
        while parents.get(tid) is not None:
            tid = parents[tid]  # type: ignore[assignment]
            out.add(tid)
        return out

    sources, targets = up(before), up(after)
    return any(link.task in sources for t in plan.tasks if t.id in targets for link in t.after)


def test_demo_covers_every_example_in_order(demo_json: dict) -> None:
    assert [e["file"] for e in demo_json["examples"]] == NAMES
    assert all(len(e["steps"]) >= 3 for e in demo_json["examples"])


def test_demo_finish_and_counts_agree_with_the_plans(demo_json: dict) -> None:
    for example in demo_json["examples"]:
        plan = pmfit.load(EXAMPLES / example["file"])
        sched = pmfit.schedule(plan)
        steps = {s["step"]: s for s in example["steps"]}
        data = steps["schedule"]["data"]
        assert example["project"] == plan.project.name
        assert data["tasks"] == len(plan.tasks)
        assert data["finish"] == sched.finish.isoformat(timespec="minutes")
        assert f"{sched.finish:%a %d %b %Y}" in steps["schedule"]["text"]
        assert data["warnings"] == 0


def test_demo_critical_chain_is_a_chain_of_links_in_the_plan(demo_json: dict) -> None:
    for example in demo_json["examples"]:
        plan = pmfit.load(EXAMPLES / example["file"])
        sched = pmfit.schedule(plan)
        chain = next(s for s in example["steps"] if s["step"] == "critical_path")["data"]["chain"]
        assert len(chain) >= 5
        for before, after in itertools.pairwise(chain):
            assert _linked(plan, before, after), (example["file"], before, after)
        assert all(sched[t].total_float == 0 for t in chain)
        # the chain ends where the project ends
        assert sched[chain[-1]].finish == sched.finish


def test_demo_why_line_follows_real_links(demo_json: dict) -> None:
    for example in demo_json["examples"]:
        plan = pmfit.load(EXAMPLES / example["file"])
        why = next(s for s in example["steps"] if s["step"] == "why")
        chain = why["data"]["chain"]
        assert chain[0]["task"] == why["data"]["task"]
        for step in chain:
            if step["kind"] == "link":
                assert _linked(plan, step["predecessor"], step["task"]), step
        # a plan with progress: the chain can end at a started task's actual start, or the status date
        assert chain[-1]["kind"] in ("project_start", "constraint", "must", "actual_start", "status_date")
        assert why["try_next"] == f"pmfit why {example['path']} {why['data']['task']}"


def test_demo_text_output(cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    for name in ("Northwind Billing 3.0 release", "Workplace and infrastructure modernisation",
                 "Munich head office move"):
        assert name in out
    assert "critical path method" in out
    assert "Critical path:" in out and "Why does " in out
    assert "Try next" in out and "pmfit schedule" in out and "pmfit why" in out


def test_try_next_commands_work(cli, demo_json: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Run where examples/ resolves but anything a command writes lands in a temporary folder.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    for command in demo_json["try_next"]:
        args = shlex.split(command.split(">")[0])
        assert args[0] == "pmfit"
        result = cli(*args[1:])
        assert result.exit_code == 0, (command, result.stderr)


def test_demo_from_another_folder_names_files_that_exist(cli, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = json.loads(cli("demo", "--json").stdout)
    for example in data["examples"]:
        assert Path(example["path"]).is_file()
        assert Path(example["path"]).name == example["file"]


def test_a_new_step_adds_one_line_and_a_broken_step_is_skipped(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def step_tasks(ctx: demo_module.DemoContext) -> demo_module.DemoLine:
        return demo_module.DemoLine("count", f"COUNT {len(ctx.plan.tasks)}", {"n": len(ctx.plan.tasks)})

    def step_broken(ctx: demo_module.DemoContext) -> demo_module.DemoLine:
        raise RuntimeError("engine not ready")

    monkeypatch.setattr(demo_module, "DEMO_STEPS", [*demo_module.DEMO_STEPS, step_tasks, step_broken])
    result = cli("demo")
    assert result.exit_code == 0
    assert "COUNT 62" in result.stdout and "COUNT 68" in result.stdout and "COUNT 55" in result.stdout
    assert "step_broken" in result.stderr and "engine not ready" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_command_modules_can_contribute_a_step(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pmfit.cli import commands

    (tmp_path / "zz_fake_engine.py").write_text(textwrap.dedent("""
        from pmfit.cli.commands.demo import DemoLine
        demo_order = 5
        def demo_step(ctx):
            return DemoLine("fake", "FAKE ENGINE on " + ctx.name)
    """))
    monkeypatch.setattr(commands, "__path__", [*commands.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "pmfit.cli.commands.zz_fake_engine", raising=False)
    try:
        data = json.loads(cli("demo", "--json").stdout)
    finally:
        sys.modules.pop("pmfit.cli.commands.zz_fake_engine", None)
    steps = [s["step"] for s in data["examples"][0]["steps"]]
    assert steps[:3] == ["schedule", "critical_path", "why"] and "fake" in steps
    assert data["examples"][2]["steps"][steps.index("fake")]["text"] == "FAKE ENGINE on office-move.yaml"


def test_demo_is_quick(demo_json: dict) -> None:
    # The target is well under a second; the bound here only catches a hang or a big regression
    # on a busy shared machine.
    assert demo_json["seconds"] < 3.0


def test_a_different_local_examples_folder_is_not_mistaken_for_the_bundled_one(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "office-move.yaml").write_text("project: {name: Mine, start: 2027-01-04}\n")
    monkeypatch.chdir(tmp_path)
    data = json.loads(cli("demo", "--json").stdout)
    paths = {e["file"]: e["path"] for e in data["examples"]}
    assert paths["office-move.yaml"] != "examples/office-move.yaml"
    assert Path(paths["office-move.yaml"]).resolve() == (EXAMPLES / "office-move.yaml").resolve()


def test_missing_examples_are_a_clear_error(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_module, "bundled_examples", lambda: [])
    result = cli("demo")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no example plans" in result.stderr


def test_demo_states_one_finish_per_plan_labelled(demo_json: dict) -> None:
    import re

    date = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2} [A-Z][a-z]{2} \d{4}\b")
    for example in demo_json["examples"]:
        plan = pmfit.load(EXAMPLES / example["file"])
        finish = f"{pmfit.schedule(plan).finish:%a %d %b %Y}"
        texts = [s["text"] for s in example["steps"]]
        everything = " ".join(texts)
        # the finish appears once, as the current schedule's; no other step states a finish date
        assert everything.count("current schedule") >= 1
        labelled = re.findall(r"finish \(current schedule[^)]*\) (\w{3} \d{2} \w{3} \d{4})", everything)
        assert labelled == [finish], example["file"]
        for step in example["steps"]:
            if step["step"] not in ("schedule", "why"):
                assert not date.search(step["text"]), step["text"]
