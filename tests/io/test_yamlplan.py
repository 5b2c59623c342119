"""The YAML plan file: durations, links, read -> write -> read, and hostile input.

Whatever bytes a user feeds the reader, the only exception that may come out is
:class:`PlanError` (with located diagnostics), and it comes out quickly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmfit.importing import (
    read_plan_text,  # the load step: the scheduler's checks (cycles, calendars) included
)
from pmfit.io.yamlplan import plan_from_data, read_plan, write_plan, write_plan_text
from pmfit.model.diagnostics import PlanError
from pmfit.model.duration import Duration, DurationError
from pmfit.model.plan import Link, LinkType, Plan

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "pmfit" / "examples"
CASES = Path(__file__).resolve().parents[1] / "cases"

FULL = """\
version: 1
project:
  name: ERP rollout
  start: 2027-01-04
  calendar:
    country: US
    workweek: [mon, tue, wed, thu, fri]
    hours: 8
    holidays: [2027-02-12, {date: 2027-03-01, until: 2027-03-03, name: Offsite}]
    exceptions:
      - {date: 2027-01-09, name: Working Saturday}
      - {date: 2027-01-15, shifts: ["08:00-12:00"]}
  currency: eur
  objectives: ["Cut order-to-cash time by 30%"]
  budget: 250000
  deadline: 2027-06-30
stakeholders:
  - {name: CFO, audience: business, cares_about: [budget, go-live]}
  - {name: Platform team, audience: technical, approves: [design]}
resources:
  - {id: dev, name: Backend developers, units: 3, rate: 95/h, skills: [python, sql]}
  - id: ops
    units: 1
    rate: 760/d
    calendar: {workweek: [mon, tue, wed, thu], hours: 10}
tasks:
  - {id: phase1, name: Phase 1}
  - {id: design, name: Architecture design, parent: phase1, duration: 5d, needs: {dev: 1}}
  - id: build
    name: Build order API
    parent: phase1
    after: [design, "spec SS+2d"]
    estimate: {optimistic: 15d, likely: 20d, pessimistic: 35d, distribution: pert}
    needs: {dev: 2, ops: 0.5}
    tags: [backend, api]
  - {id: spec, duration: 1.5d, constraint: {start_no_earlier_than: 2027-01-05}}
  - {id: test, duration: 3h, after: ["build FF-1d"], deadline: 2027-05-01}
  - {id: docs, duration: 2w, after: ["test SF+30m"], constraint: ALAP}
  - {id: golive, name: Go-live, milestone: true, after: [test, docs],
     constraint: {finish_no_later_than: 2027-04-30}}
risks:
  - {id: vendor, name: Vendor API late, probability: 0.3, delays: {build: 10d}}
progress:
  status_date: 2027-01-20
  tasks:
    design: {actual_start: 2027-01-04, actual_finish: 2027-01-08, percent_complete: 100}
"""


# ---- durations and links --------------------------------------------------------------------
@pytest.mark.parametrize(("text", "minutes"), [
    ("5d", 2400), ("3h", 180), ("2w", 4800), ("1.5d", 720), ("30m", 30), ("-1d", -480),
    ("2 days", 960), (" 4 hrs ", 240), ("1mo", 9600), (3, 1440), (0.5, 240), ("+2d", 960), (".5h", 30),
])
def test_durations(text: object, minutes: int) -> None:
    assert Duration.parse(text).minutes(480, 5) == minutes


@pytest.mark.parametrize("text", ["5 dayz", "d", "", "five days", "1e3d", "--1d", "nan", True, None, [], float("inf")])
def test_bad_durations(text: object) -> None:
    with pytest.raises(DurationError):
        Duration.parse(text)


def test_duration_units_follow_the_calendar() -> None:
    assert Duration.parse("1d").minutes(minutes_per_day=360) == 360
    assert Duration.parse("1w").minutes(minutes_per_day=480, days_per_week=7) == 3360
    assert str(Duration.parse("1.5d")) == "1.5d"
    assert str(Duration.parse("2 weeks")) == "2w"
    assert Duration.from_minutes(720, 480) == Duration(90 / 60 * 8, "h") or str(Duration.from_minutes(720)) == "12h"


@pytest.mark.parametrize(("text", "task", "kind", "lag"), [
    ("design", "design", "FS", "0d"),
    ("spec SS+2d", "spec", "SS", "2d"),
    ("test FF-1d", "test", "FF", "-1d"),
    ("a SF", "a", "SF", "0d"),
    ("a ss + 4h", "a", "SS", "4h"),
    ("Build API FS+1w", "Build API", "FS", "1w"),
    ("  x   FF-30m ", "x", "FF", "-30m"),
])
def test_links(text: str, task: str, kind: str, lag: str) -> None:
    link = Link.model_validate(text)
    assert (link.task, link.type, link.lag) == (task, LinkType(kind), Duration.parse(lag))
    assert Link.model_validate(str(link)) == link


# ---- read -> write -> read ------------------------------------------------------------------
def test_full_plan_round_trip(tmp_path: Path) -> None:
    plan = read_plan_text(FULL, "full.yaml")
    text = write_plan_text(plan)
    again = read_plan_text(text, "again.yaml")
    assert again == plan
    assert write_plan_text(again) == text  # stable: writing twice gives the same text
    # the file stays readable: durations and links as people write them
    assert "duration: 1.5d" in text and "spec SS+2d" in text and "build FF-1d" in text
    path = tmp_path / "plan.yaml"
    write_plan(plan, path)
    assert read_plan(path) == plan


def test_golden_case_plans_round_trip() -> None:
    for path in sorted(CASES.glob("*.yaml")):
        plan = read_plan_text(yaml.safe_load(path.read_text(encoding="utf-8"))["plan"], path.name)
        assert read_plan_text(write_plan_text(plan)) == plan, path.name


def test_examples_round_trip() -> None:
    examples = sorted(EXAMPLES.glob("*.yaml"))
    if not examples:
        pytest.skip("no bundled examples yet")
    for path in examples:
        plan = read_plan(path)
        assert read_plan_text(write_plan_text(plan)) == plan, path.name


ids = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=12).filter(
    lambda s: not s.isdigit())
durations = st.builds(lambda a, u: f"{a}{u}", st.sampled_from(["0", "1", "2.5", "0.25", "10", "3"]),
                      st.sampled_from(["m", "h", "d", "w", "mo"]))
lags = st.sampled_from(["", "+1d", "-1d", "+2h", "-30m", "+1.5d", "+1w"])
dates = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def plans(draw: st.DrawFn) -> str:
    """A random valid plan file (a DAG over unique ids, with summaries, constraints, calendars)."""
    names = draw(st.lists(ids, min_size=1, max_size=10, unique_by=str.lower))
    project: dict[str, object] = {"name": draw(st.text(min_size=1, max_size=20).filter(str.strip)),
                                  "start": draw(dates)}
    calendar: dict[str, object] = {}
    if draw(st.booleans()):
        calendar["workweek"] = draw(st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                                             min_size=1, max_size=7, unique=True))
    if draw(st.booleans()):
        calendar["hours"] = draw(st.sampled_from([6, 7.5, 8, 10]))
    if draw(st.booleans()):
        calendar["holidays"] = draw(st.lists(dates, max_size=3, unique=True))
    if draw(st.booleans()):
        calendar["country"] = draw(st.sampled_from(["US", "GB", "DE", "FR"]))
    if calendar:
        project["calendar"] = calendar
    tasks: list[dict[str, object]] = []
    summary = names[0] if len(names) > 2 and draw(st.booleans()) else None
    for k, name in enumerate(names):
        task: dict[str, object] = {"id": name}
        if draw(st.booleans()):
            task["name"] = draw(st.text(max_size=30))
        if summary is not None and name == summary:
            tasks.append(task)
            continue
        if summary is not None and draw(st.booleans()):
            task["parent"] = summary
        choice = draw(st.integers(0, 3))
        if choice == 0:
            task["milestone"] = True
        elif choice == 1:
            task["estimate"] = sorted([draw(durations) for _ in range(3)], key=lambda d: Duration.parse(d).minutes())
        else:
            task["duration"] = draw(durations)
        earlier = [n for n in names[:k] if n != summary]
        preds = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
        if preds:
            task["after"] = [p + (f" {draw(st.sampled_from(['FS', 'SS', 'FF', 'SF']))}{draw(lags)}"
                                  if draw(st.booleans()) else "") for p in preds]
        if draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from(["start_no_earlier_than", "start_no_later_than", "finish_no_earlier_than",
                                         "finish_no_later_than", "must_start_on", "must_finish_on"]))
            task["constraint"] = {kind: draw(dates)}
        elif draw(st.integers(0, 5)) == 0:
            task["constraint"] = draw(st.sampled_from(["ALAP", "ASAP"]))
        if draw(st.integers(0, 5)) == 0:
            task["deadline"] = draw(dates)
        tasks.append(task)
    doc: dict[str, object] = {"project": project, "tasks": tasks}
    if draw(st.booleans()):
        resources = []
        for rid in draw(st.lists(st.sampled_from(["dev", "ops", "qa", "pm"]), min_size=1, unique=True)):
            resource: dict[str, object] = {"id": rid, "units": draw(st.sampled_from([1, 2, 0.5, 3]))}
            if draw(st.booleans()):
                resource["rate"] = draw(st.sampled_from(["95/h", "760/d", "120", "$1,200/w"]))
            if draw(st.booleans()):
                resource["calendar"] = {"workweek": ["mon", "tue", "wed", "thu"], "hours": 10}
            if draw(st.booleans()):
                resource["skills"] = draw(st.lists(st.sampled_from(["python", "sql", "k8s"]), unique=True))
            resources.append(resource)
        doc["resources"] = resources
        for task in tasks:
            if "duration" in task and draw(st.booleans()):
                task["needs"] = {resources[0]["id"]: 0.5}
    if draw(st.booleans()):
        leaves = [t["id"] for t in tasks if t["id"] != summary]
        doc["risks"] = [{"id": "r1", "probability": draw(st.floats(0, 1)),
                         "delays": {draw(st.sampled_from(leaves)): draw(durations)}}]
    if draw(st.booleans()):
        doc["stakeholders"] = [{"name": "CFO", "audience": "business", "cares_about": ["budget"]}]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_plans_round_trip(text: str) -> None:
    plan = read_plan_text(text, "generated.yaml")
    written = write_plan_text(plan)
    assert read_plan_text(written) == plan


# ---- hostile input --------------------------------------------------------------------------
def only_plan_errors(text: str) -> None:
    try:
        plan = read_plan_text(text, "fuzz.yaml")
    except PlanError as exc:
        assert exc.diagnostics, "a PlanError without diagnostics"
        for d in exc.diagnostics:
            assert d.code and d.message and d.file == "fuzz.yaml"
    else:
        assert isinstance(plan, Plan)


@settings(max_examples=200, deadline=5000)
@given(st.text(max_size=300))
def test_garbage_text_gives_only_plan_errors(text: str) -> None:
    only_plan_errors(text)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=20),
                         dates, st.sampled_from(["5d", "-1d", "a SS+2d", "08:00-12:00", "95/h", "US", "2027-01-04"]))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["id", "name", "duration", "after", "parent", "constraint", "calendar",
                                     "start", "tasks", "project", "needs", "estimate", "milestone", "units",
                                     "hours", "shifts", "holidays", "workweek", "type", "date", "lag", "task"])
                    | st.text(max_size=6), inner, max_size=5)), max_leaves=25)


@settings(max_examples=200, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({"project": yaml_values, "tasks": yaml_values},
                             optional={"resources": yaml_values, "risks": yaml_values,
                                       "progress": yaml_values, "version": yaml_scalars}))
def test_garbage_structures_give_only_plan_errors(data: dict[str, object]) -> None:
    try:
        plan_from_data(data)
    except PlanError as exc:
        assert exc.diagnostics
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    only_plan_errors(text)


@settings(max_examples=150, deadline=5000)
@given(st.data())
def test_mutated_plan_files_give_only_plan_errors(data: st.DataObject) -> None:
    text = FULL
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["cut", "insert", "delete"]))
        if action == "cut":
            text = text[:at]
        elif action == "insert":
            text = text[:at] + data.draw(st.text(alphabet=":-[]{}#&*!|>'\"% \n\t,?0123456789ad", max_size=5)) + text[at:]
        else:
            text = text[:at] + text[at + data.draw(st.integers(1, 20)):]
    only_plan_errors(text)


def test_every_truncation_of_a_plan_file() -> None:
    for cut in range(0, len(FULL), 7):
        only_plan_errors(FULL[:cut])


@pytest.mark.parametrize("text", [
    "a: &a [*a]",  # a self-referencing alias
    "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(9)),
    "!!python/object/apply:os.system ['echo hi']",
    "project: !!binary aGVsbG8=",
    "[" * 5000,
    "project: {name: x, start: 2027-02-30}\ntasks: [{id: a}]",
    "project: {name: x, start: 99999-01-01}\ntasks: [{id: a}]",
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duration: 1e308d}]",
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duration: 99999999999999w}]",
    "project: {name: x, start: 2027-01-04, calendar: {country: XX}}\ntasks: [{id: a}]",
    "project: {name: x, start: 2027-01-04, calendar: {hours: 0}}\ntasks: [{id: a}]",
    "project: {name: x, start: 2027-01-04, calendar: {shifts: ['12:00-08:00']}}\ntasks: [{id: a}]",
    "project: {name: x, start: 0001-01-01}\ntasks: [{id: a, duration: 5d}]",
    "project: {name: x, start: 9999-12-30}\ntasks: [{id: a, duration: 5d}]",
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duration: 1d, constraint: {MSO: 0001-01-01}}]",
    "\ufeffproject: {name: x, start: 2027-01-04}\ntasks: [{id: a, deadline: 9999-12-31}]",
])
def test_hostile_files(text: str) -> None:
    from pmfit.engine.schedule import schedule

    try:
        plan = read_plan_text(text, "fuzz.yaml")
    except PlanError:
        return
    with contextlib.suppress(PlanError):
        schedule(plan)


def test_file_level_errors(tmp_path: Path) -> None:
    cases = {
        "missing.yaml": None,
        "binary.yaml": b"\x00\x01\x02project:",
        "latin1.yaml": "project: {name: caf\xe9}\n".encode("latin-1"),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(PlanError) as info:
            read_plan(path)
        assert info.value.codes == ["bad_file"]
    with pytest.raises(PlanError) as info:
        read_plan(tmp_path)
    assert info.value.codes == ["bad_file"]


# ---- the JSON Schema ------------------------------------------------------------------------
def _as_json(value: object) -> object:
    """What an editor's YAML plugin sees: dates and times as text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    from pmfit.io.schema import plan_json_schema

    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_validates_the_examples(validator: object) -> None:
    examples = sorted(EXAMPLES.glob("*.yaml"))
    if not examples:
        pytest.skip("no bundled examples yet")
    for path in examples:
        data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = list(validator.iter_errors(data))  # type: ignore[attr-defined]
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_schema_validates_every_plan_pmfit_accepts(validator: object) -> None:
    texts = [FULL] + [yaml.safe_load(p.read_text(encoding="utf-8"))["plan"] for p in sorted(CASES.glob("*.yaml"))]
    for text in texts:
        read_plan_text(text)
        data = _as_json(yaml.safe_load(text))
        errors = list(validator.iter_errors(data))  # type: ignore[attr-defined]
        assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}\n{text}"


@pytest.mark.parametrize("text", [
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duraton: 5d}]",
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, duration: 5 dayz}]",
    "project: {name: x}\ntasks: []",
    "project: {name: x, start: 2027-01-04}\ntasks: [{id: a, constraint: {start_whenever: 2027-01-04}}]",
])
def test_schema_rejects_what_pmfit_rejects(validator: object, text: str) -> None:
    data = _as_json(yaml.safe_load(text))
    assert list(validator.iter_errors(data))  # type: ignore[attr-defined]
    with pytest.raises(PlanError):
        read_plan_text(text)


def test_pmfit_schema_command_prints_the_schema() -> None:
    import json
    import subprocess
    import sys

    from pmfit.io.schema import plan_json_schema

    exe = Path(sys.executable).with_name("pmfit")
    if not exe.exists():
        pytest.skip("the pmfit console script is not installed")
    out = subprocess.run([str(exe), "schema"], check=True, capture_output=True, text=True).stdout
    assert json.loads(out) == json.loads(json.dumps(plan_json_schema()))


def test_alias_bombs_are_refused_quickly() -> None:
    import time

    lines = ["a: &a ['x','x','x','x','x','x','x','x','x']"]
    for i in range(1, 10):
        prev = chr(96 + i)
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    t0 = time.process_time()
    with pytest.raises(PlanError) as info:
        read_plan_text("\n".join(lines), "bomb.yaml")
    assert info.value.codes == ["file_too_large"]
    assert time.process_time() - t0 < 1.0  # 9**10 values if expanded
    with pytest.raises(PlanError) as info:
        read_plan_text("a: &a [*a]", "loop.yaml")
    assert info.value.codes == ["bad_yaml"]
    # ordinary anchors and merge keys still work
    plan = read_plan_text("project: {name: x, start: 2027-01-04}\n"
                          "tasks: [&t {id: a, duration: 2d}, {<<: *t, id: b}]", "ok.yaml")
    assert [t.id for t in plan.tasks] == ["a", "b"]
    assert plan.tasks[1].duration == Duration.parse("2d")


def test_the_same_plan_as_json(tmp_path: Path) -> None:
    import json

    from pmfit.io.formats import load

    plan = read_plan_text(FULL, "full.yaml")
    path = tmp_path / "plan.json"
    from pmfit.io.yamlplan import plan_to_data

    path.write_text(json.dumps(plan_to_data(plan), default=str), encoding="utf-8")
    assert load(path) == plan
    broken = tmp_path / "broken.json"
    broken.write_text('{"project": {"name": "x",\n "start": "2027-01-04"},\n "tasks": [}', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load(broken)
    assert info.value.diagnostics[0].line == 3
    deep = tmp_path / "deep.json"
    deep.write_text('{"project": 1, "tasks": ' + "[" * 100000 + "]" * 100000 + "}", encoding="utf-8")
    with pytest.raises(PlanError):
        load(deep)


def test_lines_found_after_a_fast_read_match_lines_recorded_while_reading() -> None:
    """The fast read keeps a tape of lines; the map made from it later is the one recording would make,
    and data changed in shape since the read falls back to reading the file again with lines."""
    import yaml

    from pmfit.io.yamlplan import SourceMap, _EventBuilder, parse_yaml

    text = (Path(__file__).resolve().parents[2] / "examples" / "software-release.yaml").read_text(encoding="utf-8")
    recorded = SourceMap(None)
    _EventBuilder(text, recorded, yaml.CSafeLoader).build()
    data, lazy = parse_yaml(text)
    assert lazy.lines == recorded.lines and len(recorded.lines) > 100
    data, changed = parse_yaml(text)
    data["tasks"].pop(0)  # one task fewer: the tape no longer fits the data
    assert changed.lines == recorded.lines
