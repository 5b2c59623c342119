"""The public Python API: ``pmfit.__all__``, ``load``/``schedule``, and the result conversions."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import pmfit
from cli.conftest import EXPECTED, EXPECTED_CRITICAL, EXPECTED_FREE_FLOAT, TINY_PLAN


def test_all_names_resolve() -> None:
    assert pmfit.__all__ == sorted(pmfit.__all__)
    assert len(set(pmfit.__all__)) == len(pmfit.__all__)
    for name in pmfit.__all__:
        assert getattr(pmfit, name) is not None, name
    assert set(dir(pmfit)) >= set(pmfit.__all__)
    for required in ("load", "loads", "schedule", "validate", "Plan", "Schedule", "PlanError", "Diagnostic"):
        assert required in pmfit.__all__


def test_exports_are_the_real_objects() -> None:
    from pmfit import _EXPORTS

    for name, module in _EXPORTS.items():
        if name == "report":
            continue  # pmfit.report is also the report package; see the next test
        assert getattr(pmfit, name) is getattr(importlib.import_module(module), name), name


def test_report_is_callable_even_after_its_package_is_imported() -> None:
    import pmfit.report.facts  # binds the package to the name pmfit.report

    plan = pmfit.loads("project: {name: P, start: 2027-01-04}\ntasks: [{id: a, duration: 2d}]\n")
    text = pmfit.report(plan, "technical", "md", iterations=200)
    assert isinstance(text, str) and text.startswith("# P: technical status")


@pytest.mark.parametrize("first", [
    "import pmfit.report.facts",            # the package bound by the import system first
    "from pmfit import report",             # the public name first
    "import pmfit.report as r; assert r is pmfit.report",
    "import pmfit.api",                     # the API (which uses the report package) first
])
def test_report_is_one_callable_package_whichever_import_comes_first(first: str) -> None:
    code = (f"import pmfit\n{first}\nimport pmfit.report.facts, types\n"
            "assert isinstance(pmfit.report, types.ModuleType) and pmfit.report.facts\n"
            "from pmfit import report\nassert report is pmfit.report\n"
            "plan = pmfit.loads('project: {name: P, start: 2027-01-04}\\ntasks: [{id: a, duration: 2d}]\\n')\n"
            "print(report(plan, 'technical', 'md', iterations=50).splitlines()[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "# P: technical status"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pmfit.nope  # noqa: B018


def test_import_is_lazy() -> None:
    code = "import sys, pmfit; print(sorted(m for m in ('numpy', 'pydantic', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_PLAN)
    return path


def test_load_and_schedule_give_the_hand_computed_answers(tiny: Path) -> None:
    plan = pmfit.load(tiny)
    assert isinstance(plan, pmfit.Plan)
    assert [t.id for t in plan.tasks] == ["build", "a", "b", "c", "d", "e", "m"]
    sched = pmfit.schedule(plan)
    assert isinstance(sched, pmfit.Schedule)
    assert sched.start == dt.datetime(2027, 1, 4, 8, 0)
    assert sched.finish == dt.datetime(2027, 1, 13, 17, 0)
    assert sched.duration_days == 7
    assert sched.critical_path == EXPECTED_CRITICAL
    for tid, (start, finish, total_float, critical) in EXPECTED.items():
        row = sched[tid]
        assert row.start == dt.datetime.fromisoformat(start), tid
        assert row.finish == dt.datetime.fromisoformat(finish), tid
        assert row.total_float == total_float * 480, tid
        assert row.critical is critical, tid
    assert [s.task for s in sched.why("m")] == ["m", "d", "b", "a"]
    assert pmfit.validate(plan) == []


def test_schedule_does_not_change_the_plan(tiny: Path) -> None:
    plan = pmfit.load(tiny)
    before = pmfit.dumps(plan)
    pmfit.schedule(plan)
    assert pmfit.dumps(plan) == before
    with pytest.raises(Exception):  # noqa: B017 - frozen pydantic model
        plan.tasks[0].name = "changed"  # type: ignore[misc]


def test_loads_dumps_round_trip(tiny: Path) -> None:
    plan = pmfit.loads(TINY_PLAN)
    again = pmfit.loads(pmfit.dumps(plan))
    assert again == plan
    saved = tiny.with_name("saved.yaml")
    pmfit.save(plan, saved)
    assert pmfit.load(saved) == plan


def test_load_errors_are_plan_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_PLAN.replace("after: [b, c]", "after: [b, q]"))
    with pytest.raises(pmfit.PlanError) as info:
        pmfit.load(bad)
    assert info.value.codes == ["unknown_task"]
    diagnostic = info.value.diagnostics[0]
    assert isinstance(diagnostic, pmfit.Diagnostic)
    line = 1 + TINY_PLAN.splitlines().index('  - {id: d, name: Test, duration: 2d, after: [b, c]}')
    assert (diagnostic.file, diagnostic.task, diagnostic.line) == (str(bad), "d", line)
    with pytest.raises(pmfit.PlanError) as missing:
        pmfit.load(tmp_path / "missing.yaml")
    assert missing.value.codes == ["bad_file"]


def test_to_records(tiny: Path) -> None:
    records = pmfit.schedule(pmfit.load(tiny)).to_records()
    assert [r["id"] for r in records] == ["build", "a", "b", "c", "d", "e", "m"]
    by_id = {r["id"]: r for r in records}
    for tid, (start, finish, total_float, critical) in EXPECTED.items():
        assert (by_id[tid]["start"], by_id[tid]["finish"]) == (start, finish)
        assert by_id[tid]["total_float_days"] == total_float
        assert by_id[tid]["critical"] is critical
    for tid, free in EXPECTED_FREE_FLOAT.items():
        assert by_id[tid]["free_float_days"] == free
    import json

    json.dumps(records)  # JSON-ready


def test_to_pandas(tiny: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pmfit.schedule(pmfit.load(tiny)).to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == ["build", "a", "b", "c", "d", "e", "m"]
    assert frame.index.name == "id"
    assert {"name", "start", "finish", "total_float", "free_float", "critical"} <= set(frame.columns)
    assert pd.api.types.is_datetime64_any_dtype(frame["start"])
    assert frame.loc["d", "start"] == pd.Timestamp("2027-01-12 08:00")
    assert frame.loc["e", "total_float"] == 2 * 480
    assert list(frame.index[frame["critical"]]) == ["build", "a", "b", "d", "m"]
    assert frame.loc["build", "summary"] and frame.loc["m", "milestone"]
