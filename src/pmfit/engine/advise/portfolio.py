"""Several projects: a role for each, how many PMs of each kind, and the cost against naive choices.

Sharing rule: a PM can run several projects while the allocations (from the cost rule:
``max(0.25, team / 8)`` FTE) of the projects they run *at the same time* add up to at most
1.0 FTE. A project at or above 1.0 FTE gets ``ceil(allocation)`` PMs of its own. Projects are
placed largest first (first-fit decreasing), each with a PM of its recommended kind, or with
a more capable PM who has room (that saves a hire and never lowers capability); a new PM is
hired only when nobody has room. Projects without dates are taken to run at the same time.

The portfolio's yearly cost is the loaded yearly cost of every PM it needs. The naive
choices pack the same projects by the same rule but with one kind of PM for everything: a
technical PM everywhere (the "safe" choice) and a general PM everywhere (the cheap choice,
with the projects whose needs it does not cover listed).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from pmfit.engine.advise.advisor import Advice
from pmfit.engine.advise.data import CAPABILITY, ROLE_LABELS, ROLES

CAPACITY = 1.0


@dataclass
class PmSlot:
    """One PM to hire, and the projects they run."""

    role: str
    projects: list[str] = field(default_factory=list)
    spans: list[tuple[dt.date | None, dt.date | None, float]] = field(default_factory=list)
    dedicated: bool = False

    def peak_with(self, start: dt.date | None, finish: dt.date | None, alloc: float) -> float:
        """The highest load at any moment of [start, finish] if this project were added."""
        overlapping = [(s, f, a) for s, f, a in self.spans if _overlap(s, f, start, finish)]
        points = [start] + [s for s, _, _ in overlapping if s is not None]
        best = 0.0
        for p in points:
            load = sum(a for s, f, a in overlapping if p is None or _overlap(s, f, p, p))
            best = max(best, load)
        if not overlapping:
            best = 0.0
        return best + alloc

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "label": ROLE_LABELS[self.role], "projects": list(self.projects),
                "load_fte": round(sum(a for _, _, a in self.spans), 2), "dedicated": self.dedicated}


def _overlap(s1: dt.date | None, f1: dt.date | None, s2: dt.date | None, f2: dt.date | None) -> bool:
    if s1 is None or f1 is None or s2 is None or f2 is None:
        return True
    return s1 <= f2 and s2 <= f1


def pack(entries: list[tuple[str, str, float, dt.date | None, dt.date | None]]) -> list[PmSlot]:
    """First-fit decreasing packing of (name, role, allocation, start, finish) onto PMs."""
    slots: list[PmSlot] = []
    order = sorted(entries, key=lambda e: (-CAPABILITY[e[1]], -e[2], e[0]))
    for name, role, alloc, start, finish in order:
        if alloc >= CAPACITY:
            for _ in range(math.ceil(alloc - 1e-9)):
                slots.append(PmSlot(role, [name], [(start, finish, CAPACITY)], dedicated=True))
            continue
        candidates = [s for s in slots if not s.dedicated and CAPABILITY[s.role] >= CAPABILITY[role]
                      and s.peak_with(start, finish, alloc) <= CAPACITY + 1e-9]
        candidates.sort(key=lambda s: (CAPABILITY[s.role] - CAPABILITY[role], -sum(a for _, _, a in s.spans)))
        if candidates:
            slot = candidates[0]
        else:
            slot = PmSlot(role)
            slots.append(slot)
        slot.projects.append(name)
        slot.spans.append((start, finish, alloc))
    return slots


@dataclass
class Portfolio:
    """Advice for several projects together."""

    advices: list[Advice]
    pms: list[PmSlot]
    yearly: float
    naive: dict[str, dict[str, Any]]
    currency: str
    rule: str
    uncovered_by_general: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return {r: sum(1 for p in self.pms if p.role == r) for r in ROLES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "projects": [{"project": a.project, "role": a.recommended, "label": a.label,
                          "confidence": a.confidence.level, "allocation_fte": a.allocation,
                          "yearly_loaded": round(a.cost.costs[a.recommended].yearly)} for a in self.advices],
            "pms": [p.to_dict() for p in self.pms],
            "counts": self.counts,
            "yearly_cost": round(self.yearly),
            "currency": self.currency,
            "naive": self.naive,
            "sharing_rule": self.rule,
            "uncovered_by_general_everywhere": self.uncovered_by_general,
            "advice": [a.to_dict() for a in self.advices],
            "attribution": self.advices[0].attribution if self.advices else "",
        }


RULE = ("PMs share projects while the allocations of the projects they run at the same time add up to at most "
        "1.0 FTE (allocation = max(0.25, team / 8)); a project of 1.0 FTE or more gets its own PM(s); "
        "projects are placed largest first with a PM of their kind, or a more capable PM with room")


def _yearly(advices: list[Advice], role: str) -> float:
    # every project's cost table uses the same salary table; take the first project's figure
    return advices[0].cost.costs[role].yearly


def advise_portfolio(advices: list[Advice]) -> Portfolio:
    """Combine per-project advice into a staffing proposal with totals and savings."""
    if not advices:
        raise ValueError("a portfolio needs at least one project")
    entries = [(a.project, a.recommended, a.allocation, a.start, a.finish) for a in advices]
    pms = pack(entries)
    yearly = sum(_yearly(advices, p.role) for p in pms)
    naive: dict[str, dict[str, Any]] = {}
    for role in ("technical", "general"):
        slots = pack([(n, role, al, s, f) for n, _, al, s, f in entries])
        cost = len(slots) * _yearly(advices, role)
        naive[role] = {"label": f"a {ROLE_LABELS[role]} everywhere", "pms": len(slots),
                       "yearly_cost": round(cost), "difference_vs_recommended": round(cost - yearly)}
    uncovered = [a.project for a in advices if a.required_level > CAPABILITY["general"]]
    return Portfolio(advices, pms, yearly, naive, advices[0].cost.currency, RULE, uncovered)
