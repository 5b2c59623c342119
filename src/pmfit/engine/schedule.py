"""The schedule: CPM results keyed back to task ids and calendar dates.

A :class:`Schedule` is a result object over one plan; it never changes the
plan. It answers "when", "how much float", "what is critical" and, through
:meth:`Schedule.why`, "why is this date here?".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.cpm import CpmResult, critical_path_method
from pmfit.engine.kernels import DRIVER_CONSTRAINT, DRIVER_MUST, DRIVER_PROJECT_START, NO_UPPER
from pmfit.engine.network import (
    ALAP,
    CONSTRAINT_TYPES,
    LINK_TYPES,
    MFO,
    MSO,
    SF,
    SNET,
    SNLT,
    SS,
    Network,
    compile_plan,
)
from pmfit.model.diagnostics import Diagnostic

if TYPE_CHECKING:
    import pandas as pd

    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import Plan


@dataclass(frozen=True)
class TaskSchedule:
    """One task's scheduled dates, floats (in working minutes) and flags."""

    id: str
    name: str
    start: dt.datetime
    finish: dt.datetime
    early_start: dt.datetime
    early_finish: dt.datetime
    late_start: dt.datetime
    late_finish: dt.datetime
    duration: int
    total_float: int
    free_float: int
    critical: bool
    milestone: bool = False
    summary: bool = False
    parent: str | None = None

    def to_dict(self, minutes_per_day: int = 480) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "start": self.start.isoformat(timespec="minutes"),
            "finish": self.finish.isoformat(timespec="minutes"),
            "early_start": self.early_start.isoformat(timespec="minutes"),
            "early_finish": self.early_finish.isoformat(timespec="minutes"),
            "late_start": self.late_start.isoformat(timespec="minutes"),
            "late_finish": self.late_finish.isoformat(timespec="minutes"),
            "duration_days": round(self.duration / minutes_per_day, 3),
            "total_float_days": round(self.total_float / minutes_per_day, 3),
            "free_float_days": round(self.free_float / minutes_per_day, 3),
            "critical": self.critical,
            "milestone": self.milestone,
            "summary": self.summary,
            "parent": self.parent,
        }


@dataclass(frozen=True)
class DrivingStep:
    """One link in the chain that sets a task's start: the task and the reason."""

    task: str
    start: dt.datetime
    reason: str
    kind: str  # "link", "constraint", "must", "project_start", "alap", "leveling"
    predecessor: str | None = None
    link: str | None = None
    calendar_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "start": self.start.isoformat(timespec="minutes"),
            "kind": self.kind,
            "reason": self.reason,
            "predecessor": self.predecessor,
            "link": self.link,
            "calendar_note": self.calendar_note,
        }


def _to_py(values: npt.NDArray[np.datetime64]) -> list[dt.datetime]:
    return values.astype("datetime64[m]").astype(dt.datetime).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True, eq=False)
class Schedule:
    """Per-task dates and floats, project finish, critical path(s), diagnostics."""

    network: Network
    cpm: CpmResult
    calendar: WorkingTime
    plan: Plan | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    # ---- headline numbers ----------------------------------------------
    @property
    def start(self) -> dt.datetime:
        return self.calendar.start_at(0)

    @property
    def finish(self) -> dt.datetime:
        """The project finish: the latest task finish (end of its last working minute)."""
        last = self.cpm.project_finish
        # A milestone placed by a start at the very end shows the next working minute (Mon 08:00).
        if self.network.n and bool(np.any(self._start_anchored & (self.cpm.finish == last))):
            return self.calendar.start_at(last)
        return self.calendar.finish_at(last)

    @property
    def duration_minutes(self) -> int:
        return self.cpm.project_finish

    @property
    def duration_days(self) -> float:
        return self.cpm.project_finish / self.calendar.minutes_per_day

    @property
    def minutes_per_day(self) -> int:
        return self.calendar.minutes_per_day

    # ---- per task ------------------------------------------------------
    @cached_property
    def _start_anchored(self) -> npt.NDArray[np.bool_]:
        """Milestones placed by a start (an SS/SF link or a start constraint), shown at that start.

        Any other milestone sits at the moment its predecessors finish (MS Project:
        Fri 17:00, not Mon 08:00).
        """
        c, net = self.cpm, self.network
        drv = c.driver
        via_link = drv >= 0
        link_type = np.where(via_link, net.link_type[np.where(via_link, drv, 0)] if net.m else -1, -1)
        anchored: npt.NDArray[np.bool_] = net.milestone & (
            (via_link & ((link_type == SS) | (link_type == SF)))
            | (~via_link & (drv != DRIVER_PROJECT_START) & np.isin(net.constraint_type, (SNET, SNLT, MSO)))
        )
        return anchored

    @cached_property
    def _leaf_moments(self) -> dict[str, npt.NDArray[np.datetime64]]:
        cal, c, net = self.calendar, self.cpm, self.network
        start_anchor = self._start_anchored
        as_finish = net.milestone & ~start_anchor

        def starts(t: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
            return np.where(as_finish, cal.finishes(t), cal.starts(t)).astype("datetime64[m]")

        def finishes(t: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
            return np.where(start_anchor, cal.starts(t), cal.finishes(t)).astype("datetime64[m]")

        return {
            "start": starts(c.start),
            "finish": finishes(c.finish),
            "early_start": starts(c.early_start),
            "early_finish": finishes(c.early_finish),
            "late_start": starts(c.late_start),
            "late_finish": finishes(c.late_finish),
        }

    @cached_property
    def _leaf_dates(self) -> dict[str, list[dt.datetime]]:
        return {key: _to_py(values) for key, values in self._leaf_moments.items()}

    def _summary_extremes(self) -> dict[str, list[dt.datetime]]:
        """Per summary (with leaves): earliest early/late start, latest early/late finish, one pass each."""
        net, moments = self.network, self._leaf_moments
        lengths = np.diff(net.summary_ptr)
        starts = net.summary_ptr[:-1][lengths > 0]  # empty summaries take no room in summary_leaf
        out: dict[str, list[dt.datetime]] = {}
        for key, reduce in (("early_start", np.minimum), ("late_start", np.minimum),
                            ("early_finish", np.maximum), ("late_finish", np.maximum)):
            values = moments[key][net.summary_leaf] if len(net.summary_leaf) else moments[key][:0]
            out[key] = _to_py(reduce.reduceat(values, starts)) if len(starts) else []
        return out

    @cached_property
    def tasks(self) -> dict[str, TaskSchedule]:
        """Every task (leaves and summaries) in plan order, keyed by id."""
        net, c = self.network, self.cpm
        dates = self._leaf_dates
        critical = c.critical
        leaves: dict[str, TaskSchedule] = {}
        parents = {t.id: t.parent for t in self.plan.tasks} if self.plan else {}
        for i, tid in enumerate(net.ids):
            leaves[tid] = TaskSchedule(
                id=tid,
                name=net.names[i] if net.names else tid,
                start=dates["start"][i],
                finish=dates["finish"][i],
                early_start=dates["early_start"][i],
                early_finish=dates["early_finish"][i],
                late_start=dates["late_start"][i],
                late_finish=dates["late_finish"][i],
                duration=int(net.duration[i]),
                total_float=int(c.total_float[i]),
                free_float=int(c.free_float[i]),
                critical=bool(critical[i]),
                milestone=bool(net.milestone[i]),
                parent=parents.get(tid),
            )
        summaries: dict[str, TaskSchedule] = {}
        extremes = self._summary_extremes()
        k = -1  # index among the summaries that have leaves
        for s, sid in enumerate(net.summary_ids):
            members = net.summary_leaf[net.summary_ptr[s]:net.summary_ptr[s + 1]]
            if len(members) == 0:
                continue
            k += 1
            first, last = members[np.argmin(c.start[members])], members[np.argmax(c.finish[members])]
            summaries[sid] = TaskSchedule(
                id=sid,
                name=net.summary_names[s],
                start=dates["start"][first],
                finish=dates["finish"][last],
                early_start=extremes["early_start"][k],
                early_finish=extremes["early_finish"][k],
                late_start=extremes["late_start"][k],
                late_finish=extremes["late_finish"][k],
                duration=int(c.finish[members].max() - c.start[members].min()),
                total_float=int(c.total_float[members].min()),
                free_float=int(c.free_float[members].min()),
                critical=bool(critical[members].any()),
                summary=True,
                parent=parents.get(sid),
            )
        if self.plan is None:
            return {**leaves, **summaries}
        ordered = {}
        for task in self.plan.tasks:
            row = leaves.get(task.id) or summaries.get(task.id)
            if row is not None:
                ordered[task.id] = row
        return ordered

    def __getitem__(self, task_id: str) -> TaskSchedule:
        return self.tasks[task_id]

    # ---- critical path -------------------------------------------------
    @property
    def critical_path(self) -> list[str]:
        """Ids of the critical leaf tasks (total float <= 0), in start order."""
        c = self.cpm
        idx = np.flatnonzero(c.critical)
        idx = idx[np.lexsort((c.finish[idx], c.start[idx]))]
        return [self.network.ids[i] for i in idx]

    def critical_paths(self, limit: int = 20) -> list[list[str]]:
        """Chains of critical tasks joined by driving links, start to end (at most ``limit``)."""
        net, c = self.network, self.cpm
        critical = c.critical
        tight = c.driving_links() & critical[net.link_src] & critical[net.link_dst]
        nxt: dict[int, list[int]] = {}
        has_prev = np.zeros(net.n, dtype=bool)
        for k in np.flatnonzero(tight):
            a, b = int(net.link_src[k]), int(net.link_dst[k])
            nxt.setdefault(a, []).append(b)
            has_prev[b] = True
        sources = [int(i) for i in np.flatnonzero(critical & ~has_prev)]
        sources.sort(key=lambda i: (c.start[i], i))
        paths: list[list[str]] = []
        for source in sources:
            stack: list[tuple[int, list[int]]] = [(source, [source])]
            while stack and len(paths) < limit:
                node, path = stack.pop()
                following = sorted(set(nxt.get(node, [])), key=lambda j: -c.start[j])
                if not following:
                    paths.append([net.ids[i] for i in path])
                for j in following:
                    stack.append((j, [*path, j]))
            if len(paths) >= limit:
                break
        return paths

    def critical_path_text(self, max_chains: int = 3, max_tasks: int = 12) -> str:
        """The critical path in words: chains only where driving links join the tasks.

        ``"a → b → c"`` for one chain; ``"a → b; d → e"`` for several; critical tasks that no
        link joins to another are listed apart (``"not linked: x, y"``), never drawn as a chain.
        """
        return critical_path_text(self.critical_paths(limit=max(50, max_chains)), self.critical_path,
                                  max_chains, max_tasks)

    # ---- why is this date here? ----------------------------------------
    def why(self, task_id: str, depth: int = 50) -> list[DrivingStep]:
        """The driving chain that sets a task's start, from the task back to its origin.

        Each step says what put the task where it is: a predecessor link
        (with type and lag, and any weekend or holiday the start skipped),
        a date constraint, must-start/finish date, ALAP placement, or the
        project start. For a summary task the chain of its earliest leaf is given.
        """
        net, c, cal = self.network, self.cpm, self.calendar
        if task_id not in self.tasks:
            raise KeyError(task_id)
        if task_id in net.summary_ids:
            s = net.summary_ids.index(task_id)
            members = net.summary_leaf[net.summary_ptr[s]:net.summary_ptr[s + 1]]
            i = int(members[np.argmin(c.start[members])])
        else:
            i = net.index(task_id)
        dates = self._leaf_dates
        steps: list[DrivingStep] = []
        seen: set[int] = set()
        # leveling delays are compiled into the lags of the links into a task and its start floor
        leveling = {t.id: t for t in self.plan.tasks if t.leveling_delay is not None} if self.plan else {}
        while len(steps) < depth and i not in seen:
            seen.add(i)
            tid = net.ids[i]
            start = dates["start"][i]
            code = int(c.driver[i])
            ctype = int(net.constraint_type[i])
            if ctype == ALAP and c.start[i] > c.early_start[i]:
                steps.append(DrivingStep(tid, start, "its ALAP constraint: placed as late as it can go "
                                         "without delaying a successor or the project finish", "alap"))
                break
            if code >= 0:
                pred = int(net.link_src[code])
                kind = LINK_TYPES[int(net.link_type[code])]
                waits = leveling.get(tid)
                lag = int(net.link_lag[code])
                if waits is not None and waits.leveling_delay is not None:
                    lag -= waits.leveling_delay.minutes(cal.minutes_per_day, cal.days_per_week)
                lag_text = ""
                if lag:
                    days = lag / cal.minutes_per_day
                    lag_text = f" {'+' if lag > 0 else '-'}{abs(days):g}d {'lag' if lag > 0 else 'lead'}"
                elapsed = int(net.link_elapsed[code]) if net.has_elapsed else 0
                if elapsed:
                    lag_text += (f" {'+' if elapsed > 0 else '-'}{elapsed_text(abs(elapsed))} elapsed "
                                 f"{'lag' if elapsed > 0 else 'lead'}")
                pred_id = net.ids[pred]
                written = net.link_origin[code][1] if net.link_origin else pred_id
                via = f" (via summary '{written}')" if written != pred_id else ""
                anchor = {"FS": "finish", "SS": "start", "FF": "finish", "SF": "start"}[kind]
                anchor_date = dates["finish"][pred] if anchor == "finish" else dates["start"][pred]
                reason = (f"its {kind}{lag_text} link from '{pred_id}'{via}, whose {anchor} is "
                          f"{anchor_date:%a %Y-%m-%d %H:%M}")
                if elapsed:
                    anchor_date = anchor_date + dt.timedelta(minutes=elapsed)
                    reason += f", plus calendar time to {anchor_date:%a %Y-%m-%d %H:%M}"
                if waits is not None:
                    reason += f", and its leveling delay of {waits.leveling_delay}"
                note = self._calendar_note(anchor_date, start)
                steps.append(DrivingStep(tid, start, reason, "link", pred_id,
                                         f"{pred_id} {kind}{lag_text}".strip(), note))
                i = pred
                continue
            if code == DRIVER_MUST:
                kind = CONSTRAINT_TYPES[ctype]
                steps.append(DrivingStep(tid, start, f"its {kind} constraint "
                                         f"({'must start on' if ctype == MSO else 'must finish on'} "
                                         f"{self._constraint_date(i, ctype):%Y-%m-%d})", "must"))
            elif code == DRIVER_CONSTRAINT and tid in leveling:
                task = leveling[tid]
                own = task.constraint
                base = (f"its {own.type.value} constraint ({own.date})" if own is not None and own.date
                        else f"the project start ({self.start:%a %Y-%m-%d %H:%M})")
                steps.append(DrivingStep(tid, start, f"{base} and its leveling delay of {task.leveling_delay}",
                                         "leveling"))
            elif code == DRIVER_CONSTRAINT:
                kind = CONSTRAINT_TYPES[ctype]
                steps.append(DrivingStep(tid, start, f"its {kind} constraint: "
                                         f"{'start' if kind in ('SNET', 'SNLT', 'MSO') else 'finish'} "
                                         f"no earlier than {self._constraint_date(i, ctype):%Y-%m-%d}",
                                         "constraint"))
            elif code == DRIVER_PROJECT_START:
                steps.append(DrivingStep(tid, start, f"the project start "
                                         f"({self.start:%a %Y-%m-%d %H:%M})", "project_start"))
            break
        return steps

    def _constraint_date(self, i: int, ctype: int) -> dt.datetime:
        t = int(self.network.constraint_time[i])
        if ctype in (MFO,) or CONSTRAINT_TYPES[ctype].startswith("F"):
            return self.calendar.finish_at(t)
        return self.calendar.start_at(t)

    def _calendar_note(self, after: dt.datetime, start: dt.datetime) -> str | None:
        gap = self.calendar.non_working_days_between(after, start)
        if not gap:
            return None
        named = [f"{d:%a %d %b}" + (f" ({n})" if (n := self.calendar.holiday_names(d)) else "")
                 for d in gap[:5]]
        more = f" and {len(gap) - 5} more" if len(gap) > 5 else ""
        return "skips non-working days: " + ", ".join(named) + more

    # ---- export --------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        """One dict per task, JSON-ready, floats in working days."""
        return [t.to_dict(self.minutes_per_day) for t in self.tasks.values()]

    def to_pandas(self) -> pd.DataFrame:
        """The schedule as a DataFrame indexed by task id (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas") from exc
        frame = pd.DataFrame([t.__dict__ for t in self.tasks.values()])
        return frame.set_index("id")

    def summary(self) -> dict[str, Any]:
        return {
            "project": self.plan.project.name if self.plan else None,
            "start": self.start.isoformat(timespec="minutes"),
            "finish": self.finish.isoformat(timespec="minutes"),
            "duration_days": round(self.duration_days, 3),
            "tasks": len(self.tasks),
            "critical_path": self.critical_path,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


def elapsed_text(minutes: int) -> str:
    """Calendar minutes in the largest elapsed unit that holds them exactly: ``4320`` is ``3ed``."""
    from pmfit.model.duration import Lag

    return str(Lag.elapsed_minutes(minutes))


def critical_chains(chains: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Split driving chains (``Schedule.critical_paths``) into linked chains of two or more
    tasks and the critical tasks no driving link joins to another (in order)."""
    linked = [c for c in chains if len(c) > 1]
    on_chain = {t for c in linked for t in c}
    alone = list(dict.fromkeys(t for c in chains if len(c) == 1 for t in c if t not in on_chain))
    return linked, alone


def critical_path_text(chains: list[list[str]], critical: list[str], max_chains: int = 3,
                       max_tasks: int = 12) -> str:
    """Words for the critical path that never join unlinked tasks with an arrow.

    ``chains`` are the driving chains (``Schedule.critical_paths``), ``critical`` every
    critical task; a critical task on no chain (as after progress filtering) counts as alone.
    """
    linked, alone = critical_chains(chains)
    on_chain = {t for c in linked for t in c}
    alone += [t for t in critical if t not in on_chain and t not in alone]
    if not linked and not alone:
        return "(none)"

    def shorten(ids: list[str], sep: str) -> str:
        return sep.join(ids[:max_tasks]) + (f"{sep}… ({len(ids)} tasks)" if len(ids) > max_tasks else "")

    parts = [shorten(c, " → ") for c in linked[:max_chains]]
    if len(linked) > max_chains:
        parts.append(f"{len(linked) - max_chains} more chain(s)")
    if alone:
        label = "not linked" if linked else "tasks not linked to one another"
        parts.append(f"{label}: {shorten(alone, ', ')}")
    return "; ".join(parts)


def schedule_diagnostics(network: Network, cpm: CpmResult, calendar: WorkingTime) -> list[Diagnostic]:
    """Warnings the schedule raises: conflicts, negative float, missed deadlines."""
    out: list[Diagnostic] = []
    ids = network.ids
    ctype = network.constraint_type
    forward_without_must = cpm.early_start.copy()
    pinned = (ctype == MSO) | (ctype == MFO)
    for i in np.flatnonzero(pinned):
        needed, by_link = 0, False
        for k in network.predecessors(int(i)):
            allowed = int(cpm.early_start[network.link_src[k]] + cpm.link_offset[k])
            needed, by_link = (allowed, True) if allowed > needed else (needed, by_link)
        if needed > forward_without_must[i]:
            late = (needed - int(cpm.early_start[i])) / calendar.minutes_per_day
            out.append(Diagnostic(
                "constraint_conflict",
                f"task '{ids[i]}': {CONSTRAINT_TYPES[ctype[i]]} date is {late:g} working days "
                + ("earlier than its predecessors allow; the constraint wins and a link is violated" if by_link
                   else "before the project start; the constraint wins and the task is placed before it"),
                severity="warning", task=ids[i]))
    negative = np.flatnonzero(cpm.total_float < 0)
    if len(negative):
        worst = int(negative[np.argmin(cpm.total_float[negative])])
        days = -cpm.total_float[worst] / calendar.minutes_per_day
        names = ", ".join(f"'{ids[i]}'" for i in negative[:8])
        more = f" and {len(negative) - 8} more" if len(negative) > 8 else ""
        out.append(Diagnostic(
            "negative_float",
            f"{len(negative)} task(s) have negative float ({names}{more}): a constraint or deadline "
            f"cannot be met; worst is '{ids[worst]}', {days:g} working days late",
            severity="warning", task=ids[worst]))
    missed = np.flatnonzero((network.deadline < NO_UPPER) & (cpm.finish > network.deadline))
    for i in missed:
        days = (cpm.finish[i] - network.deadline[i]) / calendar.minutes_per_day
        out.append(Diagnostic(
            "deadline_missed",
            f"task '{ids[i]}' finishes {days:g} working days after its deadline "
            f"{calendar.finish_at(int(network.deadline[i])):%Y-%m-%d}",
            severity="warning", task=ids[i]))
    if network.project_deadline < NO_UPPER and cpm.project_finish > network.project_deadline:
        days = (cpm.project_finish - network.project_deadline) / calendar.minutes_per_day
        out.append(Diagnostic(
            "deadline_missed",
            f"the project finishes {days:g} working days after its deadline "
            f"{calendar.finish_at(int(network.project_deadline)):%Y-%m-%d}",
            severity="warning"))
    return out


def _check_dates_fit(network: Network, cpm: CpmResult, calendar: WorkingTime) -> None:
    """Dates are made lazily; a task that runs centuries past the start must fail here, located."""
    from pmfit.engine.workcal import CalendarError
    from pmfit.model.diagnostics import PlanError

    if not len(cpm.start):
        return
    lows = np.minimum(np.minimum(cpm.early_start, cpm.late_start), cpm.start)
    highs = np.maximum(np.maximum(cpm.early_finish, cpm.late_finish), cpm.finish)
    for worst, convert in ((int(np.argmax(highs)), calendar.finishes), (int(np.argmin(lows)), calendar.starts)):
        moment = int(highs[worst] if convert == calendar.finishes else lows[worst])
        try:
            convert(np.array([moment], dtype=np.int64))
        except CalendarError:
            tid = network.ids[worst]
            days = moment / calendar.minutes_per_day
            if abs(days) < 366 * 100:  # a plan this short only overflows a calendar that stops working
                raise PlanError(Diagnostic(
                    "bad_calendar",
                    f"task '{tid}' needs {abs(days):,.0f} working days {'after' if days >= 0 else 'before'} the "
                    "project start, but the calendar has no working time left for it within 400 years: check "
                    "its holidays and non-working exceptions (one that runs for centuries?)", task=tid)) from None
            raise PlanError(Diagnostic(
                "bad_calendar",
                f"task '{tid}' would be {abs(days):,.0f} working days {'after' if days >= 0 else 'before'} "
                f"the project start, too far for a calendar (over 400 years, or outside the years 1-9999); "
                "check its duration, lags and date constraints", task=tid)) from None


def schedule(plan: Plan, network: Network | None = None) -> Schedule:
    """Schedule a plan by the critical path method. Pure: the plan is not changed."""
    net = network or compile_plan(plan)
    assert net.calendar is not None
    result = critical_path_method(net)
    _check_dates_fit(net, result, net.calendar)
    return Schedule(net, result, net.calendar, plan, schedule_diagnostics(net, result, net.calendar))
