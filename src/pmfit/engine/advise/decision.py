"""The decision: role needs from signals, capability thresholds first, then cost.

Role needs (each a weighted sum of signals, contributions kept for the explanation):

- technical need ``= 0.44 T + 0.44 E + 0.12 N * dev``, with T technology uncertainty, E
  engineering depth, N novelty and ``dev = ramp(development share, 0, 0.4)`` — Shenhar &
  Wideman's mapping: the higher the technological uncertainty of the work, the more the PM
  must read the technology (a technical PM); novelty only counts where there is development.
- IT need ``= 0.6 I + 0.4 B * tech``, with I IT-operations work, B the business-stakeholder
  mix and ``tech = ramp(development + IT share, 0, 0.5)`` — the IT PM deploys and runs IT for
  the business and code-switches between technical and business audiences; business people
  only create that need next to technical work.
- coordination (shown for the general PM) ``= 0.5 D + 0.3 C + 0.2 B``: non-IT work,
  structural complexity, business mix. Every project needs it; every PM provides it.

Capability is nested (general < IT < technical): a technical PM is *required* when the
technical need reaches 0.50; at least an IT PM when the IT need reaches 0.40 or the
technical need reaches 0.30 (more technology than a general PM can read, less than needs
a technical lead); otherwise a general PM covers the project. The recommendation is the cheapest role (by the salary table) whose
capability covers the required level — never a more capable role because a project
merely "is tech". Confidence combines the margin to the nearest threshold with how much
of the plan the signals could read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmfit.engine.advise.cost import CostTable
from pmfit.engine.advise.data import CAPABILITY, ROLE_LABELS, ROLES
from pmfit.engine.advise.signals import Features, Signal, ramp, signals_from_features

THRESHOLDS = {"technical": 0.50, "it": 0.40}
#: the most technical need a general PM covers: above it, at least an IT PM (who has a
#: technical background and speaks the team's language, without being a technical lead)
GENERAL_TECH_CEILING = 0.30
SOURCE_CONFIDENCE = {"plan": 1.0, "brief": 0.65, "interview": 0.7}

NTCP = ("Shenhar & Dvir's NTCP diamond (Reinventing Project Management, 2007: novelty, technology, "
        "complexity, pace)")
WIDEMAN = ("Shenhar & Wideman (Optimizing Project Success by Matching PM Style with Project Type): "
           "the higher the technological uncertainty, the more technical competence the PM needs; "
           "low-tech work is run best by a firm, coordination-focused manager")


@dataclass(frozen=True)
class RoleScore:
    role: str
    score: float
    contributions: dict[str, float]
    threshold: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "label": ROLE_LABELS[self.role], "score": round(self.score, 3),
                "threshold": self.threshold,
                "contributions": {k: round(v, 3) for k, v in self.contributions.items()}}


def role_scores(signals: dict[str, Signal], f: Features) -> dict[str, RoleScore]:
    """Need for each role's distinctive capability, with the contribution of each signal."""
    dev = ramp(f.dev_share, 0.0, 0.4)
    tech = ramp(f.dev_share + f.it_share, 0.0, 0.5)
    s = {k: v.value for k, v in signals.items()}
    technical = {"technology": 0.44 * s["technology"], "engineering": 0.44 * s["engineering"],
                 "novelty": 0.12 * s["novelty"] * dev}
    it = {"it_operations": 0.6 * s["it_operations"], "business": 0.4 * s["business"] * tech}
    general = {"non_it": 0.5 * s["non_it"], "complexity": 0.3 * s["complexity"], "business": 0.2 * s["business"]}
    return {
        "general": RoleScore("general", sum(general.values()), general, None),
        "it": RoleScore("it", sum(it.values()), it, THRESHOLDS["it"]),
        "technical": RoleScore("technical", sum(technical.values()), technical, THRESHOLDS["technical"]),
    }


def required_level(scores: dict[str, RoleScore]) -> int:
    """1 general, 2 IT, 3 technical: the least capability that covers the need."""
    if scores["technical"].score >= THRESHOLDS["technical"]:
        return 3
    if scores["it"].score >= THRESHOLDS["it"] or scores["technical"].score >= GENERAL_TECH_CEILING:
        return 2
    return 1


def level_of(f: Features) -> int:
    sig = signals_from_features(f)
    return required_level(role_scores(sig, f))


def cheapest_sufficient(level: int, yearly: dict[str, float]) -> str:
    """The cheapest role whose capability covers ``level`` (ties go to the less capable role)."""
    sufficient = [r for r in ROLES if CAPABILITY[r] >= level]
    return min(sufficient, key=lambda r: (yearly[r], CAPABILITY[r]))


def margin(scores: dict[str, RoleScore], level: int) -> float:
    tech = scores["technical"].score
    t = tech - THRESHOLDS["technical"]
    g = tech - GENERAL_TECH_CEILING
    i = scores["it"].score - THRESHOLDS["it"]
    if level == 3:
        return t
    if level == 2:
        return min(max(i, g), -t)
    return min(-i, -g)


@dataclass(frozen=True)
class Confidence:
    value: float
    level: str
    margin: float
    coverage: float
    read_share: float
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"value": round(self.value, 3), "level": self.level, "margin": round(self.margin, 3),
                "coverage": round(self.coverage, 3), "read_share": round(self.read_share, 3),
                "would_raise_it": list(self.missing)}


def confidence(f: Features, scores: dict[str, RoleScore], level: int, unread: list[str]) -> Confidence:
    """``(0.35 + 0.65 ramp(margin, 0, 0.15)) x coverage x source factor``.

    coverage = 0.6 x share of effort whose domain was read + 0.4 x share of the five kinds
    of context present (resources, stakeholders, estimates, goals, descriptions), times
    ``0.5 + 0.5 ramp(items read, 1, 8)`` (a handful of tasks is thin evidence).
    """
    m = margin(scores, level)
    if f.total_effort > 0:
        read = f.classified_effort / f.total_effort
    else:
        read = f.n_read / f.n_items if f.n_items else 0.0
    info = [f.has_resources, f.has_stakeholders, f.has_estimates, f.has_goals, f.has_text]
    coverage = 0.6 * read + 0.4 * sum(info) / len(info)
    # little evidence is weak evidence: fewer than 8 work items read scales coverage down to half
    coverage *= 0.5 + 0.5 * ramp(float(f.n_read), 1.0, 8.0)
    value = min(0.95, (0.35 + 0.65 * ramp(m, 0.0, 0.15)) * coverage * SOURCE_CONFIDENCE.get(f.source, 1.0))
    missing = []
    if read < 0.9:
        example = ", ".join(repr(u) for u in unread[:4])
        missing.append(f"descriptions, tags or a `domain:` for the {len(unread)} tasks pmfit could not read"
                       + (f" (e.g. {example})" if example else "") if f.source == "plan"
                       else "more detail on what the work is (what gets built, installed or organised)")
    labels = ("resources with names and skills (who does the work)",
              "stakeholders with `audience: business|technical` and what they approve",
              "three-point estimates on uncertain tasks",
              "objectives, a deadline or a budget",
              "task descriptions")
    missing += [label for label, present in zip(labels, info, strict=True) if not present]
    if abs(m) < 0.05:
        missing.append("the project sits on a threshold: details of the deciding signal would settle it")
    level_name = "high" if value >= 0.7 else "medium" if value >= 0.4 else "low"
    return Confidence(value, level_name, m, coverage, read, tuple(missing))


@dataclass(frozen=True)
class Lever:
    field: str
    label: str
    kind: str  # "count" or "share"
    scale: float


LEVERS = (
    Lever("n_business", "business stakeholders", "count", 3.0),
    Lever("dev_share", "software/engineering development", "share", 0.5),
    Lever("it_share", "IT-operations work", "share", 0.5),
    Lever("eng_resource_share", "engineers' share of the team", "share", 0.5),
    Lever("n_newtech", "new-technology markers", "count", 3.0),
    Lever("n_wide_spread", "development tasks with wide estimates", "count", 4.0),
    Lever("n_spec", "specification/architecture tasks", "count", 3.0),
)


def _with(f: Features, lever: Lever, value: float) -> Features:
    if lever.field == "dev_share":
        other = f.it_share + f.nonit_share
        scale = (1 - value) / other if other > 0 else 0.0
        eng = min(1.0, f.eng_effort_share * value / f.dev_share) if f.dev_share > 0 else value
        return f.but(dev_share=value, it_share=f.it_share * scale, nonit_share=f.nonit_share * scale,
                     eng_effort_share=eng)
    if lever.field == "it_share":
        other = f.dev_share + f.nonit_share
        scale = (1 - value) / other if other > 0 else 0.0
        return f.but(it_share=value, dev_share=f.dev_share * scale, nonit_share=f.nonit_share * scale)
    if lever.kind == "count":
        return f.but(**{lever.field: int(value)})
    return f.but(**{lever.field: value})


@dataclass(frozen=True)
class Counterfactual:
    lever: str
    current: float
    value: float
    role: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"lever": self.lever, "current": round(self.current, 3), "value": round(self.value, 3),
                "role": self.role, "text": self.text}


def counterfactuals(f: Features, yearly: dict[str, float], limit: int = 3) -> list[Counterfactual]:
    """The nearest single changes that would change the recommendation, other things equal."""
    base_level = level_of(f)
    base_role = cheapest_sufficient(base_level, yearly)
    found: list[tuple[float, Counterfactual]] = []
    for lever in LEVERS:
        current = float(getattr(f, lever.field))
        if lever.kind == "count":
            candidates = sorted({max(0.0, current + d) for d in range(-12, 13) if d} - {current},
                                key=lambda v: abs(v - current))
        else:
            candidates = sorted({round(x * 0.05, 2) for x in range(21)} - {round(current, 2)},
                                key=lambda v: abs(v - current))
        for value in candidates:
            level = level_of(_with(f, lever, value))
            role = cheapest_sufficient(level, yearly)
            if role == base_role:
                continue
            found.append((abs(value - current) / lever.scale, _phrase(lever, current, value, role)))
            break
    found.sort(key=lambda x: x[0])
    return [c for _, c in found[:limit]]


def _phrase(lever: Lever, current: float, value: float, role: str) -> Counterfactual:
    article = "an" if role == "it" else "a"
    target = f"{article} {ROLE_LABELS[role]}"
    if lever.kind == "count":
        now = int(current)
        if value < current:
            text = f"with fewer than {int(value) + 1} {lever.label} (now {now}) this would be {target}"
        else:
            text = f"with {int(value)} or more {lever.label} (now {now}) this would be {target}"
    else:
        if value < current:
            text = (f"if {lever.label} were at most {value:.0%} of the effort (now {current:.0%}) "
                    f"this would be {target}")
        else:
            text = (f"if {lever.label} were at least {value:.0%} of the effort (now {current:.0%}) "
                    f"this would be {target}")
        if lever.field == "eng_resource_share":
            text = text.replace(" of the effort", "")
    return Counterfactual(lever.field, current, value, role, text)


def quote_statements(vocab: Any, role: str, query: str, limit: int = 3) -> list[dict[str, str]]:
    """The O*NET task statements of ``role`` nearest (BM25) to the project's work."""
    scores = vocab.statement_index.scores(query)
    ranked = sorted((i for i, s in enumerate(vocab.statements) if s.role == role),
                    key=lambda i: (-scores[i], vocab.statements[i].id))
    out = []
    for i in ranked[:limit]:
        s = vocab.statements[i]
        out.append({"id": s.id, "soc": s.soc, "occupation": s.occupation, "text": s.text,
                    "cite": s.cite(), "score": f"{scores[i]:.2f}"})
    return out


def programme_note(f: Features, allocation: float, complexity_level: str) -> str | None:
    """A note when one PM cannot run the project (allocation, size, teams, NTCP array)."""
    reasons = []
    if allocation > 1.0:
        reasons.append(f"the PM allocation rule gives {allocation:.1f} FTE")
    if f.n_tasks > 500:
        reasons.append(f"{f.n_tasks} tasks")
    if f.n_teams >= 8:
        reasons.append(f"{f.n_teams} teams")
    if complexity_level == "array":
        reasons.append("NTCP complexity 'array' (a system of systems)")
    if not reasons:
        return None
    pms = max(2, math.ceil(allocation))
    return (f"This looks like a programme rather than one project ({'; '.join(reasons)}): plan for a "
            f"programme manager over about {pms} project managers, each owning a part.")


def describe_cost_difference(cost: CostTable, recommended: str, reasons_missing: dict[str, str]) -> list[str]:
    """'A technical PM would add $34,000 a year for capability this project does not need.'"""
    out = []
    rec = cost.costs[recommended]
    for role in ROLES:
        if role == recommended:
            continue
        c = cost.costs[role]
        diff = c.yearly - rec.yearly
        article = "an" if role == "it" else "a"
        money = f"{cost.currency} {abs(diff):,.0f}"
        project = abs(c.project - rec.project)
        if CAPABILITY[role] > CAPABILITY[recommended]:
            out.append(f"{article.capitalize()} {ROLE_LABELS[role]} would {'add' if diff >= 0 else 'save'} "
                       f"{money} a year (loaded; {cost.currency} {project:,.0f} over this project) for "
                       f"capability this project does not need.")
        else:
            gap = reasons_missing.get(role, "the capability this project needs")
            out.append(f"{article.capitalize()} {ROLE_LABELS[role]} would {'save' if diff <= 0 else 'add'} "
                       f"{money} a year (loaded; {cost.currency} {project:,.0f} over this project) but lacks "
                       f"{gap}: a risk to the project, not a saving.")
    return out


Phrase = Callable[[float], str]
