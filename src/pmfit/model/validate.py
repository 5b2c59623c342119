"""Checks a plan's meaning once its fields are well-formed, without scheduling it.

Each problem becomes a :class:`Diagnostic` with a stable code and a ``path``
into the plan (``("tasks", 3, "after", 0)``) that a reader turns into a line.
What only scheduling finds (dependency cycles, dates a calendar cannot hold,
resource calendars without working time) is checked by :mod:`pmfit.engine.checks`
in the load step above the readers (:mod:`pmfit.importing`).
"""

from __future__ import annotations

import re
from collections import Counter

from pmfit.model.diagnostics import Diagnostic, did_you_mean
from pmfit.model.duration import Duration
from pmfit.model.plan import Plan


def validate_plan(plan: Plan) -> list[Diagnostic]:
    """Every error and warning in ``plan`` that needs no scheduling (see :mod:`pmfit.engine.checks`)."""
    out: list[Diagnostic] = []
    task_ids = [t.id for t in plan.tasks]
    known = set(task_ids)
    resources = {r.id: r for r in plan.resources}
    summaries = plan.summary_ids()

    if not plan.tasks:
        out.append(Diagnostic("no_tasks", "the plan has no tasks", path=("tasks",)))

    for kind, ids in (("task", task_ids), ("resource", [r.id for r in plan.resources]),
                      ("risk", [r.id for r in plan.risks])):
        counts = Counter(ids)
        seen: set[str] = set()
        section = {"task": "tasks", "resource": "resources", "risk": "risks"}[kind]
        for index, ident in enumerate(ids):
            if counts[ident] > 1 and ident in seen:
                out.append(Diagnostic("duplicate_id", f"{kind} id '{ident}' is used more than once",
                                      task=ident if kind == "task" else None, path=(section, index, "id")))
            seen.add(ident)

    for index, task in enumerate(plan.tasks):
        where = ("tasks", index)
        if task.parent is not None:
            if task.parent not in known:
                out.append(Diagnostic(
                    "unknown_task",
                    f"task '{task.id}' has unknown parent '{task.parent}'{did_you_mean(task.parent, known)}",
                    task=task.id, path=(*where, "parent")))
            elif task.parent == task.id:
                out.append(Diagnostic("parent_cycle", f"task '{task.id}' is its own parent",
                                      task=task.id, path=(*where, "parent")))
        for j, link in enumerate(task.after):
            if link.task == task.id:
                out.append(Diagnostic("self_dependency", f"task '{task.id}' depends on itself",
                                      task=task.id, path=(*where, "after", j)))
            elif link.task in summaries and link.type.value in ("SS", "SF"):
                out.append(Diagnostic(
                    "bad_link",
                    f"task '{task.id}': '{link}' starts from summary task '{link.task}', which pmfit applies "
                    f"from every subtask of '{link.task}' (so it waits for the last one to start; MS Project "
                    "uses the first); link from the subtask you mean", severity="warning",
                    task=task.id, path=(*where, "after", j)))
            elif link.task not in known and (hint := _link_notation(link.task, plan)) is not None:
                out.append(Diagnostic("bad_link", f"task '{task.id}': {hint}", task=task.id,
                                      path=(*where, "after", j)))
            elif link.task not in known:
                out.append(Diagnostic(
                    "unknown_task",
                    f"task '{task.id}' depends on unknown task '{link.task}'"
                    f"{did_you_mean(link.task, known)}",
                    task=task.id, path=(*where, "after", j)))
        duration = task.duration
        if duration is not None and duration.is_negative:
            out.append(Diagnostic("negative_duration",
                                  f"task '{task.id}' has a negative duration ({duration})",
                                  task=task.id, path=(*where, "duration")))
        if task.estimate is not None:
            est = task.estimate
            values = [est.optimistic, est.likely, est.pessimistic]
            minutes = [v.minutes() for v in values]
            if any(m < 0 for m in minutes):
                out.append(Diagnostic("negative_duration",
                                      f"task '{task.id}' has a negative estimate",
                                      task=task.id, path=(*where, "estimate")))
            elif not minutes[0] <= minutes[1] <= minutes[2]:
                out.append(Diagnostic(
                    "bad_estimate",
                    f"task '{task.id}': estimate must satisfy optimistic <= likely <= pessimistic "
                    f"(got {est.optimistic}, {est.likely}, {est.pessimistic})",
                    task=task.id, path=(*where, "estimate")))
        for rid, units in task.needs.items():
            if rid not in resources:
                out.append(Diagnostic(
                    "unknown_resource",
                    f"task '{task.id}' needs unknown resource '{rid}'{did_you_mean(rid, resources)}",
                    task=task.id, path=(*where, "needs", rid)))
            elif units > resources[rid].units + 1e-9 and task.id not in summaries:
                out.append(Diagnostic(
                    "over_capacity",
                    f"task '{task.id}' needs {units:g} of '{rid}' but only "
                    f"{resources[rid].units:g} exist; leveling cannot fit it",
                    severity="warning", task=task.id, path=(*where, "needs", rid)))
        if (task.id in summaries and task.constraint is not None
                and task.constraint.type.value not in ("ASAP", "SNET", "FNLT")):
            out.append(Diagnostic(
                "invalid_constraint",
                f"summary task '{task.id}': a {task.constraint.type.value} constraint is ignored on a summary "
                "(only SNET and FNLT apply to a summary, through each of its subtasks); put it on a subtask",
                severity="warning", task=task.id, path=(*where, "constraint")))
        if (task.duration is None and task.estimate is None and task.work is None and not task.milestone
                and task.id not in summaries):
            out.append(Diagnostic(
                "no_duration",
                f"task '{task.id}' has no duration, estimate or work, so it takes no time; give it a duration "
                "(or work with needs), or mark it milestone: true", severity="warning", task=task.id, path=where))
        if task.id in summaries and (task.duration is not None or task.needs or task.estimate):
            out.append(Diagnostic(
                "summary_has_work",
                f"summary task '{task.id}' has its own duration or needs; its dates come from its "
                "subtasks, so these are ignored", severity="warning", task=task.id, path=where))

    wbs = _Wbs(plan)  # one walk of the outline answers both checks below
    out.extend(_parent_cycles(plan, wbs))
    out.extend(_summary_links(plan, wbs))

    for index, risk in enumerate(plan.risks):
        for tid in risk.delays:
            if tid not in known:
                out.append(Diagnostic(
                    "unknown_task",
                    f"risk '{risk.id}' delays unknown task '{tid}'{did_you_mean(tid, known)}",
                    path=("risks", index, "delays", tid)))
        for tid, delay in risk.delays.items():
            if delay.is_negative:
                out.append(Diagnostic("negative_duration",
                                      f"risk '{risk.id}' has a negative delay on '{tid}'",
                                      path=("risks", index, "delays", tid)))
    if plan.progress is not None:
        for tid in plan.progress.tasks:
            if tid not in known:
                out.append(Diagnostic(
                    "unknown_task",
                    f"progress names unknown task '{tid}'{did_you_mean(tid, known)}",
                    path=("progress", "tasks", tid)))
        out.extend(progress_diagnostics(plan))
    for index, stakeholder in enumerate(plan.stakeholders):
        for tid in stakeholder.approves:
            if tid not in known:
                out.append(Diagnostic(
                    "unknown_task",
                    f"stakeholder '{stakeholder.name}' approves unknown task '{tid}'"
                    f"{did_you_mean(tid, known)}",
                    path=("stakeholders", index, "approves")))

    return out


def progress_diagnostics(plan: Plan) -> list[Diagnostic]:
    """Progress that contradicts itself (``bad_progress``)."""
    out: list[Diagnostic] = []
    progress = plan.progress
    if progress is None:
        return out
    status = progress.status_date

    def day(value: object) -> object:
        import datetime as dt

        return value.date() if isinstance(value, dt.datetime) else value

    if status is not None and day(status) < day(plan.project.start):  # type: ignore[operator]
        out.append(Diagnostic("bad_status_date", f"the status date {status} is before the project starts "
                              f"({plan.project.start}); nothing can have happened yet",
                              path=("progress", "status_date")))
    milestones = {t.id for t in plan.tasks if t.milestone}
    for tid, record in progress.tasks.items():
        path = ("progress", "tasks", tid)
        start, finish = record.actual_start, record.actual_finish
        pct = record.percent_complete
        if start is not None and finish is not None and day(finish) < day(start):  # type: ignore[operator]
            out.append(Diagnostic("bad_progress", f"task '{tid}' finishes ({finish}) before it starts ({start})",
                                  task=tid, path=path))
        if finish is not None and start is None:
            out.append(Diagnostic("bad_progress", f"task '{tid}' has an actual finish but no actual start",
                                  task=tid, path=path))
        if pct is not None and pct >= 100 and finish is None:
            out.append(Diagnostic("bad_progress", f"task '{tid}' is 100% complete but has no actual finish",
                                  task=tid, path=path))
        if pct is not None and pct > 0 and start is None:
            out.append(Diagnostic("bad_progress", f"task '{tid}' is {pct:g}% complete but has no actual start",
                                  task=tid, path=path))
        if finish is not None and pct is not None and pct < 100:
            out.append(Diagnostic("bad_progress",
                                  f"task '{tid}' has an actual finish but is only {pct:g}% complete",
                                  task=tid, path=path))
        if pct is not None and 0 < pct < 100 and tid in milestones:
            out.append(Diagnostic("bad_progress", f"task '{tid}' is a milestone, so it is 0% or 100% complete, "
                                  f"not {pct:g}%", task=tid, path=path))
        if record.remaining is not None and record.remaining.is_negative:
            out.append(Diagnostic("bad_progress", f"task '{tid}' has a negative remaining duration "
                                  f"({record.remaining})", task=tid, path=(*path, "remaining")))
        if status is not None:
            for label, value in (("start", start), ("finish", finish)):
                if value is not None and day(value) > day(status):  # type: ignore[operator]
                    out.append(Diagnostic(
                        "bad_progress",
                        f"task '{tid}' has an actual {label} ({value}) after the status date ({status})",
                        task=tid, path=path))
    return out


_MS_PROJECT_LINK = re.compile(
    r"^\s*(?P<task>.+?)\s*(?P<type>FS|SS|FF|SF)\s*(?:(?P<sign>[+-])\s*(?P<amount>[0-9.]+)\s*(?P<unit>%|[a-zA-Z]*))?\s*$",
    re.IGNORECASE)


def _link_notation(text: str, plan: Plan) -> str | None:
    """What is wrong with a dependency written in MS Project's notation, or None if it is not one.

    ``"a FS+50%"`` (a lag in percent of the predecessor's duration) and ``"3FS+2d"`` (no space) parse as
    task ids; saying "unknown task 'a FS+50%'" would hide what to write instead.
    """
    match = _MS_PROJECT_LINK.match(text)
    if match is None:
        return None
    tasks = {t.id: t for t in plan.tasks}
    predecessor = tasks.get(match["task"].strip())
    if predecessor is None:
        return None
    kind = match["type"].upper()
    if match["unit"] == "%":
        percent = float(match["amount"]) * (-1 if match["sign"] == "-" else 1)
        duration = predecessor.planned_duration()
        lag = Duration(round(duration.amount * abs(percent) / 100, 3), duration.unit)
        sign = "-" if percent < 0 else "+"
        return (f"'{text}' is MS Project's lag in percent of the predecessor's duration, which pmfit does not "
                f"keep (it would move whenever '{predecessor.id}' changes); write the lag as working time: "
                f"{abs(percent):g}% of '{predecessor.id}' ({duration}) is '{predecessor.id} {kind}{sign}{lag}'")
    written = f"{match['sign']}{match['amount']}{match['unit'] or 'd'}" if match["sign"] else ""
    return f"'{text}' needs a space between the task id and the link type: write '{predecessor.id} {kind}{written}'"


class _Wbs:
    """The outline of a plan: each task's parent, and its preorder numbers (see :func:`_wbs_intervals`)."""

    def __init__(self, plan: Plan) -> None:
        self.parent = {t.id: t.parent for t in plan.tasks}
        self.enter, self.last = _wbs_intervals(self.parent)
        self.summaries = set(self.parent.values())
        self.summaries.discard(None)  # type: ignore[arg-type]


def _parent_cycles(plan: Plan, wbs: _Wbs | None = None) -> list[Diagnostic]:
    wbs = wbs or _Wbs(plan)
    parent = wbs.parent
    out: list[Diagnostic] = []
    reported: set[str] = set()
    index: dict[str, int] | None = None
    # A task with a preorder number hangs below a root, so its chain of parents ends: only the
    # tasks on a cycle or below one (none, in a sound plan) need the walk up.
    for start in (task_id for task_id in parent if task_id not in wbs.enter):
        chain = [start]
        node = parent.get(start)
        while node is not None and node in parent and node not in chain:
            chain.append(node)
            node = parent.get(node)
        if (node is not None and node in chain and node != start) or (node == start and len(chain) > 1):
            cycle = [*chain[chain.index(node):], node]
            key = min(cycle)
            if key not in reported:
                reported.add(key)
                if index is None:
                    index = {t.id: i for i, t in enumerate(plan.tasks)}
                out.append(Diagnostic("parent_cycle", "summary tasks contain each other: "
                                      + " -> ".join(cycle), task=start,
                                      path=("tasks", index[start], "parent")))
    return out


def _summary_links(plan: Plan, wbs: _Wbs | None = None) -> list[Diagnostic]:
    """A task linked to its own summary (or a summary to its own subtask) is a cycle in disguise."""
    wbs = wbs or _Wbs(plan)
    parent, enter, last, summaries = wbs.parent, wbs.enter, wbs.last, wbs.summaries

    def is_above(summary: str, task: str) -> bool:
        """``summary`` contains ``task``: by preorder numbers in O(1), by a walk up where a cycle hides the tree."""
        if summary not in summaries:  # contains nothing (most tasks: one set lookup per link)
            return False
        if summary in enter and task in enter:
            return enter[summary] < enter[task] <= last[summary]
        return summary in _ancestors_of(task, parent)

    out: list[Diagnostic] = []
    for index, task in enumerate(plan.tasks):
        for j, link in enumerate(task.after):
            if is_above(link.task, task.id):
                out.append(Diagnostic(
                    "dependency_cycle",
                    f"task '{task.id}' depends on its own summary task '{link.task}'",
                    task=task.id, path=("tasks", index, "after", j)))
            elif is_above(task.id, link.task):
                out.append(Diagnostic(
                    "dependency_cycle",
                    f"summary task '{task.id}' depends on its own subtask '{link.task}'",
                    task=task.id, path=("tasks", index, "after", j)))
    return out


def _wbs_intervals(parent: dict[str, str | None]) -> tuple[dict[str, int], dict[str, int]]:
    """Preorder number of each task in the WBS and the last number inside its subtree.

    ``a`` contains ``b`` exactly when ``enter[a] < enter[b] <= last[a]``: one walk of the tree
    answers every "is this my summary?" question in constant time (a walk up per link was
    quadratic in the WBS depth). A parent that is not a task is a root of its own; tasks on a
    parent cycle (an error reported elsewhere) have no numbers.
    """
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for task_id, above in parent.items():
        if above is None:
            roots.append(task_id)
        else:
            children.setdefault(above, []).append(task_id)
    roots.extend(above for above in children if above not in parent)  # unknown parents
    enter: dict[str, int] = {}
    last: dict[str, int] = {}
    counter = 0
    for root in roots:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                last[node] = counter - 1
                continue
            enter[node] = counter
            counter += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children.get(node, ())))
    return enter, last


def _ancestors_of(task_id: str, parent: dict[str, str | None],
                  memo: dict[str, frozenset[str]] | None = None) -> frozenset[str]:
    """The summaries above ``task_id``; ``memo`` keeps each parent's answer, so a whole plan costs
    time linear in its tasks, not in tasks times WBS depth."""
    first = parent.get(task_id)
    if first is None:
        return frozenset()
    if memo is not None and first in memo:
        return memo[first]
    out: set[str] = set()
    node: str | None = first
    while node is not None and node not in out:
        out.add(node)
        node = parent.get(node)
    result = frozenset(out)
    if memo is not None:
        memo[first] = result
    return result

