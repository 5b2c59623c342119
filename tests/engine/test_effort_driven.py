"""Issue 12, defect 3: a task's duration comes from its work when it has no duration (effort-driven),
and a task with neither is a warning, never a silent zero (a milestone is the only silent zero)."""

from __future__ import annotations

from pmfit.engine.schedule import schedule
from pmfit.io.yamlplan import plan_warnings, read_plan_text

HEAD = """\
project: {name: Effort, start: 2027-01-04, calendar: {hours: 8}}
resources:
  - {id: dev, units: 3}
  - {id: qa, units: 1}
tasks:
"""


def _days(text: str) -> dict[str, float]:
    plan = read_plan_text(HEAD + text, "plan.yaml")
    result = schedule(plan)
    return {tid: t.duration / result.minutes_per_day for tid, t in result.tasks.items()}


def test_work_with_needs_gives_the_duration() -> None:
    # 80 h of work by 2 developers: 40 working hours = 5 days of 8 hours (Mon 4 .. Fri 8 Jan).
    days = _days("  - {id: build, work: 80h, needs: {dev: 2}}\n"
                 "  - {id: ship, milestone: true, after: [build]}\n")
    assert days["build"] == 5.0
    plan = read_plan_text(HEAD + "  - {id: build, work: 80h, needs: {dev: 2}}\n", "plan.yaml")
    assert schedule(plan).finish.isoformat() == "2027-01-08T17:00:00"


def test_work_is_spread_over_every_resource_it_needs() -> None:
    # 12 person-days over 2 developers and 1 tester = 4 days; half a tester doubles a 2-day job's length.
    days = _days("  - {id: a, work: 12d, needs: {dev: 2, qa: 1}}\n"
                 "  - {id: b, work: 1d, needs: {qa: 0.5}}\n"
                 "  - {id: c, work: 3d}\n")
    assert days == {"a": 4.0, "b": 2.0, "c": 3.0}


def test_an_explicit_duration_or_estimate_wins_over_work() -> None:
    days = _days("  - {id: fixed, duration: 2d, work: 80h, needs: {dev: 1}}\n"
                 "  - {id: est, estimate: [1d, 3d, 6d], work: 80h, needs: {dev: 1}}\n")
    assert days == {"fixed": 2.0, "est": 3.0}


def test_a_task_with_no_duration_is_a_warning_and_a_milestone_is_not() -> None:
    plan = read_plan_text(HEAD + "  - {id: vague, name: Something to do}\n"
                                 "  - {id: done, milestone: true, after: [vague]}\n"
                                 "  - {id: phase}\n  - {id: sub, parent: phase, duration: 1d}\n", "plan.yaml")
    warnings = [d for d in plan_warnings(plan) if d.code == "no_duration"]
    assert [(d.task, d.line, d.severity) for d in warnings] == [("vague", 6, "warning")]
    assert "milestone: true" in warnings[0].message

