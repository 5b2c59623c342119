"""One project, compiled once: a status report's facts from one Project vs one call per engine.

The alternative is what the CLI commands and ``status_facts`` did before ``pmfit.Project``:
each engine entry point compiled the plan again (schedule, status schedule, leveling,
simulation, earned value, changes against the baseline, advice). Both sides run the same
engines with the same arguments; the table shows how many times the plan was compiled and
the wall time, and checks that both give the same current finish and P80.

    python bench/project.py [--tasks 2000 10000] [--iterations 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import pmfit
import pmfit.engine.network as network
from pmfit.project import Project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "software-release.yaml"
_original = network.compile_plan
_calls: list[int] = []


def _counted(plan: Any, *args: Any, **kwargs: Any) -> Any:
    _calls.append(1)
    return _original(plan, *args, **kwargs)


def _patch() -> None:
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("pmfit") and getattr(module, "compile_plan", None) is _original:
            module.compile_plan = _counted  # type: ignore[attr-defined]


def generated(n: int, seed: int = 1) -> pmfit.Plan:
    """A plan of ``n`` tasks in 20 parallel chains with cross links, estimates, 4 resources,
    the first task of every chain in progress, and a baseline of the plan as drawn."""
    rng = np.random.default_rng(seed)
    chains = 20
    lines = ["project: {name: generated, start: 2027-01-04}",
             "resources:"] + [f"  - {{id: r{k}, units: 3, rate: {50 + 10 * k}/h}}" for k in range(4)]
    lines.append("tasks:")
    per_chain = n // chains
    progress = []
    for c in range(chains):
        for j in range(per_chain):
            tid = f"t{c}_{j}"
            d = int(rng.integers(1, 6))
            after = [f"t{c}_{j - 1}"] if j else []
            if j > 2 and rng.random() < 0.2:
                after.append(f"t{(c + 1) % chains}_{j - 2}")
            lines.append(f"  - {{id: {tid}, duration: {d}d, after: [{', '.join(after)}], "
                         f"needs: {{r{(c + j) % 4}: 1}}, estimate: [{max(d - 1, 1)}d, {d}d, {d + 3}d]}}")
            if j == 0:
                progress.append(f"    {tid}: {{actual_start: 2027-01-04, percent_complete: 50}}")
    lines += ["progress:", "  status_date: 2027-01-06", "  tasks:", *progress]
    plan = pmfit.loads("\n".join(lines) + "\n")
    return pmfit.baseline(plan, "approved", ignore_progress=True)


def one_project(plan: pmfit.Plan, iterations: int) -> tuple[Any, Any]:
    """The same engines through one Project (what ``status_facts`` does before writing facts)."""
    from pmfit.engine.diff import diff_baseline

    project = Project(plan)
    project.planned  # noqa: B018 - the plain schedule, as the other side computes it
    project.level(time_limit=1.0)
    risk = project.simulate(iterations)
    project.earned_value()
    diff_baseline(plan, plan.baselines[0], schedule=project.current)
    project.advice()
    return project.current.finish, project.current.calendar.finish_at(int(risk.percentile(80)))


def report_facts(plan: pmfit.Plan, iterations: int) -> tuple[Any, Any]:
    """A whole report's facts (the engines above plus the report's own reading of them)."""
    facts = pmfit.status_facts(Project(plan), iterations=iterations, level_time_limit=1.0)
    return facts.schedule.finish, facts.risk.p80 if facts.risk else None


def per_engine(plan: pmfit.Plan, iterations: int) -> tuple[Any, Any]:
    """The same engines, each through its own entry point (each compiles the plan)."""
    from pmfit.advising import advise_plan
    from pmfit.engine.diff import diff_baseline
    from pmfit.engine.forecast import simulate_remaining
    from pmfit.engine.level import level
    from pmfit.engine.schedule import schedule
    from pmfit.engine.status import status_schedule
    from pmfit.engine.track import earned_value

    schedule(plan)
    status = status_schedule(plan)
    level(plan, time_limit=1.0)
    risk = simulate_remaining(plan, iterations, pmfit.project.SIMULATION.seed)
    earned_value(plan)
    diff_baseline(plan, plan.baselines[0])
    advise_plan(plan)
    cal = status.schedule.calendar
    return status.finish, cal.finish_at(int(risk.percentile(80)))


def measure(fn: Callable[[pmfit.Plan, int], tuple[Any, Any]], plan: pmfit.Plan, iterations: int
            ) -> tuple[int, float, tuple[Any, Any]]:
    _calls.clear()
    started = time.perf_counter()
    out = fn(plan, iterations)
    return len(_calls), time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    plans = [("software-release.yaml (62 tasks)", pmfit.load(EXAMPLE))]
    plans += [(f"generated, {n:,} tasks", generated(n)) for n in args.tasks]
    _patch()
    one_project(plans[0][1], 200)  # warm up imports and compiled kernels
    print(f"{'plan':34} {'Project: compiles':>18} {'s':>7} {'per engine: compiles':>21} {'s':>7} "
          f"{'ratio':>6}  {'same finish & P80':>17}  {'report facts: compiles':>22} {'s':>7}")
    for name, plan in plans:
        c1, t1, r1 = measure(one_project, plan, args.iterations)
        c2, t2, r2 = measure(per_engine, plan, args.iterations)
        c3, t3, r3 = measure(report_facts, plan, args.iterations)
        same = r1 == r2 == r3
        print(f"{name:34} {c1:>18} {t1:>7.2f} {c2:>21} {t2:>7.2f} {t2 / t1:>5.2f}x  {same!s:>17}  "
              f"{c3:>22} {t3:>7.2f}")
    print(f"({args.iterations:,} iterations, leveling budget 1 s; {dt.datetime.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
