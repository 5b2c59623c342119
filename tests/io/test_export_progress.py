"""Exports carry the plan in progress as the target tool keeps it, and baselines only where it keeps them.

Oracles: P6's own dates for a file with progress (its remaining early finish ``reend_date``), the
status-date schedule computed by hand for a small plan, and MS Project's rules (Start = ActualStart
of a started task; ActualDuration + RemainingDuration = Duration).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import shared_path

from pmfit.api import export_file
from pmfit.io.formats import import_file
from pmfit.io.yamlplan import read_plan_text

NS = "{http://schemas.microsoft.com/project}"
D = dt.datetime

IN_PROGRESS = """\
project: {name: Progress, start: 2027-03-01}
tasks:
  - {id: spec, duration: 5d}
  - {id: build, duration: 100h, after: [spec]}
  - {id: test, duration: 2d, after: [build]}
progress:
  status_date: 2027-03-10
  tasks:
    spec: {actual_start: 2027-03-01, actual_finish: 2027-03-05, percent_complete: 100}
    build: {actual_start: 2027-03-08, percent_complete: 75, remaining: 200h}
"""


def _tasks(path: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for task in ET.parse(path).getroot().iter(f"{NS}Task"):
        fields = {c.tag.replace(NS, ""): (c.text or "") for c in task}
        out[fields["Name"]] = fields
    return out


def test_ms_project_xml_carries_the_status_date_schedule(tmp_path: Path) -> None:
    """75% done with 200 h left finished where it was planned; Start differed from ActualStart."""
    out = tmp_path / "plan.xml"
    export_file(read_plan_text(IN_PROGRESS), out)
    tasks = _tasks(out)
    build = tasks["build"]
    assert build["Start"] == build["ActualStart"] == "2027-03-08T08:00:00"
    # 200 h of work remain after the status date (end of Wed 10 March): 25 working days from Thu 11
    assert build["Finish"] == "2027-04-14T17:00:00"
    assert build["RemainingDuration"] == "PT200H0M0S"
    assert build["Duration"] == "PT800H0M0S" and build["ActualDuration"] == "PT600H0M0S"  # 75% of 800 h
    assert tasks["test"]["Start"] == "2027-04-15T08:00:00"
    assert tasks["spec"]["Finish"] == tasks["spec"]["ActualFinish"] == "2027-03-05T17:00:00"


def test_p6_progress_survives_ms_project_xml_with_p6s_own_dates(tmp_path: Path) -> None:
    source = shared_path("projects", "xer", "mpxj-percent-complete-8.4.xer")
    plan, report = import_file(source, check=False)
    out = tmp_path / "plan.xml"
    export_file(plan, out)
    by_name = {t.name: t.id for t in plan.tasks}
    started = 0
    for name, fields in _tasks(out).items():
        tid = by_name.get(name)
        if tid is None:
            continue
        _, p6_finish = report.file_dates[tid]
        assert fields["Finish"] == p6_finish.isoformat(), name  # P6's remaining early finish
        if fields.get("ActualStart"):
            started += 1
            assert fields["Start"] == fields["ActualStart"], name
    assert started == 9


def test_xer_carries_the_status_date_schedule_and_no_baseline(tmp_path: Path) -> None:
    text = IN_PROGRESS + """\
baselines:
  - name: baseline
    tasks:
      build: {start: 2027-03-08T08:00, finish: 2027-03-23T12:00, duration: 100h}
"""
    plan = read_plan_text(text)
    out = tmp_path / "plan.xer"
    export_file(plan, out)
    back, report = import_file(out, check=False)
    assert back.baselines == []  # P6 keeps baselines as separate projects: not in the planned dates
    assert report.file_dates["build"] == (D(2027, 3, 8, 8), D(2027, 4, 14, 17))
    lines = out.read_bytes().decode("cp1252").split("\r\n")
    fields = lines[lines.index("%T\tTASK") + 1].split("\t")
    build = dict(zip(fields, next(r for r in lines if "\tbuild\t" in r).split("\t"), strict=True))
    assert (build["restart_date"], build["reend_date"]) == ("2027-03-10 17:00", "2027-04-14 17:00")
    assert (build["target_start_date"], build["target_end_date"]) == ("2027-03-08 08:00", "2027-04-14 17:00")
    assert back.progress is not None and back.progress.tasks["build"].remaining is not None
    assert back.progress.tasks["build"].remaining.minutes() == 200 * 60


def test_pmfit_export_writes_what_the_writers_do_for_a_plan_in_progress(tmp_path: Path) -> None:
    """`pmfit export` (pmfit.api) hands the writers the project's status-date schedule; it must carry the
    worked and remaining time of work in progress as the engine's own status schedule, computed here
    without pmfit.Project, does (the XER's remaining early start of a started task is the data date,
    not its actual start)."""
    from pmfit.api import export_plan
    from pmfit.engine.status import status_schedule
    from pmfit.io.current import CurrentSchedule
    from pmfit.io.formats import export_plan as writers_own

    plans = {"small": read_plan_text(IN_PROGRESS, "progress.yaml")}
    for name in ("software-release", "it-infrastructure-rollout"):
        from pmfit.api import load

        plans[name] = load(Path(__file__).parents[2] / "examples" / f"{name}.yaml")
    for name, plan in plans.items():
        for ext in ("xml", "xer", "gan", "planner", "mpx", "tjp"):  # the writers that keep progress
            through_api, direct = tmp_path / f"{name}-api.{ext}", tmp_path / f"{name}-io.{ext}"
            export_plan(plan, through_api)
            status = status_schedule(plan)
            writers_own(plan, direct, schedule=CurrentSchedule.of(status.schedule, status))
            assert through_api.read_bytes() == direct.read_bytes(), f"{name}.{ext}"
