"""What the advisor reads: a plan (or a brief) reduced to work items, people and structure.

A :class:`Profile` is the common input of the signals, whether it came from a plan
(:func:`profile_from_plan`), a free-text brief (:mod:`pmfit.engine.advise.brief`) or an
interview. Building it from a plan compiles the network and runs the critical path method
(structure, float, duration); nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pmfit.engine.network import Network
    from pmfit.model.plan import Plan


@dataclass(frozen=True)
class WorkItem:
    """A unit of work: a leaf task, or one sentence of a brief."""

    id: str
    name: str
    text: str
    effort: float  # person-days
    days: float = 0.0
    domain: str | None = None  # explicit `domain:` of the task
    tags: tuple[str, ...] = ()
    context: str = ""  # the text of its summary tasks
    resource_text: str = ""  # names and skills of the resources it needs
    resources: tuple[str, ...] = ()
    teams: frozenset[str] = frozenset()
    spread: float | None = None  # (pessimistic - optimistic) / likely
    milestone: bool = False
    critical: bool = False


@dataclass(frozen=True)
class ResourceInfo:
    id: str
    name: str
    text: str
    units: float
    team: str


@dataclass(frozen=True)
class Person:
    name: str
    audience: str
    role: str = ""
    approves: int = 0
    cares_about: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass
class Profile:
    """A project as the advisor sees it."""

    name: str
    source: str  # "plan", "brief" or "interview"
    items: list[WorkItem] = field(default_factory=list)
    resources: list[ResourceInfo] = field(default_factory=list)
    stakeholders: list[Person] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    description: str = ""
    n_links: int = 0
    cross_team_links: int = 0
    duration_days: float = 0.0  # working days, critical path
    deadline_slack: float | None = None  # (deadline - finish) / duration; negative = late
    days_per_year: float = 260.0
    budget: float | None = None
    currency: str = "USD"
    organisation: str | None = None
    location: str | None = None
    start: dt.date | None = None
    finish: dt.date | None = None
    risk_spread: float | None = None  # (P90 - P50) / P50 of the finish from a risk simulation
    team_size: float | None = None  # people, when a brief or interview states it
    requested_role: str | None = None  # the role a brief's job title asks for (reported, never scored)
    reading_text: str = ""  # a brief's text as the reading reads it (titles and boilerplate removed)
    notes: list[str] = field(default_factory=list)

    @property
    def work_items(self) -> list[WorkItem]:
        return [i for i in self.items if not i.milestone]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def profile_from_plan(plan: Plan, risk_spread: float | None = None, network: Network | None = None) -> Profile:
    """Reduce a plan to a :class:`Profile`: leaf tasks with effort, text and teams; CPM structure."""
    from pmfit.engine.cpm import critical_path_method
    from pmfit.engine.network import compile_plan

    network = network if network is not None else compile_plan(plan)
    cal = network.calendar
    assert cal is not None
    mpd = cal.minutes_per_day
    cpm = critical_path_method(network)
    index = {tid: i for i, tid in enumerate(network.ids)}
    critical = cpm.critical

    resources = {}
    for r in plan.resources:
        text = " ".join([r.name, *r.skills, r.team or ""])
        resources[r.id] = ResourceInfo(r.id, r.name, text, r.units, r.team or r.id)
    work_resources = {rid for rid, r in resources.items()
                      if next(x for x in plan.resources if x.id == rid).kind == "work"}

    by_id = {t.id: t for t in plan.tasks}

    def context_of(task_id: str) -> str:
        parts, seen = [], set()
        parent = by_id[task_id].parent
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            p = by_id[parent]
            parts.append(" ".join(x for x in (p.name, p.description or "", " ".join(p.tags), p.domain or "") if x))
            parent = p.parent
        return " ".join(parts)

    items: list[WorkItem] = []
    teams_of: dict[str, frozenset[str]] = {}
    for tid in network.ids:
        task = by_id[tid]
        i = index[tid]
        days = float(network.duration[i]) / mpd
        units = sum(u for rid, u in task.needs.items() if rid in work_resources)
        effort = 0.0 if task.milestone else days * (units if units > 0 else 1.0)
        work = getattr(task, "work", None)  # effort as an imported file states it, when it does
        if work is not None and not task.milestone:
            effort = max(work.minutes(mpd, cal.days_per_week) / mpd, 0.0)
        spread = None
        if task.estimate is not None and not task.milestone:
            likely = float(network.likely[i])
            if likely > 0:
                spread = float(network.pessimistic[i] - network.optimistic[i]) / likely
        teams = frozenset(resources[rid].team for rid in task.needs if rid in resources)
        teams_of[tid] = teams
        text = " ".join(x for x in (task.name, task.description or "", task.notes or "") if x)
        items.append(WorkItem(
            id=tid, name=task.name, text=text, effort=effort, days=days, domain=task.domain,
            tags=tuple(task.tags), context=context_of(tid),
            resource_text=" ".join(resources[rid].text for rid in task.needs if rid in resources),
            resources=tuple(task.needs), teams=teams, spread=spread,
            milestone=bool(network.milestone[i]) and effort == 0, critical=bool(critical[i])))

    cross = 0
    for a, b in zip(network.link_src.tolist(), network.link_dst.tolist(), strict=True):
        ta, tb = teams_of[network.ids[a]], teams_of[network.ids[b]]
        if ta and tb and not (ta & tb):
            cross += 1

    finish_minutes = int(cpm.project_finish)
    duration_days = finish_minutes / mpd
    slack = None
    deadline = network.project_deadline
    from pmfit.engine.kernels import NO_UPPER

    if deadline < NO_UPPER and finish_minutes > 0:
        slack = (int(deadline) - finish_minutes) / finish_minutes
    elif network.n and bool(np.any(network.deadline < NO_UPPER)) and finish_minutes > 0:
        # task deadlines only: the tightest one, measured against that task's finish
        has = network.deadline < NO_UPPER
        gaps = (network.deadline[has] - cpm.early_finish[has]) / max(finish_minutes, 1)
        slack = float(gaps.min())

    stakeholders = [Person(s.name, s.audience, s.role or "", len(s.approves), tuple(s.cares_about))
                    for s in plan.stakeholders]
    start = _date(plan.project.start)
    finish = None
    if network.n:
        try:
            finish = _date(cal.finish_at(finish_minutes))
        except Exception:  # pragma: no cover - a calendar that cannot place the finish
            finish = None
    return Profile(
        name=plan.project.name,
        source="plan",
        items=items,
        resources=list(resources.values()),
        stakeholders=stakeholders,
        objectives=list(plan.project.objectives),
        description=plan.project.description or "",
        n_links=network.m,
        cross_team_links=cross,
        duration_days=duration_days,
        deadline_slack=slack,
        days_per_year=float(cal.days_per_week) * 52.0,
        budget=plan.project.budget,
        currency=plan.project.currency,
        organisation=plan.project.organisation,
        location=plan.project.location,
        start=start,
        finish=finish,
        risk_spread=risk_spread,
    )
