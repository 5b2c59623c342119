"""Gantt rows and links from a plan and its schedule: the engine's numbers, in display order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from pmfit.report.svg.gantt import GanttLink, GanttRow

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Baseline, Plan


def _depths(plan: Plan) -> dict[str, int]:
    parents = {t.id: t.parent for t in plan.tasks}
    depth: dict[str, int] = {}
    for task_id in parents:
        chain: list[str] = []
        node: str | None = task_id
        while node is not None and node not in depth and node in parents and len(chain) <= len(parents):
            chain.append(node)
            node = parents[node]
        base = depth.get(node, -1) if node is not None else -1
        for k, item in enumerate(reversed(chain)):
            depth[item] = base + 1 + k
    return depth


def _percent(plan: Plan) -> dict[str, float]:
    progress = plan.progress
    if progress is None:
        return {}
    out: dict[str, float] = {}
    for task_id, record in progress.tasks.items():
        if record.actual_finish is not None:
            out[task_id] = 100.0
        elif record.percent_complete is not None:
            out[task_id] = float(record.percent_complete)
    return out


def gantt_rows(schedule: Schedule, plan: Plan, *, baselines: Sequence[Baseline] = (),
               leveled: dict[str, tuple[dt.datetime, dt.datetime]] | None = None,
               folded: Collection[str] = (), why: dict[str, str] | None = None) -> list[GanttRow]:
    """One row per task in plan order (children of a folded summary left out).

    ``schedule`` gives the dates, critical flags and floats; ``baselines`` (up to three are
    drawn) the ghost bars; ``leveled`` the leveled dates by task id where they differ.
    """
    depth = _depths(plan)
    percent = _percent(plan)
    hidden: set[str] = set()
    folded_set = set(folded)
    rows: list[GanttRow] = []
    tasks = schedule.tasks
    for task in plan.tasks:
        if task.parent is not None and (task.parent in hidden or task.parent in folded_set):
            hidden.add(task.id)
            continue
        scheduled = tasks.get(task.id)
        if scheduled is None:
            continue
        ghost = []
        for baseline in baselines[:3]:
            frozen = baseline.tasks.get(task.id)
            if frozen is not None:
                ghost.append((baseline.name, frozen.start, frozen.finish))
        moved = (leveled or {}).get(task.id)
        if moved is not None and moved == (scheduled.start, scheduled.finish):
            moved = None
        rows.append(GanttRow(
            id=task.id, name=scheduled.name, start=scheduled.start, finish=scheduled.finish,
            critical=scheduled.critical, total_float=scheduled.total_float, late_finish=scheduled.late_finish,
            milestone=scheduled.milestone, summary=scheduled.summary, depth=depth.get(task.id, 0),
            folded=task.id in folded_set, percent_complete=percent.get(task.id),
            baselines=tuple(ghost), leveled=moved, why=(why or {}).get(task.id, ""),
            duration=None if scheduled.summary else scheduled.duration))
    return rows


def gantt_links(plan: Plan) -> list[GanttLink]:
    """Every dependency of the plan as an arrow (type and lag as the plan file writes them)."""
    links: list[GanttLink] = []
    for task in plan.tasks:
        for link in task.after:
            lag = "" if link.lag.amount == 0 else (f"+{link.lag}" if link.lag.amount > 0 else str(link.lag))
            links.append(GanttLink(pred=link.task, succ=task.id, type=link.type.value, lag=lag))
    return links


__all__ = ["gantt_links", "gantt_rows"]
