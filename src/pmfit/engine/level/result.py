"""The leveled schedule: a result object over one plan (the plan is never changed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.level.explain import DelayCause, ResourceProfile, explain_delays, profiles
from pmfit.engine.level.problem import Problem
from pmfit.model.diagnostics import Diagnostic

if TYPE_CHECKING:
    from pmfit.engine.cpm import CpmResult
    from pmfit.engine.network import Network
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import Plan

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LeveledTask:
    """One task before and after leveling (times in working minutes from the project start)."""

    id: str
    name: str
    start_minute: int
    finish_minute: int
    unleveled_start_minute: int
    unleveled_finish_minute: int
    start: dt.datetime | None
    finish: dt.datetime | None
    unleveled_start: dt.datetime | None
    unleveled_finish: dt.datetime | None
    delay: int
    cause: str | None
    detail: DelayCause | None = None
    milestone: bool = False

    def to_dict(self, minutes_per_day: int = 480) -> dict[str, Any]:
        def iso(x: dt.datetime | None) -> str | None:
            return None if x is None else x.isoformat(timespec="minutes")

        out: dict[str, Any] = {
            "id": self.id, "name": self.name,
            "start": iso(self.start), "finish": iso(self.finish),
            "unleveled_start": iso(self.unleveled_start), "unleveled_finish": iso(self.unleveled_finish),
            "start_minute": self.start_minute, "finish_minute": self.finish_minute,
            "delay_days": round(self.delay / minutes_per_day, 3),
            "cause": self.cause,
        }
        if self.detail is not None and self.detail.resource is not None:
            out["resource"] = self.detail.resource
            out["blocked_by"] = list(self.detail.blockers)
        return out


@dataclass(frozen=True, eq=False)
class LeveledSchedule:
    """Resource-leveled dates per task, the finish before and after, delays with causes, usage profiles.

    ``start_minutes`` / ``unleveled_minutes`` are per network task (leaf), in working minutes.
    ``status`` is ``"optimal"`` when the makespan is proven minimal (CP-SAT proof or a
    lower bound met), else ``"feasible"``. ``lower_bound`` (minutes) is the best proven
    bound on the leveled duration.
    """

    network: Network
    cpm: CpmResult
    problem: Problem
    start_minutes: IntArray
    unleveled_minutes: IntArray
    method: str
    proven_optimal: bool
    lower_bound: int
    schedules: int
    seconds: float
    heuristic_makespan: int
    cp_status: str | None = None
    cp_seconds: float = 0.0
    source: str = ""
    calendar: WorkingTime | None = None
    plan: Plan | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    # ---- headline numbers ------------------------------------------------
    @property
    def status(self) -> str:
        return "optimal" if self.proven_optimal else "feasible"

    @property
    def minutes_per_day(self) -> int:
        return self.calendar.minutes_per_day if self.calendar is not None else 1

    @property
    def finish_minutes(self) -> IntArray:
        return (self.start_minutes + self.network.duration).astype(np.int64)

    @property
    def duration_before(self) -> int:
        """Unleveled project length in working minutes (the CPM finish)."""
        return int(self.cpm.project_finish)

    @property
    def duration_after(self) -> int:
        """Leveled project length in working minutes."""
        return int(self.finish_minutes.max()) if self.network.n else 0

    @property
    def finish_before(self) -> dt.datetime | None:
        return None if self.calendar is None else self.calendar.finish_at(self.duration_before)

    @property
    def finish_after(self) -> dt.datetime | None:
        return None if self.calendar is None else self.calendar.finish_at(self.duration_after)

    @property
    def added_days(self) -> float:
        return (self.duration_after - self.duration_before) / self.minutes_per_day

    # ---- per task ----------------------------------------------------------
    @cached_property
    def causes(self) -> dict[int, DelayCause]:
        unit = self.problem.unit
        return explain_delays(self.problem, -(-self.unleveled_minutes // unit), self.start_minutes // unit)

    @cached_property
    def tasks(self) -> dict[str, LeveledTask]:
        """Every leaf task, keyed by id (plan order when there is a plan)."""
        net, cal = self.network, self.calendar
        d = net.duration
        start, before = self.start_minutes, self.unleveled_minutes
        dates: dict[str, list[dt.datetime | None]] = {}
        if cal is not None:
            def starts(t: IntArray) -> list[dt.datetime | None]:
                moments = np.where(net.milestone & (t > 0), cal.finishes(t), cal.starts(t))
                return moments.astype("datetime64[m]").astype(dt.datetime).tolist()  # type: ignore[no-any-return]

            def finishes(t: IntArray) -> list[dt.datetime | None]:
                return cal.finishes(t).astype("datetime64[m]").astype(dt.datetime).tolist()  # type: ignore[no-any-return]

            dates = {"s": starts(start), "f": finishes(start + d), "us": starts(before), "uf": finishes(before + d)}
        else:
            none: list[dt.datetime | None] = [None] * net.n
            dates = {"s": none, "f": none, "us": none, "uf": none}
        causes = self.causes
        mpd = self.minutes_per_day
        out: dict[str, LeveledTask] = {}
        for i, tid in enumerate(net.ids):
            detail = causes.get(i)
            out[tid] = LeveledTask(
                id=tid, name=net.names[i] if net.names else tid,
                start_minute=int(start[i]), finish_minute=int(start[i] + d[i]),
                unleveled_start_minute=int(before[i]), unleveled_finish_minute=int(before[i] + d[i]),
                start=dates["s"][i], finish=dates["f"][i],
                unleveled_start=dates["us"][i], unleveled_finish=dates["uf"][i],
                delay=int(start[i] - before[i]),
                cause=detail.describe(mpd) if detail is not None else None,
                detail=detail, milestone=bool(net.milestone[i]),
            )
        if self.plan is not None:
            order = [t.id for t in self.plan.tasks if t.id in out]
            out = {tid: out[tid] for tid in order}
        return out

    def __getitem__(self, task_id: str) -> LeveledTask:
        return self.tasks[task_id]

    def delays(self) -> list[LeveledTask]:
        """Tasks that leveling moved later, largest delay first."""
        moved = [t for t in self.tasks.values() if t.delay > 0]
        return sorted(moved, key=lambda t: (-t.delay, t.start_minute, t.id))

    def why(self, task_id: str) -> str | None:
        """The cause of a task's delay in words (``None`` when it did not move)."""
        return self.tasks[task_id].cause

    @cached_property
    def profiles(self) -> dict[str, ResourceProfile]:
        """Per-resource usage before (CPM dates) and after leveling."""
        return {p.resource: p for p in profiles(self.problem, self.unleveled_minutes, self.start_minutes)}

    # ---- export ------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        mpd = self.minutes_per_day

        def iso(x: dt.datetime | None) -> str | None:
            return None if x is None else x.isoformat(timespec="minutes")

        return {
            "project": self.plan.project.name if self.plan else None,
            "method": self.method,
            "status": self.status,
            "proven_optimal": self.proven_optimal,
            "finish_before": iso(self.finish_before),
            "finish_after": iso(self.finish_after),
            "duration_days_before": round(self.duration_before / mpd, 3),
            "duration_days_after": round(self.duration_after / mpd, 3),
            "lower_bound_days": round(self.lower_bound / mpd, 3),
            "delayed_tasks": sum(1 for t in self.tasks.values() if t.delay > 0),
            "schedules": self.schedules,
            "seconds": round(self.seconds, 3),
            "cp_status": self.cp_status,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def to_dict(self) -> dict[str, Any]:
        mpd = self.minutes_per_day
        return {
            **self.summary(),
            "tasks": [t.to_dict(mpd) for t in self.tasks.values()],
            "profiles": [p.to_dict() for p in self.profiles.values()],
        }

    def to_pandas(self) -> Any:
        """One row per task (needs pandas)."""
        import pandas as pd

        return pd.DataFrame([t.to_dict(self.minutes_per_day) for t in self.tasks.values()]).set_index("id")
