"""The status-date schedule: the plan rescheduled around what really happened.

Given the plan's progress section and a status date, every leaf task is in one
of four states, and each state becomes a bound on the compiled network:

- **done** (actual finish): pinned where it happened,
  ``start = actual_start`` (MSO) and ``duration = actual_finish - actual_start``;
- **in progress** (actual start, no finish): keeps its actual start (MSO) and
  its remaining duration runs from the status date,
  ``finish = status + remaining``, so ``duration = (status - actual_start) + remaining``;
- **not started**: starts no earlier than the status date,
  ``start >= status`` (SNET); one that the plan had starting before the
  status date is **overdue** and is moved past it (MS Project's
  "reschedule uncompleted work to start after the status date").

Remaining duration is the recorded ``remaining``, else ``planned x (1 - percent)``,
else the whole planned duration (0% done). Percent complete, when only
``remaining`` is given, is ``elapsed / (elapsed + remaining)`` with ``elapsed``
the working time from actual start to the status date.

Upper-bound constraints of unstarted tasks (SNLT, FNLT) are kept as finish
deadlines so that they still show as negative float. The result is an
ordinary :class:`~pmfit.engine.schedule.Schedule` plus the state of each task.
Resource leveling is not applied (this is the CPM schedule of the remaining work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from pmfit.engine.cpm import critical_path_method
from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.engine.network import ALAP, FNET, FNLT, MFO, MSO, SNET, SNLT, Network, compile_plan
from pmfit.engine.schedule import DrivingStep, Schedule, TaskSchedule, schedule_diagnostics
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import Plan, TaskProgress

State = Literal["done", "in_progress", "not_started", "overdue"]


@dataclass(frozen=True)
class TaskStatus:
    """One leaf task's progress as the status date sees it (times in working minutes)."""

    id: str
    state: State
    percent: float
    actual_start: int | None = None
    actual_finish: int | None = None
    elapsed: int = 0
    remaining: int = 0
    actual_cost: float | None = None

    @property
    def started(self) -> bool:
        return self.state in ("done", "in_progress")

    def to_dict(self, minutes_per_day: int = 480) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "percent_complete": round(self.percent, 4),
            "elapsed_days": round(self.elapsed / minutes_per_day, 3),
            "remaining_days": round(self.remaining / minutes_per_day, 3),
        }


@dataclass(frozen=True, eq=False)
class StatusSchedule:
    """The schedule as of a status date, the plain plan schedule, and each task's state."""

    schedule: Schedule
    planned: Schedule
    status_date: dt.datetime
    status_time: int
    tasks: dict[str, TaskStatus]
    moved: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def finish(self) -> dt.datetime:
        return self.schedule.finish

    @property
    def calendar(self) -> WorkingTime:
        return self.schedule.calendar

    def slip_days(self) -> float:
        """Working days the finish moved against the plan without progress."""
        delta = self.schedule.duration_minutes - self.planned.duration_minutes
        return delta / self.schedule.minutes_per_day

    def to_dict(self) -> dict[str, Any]:
        mpd = self.schedule.minutes_per_day
        return {
            "status_date": self.status_date.isoformat(timespec="minutes"),
            "finish": self.schedule.finish.isoformat(timespec="minutes"),
            "planned_finish": self.planned.finish.isoformat(timespec="minutes"),
            "slip_days": round(self.slip_days(), 3),
            "moved": self.moved,
            "tasks": [
                {**self.schedule.tasks[tid].to_dict(mpd), **st.to_dict(mpd)}
                for tid, st in self.tasks.items() if tid in self.schedule.tasks
            ],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


@dataclass(frozen=True, eq=False)
class StatusDateSchedule(Schedule):
    """A schedule as of a status date: finished tasks are history, never critical (as in MS Project)."""

    done: frozenset[str] = frozenset()
    started: frozenset[str] = frozenset()  # done or in progress: placed by their actual start
    held: frozenset[str] = frozenset()  # unstarted tasks kept no earlier than the status date
    status_time: int | None = None

    def why(self, task_id: str, depth: int = 50) -> list[DrivingStep]:
        """The driving chain of the current dates: a started task is "placed by its actual
        start" (history does not depend on predecessors), an unstarted one that would have
        been earlier is "held after the status date"."""
        out: list[DrivingStep] = []
        for step in super().why(task_id, depth):
            if step.task in self.started:
                state = "finished work" if step.task in self.done else "work in progress"
                out.append(DrivingStep(step.task, step.start, f"its actual start on {step.start:%a %Y-%m-%d %H:%M} "
                                       f"({state} stays where it began)", "actual_start"))
                break
            if step.task in self.held and step.kind == "constraint" and self.status_time is not None:
                when = self.calendar.finish_at(self.status_time)
                out.append(DrivingStep(step.task, step.start, f"the status date ({when:%a %Y-%m-%d %H:%M}): "
                                       "unstarted work is held after the status date", "status_date"))
                break
            out.append(step)
        return out

    @cached_property
    def tasks(self) -> dict[str, TaskSchedule]:
        rows = Schedule.tasks.func(self)  # type: ignore[attr-defined]
        out: dict[str, TaskSchedule] = {}
        for tid, row in rows.items():
            if row.critical and tid in self.done:
                row = replace(row, critical=False)
            out[tid] = row
        return out

    @property
    def critical_path(self) -> list[str]:
        return [tid for tid in super().critical_path if tid not in self.done]

    def critical_paths(self, limit: int = 20) -> list[list[str]]:
        chains = [[t for t in chain if t not in self.done] for chain in super().critical_paths(limit)]
        unique: list[list[str]] = []
        for chain in chains:
            if chain and chain not in unique:
                unique.append(chain)
        return unique


def check_status_date(plan: Plan, as_of: dt.date | dt.datetime | None, file: str | None = None) -> None:
    """Refuse a status date before the project starts (``bad_status_date``): nothing can have happened.

    The API and the CLI both call this (through :class:`pmfit.project.Project`), so the API
    refuses what the CLI refuses. ``status_schedule`` itself only warns, for callers that
    explore dates.
    """
    if as_of is None:
        return
    start = plan.project.start.date() if isinstance(plan.project.start, dt.datetime) else plan.project.start
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    if day < start:
        raise PlanError(Diagnostic("bad_status_date", f"--as-of {day} is before the project starts "
                                   f"({start}); nothing can have happened yet", file=file))


def status_time(calendar: WorkingTime, when: dt.date | dt.datetime) -> int:
    """Working minutes at a status date: the end of that day for a bare date."""
    if isinstance(when, dt.datetime):
        return calendar.offset(when)
    return calendar.day_end(when)


def _start_time(calendar: WorkingTime, when: dt.date | dt.datetime) -> int:
    return calendar.day_start(when)


def _finish_time(calendar: WorkingTime, when: dt.date | dt.datetime) -> int:
    return calendar.day_end(when)


def resolve_progress(
    plan: Plan, network: Network, status: int, calendar: WorkingTime,
    planned_start: npt.NDArray[np.int64] | None = None,
) -> tuple[dict[str, TaskStatus], list[Diagnostic]]:
    """Each leaf task's state, percent, actual times and remaining work at ``status``.

    A milestone reached on a bare date sits at its planned moment when that
    falls on the same day, else at the start or end of that day, whichever is
    nearer to the plan (a kickoff on the first day stays at 08:00, a sign-off
    after a day's work at 17:00).
    """

    def milestone_time(i: int, when: dt.date | dt.datetime) -> int:
        if isinstance(when, dt.datetime):
            return calendar.offset(when)
        lo, hi = calendar.day_start(when), calendar.day_end(when)
        planned = int(planned_start[i]) if planned_start is not None else hi
        return min(max(planned, lo), hi)

    progress = plan.progress
    records: dict[str, TaskProgress] = dict(progress.tasks) if progress else {}
    leaf = set(network.ids)
    out: list[Diagnostic] = []
    for tid in records:
        if tid not in leaf and tid in plan.summary_ids():
            out.append(Diagnostic(
                "progress_on_summary",
                f"progress on summary task '{tid}' is ignored; record it on its subtasks",
                severity="warning", task=tid, path=("progress", "tasks", tid)))
    mpd, dpw = calendar.minutes_per_day, calendar.days_per_week
    states: dict[str, TaskStatus] = {}
    for i, tid in enumerate(network.ids):
        planned = int(network.duration[i])
        rec = records.get(tid)
        if rec is None or (rec.actual_start is None and rec.actual_finish is None):
            if rec is not None and (rec.actual_cost or 0) > 0:
                out.append(Diagnostic(
                    "bad_progress", f"task '{tid}' has an actual cost but no actual start; the cost "
                    "counts in AC, the task counts as not started", severity="warning", task=tid,
                    path=("progress", "tasks", tid)))
            if rec is not None and (rec.percent_complete or 0) > 0:
                out.append(Diagnostic(
                    "bad_progress", f"task '{tid}' is {rec.percent_complete:g}% complete but has no "
                    "actual start; it counts as not started", severity="warning", task=tid,
                    path=("progress", "tasks", tid)))
            states[tid] = TaskStatus(tid, "not_started", 0.0, remaining=planned,
                                     actual_cost=rec.actual_cost if rec else None)
            continue
        if rec.actual_finish is not None and rec.remaining is not None and rec.remaining.amount > 0:
            out.append(Diagnostic(
                "bad_progress", f"task '{tid}' has an actual finish and {rec.remaining} remaining; "
                "the remaining duration is ignored", severity="warning", task=tid,
                path=("progress", "tasks", tid)))
        milestone = bool(network.milestone[i])
        if rec.actual_finish is not None or (rec.percent_complete or 0) >= 100:
            if milestone:
                when = rec.actual_finish or rec.actual_start
                assert when is not None
                a = f = milestone_time(i, when)
            else:
                a = _start_time(calendar, rec.actual_start or rec.actual_finish)  # type: ignore[arg-type]
                f = _finish_time(calendar, rec.actual_finish) if rec.actual_finish else max(status, a)
                f = max(f, a)
            states[tid] = TaskStatus(tid, "done", 100.0, a, f, elapsed=f - a, remaining=0,
                                     actual_cost=rec.actual_cost)
            continue
        assert rec.actual_start is not None
        a = milestone_time(i, rec.actual_start) if milestone else _start_time(calendar, rec.actual_start)
        elapsed = max(status - a, 0)
        pct = rec.percent_complete
        if rec.remaining is not None:
            remaining = max(rec.remaining.minutes(mpd, dpw), 0)
            if pct is None:
                total = elapsed + remaining
                pct = 100.0 * elapsed / total if total else 0.0
        elif pct is not None:
            remaining = round(planned * (1 - pct / 100.0))
        else:
            pct, remaining = 0.0, planned
        states[tid] = TaskStatus(tid, "in_progress", float(pct), a, None, elapsed=elapsed,
                                 remaining=remaining, actual_cost=rec.actual_cost)
    return states, out


def _actuals_after(plan: Plan, as_of: dt.date | dt.datetime) -> list[Diagnostic]:
    """Actual dates later than an ``as_of`` status date (the plan's own is checked on reading)."""
    from pmfit.model.validate import progress_diagnostics

    assert plan.progress is not None
    shifted = plan.model_copy(update={"progress": plan.progress.model_copy(update={"status_date": as_of})})
    late = sorted({d.task for d in progress_diagnostics(shifted)
                   if d.task is not None and "after the status date" in d.message})
    if not late:
        return []
    names = ", ".join(f"'{t}'" for t in late[:8])
    more = f" and {len(late) - 8} more" if len(late) > 8 else ""
    return [Diagnostic(
        "bad_progress",
        f"{len(late)} task(s) have actual dates after the status date {as_of} ({names}{more}); "
        "their progress is counted as recorded", severity="warning", task=late[0])]


def status_schedule(
    plan: Plan, as_of: dt.date | dt.datetime | None = None, network: Network | None = None
) -> StatusSchedule:
    """Reschedule ``plan`` around its progress as of ``as_of`` (default: its status date).

    Pure: the plan is not changed. Without a status date and without ``as_of``
    the status is the project start (nothing has happened yet).
    """
    net = network or compile_plan(plan)
    cal = net.calendar
    assert cal is not None
    planned_cpm = critical_path_method(net)
    planned = Schedule(net, planned_cpm, cal, plan, schedule_diagnostics(net, planned_cpm, cal))
    when = as_of if as_of is not None else (plan.progress.status_date if plan.progress else None)
    diagnostics: list[Diagnostic] = []
    if when is None:
        status = 0
    else:
        try:
            status = status_time(cal, when)
        except ValueError:  # the calendar cannot reach that date (centuries away)
            raise PlanError(Diagnostic(
                "bad_status_date", f"the status date {when} is too far from the project start "
                f"({plan.project.start}) for its calendar", path=("progress", "status_date"))) from None
        if as_of is not None and plan.progress is not None:
            diagnostics.extend(_actuals_after(plan, as_of))
        if status < 0:
            diagnostics.append(Diagnostic(
                "bad_status_date",
                f"the status date {when} is before the project starts "
                f"({plan.project.start}); nothing can have happened yet",
                severity="warning", path=("progress", "status_date")))
            status = 0
    states, found = resolve_progress(plan, net, status, cal, planned_cpm.start)
    diagnostics.extend(found)

    ctype = net.constraint_type.copy()
    ctime = net.constraint_time.copy()
    deadline = net.deadline.copy()
    duration = net.duration.copy()
    moved: list[str] = []
    held: set[str] = set()
    pinned = np.zeros(net.n, dtype=bool)
    for i, tid in enumerate(net.ids):
        st = states[tid]
        if st.state == "done":
            assert st.actual_start is not None and st.actual_finish is not None
            ctype[i], ctime[i] = MSO, st.actual_start
            duration[i] = st.actual_finish - st.actual_start
            pinned[i] = True
        elif st.state == "in_progress":
            assert st.actual_start is not None
            ctype[i], ctime[i] = MSO, st.actual_start
            duration[i] = max(status - st.actual_start, 0) + st.remaining
            pinned[i] = True
        else:
            kind, t, d = int(ctype[i]), int(ctime[i]), int(duration[i])
            if kind == SNLT:
                deadline[i] = min(int(deadline[i]), t + d)
            elif kind == FNLT:
                deadline[i] = min(int(deadline[i]), t)
            lower = status
            if kind == SNET:
                lower = max(lower, t)
            elif kind == FNET:
                lower = max(lower, t - d)
            elif kind in (MSO, MFO):
                must = t if kind == MSO else t - d
                if must >= status:
                    continue  # a must-date still ahead of the status date stands
            elif kind == ALAP and int(planned_cpm.late_start[i]) >= status:
                continue  # still placed late, after the status date
            ctype[i], ctime[i] = SNET, lower
            if lower == status:
                held.add(tid)
            if int(planned_cpm.start[i]) < status:
                moved.append(tid)
                states[tid] = replace(st, state="overdue")
    status_net = replace(net, constraint_type=ctype, constraint_time=ctime,
                         deadline=np.where(deadline < NO_UPPER, deadline, NO_UPPER).astype(np.int64)
                         ).with_durations(duration)
    cpm = critical_path_method(status_net)
    if pinned.any() and status_net.m:
        # A must-start pin also pins the late dates, so every started task would look
        # critical. Where the predecessors allow the actual start anyway (work done in
        # sequence), the same date as a start-no-earlier-than gives identical dates and
        # true floats; out-of-sequence work keeps its pin.
        needed = np.full(status_net.n, NO_LOWER, dtype=np.int64)
        np.maximum.at(needed, status_net.link_dst,
                      cpm.early_start[status_net.link_src] + cpm.link_offset)
        relax = pinned & (needed <= ctime) & (ctime >= 0)
        if relax.any():
            ctype2 = ctype.copy()
            ctype2[relax] = SNET
            relaxed_net = replace(status_net, constraint_type=ctype2)
            relaxed = critical_path_method(relaxed_net)
            if np.array_equal(relaxed.start, cpm.start):
                status_net, cpm = relaxed_net, relaxed
    # Started work sits at its actual dates: a "conflict" or negative float on it says
    # only that the work ran out of sequence, so the warnings cover the rest of the plan.
    found_schedule = [
        d for d in schedule_diagnostics(status_net, cpm, cal)
        if not (d.code == "constraint_conflict" and d.task is not None and pinned[status_net.index(d.task)])
        and d.code != "negative_float"
    ]
    negative = np.flatnonzero((cpm.total_float < 0) & ~pinned)
    if len(negative):
        worst = int(negative[np.argmin(cpm.total_float[negative])])
        names = ", ".join(f"'{status_net.ids[i]}'" for i in negative[:8])
        more = f" and {len(negative) - 8} more" if len(negative) > 8 else ""
        found_schedule.append(Diagnostic(
            "negative_float",
            f"{len(negative)} unfinished task(s) have negative float ({names}{more}): a constraint or "
            f"deadline cannot be met; worst is '{status_net.ids[worst]}', "
            f"{-cpm.total_float[worst] / cal.minutes_per_day:g} working days late",
            severity="warning", task=status_net.ids[worst]))
    if moved:
        names = ", ".join(f"'{t}'" for t in moved[:8])
        more = f" and {len(moved) - 8} more" if len(moved) > 8 else ""
        diagnostics.append(Diagnostic(
            "start_overdue",
            f"{len(moved)} task(s) should have started by the status date but have not "
            f"({names}{more}); they now start after it",
            severity="warning", task=moved[0]))
    done = frozenset(tid for tid, st in states.items() if st.state == "done")
    started = frozenset(tid for tid, st in states.items() if st.state in ("done", "in_progress"))
    sched = StatusDateSchedule(status_net, cpm, cal, plan, found_schedule, done=done, started=started,
                               held=frozenset(held), status_time=status)
    return StatusSchedule(
        schedule=sched,
        planned=planned,
        status_date=cal.finish_at(status),
        status_time=status,
        tasks=states,
        moved=moved,
        diagnostics=diagnostics + found_schedule,
    )


def current_schedule(plan: Plan, network: Network | None = None) -> Schedule:
    """The current schedule: the status-date schedule when the plan has a status date, else its CPM."""
    if plan.progress is not None and plan.progress.status_date is not None:
        return status_schedule(plan, network=network).schedule
    from pmfit.engine.schedule import schedule

    return schedule(plan, network)
