"""The bundled example plans: realistic content, clean validation, and a schedule checked independently.

The schedule checks do not use pmfit's calendar code: working days come straight from the
``holidays`` package and the plan's own holiday list, and every link, duration and start is
re-checked in working minutes computed here.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import holidays
import pytest

import pmfit
from pmfit.io.yamlplan import plan_warnings
from pmfit.model.plan import LinkType

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "src" / "pmfit" / "examples"
NAMES = ["software-release.yaml", "it-infrastructure-rollout.yaml", "office-move.yaml"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(scope="module", params=NAMES)
def example(request: pytest.FixtureRequest) -> tuple[str, pmfit.Plan, pmfit.Schedule]:
    plan = pmfit.load(EXAMPLES / request.param)
    # The plan's own schedule (these tests check its calendar arithmetic); with progress the
    # default is the current schedule, where finished work keeps its actual (other) durations.
    return request.param, plan, pmfit.schedule(plan, as_planned=True)


def _leaves(plan: pmfit.Plan) -> list[Any]:
    summaries = plan.summary_ids()
    return [t for t in plan.tasks if t.id not in summaries]


# ---- content ----------------------------------------------------------------------
def test_examples_folder_holds_exactly_the_three_plans() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(NAMES)
    link = ROOT / "examples"
    assert link.resolve() == EXAMPLES.resolve()


def test_validates_cleanly(example) -> None:
    _, plan, sched = example
    assert plan_warnings(plan) == []
    assert pmfit.validate(plan) == []
    assert sched.diagnostics == []


def test_size_and_structure(example) -> None:
    _, plan, _ = example
    assert 40 <= len(plan.tasks) <= 120
    summaries = plan.summary_ids()
    assert len(summaries) >= 5
    assert sum(t.milestone for t in plan.tasks) >= 3
    assert all(t.name and t.name != t.id for t in plan.tasks), "every task has a real name"
    described = [t for t in plan.tasks if t.description]
    assert len(described) >= 8
    work = [t for t in _leaves(plan) if not t.milestone]
    estimated = [t for t in work if t.estimate is not None]
    assert len(estimated) >= 0.5 * len(work)
    for t in estimated:
        o, m, p = (d.minutes() for d in (t.estimate.optimistic, t.estimate.likely, t.estimate.pessimistic))
        assert o <= m <= p and o < p, t.id
    assert sum(bool(t.needs) for t in work) >= 0.7 * len(work)


def test_links_mix_types_lags_and_leads(example) -> None:
    _, plan, _ = example
    links = [link for t in plan.tasks for link in t.after]
    kinds = Counter(link.type for link in links)
    assert kinds[LinkType.FS] > 0.6 * len(links)
    assert kinds[LinkType.SS] >= 2 and kinds[LinkType.FF] >= 2
    assert any(link.lag.amount > 0 for link in links)
    assert any(link.lag.amount < 0 for link in links), "at least one lead"


def test_constraints_deadlines_calendar(example) -> None:
    _, plan, _ = example
    assert any(t.constraint is not None for t in plan.tasks)
    assert any(t.deadline is not None for t in plan.tasks)
    assert plan.project.deadline is not None
    assert plan.project.calendar.country in {"US", "GB", "DE"}


def test_resources_people_money_risks(example) -> None:
    _, plan, _ = example
    assert len(plan.resources) >= 6
    for r in plan.resources:
        assert r.units >= 1 and r.rate is not None and r.rate.per == "h" and r.skills and r.team, r.id
    assert len(plan.project.objectives) >= 3
    assert plan.project.budget and plan.project.currency in {"USD", "GBP", "EUR"}
    assert len(plan.stakeholders) >= 5
    assert all(s.cares_about for s in plan.stakeholders)
    known = {t.id for t in plan.tasks}
    assert len(plan.risks) >= 5
    for risk in plan.risks:
        assert 0 < risk.probability < 1 and risk.delays and set(risk.delays) <= known, risk.id


def test_stakeholder_mix_fits_the_kind_of_project() -> None:
    audiences = {}
    for name in NAMES:
        plan = pmfit.load(EXAMPLES / name)
        audiences[name] = Counter(s.audience for s in plan.stakeholders)
    assert audiences["software-release.yaml"]["technical"] > audiences["software-release.yaml"]["business"]
    assert audiences["office-move.yaml"]["business"] >= 4 * audiences["office-move.yaml"]["technical"]
    it = pmfit.load(EXAMPLES / "it-infrastructure-rollout.yaml")
    roles = {s.role for s in it.stakeholders if s.audience == "business"}
    assert {"Chief Financial Officer", "Chief Operating Officer", "HR Director"} <= roles
    assert any(s.audience == "technical" for s in it.stakeholders)


def test_budget_covers_the_planned_cost(example) -> None:
    """Labour (units x hourly rate x working hours) plus fixed costs, summed here by hand."""
    _, plan, sched = example
    hours_per_day = plan.project.calendar.hours
    rate = {r.id: r.rate.amount for r in plan.resources}
    cost = 0.0
    for task in _leaves(plan):
        hours = sched[task.id].duration / 60
        cost += sum(units * rate[rid] * hours for rid, units in task.needs.items()) + (task.cost or 0)
    assert hours_per_day > 0
    assert cost <= plan.project.budget <= 1.6 * cost, (cost, plan.project.budget)


def test_round_trip(example) -> None:
    _, plan, _ = example
    assert pmfit.loads(pmfit.dumps(plan)) == plan


# ---- progress ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["software-release.yaml", "it-infrastructure-rollout.yaml"])
def test_progress_is_realistic(name: str) -> None:
    plan = pmfit.load(EXAMPLES / name)
    sched = pmfit.schedule(plan)
    progress = plan.progress
    assert progress is not None and progress.status_date is not None
    weeks = (progress.status_date - plan.project.start).days / 7
    assert 2 <= weeks <= 8
    done = [tid for tid, p in progress.tasks.items() if p.actual_finish is not None]
    going = [tid for tid, p in progress.tasks.items()
             if p.actual_finish is None and p.percent_complete and 0 < p.percent_complete < 100]
    assert len(done) >= 3 and len(going) >= 3
    working = _working_days(plan, plan.project.start, progress.status_date)
    for tid, p in progress.tasks.items():
        assert p.actual_cost is not None, tid
        assert p.actual_start in working, (tid, p.actual_start)
        assert p.actual_finish is None or p.actual_finish in working, (tid, p.actual_finish)
        # a task that has started was due to start by the status date
        assert sched[tid].early_start.date() <= progress.status_date, tid
    for tid in done:
        for link in plan.task(tid).after:
            if link.type is LinkType.FS and link.task in progress.tasks:
                assert progress.tasks[link.task].actual_start is not None


# ---- the schedule, checked without pmfit's calendar ----------------------------------
def _working_days(plan: pmfit.Plan, first: dt.date, last: dt.date) -> list[dt.date]:
    cal = plan.project.calendar
    years = range(first.year, last.year + 2)
    public = holidays.country_holidays(cal.country, subdiv=cal.subdivision, years=years) if cal.country else {}
    own: set[dt.date] = set()
    for h in cal.holidays:
        day = h.date
        while day <= (h.until or h.date):
            own.add(day)
            day += dt.timedelta(days=1)
    days, day = [], first
    while day <= last:
        if WEEKDAYS[day.weekday()] in cal.workweek and day not in public and day not in own:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


class _Clock:
    """Working minutes since the project start, from a list of working days and fixed shifts."""

    def __init__(self, plan: pmfit.Plan, last: dt.date) -> None:
        cal = plan.project.calendar
        start = plan.project.start
        self.days = _working_days(plan, start, last)
        self.index = {d: i for i, d in enumerate(self.days)}
        if cal.shifts:
            self.shifts = [(s.start.hour * 60 + s.start.minute, s.end.hour * 60 + s.end.minute)
                           for s in cal.shifts]
        else:
            assert cal.hours == 8
            self.shifts = [(480, 720), (780, 1020)]
        self.per_day = sum(b - a for a, b in self.shifts)

    def at(self, moment: dt.datetime) -> int:
        day = moment.date()
        assert day in self.index, f"{moment} is not a working day"
        minute = moment.hour * 60 + moment.minute
        worked = sum(max(0, min(b, minute) - a) for a, b in self.shifts)
        return self.index[day] * self.per_day + worked

    def on_shift(self, moment: dt.datetime, edge: str) -> bool:
        minute = moment.hour * 60 + moment.minute
        if edge == "start":
            return any(a <= minute < b for a, b in self.shifts)
        return any(a < minute <= b for a, b in self.shifts)


def test_schedule_respects_calendar_links_and_durations(example) -> None:
    _, plan, sched = example
    clock = _Clock(plan, sched.finish.date() + dt.timedelta(days=60))
    per_day = clock.per_day
    assert sched.minutes_per_day == per_day
    parents = {t.id: t.parent for t in plan.tasks}
    leaves = {t.id for t in _leaves(plan)}

    def under(tid: str) -> list[str]:
        if tid in leaves:
            return [tid]
        out = []
        for leaf in leaves:
            node = parents.get(leaf)
            while node is not None:
                if node == tid:
                    out.append(leaf)
                    break
                node = parents.get(node)
        return out

    start = {tid: clock.at(sched[tid].start) for tid in leaves}
    finish = {tid: clock.at(sched[tid].finish) for tid in leaves}
    for task in plan.tasks:
        if task.id not in leaves:
            continue
        row = sched[task.id]
        planned = task.planned_duration().minutes(per_day, len(plan.project.calendar.workweek))
        assert finish[task.id] - start[task.id] == planned, task.id
        if not task.milestone:
            assert clock.on_shift(row.start, "start") and clock.on_shift(row.finish, "finish"), task.id
    # every link holds, and every task that does not start at the project start is held by a
    # tight link or by its own constraint (the forward pass is as early as it can be)
    held: dict[str, bool] = {tid: start[tid] == 0 for tid in leaves}
    for task in plan.tasks:
        for link in task.after:
            lag = link.lag.minutes(per_day, len(plan.project.calendar.workweek))
            for succ in under(task.id):
                for pred in under(link.task):
                    need, have = {
                        LinkType.FS: (finish[pred] + lag, start[succ]),
                        LinkType.SS: (start[pred] + lag, start[succ]),
                        LinkType.FF: (finish[pred] + lag, finish[succ]),
                        LinkType.SF: (start[pred] + lag, finish[succ]),
                    }[link.type]
                    assert have >= need, (pred, link.type, succ)
                    held[succ] = held[succ] or have == need
    for task in plan.tasks:
        constraint = task.constraint
        if task.id in leaves and constraint is not None and constraint.type.value == "SNET":
            floor = clock.index[constraint.date] * per_day
            assert start[task.id] >= floor, task.id
            held[task.id] = held[task.id] or start[task.id] == floor
    assert [tid for tid, ok in held.items() if not ok] == []
    # summaries span their leaves; the project ends with its last leaf
    for sid in plan.summary_ids():
        members = under(sid)
        assert sched[sid].start == min(sched[m].start for m in members)
        assert sched[sid].finish == max(sched[m].finish for m in members)
    assert sched.finish == max(sched[t].finish for t in leaves)


def test_finish_is_sensible(example) -> None:
    _, plan, sched = example
    months = (sched.finish.date() - plan.project.start).days / 30.4
    assert 3 <= months <= 12
    assert sched.finish.date() <= plan.project.deadline
    for task in plan.tasks:
        if task.deadline is not None:
            assert sched[task.id].finish.date() <= task.deadline, task.id
    assert len(sched.critical_path) >= 5


# ---- packaging ------------------------------------------------------------------------
def test_examples_are_found_through_the_package() -> None:
    from importlib.resources import files

    folder = files("pmfit").joinpath("examples")
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")) == sorted(NAMES)


def test_examples_ship_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["pmfit"]
    for name in NAMES:
        assert any(fnmatch.fnmatch(f"examples/{name}", pattern) for pattern in patterns), name
