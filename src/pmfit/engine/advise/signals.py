"""Signals: what the plan says about technology, engineering, IT operations, people and structure.

Three steps, each pure:

1. :func:`classify` gives every work item a domain mix — from its explicit ``domain:`` or
   tags when they name a known domain, otherwise from BM25 over the vocabulary (task text,
   plus half-weight text of its summary tasks and a third of its resources' names/skills).
2. :func:`measure` turns the classified profile into :class:`Features`: raw, checkable
   quantities (shares of effort, counts of tasks and people).
3. :func:`signals_from_features` maps features to eight signals in 0..1, the NTCP
   dimensions (Shenhar & Dvir 2007: novelty, technology, complexity, pace) plus engineering
   depth, IT-operations work, business-stakeholder mix and non-IT domain work. Each formula
   is written next to the signal. The role scores in :mod:`.decision` use the signals only.

Helpers: ``sat(x, k) = 1 - exp(-x / k)`` (a count that saturates: k is the count that gives
63%), ``ramp(x, lo, hi)`` = the linear climb from 0 at ``lo`` to 1 at ``hi``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from pmfit.engine.advise.data import Vocabulary
from pmfit.engine.advise.profile import Profile, WorkItem
from pmfit.engine.advise.text import normalise

GROUPS = ("development", "it_operations", "non_it", "management")
TECH_GROUPS = ("development", "it_operations")
MIN_SCORE = 2.0  # BM25 score below which a text says nothing about its domain (one shared, weak word)
SPLIT = 0.6  # domains scoring at least this share of the best one share the item
MIN_DOMAIN_SHARE = 0.25  # shares are taken of at least this fraction of all effort
WIDE_SPREAD = 1.0  # (P - O) / M at or above this is a wide estimate: the range is as large as the likely value


def sat(x: float, k: float) -> float:
    return 1.0 - math.exp(-max(x, 0.0) / k)


def ramp(x: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


@dataclass(frozen=True)
class Classified:
    """A work item with its domain mix and how it was read."""

    item: WorkItem
    mix: dict[str, float]  # domain -> share of the item (sums to 1, or empty)
    how: str  # "explicit", "text" or "unread"
    evidence: tuple[str, ...] = ()  # matched phrases of the top domain

    def group_share(self, vocab: Vocabulary, group: str) -> float:
        return sum(w for d, w in self.mix.items() if vocab.group_of(d) == group)

    @property
    def top(self) -> str | None:
        return max(self.mix, key=lambda d: self.mix[d]) if self.mix else None


def alias(vocab: Vocabulary, value: str) -> str | None:
    key = " ".join(value.lower().replace("_", " ").split())
    return vocab.aliases.get(key)


def classify_text(vocab: Vocabulary, text: str, context: str = "", resource_text: str = "") -> dict[str, float]:
    """BM25 domain scores of a text, with its context at half and its resources at a third."""
    scores = vocab.index.score(text)
    for extra, weight in ((context, 0.5), (resource_text, 1 / 3)):
        if extra:
            for d, s in vocab.index.score(extra).items():
                scores[d] = scores.get(d, 0.0) + weight * s
    return scores


def mix_from_scores(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    best = max(scores.values())
    if best < MIN_SCORE:
        return {}
    kept = {d: s for d, s in scores.items() if s >= SPLIT * best}
    total = sum(kept.values())
    return {d: s / total for d, s in sorted(kept.items(), key=lambda kv: -kv[1])}


def classify(vocab: Vocabulary, item: WorkItem) -> Classified:
    """The domain mix of one work item: explicit domain/tags first, else the text."""
    explicit = [d for d in (alias(vocab, v) for v in ([item.domain] if item.domain else []) + list(item.tags))
                if d is not None]
    mix: dict[str, float]
    if item.domain and not explicit:
        # an unknown domain word: read it as text, it is still the user's own label
        mix = mix_from_scores(vocab.index.score(item.domain))
        if mix:
            return Classified(item, mix, "explicit", tuple(vocab.index.evidence(item.domain, next(iter(mix)))))
    if explicit:
        share = 1.0 / len(explicit)
        mix = {}
        for d in explicit:
            mix[d] = mix.get(d, 0.0) + share
        return Classified(item, mix, "explicit", tuple(v for v in [item.domain, *item.tags] if v))
    mix = mix_from_scores(classify_text(vocab, item.text, item.context, item.resource_text))
    if not mix:
        return Classified(item, {}, "unread")
    top = next(iter(mix))
    evidence = vocab.index.evidence(item.text, top) or vocab.index.evidence(item.context, top) \
        or vocab.index.evidence(item.resource_text, top)
    return Classified(item, mix, "text", tuple(evidence[:4]))


def markers_in(vocab: Vocabulary, kind: str, text: str) -> list[str]:
    matcher = vocab.markers.get(kind)
    if matcher is None or not text:
        return []
    return [matcher.terms[k] for k in matcher.find(normalise(text))]


@dataclass(frozen=True)
class Features:
    """Raw quantities the signals are computed from (all checkable against the plan)."""

    total_effort: float = 0.0  # person-days of all work items
    classified_effort: float = 0.0  # effort of items whose domain could be read
    group_effort: dict[str, float] = field(default_factory=dict)
    dev_share: float = 0.0  # development effort / (development + IT + non-IT effort)
    it_share: float = 0.0
    nonit_share: float = 0.0
    n_items: int = 0
    n_read: int = 0
    n_dev: int = 0
    n_it: int = 0
    n_nonit: int = 0
    eng_effort_share: float = 0.0  # effort in development work or done by engineers / total effort
    eng_resource_share: float = 0.0  # engineering units / work-resource units
    n_spec: int = 0  # technical specification, requirements or architecture tasks
    n_newtech: int = 0  # new-technology markers on technical work or in the project text
    n_wide_spread: int = 0  # development tasks with (P - O) / M >= 0.5
    risk_spread: float | None = None
    n_business: int = 0  # business stakeholders
    n_technical_people: int = 0
    n_approvals: int = 0  # business approvals (stakeholders who approve, sign-off gates)
    n_objectives: int = 0
    n_tasks: int = 0
    link_density: float = 0.0  # links per task
    n_teams: int = 0
    cross_team_share: float = 0.0
    critical_share: float = 0.0
    deadline_slack: float | None = None
    n_pace: int = 0  # urgency words in a brief
    n_novel: int = 0
    n_derivative: int = 0
    has_resources: bool = False
    has_stakeholders: bool = False
    has_estimates: bool = False
    has_goals: bool = False  # objectives, a deadline or a budget
    has_text: bool = False  # task descriptions or a project description
    team_size: float = 1.0  # average people at work (effort / duration), or as stated
    duration_days: float = 0.0
    days_per_year: float = 260.0
    source: str = "plan"

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}

    def but(self, **changes: Any) -> Features:
        return replace(self, **changes)


@dataclass
class Measured:
    """Features plus the classified items and the plan items behind each quantity."""

    features: Features
    classified: list[Classified]
    dev_items: list[str]
    it_items: list[str]
    nonit_items: list[str]
    spec_items: list[str]
    newtech: list[tuple[str, str]]  # (where, marker)
    wide_items: list[str]
    eng_resources: list[str]
    it_resources: list[str]
    business: list[str]
    technical_people: list[str]
    approvals: list[str]
    objectives: list[str]
    novel: list[str]
    derivative: list[str]
    unread: list[str]
    domain_effort: dict[str, float]


def _resource_groups(vocab: Vocabulary, profile: Profile,
                     classified: list[Classified]) -> tuple[set[str], set[str]]:
    """Engineering and IT resources: by their own name and skills, else by the work they do.

    A resource whose name and skills say nothing ("Person 4") is read through its tasks:
    an engineer if at least half of its assigned effort is development work.
    """
    assigned: dict[str, dict[str, float]] = {}
    for c in classified:
        for rid in c.item.resources:
            acc = assigned.setdefault(rid, {"development": 0.0, "it_operations": 0.0, "all": 0.0})
            acc["all"] += c.item.effort
            acc["development"] += c.item.effort * c.group_share(vocab, "development")
            acc["it_operations"] += c.item.effort * c.group_share(vocab, "it_operations")
    eng, it = set(), set()
    for r in profile.resources:
        own = mix_from_scores(vocab.index.score(r.text))
        if own:
            dev = sum(w for d, w in own.items() if vocab.group_of(d) == "development")
            ops = sum(w for d, w in own.items() if vocab.group_of(d) == "it_operations")
        else:
            work = assigned.get(r.id)
            if not work or work["all"] <= 0:
                continue
            dev, ops = work["development"] / work["all"], work["it_operations"] / work["all"]
        if dev >= 0.5:
            eng.add(r.id)
        elif ops >= 0.5:
            it.add(r.id)
    return eng, it


def measure(vocab: Vocabulary, profile: Profile) -> Measured:
    """Classify every item and count what the signals need."""
    classified = [classify(vocab, item) for item in profile.items]
    eng_res, it_res = _resource_groups(vocab, profile, classified)
    group_effort = dict.fromkeys(GROUPS, 0.0)
    domain_effort: dict[str, float] = {}
    dev_items, it_items, nonit_items, spec_items, wide_items, unread = [], [], [], [], [], []
    newtech: list[tuple[str, str]] = []
    approvals: list[str] = []
    total = classified_effort = eng_effort = 0.0
    n_dev = n_it = n_nonit = 0
    for c in classified:
        item = c.item
        total += item.effort
        dev = c.group_share(vocab, "development")
        ops = c.group_share(vocab, "it_operations")
        non = c.group_share(vocab, "non_it")
        if c.how != "unread":
            classified_effort += item.effort
            for d, w in c.mix.items():
                domain_effort[d] = domain_effort.get(d, 0.0) + w * item.effort
                group_effort[vocab.group_of(d)] += w * item.effort
        elif not item.milestone:
            unread.append(item.id)
        uses_engineers = any(r in eng_res for r in item.resources)
        if not item.milestone:
            if dev >= 0.5:
                n_dev += 1
                dev_items.append(item.id)
            elif ops >= 0.5:
                n_it += 1
                it_items.append(item.id)
            elif non >= 0.5:
                n_nonit += 1
                nonit_items.append(item.id)
            if dev > 0 or uses_engineers:
                eng_effort += item.effort * (1.0 if uses_engineers else dev)
        technical = dev >= 0.5 or (uses_engineers and dev > 0)
        if ((technical or (uses_engineers and not item.milestone)) and markers_in(vocab, "spec", item.text)) \
                or markers_in(vocab, "technical_depth", item.text):
            spec_items.append(item.id)
        if dev + ops >= 0.5:
            for m in markers_in(vocab, "new_technology", item.text)[:1]:
                newtech.append((item.id, m))
        if dev >= 0.5 and item.spread is not None and item.spread >= WIDE_SPREAD:
            wide_items.append(item.id)
        if markers_in(vocab, "approval", item.name) and (item.milestone or item.effort <= 2):
            approvals.append(item.id)
    project_text = " ".join([profile.name, profile.description, *profile.objectives])
    seen_markers = {mk for _, mk in newtech}
    for m in dict.fromkeys(markers_in(vocab, "new_technology", project_text)):
        if m not in seen_markers:
            newtech.append(("project", m))
    novel = list(dict.fromkeys(markers_in(vocab, "novel_product", project_text)))
    derivative = list(dict.fromkeys(markers_in(vocab, "derivative", project_text)))

    business = [p.label for p in profile.stakeholders if p.audience == "business"]
    technical_people = [p.label for p in profile.stakeholders if p.audience != "business"]
    business_approvals = [f"{p.label} approves {p.approves}" for p in profile.stakeholders
                          if p.audience == "business" and p.approves]
    # Approvals: business stakeholders who approve something; a plan that lists no stakeholders
    # at all is read through its sign-off gates instead.
    gates = [f"sign-off task {a}" for a in approvals]
    approval_list = business_approvals if profile.stakeholders else gates
    objectives = list(profile.objectives)

    domain_total = group_effort["development"] + group_effort["it_operations"] + group_effort["non_it"]
    # Shares are of the domain work (managing the project is neutral), but never of less than a
    # quarter of all effort: a plan that is nearly all meetings and reports does not become
    # "engineering" on the strength of one task.
    domain_base = max(domain_total, MIN_DOMAIN_SHARE * total)
    def share(group: str) -> float:
        return group_effort[group] / domain_base if domain_base > 0 else 0.0

    work_effort = max(total - group_effort["management"], MIN_DOMAIN_SHARE * total)
    units = sum(r.units for r in profile.resources)
    eng_units = sum(r.units for r in profile.resources if r.id in eng_res)
    work = profile.work_items
    n_tasks = len(work)
    teams = {t for item in work for t in item.teams}
    duration = profile.duration_days
    team_size = profile.team_size if profile.team_size is not None else (
        total / duration if duration > 0 else 1.0)
    features = Features(
        total_effort=total,
        classified_effort=classified_effort,
        group_effort=group_effort,
        dev_share=share("development"),
        it_share=share("it_operations"),
        nonit_share=share("non_it"),
        n_items=len(work),
        n_read=sum(1 for c in classified if c.how != "unread" and not c.item.milestone),
        n_dev=n_dev,
        n_it=n_it,
        n_nonit=n_nonit,
        # of the work other than managing the project itself (management effort is neutral)
        eng_effort_share=min(1.0, eng_effort / work_effort) if work_effort > 0 else 0.0,
        # no resources at all: unknown, not "no engineers" - the people doing the development work
        # are taken to be engineers, so the share follows the engineering effort
        eng_resource_share=eng_units / units if units > 0 else (
            min(1.0, eng_effort / work_effort) if work_effort > 0 else 0.0),
        n_spec=len(spec_items),
        n_newtech=len(newtech),
        n_wide_spread=len(wide_items),
        risk_spread=profile.risk_spread,
        n_business=len(business),
        n_technical_people=len(technical_people),
        n_approvals=len(approval_list),
        n_objectives=len(objectives),
        n_tasks=n_tasks,
        link_density=profile.n_links / n_tasks if n_tasks else 0.0,
        n_teams=len(teams),
        cross_team_share=profile.cross_team_links / profile.n_links if profile.n_links else 0.0,
        critical_share=sum(1 for i in work if i.critical) / n_tasks if n_tasks else 0.0,
        deadline_slack=profile.deadline_slack,
        n_novel=len(novel),
        n_derivative=len(derivative),
        has_resources=bool(profile.resources),
        has_stakeholders=bool(profile.stakeholders),
        has_estimates=any(i.spread is not None for i in work),
        has_goals=bool(profile.objectives) or profile.deadline_slack is not None or profile.budget is not None,
        has_text=bool(profile.description) or any(i.text != i.name for i in work),
        team_size=max(team_size, 0.0),
        duration_days=duration,
        days_per_year=profile.days_per_year,
        source=profile.source,
    )
    return Measured(features, classified, dev_items, it_items, nonit_items, spec_items, newtech, wide_items,
                    sorted(eng_res), sorted(it_res), business, technical_people,
                    approval_list,
                    objectives, novel, derivative, unread, domain_effort)


@dataclass(frozen=True)
class Signal:
    """One signal: its value in 0..1, the NTCP/role dimension it feeds, and its parts."""

    name: str
    value: float
    parts: dict[str, float]
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "value": round(self.value, 3),
                "parts": {k: round(v, 3) for k, v in self.parts.items()}}


SIGNAL_LABELS = {
    "technology": "technology uncertainty (NTCP T)",
    "engineering": "engineering depth",
    "it_operations": "IT-operations work",
    "business": "business-stakeholder mix",
    "non_it": "non-IT domain work",
    "complexity": "structural complexity (NTCP C)",
    "pace": "pace (NTCP P)",
    "novelty": "novelty (NTCP N)",
}


def _signal(name: str, parts: dict[str, float]) -> Signal:
    return Signal(name, min(1.0, max(0.0, sum(parts.values()))), parts, SIGNAL_LABELS[name])


def signals_from_features(f: Features) -> dict[str, Signal]:
    """The eight signals, each a weighted sum of saturating parts (weights sum to 1)."""
    spread = sat(f.n_wide_spread, 5.0)
    if f.risk_spread is not None:
        spread = max(spread, ramp(f.risk_spread, 0.0, 0.3))
    technology = _signal("technology", {
        # T = 0.45 ramp(dev share, 0, 0.6) + 0.30 sat(new-tech markers, 2) + 0.25 sat(wide dev estimates, 5)
        "development share": 0.45 * ramp(f.dev_share, 0.0, 0.6),
        "new-technology markers": 0.30 * sat(f.n_newtech, 2.0),
        "estimate spread": 0.25 * spread,
    })
    engineering = _signal("engineering", {
        # E = 0.5 ramp(engineering effort share, 0, 0.7) + 0.25 ramp(engineer units share, 0, 0.6)
        #     + 0.25 sat(specification tasks, 2)
        "engineering effort": 0.5 * ramp(f.eng_effort_share, 0.0, 0.7),
        "engineers in the team": 0.25 * ramp(f.eng_resource_share, 0.0, 0.6),
        "specification tasks": 0.25 * sat(f.n_spec, 2.0),
    })
    it_ops = _signal("it_operations", {
        # I = 0.8 ramp(IT share, 0, 0.5) + 0.2 sat(IT tasks, 4)
        "IT share of effort": 0.8 * ramp(f.it_share, 0.0, 0.5),
        "IT tasks": 0.2 * sat(f.n_it, 4.0),
    })
    business = _signal("business", {
        # B = 0.5 sat(business stakeholders, 2.5) + 0.25 sat(business approvals, 1.5) + 0.25 sat(objectives, 2)
        "business stakeholders": 0.5 * sat(f.n_business, 2.5),
        "business approvals": 0.25 * sat(f.n_approvals, 1.5),
        "stated objectives": 0.25 * sat(f.n_objectives, 2.0),
    })
    non_it = _signal("non_it", {"non-IT share of effort": ramp(f.nonit_share, 0.0, 0.6)})
    complexity = _signal("complexity", {
        # C = 0.35 ramp(log10 tasks, 1, 2.7) + 0.2 ramp(links per task, 0.5, 2) + 0.3 ramp(teams, 1, 6)
        #     + 0.15 ramp(cross-team link share, 0, 0.5)
        "size": 0.35 * ramp(math.log10(max(f.n_tasks, 1)), 1.0, 2.7),
        "dependency density": 0.2 * ramp(f.link_density, 0.5, 2.0),
        "teams": 0.3 * ramp(f.n_teams, 1.0, 6.0),
        "cross-team links": 0.15 * ramp(f.cross_team_share, 0.0, 0.5),
    })
    if f.deadline_slack is not None:
        pace_parts = {"deadline slack": 0.7 * (1.0 - ramp(f.deadline_slack, 0.0, 0.5)),
                      "critical tasks": 0.3 * ramp(f.critical_share, 0.2, 0.8)}
    else:
        pace_parts = {"critical tasks": 0.3 * ramp(f.critical_share, 0.2, 0.8),
                      "urgency words": 0.5 * sat(f.n_pace, 1.5)}
    pace = _signal("pace", pace_parts)
    novelty = _signal("novelty", {
        "new-product markers": 0.6 * sat(f.n_novel, 2.0),
        "new-technology markers": 0.4 * sat(f.n_newtech, 3.0),
        "derivative markers": -0.3 * sat(f.n_derivative, 2.0),
    })
    return {s.name: s for s in (technology, engineering, it_ops, business, non_it, complexity, pace, novelty)}


def ntcp_levels(signals: dict[str, Signal]) -> dict[str, str]:
    """The NTCP diamond's named levels for the four dimensions (Shenhar & Dvir 2007)."""

    def level(value: float, names: Iterable[str], cuts: Iterable[float]) -> str:
        names = list(names)
        for name, cut in zip(names, cuts, strict=False):
            if value < cut:
                return name
        return names[-1]

    return {
        "novelty": level(signals["novelty"].value, ["derivative", "platform", "breakthrough"], [0.3, 0.65]),
        "technology": level(signals["technology"].value,
                            ["low-tech", "medium-tech", "high-tech", "super-high-tech"], [0.2, 0.45, 0.75]),
        "complexity": level(signals["complexity"].value, ["assembly", "system", "array"], [0.35, 0.8]),
        "pace": level(signals["pace"].value, ["regular", "fast/competitive", "time-critical", "blitz"],
                      [0.35, 0.65, 0.9]),
    }
