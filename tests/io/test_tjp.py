"""TaskJuggler .tjp: the three example projects of TaskJuggler's own repository, read and written.

Oracles: counts of tasks, dependencies and resources read by hand from the files, TaskJuggler's
id rules (``!`` climbs one level per mark), its default working hours (9-12, 13-18), and the
round trip tjp -> plan -> tjp -> plan.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.api import export_plan
from pmfit.io import tjp
from pmfit.io.formats import detect_format, import_file
from pmfit.io.yamlplan import read_plan_text
from pmfit.model.diagnostics import PlanError


def _read(name: str) -> tuple:
    return tjp.read(str(shared_path("projects", "tjp", f"taskjuggler-{name}.tjp")))


def test_tutorial_by_hand() -> None:
    plan, report = _read("tutorial")
    assert plan.project.name == "Accounting Software" and plan.project.start == dt.date(2002, 1, 16)
    assert len(plan.tasks) == 15 and len(plan.summary_ids()) == 4
    links = {(t.id, str(x)) for t in plan.tasks for x in t.after}
    assert len(links) == 12
    # relative ids: !deliveries.start from AcSo.spec is AcSo.deliveries.start; !!software from test.alpha
    assert ("AcSo.spec", "AcSo.deliveries.start") in links
    assert ("AcSo.test.alpha", "AcSo.software") in links
    assert ("AcSo.deliveries.done", "AcSo.manual") in links
    # the resource tree: dev and misc are teams; rate 390 is inherited where a developer has none
    assert {r.id: (r.team, str(r.rate)) for r in plan.resources} == {
        "boss": (None, "480/d"), "dev1": ("Developers", "350/d"), "dev2": ("Developers", "390/d"),
        "dev3": ("Developers", "390/d"), "test": ("The Others", "310/d"), "doc": ("The Others", "300/d")}
    # ${allocate_developers} is a macro: three developers share 20 days of effort
    spec = plan.task("AcSo.spec")
    assert spec.needs == {"dev1": 1.0, "dev2": 1.0, "dev3": 1.0}
    assert spec.work is not None and spec.work.minutes(480) == 20 * 480
    assert spec.planned_duration().minutes(480) == pytest.approx(20 * 480 / 3, abs=1)
    dev3 = next(r for r in plan.resources if r.id == "dev3")
    assert dev3.calendar is not None and dev3.calendar.holidays[-1].until == dt.date(2002, 2, 5)
    assert [h.name for h in plan.project.calendar.holidays] == ["Good Friday"]
    assert list(plan.project.calendar.day_shifts()) == [(540, 720), (780, 1080)]  # TaskJuggler's default hours
    assert plan.progress is not None and plan.progress.status_date == dt.datetime(2002, 3, 5, 13, 0)
    assert plan.progress.tasks["AcSo.software.backend"].percent_complete == 95
    assert plan.task("AcSo.deliveries.start").milestone
    assert any("2 × delayed: (another scenario)" in d for d in report.dropped)
    assert any("4 × taskreport" in d for d in report.dropped)


def test_scrum_and_todolist_by_hand() -> None:
    plan, _ = _read("scrum")
    assert len(plan.tasks) == 18 and sum(len(t.after) for t in plan.tasks) == 12
    assert [str(x) for x in plan.task("product.s3.t1").after] == ["product.s1.t2"]  # an absolute id
    assert [str(x) for x in plan.task("product.s2").after] == ["product.s1"]  # a summary depends on a summary
    todo, _ = _read("todolist")
    assert len(todo.tasks) == 7  # tasks without ids get TaskJuggler-style ones
    done = [t.name for t in todo.tasks if todo.progress and t.id in todo.progress.tasks]
    assert done == ["By some milk", "Buy new car"]


@pytest.mark.parametrize("name", ["tutorial", "scrum", "todolist"])
def test_round_trip_keeps_tasks_resources_and_progress(name: str, tmp_path: Path) -> None:
    plan, _ = _read(name)
    result = export_plan(plan, tmp_path / "again.tjp")
    back, _ = import_file(tmp_path / "again.tjp", check=False)
    assert back.tasks == plan.tasks
    assert back.resources == plan.resources
    assert back.progress == plan.progress
    assert back.project == plan.project
    assert result.report.approximated == [] or name != "scrum"


def test_writer_reports_what_taskjuggler_cannot_hold(tmp_path: Path) -> None:
    plan = read_plan_text("""\
project: {name: P, start: 2027-03-01}
tasks:
  - {id: a-1, duration: 2d}
  - {id: b, duration: 1d, after: ["a-1 FF+4h"]}
  - {id: c, duration: 1d, after: ["b SS-1d"]}
""")
    result = export_plan(plan, tmp_path / "p.tjp")
    text = (tmp_path / "p.tjp").read_text(encoding="utf-8")
    assert "task a_1 " in text and "depends a_1 { gaplength 4h }" in text
    back, _ = import_file(tmp_path / "p.tjp", check=False)
    assert [str(x) for x in back.task("b").after] == ["a_1 FS+4h"]
    assert [str(x) for x in back.task("c").after] == ["b SS"]
    lines = result.report.approximated
    assert any("1 finish-to-finish and 0 start-to-finish" in line for line in lines)
    assert any("1 leads (negative lags) dropped" in line for line in lines)


def test_include_next_to_the_project_and_refused_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "res.tji").write_text('resource ann "Ann"\n', encoding="utf-8")
    main = tmp_path / "p.tjp"
    main.write_text('project "P" 2027-03-01 +1m\ninclude "res.tji"\n'
                    'task a "A" { effort 2d allocate ann }\n', encoding="utf-8")
    plan, report = tjp.read(str(main))
    assert [r.id for r in plan.resources] == ["ann"] and plan.task("a").needs == {"ann": 1.0}
    assert "included res.tji" in report.read
    assert detect_format(main).name == "taskjuggler"
    main.write_text('project "P" 2027-03-01 +1m\ninclude "/etc/passwd"\n', encoding="utf-8")
    with pytest.raises(PlanError, match="outside the project's folder"):
        tjp.read(str(main))


@pytest.mark.parametrize("text", [
    'project "P" 2027-03-01 +1m\ntask a "A" { depends',
    'project "P" 2027-03-01 +1m\nmacro m [ ${m} ]\ntask a "A" { ${m} }',
    "task a \"A\" { length 1d }",
    'project "P" 2027-03-01 +1m\ntask a "A" { start 2027-13-45 }',
])
def test_bad_files_are_clear_errors(text: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.tjp"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        tjp.read(str(path))
    assert err.value.codes[0] in ("bad_file", "missing_field")
