"""What changed between two versions of a plan, and what it did to the finish date.

:func:`diff_plans` compares two plans field by field (tasks added, removed,
renamed and changed; resources, risks and project settings), schedules both
(the status-date schedule when a plan has progress, the CPM schedule
otherwise) and explains the move of the finish date:

- the finish moved by ``new_finish - old_finish`` (working days on the new
  calendar, and calendar days);
- the *drivers* are the changed or added tasks that lie on the new critical
  path; for each, the finish with that one change undone (the old version of
  the task put back; an added task given zero duration) measures its own
  effect, ``effect = finish(new) - finish(new with the change undone)``;
- the critical path before and after.

Progress is part of a plan's version: a later status date and updated
actuals are changes too (``progress`` entries), and the status date moving on
is itself a driver (``(status date)``), measured by putting the old status
date back.

:func:`diff_baseline` compares a plan with one of its baselines (dates,
durations and cost per task), for "what moved since we set the baseline".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Baseline, Plan, Task

MAX_ATTRIBUTIONS = 50
#: The driver that stands for the status date moving on (time passing).
STATUS_DATE = "(status date)"


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed, renamed or changed."""

    kind: str
    entity: str
    id: str
    field: str | None = None
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind == "changed":
            return f"{self.entity} '{self.id}': {self.field} {_show(self.old)} → {_show(self.new)}"
        if self.kind == "renamed":
            return f"{self.entity} '{self.old}' renamed to '{self.new}'"
        return f"{self.entity} '{self.id}' {self.kind}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "entity": self.entity, "id": self.id, "field": self.field,
                "old": _jsonable(self.old), "new": _jsonable(self.new)}


@dataclass(frozen=True)
class Driver:
    """A changed task on the new critical path and its own effect on the finish (working days)."""

    task: str
    changes: list[str]
    effect_days: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "changes": self.changes,
                "effect_days": None if self.effect_days is None else round(self.effect_days, 3)}


@dataclass(frozen=True, eq=False)
class PlanDiff:
    """The changes between two plans and their effect on the schedule."""

    old_label: str
    new_label: str
    changes: list[Change]
    old_finish: dt.datetime
    new_finish: dt.datetime
    finish_moved_days: float
    old_critical: list[str] | None
    new_critical: list[str]
    drivers: list[Driver] = field(default_factory=list)
    old_cost: float | None = None
    new_cost: float | None = None
    #: the driving chains of critical tasks (``Schedule.critical_paths``): arrows only where links join
    old_critical_paths: list[list[str]] | None = None
    new_critical_paths: list[list[str]] | None = None

    def critical_text(self, which: str = "new", max_tasks: int = 1_000_000) -> str:
        """The critical path before (``"old"``) or after, chains only where links join the tasks
        (each chain in full unless ``max_tasks`` says otherwise)."""
        from pmfit.engine.schedule import critical_path_text

        critical = self.old_critical if which == "old" else self.new_critical
        chains = self.old_critical_paths if which == "old" else self.new_critical_paths
        if critical is None:
            return "(none)"
        return critical_path_text(chains if chains is not None else [[t] for t in critical], critical,
                                  max_tasks=max_tasks)

    @property
    def finish_moved_calendar_days(self) -> int:
        return (self.new_finish.date() - self.old_finish.date()).days

    def changes_of(self, kind: str | None = None, entity: str | None = None) -> list[Change]:
        return [c for c in self.changes
                if (kind is None or c.kind == kind) and (entity is None or c.entity == entity)]

    def summary(self) -> str:
        moved = self.finish_moved_days
        if abs(moved) < 1e-9:
            head = f"The finish did not move ({self.new_finish:%a %d %b %Y})."
        else:
            way = "later" if moved > 0 else "earlier"
            head = (f"The finish moved {abs(moved):g} working days {way} "
                    f"({self.finish_moved_calendar_days:+d} calendar days): "
                    f"{self.old_finish:%a %d %b %Y} → {self.new_finish:%a %d %b %Y}.")
        counts = {k: len(self.changes_of(k, "task")) for k in ("added", "removed", "renamed", "changed")}
        changed_tasks = len({c.id for c in self.changes_of("changed", "task")})
        parts = [f"{counts['added']} task(s) added", f"{counts['removed']} removed",
                 f"{counts['renamed']} renamed", f"{changed_tasks} changed"]
        return head + " " + ", ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_label, "new": self.new_label,
            "summary": self.summary(),
            "old_finish": self.old_finish.isoformat(timespec="minutes"),
            "new_finish": self.new_finish.isoformat(timespec="minutes"),
            "finish_moved_days": round(self.finish_moved_days, 3),
            "finish_moved_calendar_days": self.finish_moved_calendar_days,
            "old_cost": None if self.old_cost is None else round(self.old_cost, 2),
            "new_cost": None if self.new_cost is None else round(self.new_cost, 2),
            "critical_path_before": self.old_critical,
            "critical_path_after": self.new_critical,
            "critical_chains_before": self.old_critical_paths,
            "critical_chains_after": self.new_critical_paths,
            "drivers": [d.to_dict() for d in self.drivers],
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_markdown(self) -> str:
        lines = [f"# What changed: {_md(self.old_label)} → {_md(self.new_label)}", "", _md(self.summary()), ""]
        if self.old_cost is not None and self.new_cost is not None and abs(self.new_cost - self.old_cost) > 0.005:
            lines += [f"Cost: {self.old_cost:,.2f} → {self.new_cost:,.2f} "
                      f"({self.new_cost - self.old_cost:+,.2f}).", ""]
        if self.drivers:
            effect = ("effect on finish (working days)" if self.old_critical is not None
                      else "task finish against the baseline (working days)")
            lines += ["## What drove the finish date", "",
                      f"| task | changes | {effect} |", "|---|---|---:|"]
            for d in self.drivers:
                effect = "" if d.effect_days is None else f"{d.effect_days:+g}"
                lines.append(f"| {_md(d.task)} | {_md('; '.join(d.changes))} | {effect} |")
            lines.append("")
        lines += ["## Critical path", ""]
        if self.old_critical is not None:
            lines.append(f"- before: {_md(self.critical_text('old'))}")
        lines += [f"- after: {_md(self.critical_text('new'))}", ""]
        lines += ["## Changes", ""]
        if not self.changes:
            lines.append("No changes.")
        else:
            lines += ["| change | what | id | field | old | new |", "|---|---|---|---|---|---|"]
            for c in self.changes:
                lines.append(f"| {_md(c.kind)} | {_md(c.entity)} | {_md(c.id)} | {_md(c.field or '')} | "
                             f"{_md(_show(c.old))} | {_md(_show(c.new))} |")
        return "\n".join(lines) + "\n"


def _days(minutes: int, minutes_per_day: int) -> str:
    return f"{round(minutes / minutes_per_day, 2):g}d"


def _md(text: object) -> str:
    """Free text made inert in Markdown: no raw HTML, links, emphasis or line breaks (as report.markdown)."""
    flat = " ".join(str(text).splitlines())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + c if c in "\\`[]|" else c for c in flat)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _task_fields(task: Task, rename: dict[str, str] | None = None) -> dict[str, Any]:
    data = task.model_dump(mode="json", exclude_defaults=True)
    data.pop("id", None)
    if "name" in data and data["name"] == task.id:
        data.pop("name")
    rename = rename or {}
    if task.after:
        data["after"] = sorted(str(link.model_copy(update={"task": rename.get(link.task, link.task)}))
                               for link in task.after)
    if task.parent is not None:
        data["parent"] = rename.get(task.parent, task.parent)
    if task.duration is not None:
        data["duration"] = str(task.duration)
    if task.estimate is not None:
        est = task.estimate
        data["estimate"] = f"{est.optimistic}/{est.likely}/{est.pessimistic}" + (
            f" {est.distribution}" if est.distribution else "")
    if task.constraint is not None:
        data["constraint"] = f"{task.constraint.type.value}" + (
            f" {task.constraint.date}" if task.constraint.date else "")
    return data


def _compare(entity: str, ident: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if old.get(key) != new.get(key):
            out.append(Change("changed", entity, ident, key, old.get(key), new.get(key)))
    return out


def _renames(old: Plan, new: Plan) -> dict[str, str]:
    """old id -> new id for tasks that disappeared under one id and reappeared under another."""
    old_ids = {t.id for t in old.tasks}
    new_ids = {t.id for t in new.tasks}
    gone = [t for t in old.tasks if t.id not in new_ids]
    came = [t for t in new.tasks if t.id not in old_ids]
    out: dict[str, str] = {}
    by_name: dict[str, list[Task]] = {}
    for task in came:
        if task.name != task.id:
            by_name.setdefault(task.name, []).append(task)
    for task in gone:
        if task.name != task.id and len(by_name.get(task.name, [])) == 1:
            out[task.id] = by_name[task.name][0].id
    taken = set(out.values())
    for task in gone:
        if task.id in out:
            continue
        body = _task_fields(task)
        body.pop("name", None)
        matches = [t for t in came if t.id not in taken and
                   {k: v for k, v in _task_fields(t).items() if k != "name"} == body]
        if len(matches) == 1 and body:
            out[task.id] = matches[0].id
            taken.add(matches[0].id)
    return out


def plan_changes(old: Plan, new: Plan) -> list[Change]:
    """Every difference between two plans: project, resources, tasks and risks."""
    changes: list[Change] = []
    old_project = old.project.model_dump(mode="json", exclude_defaults=True)
    new_project = new.project.model_dump(mode="json", exclude_defaults=True)
    changes += _compare("project", new.project.name, old_project, new_project)

    old_res = {r.id: r.model_dump(mode="json", exclude_defaults=True) for r in old.resources}
    new_res = {r.id: r.model_dump(mode="json", exclude_defaults=True) for r in new.resources}
    for r in old.resources:
        if r.rate is not None:
            old_res[r.id]["rate"] = str(r.rate)
    for r in new.resources:
        if r.rate is not None:
            new_res[r.id]["rate"] = str(r.rate)
    changes += [Change("removed", "resource", rid) for rid in old_res if rid not in new_res]
    changes += [Change("added", "resource", rid) for rid in new_res if rid not in old_res]
    for rid in old_res:
        if rid in new_res:
            changes += _compare("resource", rid, old_res[rid], new_res[rid])

    rename = _renames(old, new)
    back = {v: k for k, v in rename.items()}
    old_tasks = {t.id: t for t in old.tasks}
    new_tasks = {t.id: t for t in new.tasks}
    for tid in old_tasks:
        if tid not in new_tasks and tid not in rename:
            changes.append(Change("removed", "task", tid, old=old_tasks[tid].name))
    for tid in new_tasks:
        if tid not in old_tasks and tid not in back:
            changes.append(Change("added", "task", tid, new=new_tasks[tid].name))
    for old_id, new_id in rename.items():
        changes.append(Change("renamed", "task", new_id, "id", old_id, new_id))
    for tid, task in new_tasks.items():
        source = old_tasks.get(back.get(tid, tid)) if tid not in old_tasks or tid in back else old_tasks[tid]
        if source is None:
            continue
        changes += _compare("task", tid, _task_fields(source, rename), _task_fields(task))

    old_risks = {r.id: r.model_dump(mode="json", exclude_defaults=True) for r in old.risks}
    new_risks = {r.id: r.model_dump(mode="json", exclude_defaults=True) for r in new.risks}
    changes += [Change("removed", "risk", rid) for rid in old_risks if rid not in new_risks]
    changes += [Change("added", "risk", rid) for rid in new_risks if rid not in old_risks]
    for rid in old_risks:
        if rid in new_risks:
            changes += _compare("risk", rid, old_risks[rid], new_risks[rid])

    # progress: the status date, the EV rule, and each task's record (a status update is a change)
    old_prog = old.progress.model_dump(mode="json", exclude_defaults=True) if old.progress else {}
    new_prog = new.progress.model_dump(mode="json", exclude_defaults=True) if new.progress else {}
    old_records = old_prog.pop("tasks", {})
    new_records = new_prog.pop("tasks", {})
    changes += _compare("progress", "status", old_prog, new_prog)
    for tid in [*old_records, *(t for t in new_records if t not in old_records)]:
        target = rename.get(tid, tid)
        before = old_records.get(back.get(tid, tid) if tid in new_records else tid, {})
        if tid in old_records and tid not in new_records and target in new_records:
            continue  # a renamed task's record is compared under its new id
        changes += _compare("progress", target, before, new_records.get(target, {}))

    old_base = [b.name for b in old.baselines]
    new_base = [b.name for b in new.baselines]
    changes += [Change("removed", "baseline", n) for n in old_base if n not in new_base]
    changes += [Change("added", "baseline", n) for n in new_base if n not in old_base]
    return changes


def current_schedule(plan: Plan) -> Schedule:
    """The status-date schedule when the plan has a status date, else the CPM schedule."""
    from pmfit.engine.status import current_schedule as _current

    return _current(plan)


def _total_cost(plan: Plan, sched: Schedule) -> float:
    from pmfit.engine.baseline import task_costs

    return float(task_costs(plan, sched.network).sum())


def _attribute(new: Plan, new_sched: Schedule, old: Plan, task_id: str, source_id: str | None,
               rename: dict[str, str] | None = None, progressed: bool = False) -> float | None:
    """Working days the finish would move back if this one task's change were undone.

    The old version of the task goes back in (links to tasks that no longer
    exist dropped); a task whose progress changed gets its old progress record
    back; an added task gets zero duration.
    """
    from pmfit.model.diagnostics import PlanError

    try:
        if progressed and new.progress is not None:
            records = dict(new.progress.tasks)
            old_record = (old.progress.tasks.get(source_id or task_id) if old.progress else None)
            if old_record is None:
                records.pop(task_id, None)
            else:
                records[task_id] = old_record
            new = new.model_copy(update={"progress": new.progress.model_copy(update={"tasks": records})})
            if source_id is not None and _task_fields(old.task(source_id)) == _task_fields(new.task(task_id)):
                source_id = task_id  # only the progress changed: the task itself stays
                old = new
        if source_id is None:
            from pmfit.engine.cpm import critical_path_method

            net = new_sched.network
            if task_id not in net.ids:
                return None
            d = net.duration.copy()
            d[net.index(task_id)] = 0
            finish = critical_path_method(net.with_durations(d)).project_finish
        else:
            original = old.task(source_id).model_copy(update={"id": task_id})
            known = {t.id for t in new.tasks}
            rename = rename or {}
            moved = [link.model_copy(update={"task": rename.get(link.task, link.task)}) for link in original.after]
            kept = [link for link in moved if link.task in known]
            parent = rename.get(original.parent, original.parent) if original.parent else None
            parent = parent if parent in known else None
            original = original.model_copy(update={"after": kept, "parent": parent})
            tasks = [original if t.id == task_id else t for t in new.tasks]
            finish = current_schedule(new.model_copy(update={"tasks": tasks})).duration_minutes
    except (PlanError, ValueError, KeyError):
        return None
    return (new_sched.duration_minutes - finish) / new_sched.minutes_per_day


def diff_plans(old: Plan, new: Plan, old_label: str = "old", new_label: str = "new") -> PlanDiff:
    """Compare two plans and explain what the changes did to the finish date."""
    changes = plan_changes(old, new)
    old_sched = current_schedule(old)
    new_sched = current_schedule(new)
    cal = new_sched.calendar
    moved = (cal.offset(new_sched.finish) - cal.offset(old_sched.finish)) / cal.minutes_per_day
    rename = _renames(old, new)
    back = {v: k for k, v in rename.items()}
    changed: dict[str, list[str]] = {}
    progressed: set[str] = set()
    for c in changes:
        if c.entity == "progress" and c.id != "status":
            progressed.add(c.id)
            changed.setdefault(c.id, []).append(f"progress {c.field}: {_show(c.old)} → {_show(c.new)}")
            continue
        if c.entity != "task" or c.kind == "removed":
            continue
        changed.setdefault(c.id, []).append(
            f"{c.field}: {_show(c.old)} → {_show(c.new)}" if c.kind == "changed"
            else ("added" if c.kind == "added" else f"renamed from '{c.old}'"))
    critical = new_sched.critical_path
    summaries = new.summary_ids()
    on_path = [tid for tid in critical if tid in changed]
    # a changed summary drives the finish when one of its critical leaves does
    parents = {t.id: t.parent for t in new.tasks}
    for tid in critical:
        node = parents.get(tid)
        while node is not None:
            if node in changed and node in summaries and node not in on_path:
                on_path.append(node)
            node = parents.get(node)
    old_ids = {t.id for t in old.tasks}
    drivers = []
    for k, tid in enumerate(on_path):
        effect = None
        if k < MAX_ATTRIBUTIONS and tid not in summaries:
            source = back.get(tid, tid if tid in old_ids else None)
            effect = _attribute(new, new_sched, old, tid, source, rename, tid in progressed)
        drivers.append(Driver(tid, changed[tid], effect))
    status_change = [c for c in changes if c.entity == "progress" and c.id == "status"
                     and c.field == "status_date"]
    if status_change and new.progress is not None:
        # Time passing is a change too: remaining work now starts from the later status date.
        c = status_change[0]
        effect = None
        if old.progress is not None and old.progress.status_date is not None:
            from pmfit.model.diagnostics import PlanError

            earlier = new.model_copy(update={"progress": new.progress.model_copy(
                update={"status_date": old.progress.status_date})})
            try:
                effect = (new_sched.duration_minutes - current_schedule(earlier).duration_minutes
                          ) / new_sched.minutes_per_day
            except (PlanError, ValueError):
                effect = None
        drivers.append(Driver(STATUS_DATE, [f"status date: {_show(c.old)} → {_show(c.new)}"], effect))
    drivers.sort(key=lambda d: -(d.effect_days or 0.0))
    return PlanDiff(
        old_label=old_label, new_label=new_label, changes=changes,
        old_finish=old_sched.finish, new_finish=new_sched.finish, finish_moved_days=moved,
        old_critical=old_sched.critical_path, new_critical=critical, drivers=drivers,
        old_cost=_total_cost(old, old_sched), new_cost=_total_cost(new, new_sched),
        old_critical_paths=old_sched.critical_paths(limit=50), new_critical_paths=new_sched.critical_paths(limit=50))


def diff_baseline(plan: Plan, baseline: Baseline, tolerance_minutes: int = 0,
                  schedule: Schedule | None = None) -> PlanDiff:
    """Compare a plan (its current or status-date schedule) with one of its baselines.

    ``schedule``: the plan's current schedule when already computed.
    """
    from pmfit.engine.baseline import task_costs

    sched = schedule if schedule is not None else current_schedule(plan)
    cal = sched.calendar
    mpd = sched.minutes_per_day
    costs = task_costs(plan, sched.network)
    cost_of = {tid: float(costs[i]) for i, tid in enumerate(sched.network.ids)}
    changes: list[Change] = []
    for tid, frozen in baseline.tasks.items():
        if tid not in sched.tasks:
            changes.append(Change("removed", "task", tid, old=frozen.name or tid))
    changed: dict[str, list[str]] = {}
    for tid, row in sched.tasks.items():
        bt = baseline.tasks.get(tid)
        if bt is None:
            changes.append(Change("added", "task", tid, new=row.name))
            changed.setdefault(tid, []).append("added since the baseline")
            continue
        fields: list[tuple[str, Any, Any, bool]] = [
            ("start", bt.start, row.start, abs(cal.offset(row.start) - cal.offset(bt.start)) > tolerance_minutes),
            ("finish", bt.finish, row.finish,
             abs(cal.offset(row.finish) - cal.offset(bt.finish)) > tolerance_minutes),
            ("duration", _days(bt.duration.minutes(mpd, cal.days_per_week), mpd), _days(row.duration, mpd),
             abs(bt.duration.minutes(mpd, cal.days_per_week) - row.duration) > tolerance_minutes),
        ]
        if not row.summary:
            now = cost_of.get(tid, 0.0)
            fields.append(("cost", round(bt.cost, 2), round(now, 2), abs(now - bt.cost) > 0.005))
        for name, before, after, differs in fields:
            if differs:
                changes.append(Change("changed", "task", tid, name, before, after))
                if name in ("duration", "cost"):
                    changed.setdefault(tid, []).append(f"{name}: {_show(before)} → {_show(after)}")
    finish_before = baseline.finish or max(bt.finish for bt in baseline.tasks.values())
    moved = (cal.offset(sched.finish) - cal.offset(finish_before)) / mpd
    progress = plan.progress.tasks if plan.progress else {}
    drivers = []
    for tid in sched.critical_path:
        reasons = list(changed.get(tid, []))
        base_task = baseline.tasks.get(tid)
        row = sched.tasks[tid]
        if base_task is not None and tid in progress and cal.offset(row.finish) != cal.offset(base_task.finish):
            reasons.append("actuals differ from the baseline")
        if reasons:
            effect = (cal.offset(row.finish) - cal.offset(base_task.finish)) / mpd if base_task else None
            drivers.append(Driver(tid, reasons, effect))
    return PlanDiff(
        old_label=f"baseline '{baseline.name}'", new_label=plan.project.name, changes=changes,
        old_finish=finish_before, new_finish=sched.finish, finish_moved_days=moved,
        old_critical=None, new_critical=sched.critical_path, drivers=drivers,
        old_cost=baseline.cost, new_cost=float(costs.sum()), new_critical_paths=sched.critical_paths(limit=50))


__all__ = ["Change", "Driver", "PlanDiff", "current_schedule", "diff_baseline", "diff_plans", "plan_changes",
           "show_value"]


def show_value(value: Any) -> str:
    """A changed value as the diff tables show it (durations in days, dates without seconds)."""
    return _show(value)
