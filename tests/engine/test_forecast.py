"""Monte Carlo of the remaining work (engine.forecast): finished work is a fact, not a distribution."""

from __future__ import annotations

import pmfit
from pmfit.engine.forecast import simulate_remaining
from pmfit.engine.status import status_schedule

PLAN = """
project: {name: F, start: 2027-01-04}
tasks:
  - {id: a, estimate: [2d, 4d, 12d]}
  - {id: b, estimate: [2d, 4d, 12d], after: [a]}
  - {id: c, estimate: [1d, 2d, 3d], after: [b]}
risks:
  - {id: r, probability: 1.0, delays: {a: 10d}}
progress:
  status_date: 2027-01-12
  tasks:
    a: {actual_start: 2027-01-04, actual_finish: 2027-01-07, percent_complete: 100}
    b: {actual_start: 2027-01-08, percent_complete: 50, remaining: 2d}
"""


def test_finished_work_is_fixed_and_its_risks_are_gone() -> None:
    plan = pmfit.loads(PLAN)
    status = status_schedule(plan)
    result = simulate_remaining(plan, 3000, seed=1, status=status)
    mpd = 480
    # a finished on Thu 7 Jan (4 days), b started Fri 8 Jan and has 2 of its days left at Tue 12 Jan's end...
    assert result.deterministic_finish == status.schedule.cpm.project_finish
    # The risk on a (100 %, +10d) struck nothing: a is done.
    assert result.risks == [] or all(r.delta in (None, 0) for r in result.risks)
    # The finish can never be earlier than the work done plus the shortest remaining work (b: 2d x 2/4, c: 1d).
    earliest = status.tasks["b"].actual_start + (status.status_time - status.tasks["b"].actual_start) \
        + 1 * mpd + 1 * mpd  # b's remaining 2d at o/m = 0.5 -> 1d, then c's optimistic 1d
    assert int(result.finish.min()) >= earliest
    # ... and a's spread (up to 12d) no longer shows: the latest finish is bounded by b's and c's pessimistic.
    latest = status.status_time + 2 * mpd * 12 // 4 + 3 * mpd
    assert int(result.finish.max()) <= latest


def test_degenerate_estimates_give_the_status_schedule_exactly() -> None:
    plan = pmfit.loads(PLAN.replace("[2d, 4d, 12d]", "[4d, 4d, 4d]").replace("[1d, 2d, 3d]", "[2d, 2d, 2d]")
                       .replace("probability: 1.0", "probability: 0.0"))
    status = status_schedule(plan)
    result = simulate_remaining(plan, 500, seed=2, status=status)
    assert set(result.finish.tolist()) == {status.schedule.cpm.project_finish}


def test_api_from_status_uses_the_remaining_work() -> None:
    plan = pmfit.loads(PLAN)
    plain = pmfit.simulate(plan, 1000, seed=3, as_planned=True)
    remaining = pmfit.simulate(plan, 1000, seed=3, from_status=True)
    # the current schedule is the default: the same run as from_status=True
    assert pmfit.simulate(plan, 1000, seed=3).percentiles == remaining.percentiles
    # The plain simulation still draws a's 10-day risk and its wide estimate; the remaining one cannot.
    assert remaining.percentiles[90] < plain.percentiles[90]
