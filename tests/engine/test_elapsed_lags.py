"""Elapsed lags (``3ed``): calendar time between tasks, placed as MS Project places them.

The rule (docs/reference/plan-file.md): the predecessor's anchor is a moment (a finish at the end
of its last working minute, Fri 17:00; a start when its first working minute begins, Mon 08:00);
the lag is added in calendar time; a successor's start there begins at the next working time, a
successor's finish there is the working time done by then.

Dates below are worked by hand on the standard calendar (Mon-Fri, 08:00-12:00 and 13:00-17:00),
project start Mon 2027-01-04; Sat 9 and Sun 10 January are the weekend.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmfit.engine.cpm import critical_path_method, in_working_time
from pmfit.engine.network import compile_plan
from pmfit.engine.schedule import schedule
from pmfit.model.diagnostics import PlanError
from pmfit.model.duration import Duration, DurationError, Lag
from pmfit.model.plan import Link, Plan


def _plan(tasks: list[dict[str, Any]], holidays: list[str] | None = None) -> Plan:
    project: dict[str, Any] = {"name": "P", "start": "2027-01-04"}
    if holidays:
        project["calendar"] = {"holidays": [{"date": h} for h in holidays]}
    return Plan.model_validate({"project": project, "tasks": tasks})


def _dates(plan: Plan) -> dict[str, tuple[str, str]]:
    return {tid: (f"{t.start:%a %d %H:%M}", f"{t.finish:%a %d %H:%M}") for tid, t in schedule(plan).tasks.items()}


# a: Mon 4 08:00 - Fri 8 17:00 (5d); s: a 6-day task, Mon 4 - Mon 11 17:00
BASE = [{"id": "a", "duration": "5d"}]


@pytest.mark.parametrize(("link", "duration", "expected"), [
    # Fri 17:00 + 72 h = Mon 11 17:00, the end of Monday's work: starts at the next working time
    ("a FS+3ed", "1d", ("Tue 12 08:00", "Tue 12 17:00")),
    # ... where 3 working days start Thu 14
    ("a FS+3d", "1d", ("Thu 14 08:00", "Thu 14 17:00")),
    # Fri 17:00 + 24 h = Sat 17:00: the next working time is Mon 08:00
    ("a FS+1ed", "1d", ("Mon 11 08:00", "Mon 11 17:00")),
    # Fri 17:00 + 40 h = Sun 09:00 -> Mon 08:00 (Planner's 40 h lag: not five working days)
    ("a FS+40eh", "1d", ("Mon 11 08:00", "Mon 11 17:00")),
    # one elapsed week: Fri 17:00 -> Fri 15 17:00 -> Mon 18 08:00, as 5 working days
    ("a FS+1ew", "1d", ("Mon 18 08:00", "Mon 18 17:00")),
    # SS: a starts Mon 4 08:00; + 2 days = Wed 6 08:00, a working moment
    ("a SS+2ed", "1d", ("Wed 06 08:00", "Wed 06 17:00")),
    # SS: Mon 08:00 + 5 days = Sat 08:00 -> Mon 11 08:00
    ("a SS+5ed", "1d", ("Mon 11 08:00", "Mon 11 17:00")),
    # SS + 30 min of the clock: Mon 08:30
    ("a SS+30em", "1h", ("Mon 04 08:30", "Mon 04 09:30")),
    # FF: Fri 17:00 + 2 days = Sun 17:00; the work done by then ends Fri 17:00: a 1-day task finishes then
    ("a FF+2ed", "1d", ("Fri 08 08:00", "Fri 08 17:00")),
    # FF: Fri 17:00 + 3 days = Mon 17:00: finishes Mon 11 17:00
    ("a FF+3ed", "1d", ("Mon 11 08:00", "Mon 11 17:00")),
    # SF: Mon 08:00 + 4 days = Fri 08:00: 4 working days done, a 1-day task finishes Thu 17:00
    ("a SF+4ed", "1d", ("Thu 07 08:00", "Thu 07 17:00")),
    # SF: Mon 08:00 + 5 days = Sat 08:00: 5 days done, finishes Fri 17:00
    ("a SF+5ed", "1d", ("Fri 08 08:00", "Fri 08 17:00")),
    # leads: Fri 17:00 - 1 day = Thu 17:00: starts Fri 08:00
    ("a FS-1ed", "1d", ("Fri 08 08:00", "Fri 08 17:00")),
    # Fri 17:00 - 3 days = Tue 17:00 -> Wed 08:00 (a working lead of 3d gives the same: Wed 08:00)
    ("a FS-3ed", "1d", ("Wed 06 08:00", "Wed 06 17:00")),
    # SS lead from Mon 08:00: before the project start, which holds it
    ("a SS-1ed", "1d", ("Mon 04 08:00", "Mon 04 17:00")),
])
def test_elapsed_lags_across_a_weekend(link: str, duration: str, expected: tuple[str, str]) -> None:
    plan = _plan([*BASE, {"id": "b", "duration": duration, "after": [link]}])
    assert _dates(plan)["b"] == expected


@pytest.mark.parametrize(("link", "expected"), [
    # Mon 11 is a holiday. Fri 17:00 + 1 day = Sat 17:00 -> the next working time is Tue 12 08:00
    ("a FS+1ed", ("Tue 12 08:00", "Tue 12 17:00")),
    # Fri 17:00 + 3 days = Mon 17:00 (holiday) -> Tue 12 08:00
    ("a FS+3ed", ("Tue 12 08:00", "Tue 12 17:00")),
    # Fri 17:00 + 4 days = Tue 17:00 -> Wed 13 08:00: one working day for four calendar days
    ("a FS+4ed", ("Wed 13 08:00", "Wed 13 17:00")),
    # FF: Fri 17:00 + 4 days = Tue 17:00: a 1-day task finishes then (Tue is its only day)
    ("a FF+4ed", ("Tue 12 08:00", "Tue 12 17:00")),
])
def test_elapsed_lags_across_a_holiday(link: str, expected: tuple[str, str]) -> None:
    plan = _plan([*BASE, {"id": "b", "duration": "1d", "after": [link]}], holidays=["2027-01-11"])
    assert _dates(plan)["b"] == expected


def test_leads_across_a_weekend_and_a_holiday() -> None:
    # s: 6 days, Mon 4 - Tue 12 17:00 with Mon 11 a holiday
    plan = _plan([{"id": "s", "duration": "6d"},
                  {"id": "b", "duration": "1d", "after": ["s FS-3ed"]},
                  {"id": "c", "duration": "1d", "after": ["s SS+7ed"]}], holidays=["2027-01-11"])
    dates = _dates(plan)
    assert dates["s"] == ("Mon 04 08:00", "Tue 12 17:00")
    # Tue 12 17:00 - 3 days = Sat 9 17:00: 5 working days done by then, b starts Mon 08:00 -> Tue 12 (holiday)
    assert dates["b"] == ("Tue 12 08:00", "Tue 12 17:00")
    # Mon 4 08:00 + 7 days = Mon 11 08:00, a holiday: Tue 12 08:00
    assert dates["c"] == ("Tue 12 08:00", "Tue 12 17:00")


def test_late_dates_resolve_the_lag_where_the_successor_is_late() -> None:
    plan = _plan([{"id": "a", "duration": "5d"},
                  {"id": "b", "duration": "1d", "after": ["a FS+3ed"]},
                  {"id": "d", "duration": "2d", "after": ["b"]},
                  {"id": "f", "duration": "12d"}])
    tasks = schedule(plan).tasks
    # the project ends with f, Tue 19 17:00; d late: Mon 18 - Tue 19; b late: Fri 15
    assert (f"{tasks['d'].late_start:%a %d %H:%M}", f"{tasks['b'].late_start:%a %d %H:%M}") == \
        ("Mon 18 08:00", "Fri 15 08:00")
    # a may finish as late as Mon 11 17:00 (+ 72 h = Thu 14 17:00, so b starts Fri 15 08:00):
    # one working day of float, although the weekend sits between its early finish and b
    assert f"{tasks['a'].late_finish:%a %d %H:%M}" == "Mon 11 17:00"
    assert tasks["a"].total_float == 480
    # the float is exact: a one day longer (finishing Mon 11) keeps the finish, two days longer
    # (finishing Tue 12: + 72 h = Fri 15 17:00, b on Mon 18) delays it
    def longer(days: int) -> dt.datetime:
        return schedule(_plan([{"id": "a", "duration": f"{5 + days}d"},
                               {"id": "b", "duration": "1d", "after": ["a FS+3ed"]},
                               {"id": "d", "duration": "2d", "after": ["b"]},
                               {"id": "f", "duration": "12d"}])).finish
    assert longer(1) == schedule(plan).finish < longer(2)


def test_why_names_the_elapsed_lag() -> None:
    plan = _plan([*BASE, {"id": "b", "duration": "1d", "after": ["a FS+3ed"]}])
    step = schedule(plan).why("b")[0]
    assert "FS +3ed elapsed lag" in step.reason and "Mon 2027-01-11 17:00" in step.reason
    assert step.link == "a FS +3ed elapsed lag"


def test_lag_notation() -> None:
    assert str(Link.model_validate("a FS+3ed")) == "a FS+3ed"
    assert Link.model_validate("a SS - 40 eh").lag == Lag(-40, "eh")
    assert Link.model_validate({"task": "a", "lag": "2 edays"}).lag == Lag(2, "ed")
    assert Link.model_validate("a FF+1emo").lag.minutes() == 30 * 1440  # MS Project: an elapsed month is 30 ed
    assert Lag.parse("1ew").minutes() == 10080 and Lag.parse("1ew").elapsed
    assert not Lag.parse("3d").elapsed
    with pytest.raises(DurationError, match="for link lags only"):
        Duration.parse("3ed")  # a task's duration, work or delay is working time
    with pytest.raises(ValueError, match="for link lags only"):
        _plan([{"id": "a", "duration": "3ed"}])
    assert str(Lag.elapsed_minutes(4320)) == "3ed" and str(Lag.elapsed_minutes(1008)) == "16.8eh"
    assert str(Lag.elapsed_minutes(2880, "eh")) == "48eh"


def test_duplicate_links_differing_only_in_kind_of_lag_are_both_kept() -> None:
    plan = _plan([*BASE, {"id": "b", "duration": "1d", "after": ["a FS+1ed", "a FS+1d"]}])
    net = compile_plan(plan)
    assert net.m == 2
    assert _dates(plan)["b"] == ("Tue 12 08:00", "Tue 12 17:00")  # the working day binds: Mon + 1 day


def test_elapsed_lags_on_summary_tasks_apply_to_each_leaf() -> None:
    plan = _plan([{"id": "g"}, {"id": "a", "parent": "g", "duration": "5d"}, {"id": "x", "parent": "g", "duration": "3d"},
                  {"id": "b", "duration": "1d", "after": ["g FS+1ed"]}])
    assert _dates(plan)["b"] == ("Mon 11 08:00", "Mon 11 17:00")


def test_the_plain_case_compiles_no_elapsed_arrays() -> None:
    net = compile_plan(_plan([*BASE, {"id": "b", "duration": "1d", "after": ["a FS+3d"]}]))
    assert not net.has_elapsed and len(net.link_elapsed) == 0
    assert in_working_time(net) is net


def test_leveling_respects_elapsed_lags() -> None:
    from pmfit.engine.level import level
    from pmfit.engine.level.apply import leveling_delays, with_leveling_delays

    plan = Plan.model_validate({
        "project": {"name": "P", "start": "2027-01-04"},
        "resources": [{"id": "dev", "units": 1}],
        "tasks": [{"id": "a", "duration": "3d", "needs": {"dev": 1}},
                  {"id": "x", "duration": "2d", "needs": {"dev": 1}},
                  {"id": "b", "duration": "1d", "after": ["a FS+2ed"]}]})
    leveled = level(plan, method="heuristic")
    kept = with_leveling_delays(plan, leveling_delays(plan, leveled, schedule))
    tasks = schedule(kept).tasks
    # dev works a and x one after the other; b starts 48 h of the clock after a's finish, at working time
    assert tasks["x"].start >= tasks["a"].finish or tasks["a"].start >= tasks["x"].finish
    reached = tasks["a"].finish + dt.timedelta(hours=48)
    assert tasks["b"].start >= reached
    assert compile_plan(kept).calendar.offset(tasks["b"].start) == compile_plan(kept).calendar.offset(reached)


def test_risk_of_fixed_durations_is_the_cpm_schedule() -> None:
    from pmfit.engine.risk import simulate_network

    plan = _plan([*BASE, {"id": "b", "duration": "1d", "after": ["a FS+3ed"]}])
    net = compile_plan(plan)
    result = simulate_network(net, 200, seed=1)
    cpm = critical_path_method(net)
    assert cpm.project_finish == 6 * 480 + 480  # b is Tue 12: 6 working days after a's start, plus b's day
    assert float(np.max(result.finish)) == cpm.project_finish == float(np.min(result.finish))


# ---- invariants ---------------------------------------------------------------------------------

@st.composite
def _networks(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[int, str, int, int]]]:
    n = draw(st.integers(2, 8))
    tasks = [{"id": f"t{i}", "duration": f"{draw(st.integers(0, 24))}h"} for i in range(n)]
    links: list[tuple[int, str, int, int]] = []
    for j in range(1, n):
        for i in draw(st.sets(st.integers(0, j - 1), max_size=2)):
            links.append((j, draw(st.sampled_from(["FS", "SS", "FF", "SF"])), i, draw(st.integers(0, 200))))
    return tasks, links


def _with_lags(tasks: list[dict[str, Any]], links: list[tuple[int, str, int, int]], unit: str,
               scale: int = 1) -> Plan:
    out = [dict(t) for t in tasks]
    for j, kind, i, hours in links:
        out[j].setdefault("after", []).append(f"t{i} {kind}+{hours * scale}{unit}")
    return _plan(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_networks())
def test_elapsed_hours_never_wait_longer_than_the_same_working_hours(net: Any) -> None:
    """``h`` hours of the clock hold at most ``h`` working hours, so with every lag elapsed no task
    starts later than with the same lags in working time, nor earlier than with no lags."""
    tasks, links = net
    elapsed = critical_path_method(compile_plan(_with_lags(tasks, links, "eh")))
    working = critical_path_method(compile_plan(_with_lags(tasks, links, "h")))
    none = critical_path_method(compile_plan(_with_lags(tasks, links, "h", scale=0)))
    assert np.all(elapsed.early_start <= working.early_start)
    assert np.all(elapsed.early_start >= none.early_start)
    zero = critical_path_method(compile_plan(_with_lags(tasks, links, "eh", scale=0)))
    assert np.array_equal(zero.early_start, none.early_start) and np.array_equal(zero.late_start, none.late_start)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_networks())
def test_whole_elapsed_weeks_are_whole_working_weeks(net: Any) -> None:
    """On a calendar without holidays every 7 calendar days hold 5 working days, wherever they start:
    ``k`` elapsed weeks give the same early and late dates as ``5k`` working days."""
    tasks, links = net
    weeks = [(j, kind, i, hours % 3) for j, kind, i, hours in links]
    elapsed = critical_path_method(compile_plan(_with_lags(tasks, weeks, "ew")))
    working = critical_path_method(compile_plan(_with_lags(tasks, weeks, "d", scale=5)))
    assert np.array_equal(elapsed.early_start, working.early_start)
    assert np.array_equal(elapsed.late_start, working.late_start)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_networks())
def test_links_hold_in_calendar_time_at_early_and_late_dates(net: Any) -> None:
    """Every elapsed link holds at the early dates and at the late dates, and a task driven by one sits
    exactly where its lag ends (no later); late dates leave no negative float without constraints."""
    tasks, links = net
    plan = _with_lags(tasks, links, "eh")
    network = compile_plan(plan)
    cal = network.calendar
    assert cal is not None
    c = critical_path_method(network)
    d = network.duration
    elapsed = network.link_elapsed if network.has_elapsed else np.zeros(network.m, dtype=np.int64)
    for dates in (c.early_start, c.late_start):
        for k in range(network.m):
            i, j, kind = int(network.link_src[k]), int(network.link_dst[k]), int(network.link_type[k])
            from_start, to_finish = kind in (1, 3), kind in (2, 3)
            anchor = int(dates[i]) + (0 if from_start else int(d[i]))
            moment = (cal.start_at(anchor) if from_start else cal.finish_at(anchor)) + \
                dt.timedelta(minutes=int(elapsed[k]))
            assert int(dates[j]) + (int(d[j]) if to_finish else 0) >= cal.offset(moment)
    driven = c.driver >= 0
    for j in np.flatnonzero(driven):
        k = int(c.driver[j])
        i, kind = int(network.link_src[k]), int(network.link_type[k])
        from_start, to_finish = kind in (1, 3), kind in (2, 3)
        anchor = int(c.early_start[i]) + (0 if from_start else int(d[i]))
        moment = (cal.start_at(anchor) if from_start else cal.finish_at(anchor)) + \
            dt.timedelta(minutes=int(elapsed[k]))
        assert int(c.early_start[j]) + (int(d[j]) if to_finish else 0) == cal.offset(moment)
    assert np.all(c.total_float >= 0) and np.any(c.total_float == 0)


def test_a_cycle_with_elapsed_lags_is_still_a_cycle() -> None:
    with pytest.raises(PlanError) as info:
        schedule(_plan([{"id": "a", "duration": "1d", "after": ["b FS+1ed"]},
                        {"id": "b", "duration": "1d", "after": ["a"]}]))
    assert "dependency_cycle" in info.value.codes


def test_the_current_schedule_places_an_elapsed_lag_after_the_actual_finish() -> None:
    from pmfit.engine.status import status_schedule

    plan = Plan.model_validate({
        "project": {"name": "P", "start": "2027-01-04"},
        "tasks": [{"id": "a", "duration": "3d"}, {"id": "b", "duration": "1d", "after": ["a FS+3ed"]}],
        "progress": {"status_date": "2027-01-08",
                     "tasks": {"a": {"actual_start": "2027-01-04", "actual_finish": "2027-01-07"}}}})
    tasks = status_schedule(plan).schedule.tasks
    # a took 4 days and finished Thu 7 17:00; + 72 h = Sun 10 17:00; b starts Mon 11 08:00
    # (planned: a finishes Wed 6 17:00, + 72 h = Sat 17:00, b also on Mon 11 08:00)
    assert f"{tasks['b'].start:%a %d %H:%M}" == "Mon 11 08:00"
    late = Plan.model_validate({**plan.model_dump(mode="json"), "progress": {
        "status_date": "2027-01-11", "tasks": {"a": {"actual_start": "2027-01-04", "actual_finish": "2027-01-08"}}}})
    # finished Fri 8 17:00: + 72 h = Mon 11 17:00, so b starts Tue 12 08:00
    assert f"{status_schedule(late).schedule.tasks['b'].start:%a %d %H:%M}" == "Tue 12 08:00"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2029, 1, 1)), min_size=1,
                max_size=20), st.booleans())
def test_vectorised_offsets_equal_one_at_a_time(moments: list[dt.datetime], holidays: bool) -> None:
    from pmfit.engine.workcal import WorkingTime

    spec = _plan(BASE, holidays=["2027-01-11", "2028-12-25"] if holidays else None).project.calendar
    cal = WorkingTime(spec, dt.date(2027, 1, 4))
    moments = [m.replace(second=0, microsecond=0) for m in moments]
    expected = [cal.offset(m) for m in moments]
    assert cal.offsets(np.array(moments, dtype="datetime64[m]")).tolist() == expected


def test_an_alap_task_keeps_its_elapsed_lag_where_it_is_placed() -> None:
    # x: Mon 4 - Wed 13 (8d), so b starts Thu 14 08:00. a (5d, ALAP) must finish 48 h of the clock before
    # that: by Tue 12 08:00, i.e. Mon 11 17:00, so it runs Tue 5 - Mon 11. (Measured where a's early finish
    # falls, Fri 17:00 + 48 h = Mon 08:00, the lag is no working time at all: a would run Thu 7 - Wed 13 and
    # b could not start before Mon 18.)
    plan = _plan([{"id": "x", "duration": "8d"}, {"id": "a", "duration": "5d", "constraint": "ALAP"},
                  {"id": "b", "duration": "1d", "after": ["x", "a FS+2ed"]}])
    dates = _dates(plan)
    assert dates["b"] == ("Thu 14 08:00", "Thu 14 17:00")
    assert dates["a"] == ("Tue 05 08:00", "Mon 11 17:00")


def test_leveling_says_when_it_shortens_an_elapsed_lag_and_the_kept_plan_is_exact() -> None:
    from pmfit.engine.level import level
    from pmfit.engine.level.apply import leveling_delays, with_leveling_delays

    # unleveled, a (5d) ends Fri 8 17:00: + 48 h is Sun, no working time, so the lag counts 0 working
    # minutes there. Leveling runs x (priority) first, Mon-Tue, and a Wed 6 - Tue 12: now + 48 h is
    # Thu 14 17:00, and b may not start before Fri 15 08:00.
    plan = Plan.model_validate({
        "project": {"name": "P", "start": "2027-01-04"},
        "resources": [{"id": "dev", "units": 1}],
        "tasks": [{"id": "a", "duration": "5d", "needs": {"dev": 1}, "priority": 100},
                  {"id": "x", "duration": "2d", "needs": {"dev": 1}, "priority": 900},
                  {"id": "b", "duration": "1d", "after": ["a FS+2ed"]}]})
    leveled = level(plan, method="heuristic")
    assert "elapsed_lag_short" in {d.code for d in leveled.diagnostics}
    kept = with_leveling_delays(plan, leveling_delays(plan, leveled, schedule))
    tasks = schedule(kept).tasks
    assert f"{tasks['a'].finish:%a %d %H:%M}" == "Tue 12 17:00"
    assert f"{tasks['b'].start:%a %d %H:%M}" == "Fri 15 08:00"
