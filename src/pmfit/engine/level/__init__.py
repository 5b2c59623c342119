"""Resource leveling: the resource-constrained project scheduling problem (RCPSP).

Two cooperating methods over the compiled network:

- :mod:`.sgs` — a fast heuristic for any size: serial and parallel schedule
  generation with priority rules (LFT, LST, MTS, GRPW), regret-based biased
  random sampling, forward-backward justification and a genetic search,
  within a schedule count or a time budget;
- :mod:`.cpsat` — OR-Tools CP-SAT (a core dependency), warm-started from the
  heuristic's best schedule; proves optimality or reports a lower bound.

``method="auto"`` runs the heuristic, then CP-SAT with the remaining budget
when it is installed and the plan is small enough to benefit, and returns the
best schedule found. :func:`level_network` returns a
:class:`~pmfit.engine.level.result.LeveledSchedule` that explains every delay.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from pmfit.engine.cpm import critical_path_method, elapsed_links_short, in_working_time
from pmfit.engine.jit import JIT_THRESHOLD
from pmfit.engine.kernels import NO_UPPER
from pmfit.engine.level.cpsat import REDUNDANT, clique_bound, cp_available, solve_cp
from pmfit.engine.level.problem import NORMAL, Problem, build_problem
from pmfit.engine.level.result import LeveledSchedule, LeveledTask
from pmfit.engine.level.sgs import HeuristicResult, kernels_for, single_pass, solve_heuristic
from pmfit.engine.network import FNLT, SNLT, Network, compile_plan
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

IntArray = npt.NDArray[np.int64]
Method = Literal["auto", "heuristic", "cp"]
METHODS = ("auto", "heuristic", "cp")

#: CP-SAT is tried in ``auto`` only up to this many tasks (larger models rarely improve in seconds).
CP_MAX_TASKS = 2000


def overload(problem: Problem, start: IntArray) -> list[tuple[int, int]]:
    """``(resource, first grid unit)`` for every resource used above capacity by ``start``."""
    p = problem
    out = []
    task_of = np.repeat(np.arange(p.n), np.diff(p.dptr))
    for r in range(p.resources):
        ks = np.flatnonzero(p.dres == r)
        tasks = task_of[ks]
        keep = p.dur[tasks] > 0
        ks, tasks = ks[keep], tasks[keep]
        if len(ks) == 0:
            continue
        times = np.concatenate([start[tasks], start[tasks] + p.dur[tasks]])
        delta = np.concatenate([p.dun[ks], -p.dun[ks]])
        order = np.lexsort((delta, times))  # releases before takes at the same instant
        level = np.cumsum(delta[order])
        over = np.flatnonzero(level > p.cap[r])
        if len(over):
            out.append((r, int(times[order][over[0]])))
    return out


def level_network(
    network: Network,
    *,
    time_limit: float = 5.0,
    method: Method = "auto",
    schedules: int | None = None,
    seed: int = 0,
    workers: int = 2,
    tidy: bool = True,
    jit: bool | None = None,
    cp_max_tasks: int = CP_MAX_TASKS,
    plan: Plan | None = None,
    blocked: list[tuple[int, int, int]] | None = None,
) -> LeveledSchedule:
    """Level a compiled network; pure (returns a result, changes nothing).

    ``time_limit`` (seconds) bounds the whole run; ``schedules`` bounds the
    heuristic's generated schedules (default 5,000; in ``auto`` the heuristic also
    stops at 30% of the time budget). ``workers`` is CP-SAT's thread count.
    ``blocked``: ``(resource index, from, to)`` working-minute windows when a resource is not
    working (see :func:`resource_time_off`).
    """
    with_elapsed, network = network, in_working_time(network)  # elapsed lags as the working time they span unleveled
    if method not in METHODS:
        raise PlanError(Diagnostic("bad_field", f"unknown leveling method {method!r} "
                                   f"(choose {', '.join(METHODS)})"))
    if time_limit <= 0:
        raise PlanError(Diagnostic("bad_field", f"the time limit must be positive, not {time_limit:g} s"))
    if method == "cp" and not cp_available():
        raise PlanError(Diagnostic("cp_unavailable", "method 'cp' needs OR-Tools, which pmfit installs; "
                                   "it is missing here: pip install ortools"))
    budget = schedules if schedules is not None else 5000
    # auto without CP-SAT to follow (OR-Tools missing, or a plan too big for it) is the heuristic alone:
    # it gets the whole time budget, not the short warm-up it runs before CP-SAT.
    cp_follows = method == "auto" and cp_available() and network.n <= cp_max_tasks
    if method == "auto" and not cp_follows and schedules is None:
        if jit is None:
            jit = network.n * budget >= JIT_THRESHOLD  # the kernels a 5,000-schedule run would use
        budget = 1_000_000_000  # bounded by the time limit (and stops early at a proven optimum)
    elif schedules is None and method == "auto" and jit is None and network.n * 1000 < JIT_THRESHOLD:
        # A small plan: CP-SAT will settle it; keep the pure-Python heuristic short.
        budget = max(50, 4000 // max(network.n, 1))
    if method != "cp":
        kernels_for(network.n * budget, jit)  # load compiled loops before the clock starts
    t0 = time.perf_counter()
    cpm = critical_path_method(network)
    problem = build_problem(network, cpm, blocked)
    diagnostics: list[Diagnostic] = []
    for j, r in problem.over_capacity:
        diagnostics.append(Diagnostic(
            "over_capacity", f"task '{network.ids[j]}' needs more {network.resource_names[r]} than the "
            f"{network.capacity[r]:g} there are; leveled as if it needed all of them",
            severity="warning", task=network.ids[j]))
    if problem.rounded:
        diagnostics.append(Diagnostic(
            "level_rounded", f"the plan is long for its time step: durations, lags and dates were rounded up "
            f"to {problem.unit} working minutes for leveling (links and capacities still hold)",
            severity="warning"))
    lb = max(problem.lower_bound(), clique_bound(problem) if REDUNDANT.get("clique_bound") else 0)
    unleveled = -(-cpm.start // problem.unit).astype(np.int64)

    cp_status: str | None = None
    cp_seconds = 0.0
    proven = False
    bound = lb
    if method == "cp":
        heur = HeuristicResult(single_pass(problem, jit=jit), 0, 1, 0.0, lb, "LFT serial")
        heur = HeuristicResult(heur.start, int((heur.start + problem.dur).max(initial=0)), 1,
                               time.perf_counter() - t0, lb, heur.source)
    else:
        share = time_limit if method == "heuristic" or not cp_follows else time_limit * 0.3
        heur = solve_heuristic(problem, schedules=budget, time_limit=share, seed=seed, jit=jit,
                               lower_bound=lb)
    best_start, best_makespan, source = heur.start, heur.makespan, heur.source
    proven = heur.proven_optimal
    use_cp = (
        method == "cp"
        or (method == "auto" and (tidy or not proven) and cp_available() and problem.n <= cp_max_tasks)
    )
    # Even when the heuristic met a lower bound, CP-SAT's second solve pulls tasks back
    # towards their unleveled dates (tidy), so a proven finish does not skip it.
    if use_cp and problem.n and (tidy or not proven):
        if overload(problem, best_start):
            diagnostics.append(Diagnostic(
                "resource_overallocated", "tasks that must not be leveled (level: false or a must-start/"
                "finish date) overload a resource on their own; CP-SAT was skipped", severity="warning"))
        else:
            left = time_limit - (time.perf_counter() - t0)
            if left > 0.02:
                cp = solve_cp(problem, left, hint=best_start, workers=workers, tidy=tidy,
                              unleveled=unleveled, seed=seed)
                cp_status, cp_seconds = cp.status, cp.seconds
                bound = max(bound, cp.lower_bound)
                if cp.start is not None and cp.makespan is not None and cp.makespan <= best_makespan:
                    if cp.makespan < best_makespan or cp.tidied:
                        best_start, best_makespan = cp.start, cp.makespan
                        source = "CP-SAT" + (" (warm start)" if method != "cp" else "")
                    proven = proven or cp.proven_optimal
    if best_makespan <= bound:
        proven = True
    bound = min(bound, best_makespan) if proven else bound
    start_minutes = problem.to_minutes(best_start)
    method_used = method if method != "auto" else ("auto: heuristic + CP-SAT" if cp_status else "auto: heuristic")
    diagnostics.extend(_after_checks(network, problem, best_start, start_minutes))
    short = elapsed_links_short(with_elapsed, start_minutes)
    if len(short):
        pred, succ = (with_elapsed.ids[int(x[short[0]])] for x in (with_elapsed.link_src, with_elapsed.link_dst))
        diagnostics.append(Diagnostic(
            "elapsed_lag_short", f"{len(short)} elapsed lag(s) measured in working time where the unleveled "
            f"schedule puts them come out shorter where leveling moved the tasks (first: '{pred}' to '{succ}'); "
            "the plan kept with `pmfit level --apply` is scheduled with the lags exact", severity="warning",
            task=succ))
    return LeveledSchedule(
        network=network, cpm=cpm, problem=problem,
        start_minutes=start_minutes, unleveled_minutes=cpm.start.astype(np.int64),
        method=method_used, proven_optimal=proven, lower_bound=int(bound) * problem.unit,
        schedules=heur.schedules, seconds=time.perf_counter() - t0,
        heuristic_makespan=int(heur.makespan) * problem.unit,
        cp_status=cp_status, cp_seconds=cp_seconds, source=source,
        calendar=network.calendar, plan=plan, diagnostics=diagnostics,
    )


def _after_checks(network: Network, problem: Problem, start: IntArray, start_minutes: IntArray) -> list[Diagnostic]:
    """Over-allocation left by tasks that may not move; upper dates that leveling pushed past."""
    out = []
    for r, t in overload(problem, start):
        out.append(Diagnostic(
            "resource_overallocated",
            f"{network.resource_names[r]} is still over its {network.capacity[r]:g} units from working minute "
            f"{t * problem.unit}: tasks that must not be leveled (level: false or a fixed date) need more",
            severity="warning"))
    finish = start_minutes + network.duration
    ctype, ctime = network.constraint_type, network.constraint_time
    late = ((ctype == SNLT) & (start_minutes > ctime)) | ((ctype == FNLT) & (finish > ctime)) | (
        (network.deadline < NO_UPPER) & (finish > network.deadline))
    mpd = network.calendar.minutes_per_day if network.calendar is not None else 1
    for i in np.flatnonzero(late & (problem.mode == NORMAL)):
        limit = network.deadline[i] if network.deadline[i] < NO_UPPER else ctime[i]
        over = (finish[i] if ctype[i] != SNLT else start_minutes[i]) - limit
        out.append(Diagnostic(
            "deadline_missed", f"task '{network.ids[i]}' misses its date by {over / mpd:g} working days "
            "after leveling", severity="warning", task=network.ids[i]))
    if network.project_deadline < NO_UPPER and len(finish) and finish.max() > network.project_deadline:
        out.append(Diagnostic(
            "deadline_missed", f"the leveled project finishes {(finish.max() - network.project_deadline) / mpd:g} "
            "working days after the project deadline", severity="warning"))
    return out


def resource_time_off(plan: Plan, network: Network, max_days: int = 20_000) -> list[tuple[int, int, int]]:
    """Windows (resource index, from, to) in project working minutes when a resource with its
    own calendar is not working on a day the project works (whole days; shift hours within a
    day are not modelled). Looks ahead as far as the plan could possibly run."""
    from pmfit.engine.workcal import WorkingTime

    cal = network.calendar
    if cal is None:
        return []
    own = [(r, res.calendar) for r, res in enumerate(plan.resources) if res.calendar is not None]
    if not own:
        return []
    span = int(network.duration.sum() + np.maximum(network.link_lag, 0).sum()
               + critical_path_method(network).project_finish)
    import datetime as dt

    start = plan.project.start
    first = start.date() if isinstance(start, dt.datetime) else start
    out: list[tuple[int, int, int]] = []
    calendars = [(r, WorkingTime(spec, plan.project.start)) for r, spec in own]
    open_window: dict[int, list[int]] = {}
    for offset in range(max_days):
        day = first + dt.timedelta(days=offset)
        if not cal.is_working_day(day):
            continue
        a, b = cal.day_start(day), cal.day_end(day)
        if a > span:
            break
        for r, rcal in calendars:
            if rcal.is_working_day(day):
                if r in open_window:
                    out.append((r, *open_window.pop(r)))  # type: ignore[arg-type]
            elif r in open_window:
                open_window[r][1] = b
            else:
                open_window[r] = [a, b]
    out.extend((r, w[0], w[1]) for r, w in open_window.items())
    return sorted(out)


def level(plan: Plan, *, time_limit: float = 5.0, method: Method = "auto", schedules: int | None = None,
          seed: int = 0, workers: int = 2, network: Network | None = None) -> LeveledSchedule:
    """Level a plan's resources (see :func:`level_network`). The plan is not changed.

    A resource with its own ``calendar`` is not used on the project's working days that
    its calendar does not work (holidays, vacations, a shorter week). ``network``: the plan
    already compiled (or its current schedule's network, which holds started work at its actual dates).
    """
    network = network if network is not None else compile_plan(plan)
    return level_network(network, time_limit=time_limit, method=method, schedules=schedules, seed=seed,
                         workers=workers, plan=plan, blocked=resource_time_off(plan, network) or None)


__all__ = ["METHODS", "LeveledSchedule", "LeveledTask", "level", "level_network", "overload",
           "resource_time_off"]
