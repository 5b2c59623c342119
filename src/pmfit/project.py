"""One plan, one truth: a plan with its baselines and progress, compiled once, with cached results.

:class:`Project` is what the API, the CLI, the reports and the web app ask for
dates, costs and odds, so that every screen tells the same story:

- the plan is compiled once (:attr:`Project.network`) and every engine runs on
  that network;
- **the current schedule** (:meth:`Project.schedule`) is the one that respects
  progress, as MS Project's schedule does once actuals are entered: finished
  work where it happened, work in progress from its actual start with its
  remaining duration after the status date, unstarted work not before the
  status date. Without progress it is the plain CPM schedule. ``as_planned=True``
  gives the plan as if nothing had happened;
- leveling, the simulation, earned value and the advice are computed on first
  use and cached (per argument set), so a report and the screens around it
  quote the same numbers;
- every finish that can be shown has a label (:meth:`Project.finishes`).

Results are the engines' typed result objects; each has ``to_dict()`` for JSON,
and :meth:`Project.to_dict` gathers what was computed, so a store can cache
results by the plan's version hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from pmfit.engine.advise.advisor import Advice
    from pmfit.engine.cost import CostModel
    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.network import Network
    from pmfit.engine.risk.result import RiskResult
    from pmfit.engine.schedule import Schedule
    from pmfit.engine.status import StatusSchedule
    from pmfit.engine.track import EarnedValue
    from pmfit.model.plan import Baseline, Plan


@dataclass(frozen=True)
class SimulationPolicy:
    """How many Monte Carlo iterations and which seed, when the caller does not say.

    One policy for ``pmfit risk``, ``pmfit report`` and the API: the same plan,
    iterations and seed give the same P50/P80 everywhere.
    """

    iterations: int = 10_000
    seed: int = 20270104


#: The default simulation of every command, report and API function.
SIMULATION = SimulationPolicy()

# Labels of the finish dates; every place that shows more than one finish uses these words.
CURRENT = "current schedule"
AS_PLANNED = "as planned (ignoring progress)"
LEVELED = "leveled"
BASELINE = "baseline"


@dataclass(frozen=True)
class LabelledFinish:
    """A finish date with what it is: ``key`` for machines, ``label`` for people."""

    key: str
    label: str
    finish: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "finish": self.finish.isoformat(timespec="minutes")}


def p_label(percent: int, iterations: int, seed: int) -> str:
    """``P80 of the simulation (10,000 iterations, seed 7)``."""
    return f"P{percent} of the simulation ({iterations:,} iterations, seed {seed})"


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Read a plan file of any format with its baselines: the file's own, then its sidecar's."""
    from pmfit.importing import load_file
    from pmfit.io.baselines import load_with_baselines

    return load_with_baselines(path, load_file(path))


class Project:
    """A plan with its baselines and progress, compiled once, with lazily computed, cached results.

    ``as_of`` overrides the plan's status date (the date progress is measured at).
    Raises :class:`PlanError` (``bad_status_date``) for a status date before the project start.
    """

    def __init__(self, plan: Plan, *, as_of: dt.date | dt.datetime | None = None,
                 source: str | os.PathLike[str] | None = None) -> None:
        from pmfit.engine.status import check_status_date

        check_status_date(plan, as_of, str(source) if source is not None else None)
        self.plan = plan
        self.as_of = as_of
        self.source = str(source) if source is not None else None
        self._levels: dict[tuple[Any, ...], LeveledSchedule] = {}
        self._simulations: dict[tuple[Any, ...], RiskResult] = {}
        self._earned: dict[tuple[Any, ...], EarnedValue] = {}
        self._advice: dict[tuple[Any, ...], Advice] = {}
        self._status_at: dict[Any, StatusSchedule] = {}

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, as_of: dt.date | dt.datetime | None = None) -> Project:
        """Read a plan file (any format) with the baselines kept beside it, as a project."""
        return cls(load_plan(path), as_of=as_of, source=path)

    def __repr__(self) -> str:
        return f"Project({self.plan.project.name!r}, tasks={len(self.plan.tasks)}, progress={self.has_progress})"

    # ---- identity ---------------------------------------------------------------
    @cached_property
    def version(self) -> str:
        """A hash of the plan (and ``as_of``): results cached under it are valid while it is."""
        digest = hashlib.sha256(self.plan.model_dump_json().encode())  # field order is the model's: stable
        digest.update(f"|as_of={self.as_of}".encode())
        return digest.hexdigest()[:16]

    # ---- compile once --------------------------------------------------------------
    @cached_property
    def network(self) -> Network:
        """The plan compiled to arrays (once; every engine here runs on it)."""
        from pmfit.engine.network import compile_plan

        return compile_plan(self.plan)

    @property
    def status_date(self) -> dt.date | dt.datetime | None:
        """``as_of`` when given, else the plan's status date."""
        if self.as_of is not None:
            return self.as_of
        return self.plan.progress.status_date if self.plan.progress is not None else None

    @property
    def has_progress(self) -> bool:
        """The plan records progress and there is a status date to measure it at."""
        return self.plan.progress is not None and self.status_date is not None

    # ---- schedules ------------------------------------------------------------------
    @cached_property
    def planned(self) -> Schedule:
        """The plan as if nothing had happened (CPM over the plan's own durations and constraints)."""
        from pmfit.engine.schedule import schedule

        return schedule(self.plan, self.network)

    @cached_property
    def status(self) -> StatusSchedule | None:
        """The status-date schedule (with each task's state), or None without progress."""
        if not self.has_progress:
            return None
        return self.status_schedule(self.as_of)

    def status_schedule(self, as_of: dt.date | dt.datetime | None = None) -> StatusSchedule:
        """The plan rescheduled around its progress as of ``as_of`` (default: the status date)."""
        from pmfit.engine.status import status_schedule

        key = as_of if as_of is not None else self.as_of
        if key not in self._status_at:
            self.planned  # noqa: B018 - the dates-fit check runs once, on the plain schedule
            self._status_at[key] = status_schedule(self.plan, key, network=self.network)
        return self._status_at[key]

    @property
    def current(self) -> Schedule:
        """The current schedule: the status-date schedule when there is progress, else the plan's."""
        return self.status.schedule if self.status is not None else self.planned

    def schedule(self, as_planned: bool = False) -> Schedule:
        """The current schedule, or with ``as_planned`` the plan as if nothing had happened."""
        return self.planned if as_planned else self.current

    @property
    def finish(self) -> dt.datetime:
        """The finish of the current schedule."""
        return self.current.finish

    # ---- costs -------------------------------------------------------------------------
    @cached_property
    def cost(self) -> CostModel:
        """The one cost model (rates per hour and per use, fixed task and summary costs)."""
        from pmfit.engine.cost import cost_model

        return cost_model(self.plan, self.network)

    def planned_cost(self, as_planned: bool = False) -> float | None:
        """The cost over the current (or as-planned) schedule's durations; None when the plan has no costs."""
        model = self.cost
        if not (model.per_minute.any() or model.fixed.any()):
            return None
        return round(model.total(self.schedule(as_planned).network.duration), 2)

    # ---- leveling ---------------------------------------------------------------------
    def level_network(self, as_planned: bool = False) -> Network:
        """The network leveling works on: the current schedule's, with started work held where it is.

        Finished work keeps its actual dates and uses no resources; work in progress is
        its remaining part, fixed from the status date; unstarted work starts no earlier
        than the status date and is free to move.
        """
        if as_planned or self.status is None:
            return self.network
        import numpy as np

        from pmfit.engine.network import MSO

        status = self.status
        net = status.schedule.network
        started = np.array([status.tasks[tid].started for tid in net.ids], dtype=bool)
        if not started.any():
            return net
        done = np.array([status.tasks[tid].state == "done" for tid in net.ids], dtype=bool)
        ongoing = started & ~done
        # Work that has begun does not move. Leveling is about the remaining work (as in
        # MS Project): finished work keeps its actual dates and links but uses nobody any
        # more; work in progress is its remaining part, fixed from the status date.
        ctype = net.constraint_type.copy()
        ctime = net.constraint_time.copy()
        duration = net.duration.copy()
        ctype[started] = MSO
        ctime[done] = [status.tasks[net.ids[i]].actual_start or 0 for i in np.flatnonzero(done)]
        ctime[ongoing] = status.status_time
        duration[ongoing] = [status.tasks[net.ids[i]].remaining for i in np.flatnonzero(ongoing)]
        units = net.demand_units.copy()
        owner = np.repeat(np.arange(net.n), np.diff(net.demand_ptr))
        units[done[owner]] = 0.0
        return replace(net, constraint_type=ctype, constraint_time=ctime, demand_units=units,
                       duration=duration)

    def level(self, time_limit: float = 5.0, method: str = "auto", schedules: int | None = None,
              seed: int = 0, workers: int = 2, *, as_planned: bool = False) -> LeveledSchedule:
        """Resource-leveled dates of the current schedule (started work stays at its actual dates)."""
        from pmfit.engine.level import level

        key = (time_limit, method, schedules, seed, workers, as_planned)
        if key not in self._levels:
            self._levels[key] = level(self.plan, time_limit=time_limit, method=method,  # type: ignore[arg-type]
                                      schedules=schedules, seed=seed, workers=workers,
                                      network=self.level_network(as_planned))
        return self._levels[key]

    @property
    def leveled(self) -> LeveledSchedule | None:
        """The most recent leveling of the current schedule computed for this project, if any."""
        current = [result for key, result in self._levels.items() if not key[-1] or self.status is None]
        return current[-1] if current else None

    # ---- simulation ------------------------------------------------------------------
    def simulate(self, iterations: int | None = None, seed: int | None = None, *,
                 correlation: float | None = None, precision: float | None = None, risk_impact: bool = True,
                 progress: Callable[[int, int], None] | None = None, as_planned: bool = False) -> RiskResult:
        """Monte Carlo of the current schedule: with progress, only the remaining work varies.

        ``iterations`` and ``seed`` default to :data:`SIMULATION` (the same for every command).
        """
        iterations = SIMULATION.iterations if iterations is None else iterations
        seed = SIMULATION.seed if seed is None else seed
        key = (iterations, seed, correlation, precision, risk_impact, as_planned or self.status is None)
        if key not in self._simulations:
            if as_planned or self.status is None:
                from pmfit.engine.risk import simulate

                result = simulate(self.plan, iterations, seed, correlation=correlation, precision=precision,
                                  risk_impact=risk_impact, progress=progress, network=self.network)
            else:
                from pmfit.engine.forecast import simulate_remaining

                result = simulate_remaining(self.plan, iterations, seed, status=self.status,
                                            correlation=correlation, precision=precision,
                                            risk_impact=risk_impact, progress=progress)
            self._simulations[key] = result
        return self._simulations[key]

    @property
    def simulation(self) -> RiskResult | None:
        """The most recent simulation of the current schedule computed for this project, if any."""
        current = [result for key, result in self._simulations.items() if not key[-1] or self.status is None]
        return current[-1] if current else None

    # ---- earned value --------------------------------------------------------------
    def earned_value(self, baseline: str | Baseline | None = None, period: str | None = None,
                     as_of: dt.date | dt.datetime | None = None) -> EarnedValue:
        """Earned value against a baseline (the first by default) at the status date (else today)."""
        from pmfit.engine.track import earned_value

        when = as_of if as_of is not None else self.status_date
        if when is None:
            when = dt.date.today()
        from pmfit.engine.status import check_status_date

        check_status_date(self.plan, when if as_of is not None else None, self.source)
        name = baseline if baseline is None or isinstance(baseline, str) else baseline.name
        key = (name, period, when)
        if key not in self._earned:
            status = self.status if as_of is None and self.status is not None else self.status_schedule(when)
            self._earned[key] = earned_value(self.plan, baseline, when, period, current=status)
        return self._earned[key]

    # ---- advice ---------------------------------------------------------------------
    def advice(self, salaries: str | os.PathLike[str] | None = None, risk: bool = False) -> Advice:
        """Which kind of PM the plan needs and what each option costs (cached)."""
        from pmfit.advising import advise_plan

        key = (str(salaries) if salaries is not None else None, risk)
        if key not in self._advice:
            self._advice[key] = advise_plan(self.plan, salaries=salaries, risk=risk, network=self.network,
                                            plan_file=self.source)
        return self._advice[key]

    # ---- what every screen shows --------------------------------------------------
    def finishes(self) -> list[LabelledFinish]:
        """Every finish known so far, each labelled: current schedule, as planned (when there is
        progress), leveled, P50/P80 of the simulation, baseline."""
        out = [LabelledFinish("current", CURRENT, self.current.finish)]
        if self.status is not None:
            out.append(LabelledFinish("as_planned", AS_PLANNED, self.planned.finish))
        leveled = self.leveled
        if leveled is not None and leveled.finish_after is not None:
            out.append(LabelledFinish("leveled", LEVELED, leveled.finish_after))
        sim = self.simulation
        if sim is not None:
            cal = self.current.calendar
            for p in (50, 80):
                out.append(LabelledFinish(f"p{p}", p_label(p, sim.iterations, sim.seed),
                                          cal.finish_at(int(sim.percentile(p)))))
        if self.plan.baselines and self.plan.baselines[0].finish is not None:
            base = self.plan.baselines[0]
            out.append(LabelledFinish("baseline", f"{BASELINE} '{base.name}'", base.finish))  # type: ignore[arg-type]
        return out

    def to_dict(self) -> dict[str, Any]:
        """What has been computed, JSON-ready (for a result cache keyed by :attr:`version`)."""
        out: dict[str, Any] = {
            "version": self.version,
            "project": self.plan.project.name,
            "status_date": self.status_date.isoformat() if self.status_date is not None else None,
            "schedule": {**self.current.summary(), "kind": "current" if self.status is not None else "planned",
                         "tasks": self.current.to_records()},
            "finishes": [f.to_dict() for f in self.finishes()],
        }
        if self.status is not None:
            out["status"] = self.status.to_dict()
        if self.leveled is not None:
            out["leveled"] = self.leveled.to_dict()
        if self.simulation is not None:
            out["simulation"] = self.simulation.summary()
        if self._earned:
            out["earned_value"] = next(reversed(self._earned.values())).to_dict()
        if self._advice:
            out["advice"] = next(reversed(self._advice.values())).to_dict()
        return out


__all__ = ["AS_PLANNED", "BASELINE", "CURRENT", "LEVELED", "SIMULATION", "LabelledFinish", "Project",
           "SimulationPolicy", "load_plan", "p_label"]
