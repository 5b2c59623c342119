"""Every export reports what the target format keeps, approximates and drops of the plan.

The same table (io/capabilities.py) gives the reports and the docs' per-format table. Oracles: the
plans' own counts (12 resources and 317 assignments of the 322-task MS Project plan), and the
files themselves (what a format drops is really not in the file it writes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import shared_path

from pmfit.api import export_plan
from pmfit.io.capabilities import FEATURES, WRITES, markdown_table
from pmfit.io.formats import FORMATS, _load_builtin_formats, import_file
from pmfit.io.yamlplan import read_plan_text

DEPLOYMENT = ("projects", "mpp", "projectlibre-ms-project-2003-deployment.mpp")


def test_ics_export_says_it_drops_resources_and_assignments(tmp_path: Path) -> None:
    plan, _ = import_file(shared_path(*DEPLOYMENT), check=False)
    result = export_plan(plan, tmp_path / "plan.ics")
    assert "12 resources" in result.report.dropped
    assert "317 assignments" in result.report.dropped
    assert "322 tasks" in result.report.read
    text = (tmp_path / "plan.ics").read_text(encoding="utf-8")
    assert "ATTENDEE" not in text  # really not in the file
    back, _ = import_file(tmp_path / "plan.ics", check=False)
    assert back.resources == []


def test_what_a_format_declares_dropped_is_not_read_back(tmp_path: Path) -> None:
    """The table is checked against the writers: a plan using every feature, written and read back."""
    plan = read_plan_text("""\
project: {name: All, start: 2027-03-01, objectives: [ship], budget: 1000,
          calendar: {holidays: [2027-03-05]}}
stakeholders: [{name: CFO}]
resources:
  - {id: dev, rate: 90/h, calendar: {workweek: [mon, tue, wed]}}
  - {id: fee, rate: 500/use}
tasks:
  - {id: p, name: Phase}
  - {id: a, parent: p, duration: 2d, needs: {dev: 1, fee: 1}, tags: [x], notes: hi, cost: 10, priority: 700,
     deadline: 2027-03-20, work: 16h}
  - {id: b, parent: p, estimate: [1d, 2d, 4d], after: ["a SS+1d"], constraint: {start_no_earlier_than: 2027-03-02}}
  - {id: m, milestone: true, after: [p]}
risks: [{id: r, probability: 0.5, delays: {a: 1d}}]
progress: {status_date: 2027-03-02, tasks: {a: {actual_start: 2027-03-01, percent_complete: 50}}}
baselines: [{name: baseline, tasks: {a: {start: 2027-03-01T08:00, finish: 2027-03-02T17:00, duration: 2d}}}]
""")
    checks = {
        "baselines": lambda back: len(back.baselines),
        "risks": lambda back: len(back.risks),
        "stakeholders": lambda back: len(back.stakeholders),
        "tags": lambda back: sum(bool(t.tags) for t in back.tasks),
        "deadlines": lambda back: sum(t.deadline is not None for t in back.tasks),
        "progress": lambda back: len(back.progress.tasks) if back.progress else 0,
        "assignments": lambda back: sum(len(t.needs) for t in back.tasks),
        "resources": lambda back: len(back.resources),
    }
    _load_builtin_formats()
    for name, table in WRITES.items():
        if name not in FORMATS:
            continue
        out = tmp_path / f"plan{FORMATS[name].extensions[0]}"
        result = export_plan(plan, out, name)
        back, _ = import_file(out, check=False)
        for key, count in checks.items():
            status = table[key][0]
            if status == "dropped":
                assert count(back) == 0, (name, key)
                assert any(line.startswith(tuple(f"{n} " for n in range(1, 10))) for line in result.report.dropped)
            elif status == "kept":
                assert count(back) > 0, (name, key)


def test_every_writer_declares_every_feature_and_the_docs_table_comes_from_it() -> None:
    _load_builtin_formats()
    writers = {f.name for f in FORMATS.values() if f.write is not None}
    assert set(WRITES) <= writers
    for name in WRITES:
        declared = FORMATS[name].writes
        assert declared is not None and set(declared) == {f.key for f in FEATURES}
    table = markdown_table()
    assert table.splitlines()[0] == "| | " + " | ".join(sorted(WRITES)) + " |"
    assert "| per-use fees of people |" in table
    assert "P6 keeps a baseline as a separate project" in table


def test_cli_export_reports_on_stderr_and_in_json(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    plan = tmp_path / "plan.yaml"
    plan.write_text("project: {name: P, start: 2027-03-01}\nresources: [{id: dev}]\n"
                    "tasks: [{id: a, duration: 1d, needs: {dev: 1}}]\n", encoding="utf-8")
    runner = CliRunner()
    reset_consoles()
    result = runner.invoke(app, ["export", str(plan), "--to", str(tmp_path / "plan.ics")])
    reset_consoles()
    assert result.exit_code == 0
    assert "1 assignments" in result.stderr and "dropped in icalendar" in result.stderr
    result = runner.invoke(app, ["export", str(plan), "--to", str(tmp_path / "plan.xer"), "--json"])
    reset_consoles()
    report = json.loads(result.stdout)["report"]
    assert report["format"] == "xer" and "1 assignments" in report["read"] and report["dropped"] == []


def test_the_docs_table_is_the_generated_one() -> None:
    """docs/reference/format-details.md carries exactly what python -m pmfit.io.capabilities prints."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "format-details.md").read_text(encoding="utf-8")
    start = doc.index("<!-- generated by: python -m pmfit.io.capabilities")
    body = doc[doc.index("\n", start) + 1:doc.index("<!-- end of generated table -->")]
    assert body == markdown_table()
