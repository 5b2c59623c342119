"""The user's path at scale: same answers as before, and no step worse than n log n.

Complexity is checked without clocks: a tracer counts the byte-code steps of pmfit's
own code that run, for a plan and for one twice its size. Linear code runs about twice the
steps; the quadratic code this replaced (a WBS depth lookup per table row, a task
search per cost-model row, a day-by-day expansion of far-future holidays) ran four
times as many or more.

``tests/engine/data/schedule_snapshot.json`` holds the compiled networks, schedules
and driving chains of the examples and golden cases as the code before this work
gave them; regenerate it (``python tests/test_scale.py``) only for an intended change.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import pmfit
from pmfit.model.diagnostics import PlanError

ROOT = Path(__file__).resolve().parents[1]
SRC = str(Path(pmfit.__file__).resolve().parent)
SNAPSHOT = ROOT / "tests" / "engine" / "data" / "schedule_snapshot.json"
PLANS = sorted((ROOT / "src" / "pmfit" / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "cases").glob("*.yaml"))


def snapshot(path: Path) -> dict[str, Any]:
    """What the engines make of one plan file: network, schedule, a few driving chains."""
    from pmfit.engine.network import compile_plan
    from pmfit.engine.schedule import schedule

    try:
        plan = pmfit.load(path)
    except PlanError as exc:
        return {"error": sorted(d.code for d in exc.diagnostics)}
    net = compile_plan(plan)
    result = schedule(plan)
    return json.loads(json.dumps({
        "links": [net.link_src.tolist(), net.link_dst.tolist(), net.link_type.tolist(), net.link_lag.tolist()],
        "link_origin": [list(o) for o in net.link_origin],
        "duration": net.duration.tolist(), "deadline": net.deadline.tolist(),
        "constraint": [net.constraint_type.tolist(), net.constraint_time.tolist()],
        "records": result.to_records(), "summary": result.summary(),
        "why": {tid: [step.to_dict() for step in result.why(tid)] for tid in list(result.tasks)[::7]},
    }, default=str))


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_same_networks_schedules_and_why_as_before(path: Path) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    key = str(path.relative_to(ROOT))
    if key not in expected:
        pytest.skip(f"{key} is newer than the snapshot")
    assert snapshot(path) == expected[key]


# ---- counting work instead of timing it ---------------------------------------------------------
def lines_run(fn: Callable[[], object], skip: tuple[str, ...] = ()) -> int:
    """Byte-code steps of pmfit's own code run by ``fn()`` (other code, and pmfit's ``skip`` folders, untraced)."""
    count = 0
    skipped = tuple(f"{SRC}/{folder}/" for folder in skip)

    def local(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if event == "opcode":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        name = frame.f_code.co_filename
        if name.startswith(SRC) and not name.startswith(skipped):
            frame.f_trace_opcodes = True  # every byte-code step (a comprehension's loop is one line)
            frame.f_trace_lines = False
            return local
        return None

    sys.settrace(calls)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def growth(make: Callable[[int], Callable[[], object]], n: int, skip: tuple[str, ...] = ()) -> float:
    """How many times more pmfit steps run at size 2n than at n (linear: about 2, quadratic: about 4)."""
    small, large = make(n), make(2 * n)
    small()  # warm caches (imports, compiled regexes) so both counts measure the same work
    return lines_run(large, skip) / lines_run(small, skip)


def chain_plan(n: int, wbs_depth: int = 10) -> str:
    """``n`` tasks in one FS chain, groups of five nested ``wbs_depth`` deep, with estimates and costs."""
    lines = ["project: {name: Chain, start: 2027-01-04}",
             "resources: [{id: dev, units: 2, rate: 90/h}]", "tasks:"]
    for g in range(n // 5):
        parent = f", parent: g{g - 1}" if g % wbs_depth else ""
        lines.append(f"  - {{id: g{g}{parent}}}")
        for k in range(5):
            i = g * 5 + k
            after = f", after: [c{i - 1}]" if i else ""
            lines.append(f"  - {{id: c{i}, parent: g{g}, estimate: [1d, 2d, 4d], needs: {{dev: 1}}{after}}}")
    return "\n".join(lines) + "\n"


def test_load_schedule_json_and_table_grow_linearly(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    runner = CliRunner()

    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"chain-{n}.yaml"
        path.write_text(chain_plan(n), encoding="utf-8")

        def run() -> None:
            pmfit.load(path)
            for args in (["schedule", str(path)], ["schedule", "--json", str(path)]):
                reset_consoles()
                result = runner.invoke(app, args)
                assert result.exit_code == 0, result.output
        return run

    # The table's depth lookup per row was quadratic (3.5x here). The file reader (io/) is left out of
    # the count: linear and the bulk of the lines, it would hide a quadratic step at this small size.
    assert growth(make, 200, skip=("io",)) < 2.5


def test_schedule_table_indents_cost_linear_time_in_all() -> None:
    from pmfit.cli.commands.schedule import _depth

    def make(n: int) -> Callable[[], object]:
        plan = pmfit.loads(chain_plan(n))
        return lambda: [_depth(plan, t.id) for t in plan.tasks]  # what the table asks, row by row

    # A depth lookup that rebuilt the parent map per row was quadratic: 82 s for 8,000 tasks (4x here).
    assert growth(make, 300) < 2.4


def test_outline_depths_and_summary_link_checks_are_linear_in_wbs_depth() -> None:
    from pmfit.cli.tables import outline_depths
    from pmfit.model.plan import Plan
    from pmfit.model.validate import _summary_links

    def nested(n: int) -> Plan:
        """Each task the parent of the next: WBS depth n, one link per task to its predecessor's sibling."""
        tasks: list[dict[str, Any]] = [{"id": "t0"}]
        tasks += [{"id": f"t{i}", "parent": f"t{i - 1}"} for i in range(1, n)]
        tasks += [{"id": f"leaf{i}", "parent": f"t{i}", "after": [f"leaf{i - 1}"] if i else []} for i in range(n)]
        return Plan.model_validate({"project": {"name": "deep", "start": "2027-01-04"}, "tasks": tasks})

    def make_depths(n: int) -> Callable[[], object]:
        plan = nested(n)
        return lambda: outline_depths(plan.tasks)

    def make_links(n: int) -> Callable[[], object]:
        plan = nested(n)
        return lambda: _summary_links(plan)

    assert growth(make_depths, 300) < 2.4
    assert growth(make_links, 300) < 2.4
    plan = nested(40)
    depths = outline_depths(plan.tasks)
    assert depths["t0"] == 0 and depths["t39"] == 39 and depths["leaf39"] == 40 and depths["leaf0"] == 1


def test_outline_depths_match_a_walk_up_the_parents() -> None:
    from types import SimpleNamespace

    from pmfit.cli.tables import outline_depths

    tasks = [SimpleNamespace(id=i, parent=p) for i, p in
             [("a", None), ("b", "a"), ("c", "b"), ("d", "a"), ("e", None), ("f", "e"), ("g", "missing")]]
    parent = {t.id: t.parent for t in tasks}

    def walk(task_id: str) -> int:
        depth, node = 0, parent.get(task_id)
        while node is not None:
            depth, node = depth + 1, parent.get(node)
        return depth

    depths = outline_depths(tasks)
    assert {t.id: depths[t.id] for t in tasks} == {t.id: walk(t.id) for t in tasks}


# ---- calendars: a holiday that runs to 9999 -----------------------------------------------------
def far_holidays_plan(until: str = "9999-12-31") -> str:
    holidays = "\n".join(f"      - {{date: 2027-01-{11 + k:02d}, until: {until}, name: Year {k}}}"
                         if k == 0 else f"      - {{date: 2028-0{1 + k % 9}-0{1 + k % 8}, until: {until}}}"
                         for k in range(20))
    return (f"project:\n  name: Far\n  start: 2027-01-04\n  calendar:\n    holidays:\n{holidays}\n"
            "tasks:\n  - {id: a, duration: 3d}\n")


def test_holidays_running_to_9999_cost_the_span_used() -> None:
    plan = pmfit.loads(far_holidays_plan())  # 20 holidays of 2.9 million days each
    result = pmfit.schedule(plan)
    assert result["a"].finish.isoformat() == "2027-01-06T17:00:00"
    # The calendar reads the days the schedule uses (a year at a time), not the holidays' 58 million days.
    assert lines_run(lambda: pmfit.schedule(pmfit.loads(far_holidays_plan()))) < 200_000


def test_a_calendar_that_stops_working_is_refused_with_its_id() -> None:
    text = far_holidays_plan().replace("{id: a, duration: 3d}", "{id: a, duration: 30d}")
    with pytest.raises(PlanError) as caught:
        pmfit.loads(text, "far.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "bad_calendar" and diagnostic.task == "a"
    assert "no working time left" in diagnostic.message


def test_holiday_names_read_ranges_without_expanding_them() -> None:
    import datetime as dt

    from pmfit.engine.workcal import WorkingTime

    plan = pmfit.loads(far_holidays_plan())
    calendar = WorkingTime(plan.project.calendar, plan.project.start)
    assert calendar.holiday_names(dt.date(5000, 6, 1)) == "Year 0"
    assert not calendar.is_working_day(dt.date(2027, 1, 11)) and calendar.is_working_day(dt.date(2027, 1, 8))


# ---- the YAML reader --------------------------------------------------------------------------
YAML_CASES = [
    "", "# only a comment\n", "a", "- 1\n- 2", "a: 1\na: 2\n", "a: {b: 1, b: 2}", "? [1]\n: 2\n", "a: 2027-02-30\n",
    "a: 08:00\nb: 1_000\nc: 0x1F\nd: .inf\ne: ~\nf: yes\ng: no\nh: null\ni: 2027-01-04T10:00:00\nj: 1e3\n",
    "---\na: 1\n---\nb: 2\n", "a: !!str 1\n", "a: &x 1\nb: *x\n", "a: {<<: {c: 1}, d: 2}\n",
    "1: a\n2027-01-01: b\ntrue: c\n1.5: d\n", "a: [\n", "a: b: c\n", "a:\n  - {x: 1}\n  - [1, [2, [3]]]\n  -\n",
    "=: 1\n", "a: |\n  text\n  more\n", "a: 12345678901234567890123\n", "a: [1, 2]\n...\n", "%YAML 1.1\n---\na: 1\n",
    "x: " + "[" * 64 + "1" + "]" * 64, "x: " + "[" * 63 + "1" + "]" * 63, "x: " + "[" * 65 + "]" * 65,
    "a: '\\ud800'\n", "!!map {a: 1}\n", "a: 2027-13-01\n",
]


def _read(parse: Callable[[str, str], tuple[Any, Any]], text: str) -> tuple[str, Any, Any]:
    try:
        data, source = parse(text, "plan.yaml")
        return "ok", repr(data), source.lines
    except PlanError as exc:
        return "error", [d.to_dict() for d in exc.diagnostics], None


@pytest.mark.parametrize("text", YAML_CASES + [p.read_text(encoding="utf-8") for p in PLANS])
def test_event_reader_gives_the_node_tree_readers_data_lines_and_errors(text: str) -> None:
    from pmfit.io.yamlplan import _parse_yaml_nodes, parse_yaml

    assert _read(parse_yaml, text) == _read(_parse_yaml_nodes, text)


def test_plain_plans_never_build_the_node_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    from pmfit.io import yamlplan

    def refuse(text: str) -> None:
        raise AssertionError("the node tree was built")

    monkeypatch.setattr(yamlplan, "_compose", refuse)
    plan = pmfit.loads(chain_plan(50))
    assert len(plan.tasks) == 60
    with pytest.raises(PlanError) as caught:  # a located diagnostic still names the line
        pmfit.loads(chain_plan(10).replace("after: [c3]", "after: [c33]"), "chain.yaml")
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("unknown_task", 9)]  # c4 (after c3) is on line 9


# ---- JSON output ------------------------------------------------------------------------------
def test_fast_indented_json_is_the_standard_text() -> None:
    import datetime as dt
    import random

    from pmfit.cli.common import _json_default
    from pmfit.cli.jsonout import dumps_indented

    rng = random.Random(3)

    def value(depth: int) -> Any:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(["s", "é\n\"", 1, -2.5, float("nan"), True, None, 10**20, 1e-7,
                               dt.date(2027, 1, 2), (1, 2), "", pmfit.Duration(2, "d")])
        if roll < 0.7:
            return {rng.choice(["a", "b", "ü", 1, 2.5, None, True]): value(depth + 1) for _ in range(rng.randint(0, 5))}
        return [value(depth + 1) for _ in range(rng.randint(0, 4))]

    for _ in range(500):
        data = value(0)
        assert dumps_indented(data, default=_json_default) == json.dumps(
            data, indent=2, default=_json_default, ensure_ascii=False)
    plan = pmfit.load(PLANS[0])
    result = pmfit.schedule(plan)
    data = {**result.summary(), "tasks": result.to_records()}
    assert dumps_indented(data, default=_json_default) == json.dumps(data, indent=2, default=_json_default,
                                                                     ensure_ascii=False)


if __name__ == "__main__":  # regenerate the snapshot (only for an intended change of results)
    SNAPSHOT.write_text(json.dumps({str(p.relative_to(ROOT)): snapshot(p) for p in PLANS}, indent=1,
                                   sort_keys=True) + "\n", encoding="utf-8")
