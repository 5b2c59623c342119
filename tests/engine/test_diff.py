"""What changed between two plans, and what it did to the finish: cases worked by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import pmfit
from pmfit.engine.baseline import freeze, with_baseline
from pmfit.engine.diff import diff_baseline, diff_plans

OLD = """\
project: {name: D, start: 2027-01-04}
resources:
  - {id: dev, rate: 100/h}
tasks:
  - {id: design, duration: 3d}
  - {id: build, duration: 5d, after: [design], needs: {dev: 1}}
  - {id: docs, name: User manual, duration: 2d, after: [design]}
  - {id: ship, milestone: true, after: [build, docs]}
"""
# Old: design 3d + build 5d -> finish day 8 = Wed 13 Jan 17:00; critical design, build, ship.
# Cost: build 5 x 8 h x 100 = 4000.

NEW = """\
project: {name: D, start: 2027-01-04}
resources:
  - {id: dev, rate: 120/h}
tasks:
  - {id: design, duration: 3d}
  - {id: build, duration: 7d, after: [design], needs: {dev: 1}}
  - {id: manual, name: User manual, duration: 2d, after: [design]}
  - {id: security, duration: 4d, after: [design]}
  - {id: ship, milestone: true, after: [build, manual, security]}
"""
# New: design 3d + build 7d -> day 10 = Fri 15 Jan 17:00: 2 working days (and 2 calendar days) later.
# Undo build's change (7d -> 5d): 3 + max(5, 4 security, 2 manual) = 8 -> build alone moved it 2 days.
# Undo ship's new links: its old links (build, docs = manual) -> still day 10 -> 0 days.
# Cost: build 7 x 8 x 120 = 6720.


def _kinds(result: object) -> set[tuple[str, str, str, str | None]]:
    return {(c.kind, c.entity, c.id, c.field) for c in result.changes}  # type: ignore[attr-defined]


def test_changes_finish_move_and_drivers() -> None:
    result = diff_plans(pmfit.loads(OLD), pmfit.loads(NEW))
    assert _kinds(result) == {
        ("changed", "resource", "dev", "rate"),
        ("renamed", "task", "manual", "id"),
        ("added", "task", "security", None),
        ("changed", "task", "build", "duration"),
        ("changed", "task", "ship", "after"),
    }
    rate = next(c for c in result.changes if c.entity == "resource")
    assert (rate.old, rate.new) == ("100/h", "120/h")
    assert result.old_finish == dt.datetime(2027, 1, 13, 17, 0)
    assert result.new_finish == dt.datetime(2027, 1, 15, 17, 0)
    assert result.finish_moved_days == pytest.approx(2)
    assert result.finish_moved_calendar_days == 2
    assert result.old_critical == ["design", "build", "ship"]
    assert result.new_critical == ["design", "build", "ship"]
    effects = {d.task: d.effect_days for d in result.drivers}
    assert effects == {"build": pytest.approx(2), "ship": pytest.approx(0)}
    assert result.drivers[0].task == "build"
    assert (result.old_cost, result.new_cost) == (pytest.approx(4000), pytest.approx(6720))


def test_no_changes() -> None:
    result = diff_plans(pmfit.loads(OLD), pmfit.loads(OLD))
    assert result.changes == [] and result.drivers == [] and result.finish_moved_days == 0
    assert "did not move" in result.summary()


def test_removed_task_and_an_earlier_finish() -> None:
    new = OLD.replace("duration: 5d", "duration: 1d").replace("  - {id: docs, name: User manual, duration: 2d, "
                                                              "after: [design]}\n", "").replace(
        "after: [build, docs]", "after: [build]")
    result = diff_plans(pmfit.loads(OLD), pmfit.loads(new))
    assert ("removed", "task", "docs", None) in _kinds(result)
    # design 3d + build 1d = day 4, Thu 7 Jan: 4 working days earlier (Wed 13 -> Thu 7 is -6 calendar days)
    assert result.finish_moved_days == pytest.approx(-4)
    assert result.finish_moved_calendar_days == -6
    assert {d.task for d in result.drivers} == {"build", "ship"}


def test_output_formats() -> None:
    result = diff_plans(pmfit.loads(OLD), pmfit.loads(NEW), "v1.yaml", "v2.yaml")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["finish_moved_days"] == 2 and data["drivers"][0]["task"] == "build"
    md = result.to_markdown()
    assert md.startswith("# What changed: v1.yaml → v2.yaml")
    assert "| build | duration: 5d → 7d | +2 |" in md
    assert "| renamed | task | manual | id | docs | manual |" in md


def test_against_a_baseline() -> None:
    old = pmfit.loads(OLD)
    plan = with_baseline(pmfit.loads(OLD.replace("duration: 5d", "duration: 6d")), freeze(old, name="v1"))
    result = diff_baseline(plan, plan.baseline("v1"))
    # build is a day longer: it finishes Thu 14 instead of Wed 13, and so does ship.
    assert result.finish_moved_days == pytest.approx(1)
    kinds = _kinds(result)
    assert ("changed", "task", "build", "duration") in kinds
    assert ("changed", "task", "build", "cost") in kinds
    assert ("changed", "task", "ship", "finish") in kinds
    assert ("changed", "task", "design", "finish") not in kinds
    assert [d.task for d in result.drivers] == ["build"]
    assert result.drivers[0].effect_days == pytest.approx(1)
    assert result.old_critical is None and result.new_critical == ["design", "build", "ship"]
    api = pmfit.diff(plan, baseline="v1")
    assert api.finish_moved_days == pytest.approx(1)


WEEK = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: a, duration: 5d}
  - {id: b, duration: 10d, after: [a]}
  - {id: c, duration: 3d, after: [a]}
  - {id: d, duration: 2d, after: [b, c]}
progress:
  status_date: STATUS
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-08}
    b: {actual_start: 2027-01-11, percent_complete: PCT}
    c: {actual_start: 2027-01-11, actual_finish: 2027-01-13}
"""
# Last week (status Fri 15 Jan): b 50% -> 5d left: Mon 18 .. Fri 22; d Mon 25 .. Tue 26 Jan.
# This week (status Fri 22 Jan): b only 60% -> 4d left: Mon 25 .. Thu 28; d Fri 29 .. Mon 1 Feb.
# The finish moved Tue 26 Jan -> Mon 1 Feb: 4 working days, 6 calendar days.
# Undo the status date alone (Fri 15, b 60%): 4d left Mon 18 .. Thu 21, d Fri 22 .. Mon 25 -> +5 days.
# Undo b's update alone (status Fri 22, b 50%): 5d left Mon 25 .. Fri 29, d Mon 1 .. Tue 2 Feb -> -1 day
# (b's progress helped; the week that passed is what moved the finish).


def test_a_weekly_status_update() -> None:
    old = pmfit.loads(WEEK.replace("STATUS", "2027-01-15").replace("PCT", "50"))
    new = pmfit.loads(WEEK.replace("STATUS", "2027-01-22").replace("PCT", "60"))
    result = diff_plans(old, new)
    assert _kinds(result) == {("changed", "progress", "status", "status_date"),
                              ("changed", "progress", "b", "percent_complete")}
    assert result.old_finish == dt.datetime(2027, 1, 26, 17, 0)
    assert result.new_finish == dt.datetime(2027, 2, 1, 17, 0)
    assert result.finish_moved_days == pytest.approx(4)
    effects = {d.task: d.effect_days for d in result.drivers}
    assert effects == {"(status date)": pytest.approx(5), "b": pytest.approx(-1)}
    assert result.drivers[0].task == "(status date)"
