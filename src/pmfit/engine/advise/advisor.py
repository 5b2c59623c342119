"""Put it together: profile -> signals -> role needs -> recommendation, reasons and cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmfit.engine.advise.cost import CostTable, cost_table
from pmfit.engine.advise.data import CAPABILITY, ROLE_LABELS, ROLES, RoleData
from pmfit.engine.advise.decision import (
    GENERAL_TECH_CEILING,
    NTCP,
    THRESHOLDS,
    WIDEMAN,
    Confidence,
    Counterfactual,
    RoleScore,
    cheapest_sufficient,
    confidence,
    counterfactuals,
    describe_cost_difference,
    programme_note,
    quote_statements,
    required_level,
    role_scores,
)
from pmfit.engine.advise.judge import Judgement, WhatIf, article, judge, pct, what_ifs
from pmfit.engine.advise.learn import MIN_EVIDENCE
from pmfit.engine.advise.profile import Profile, profile_from_plan
from pmfit.engine.advise.reading import profile_text, read
from pmfit.engine.advise.signals import (
    MIN_DOMAIN_SHARE,
    Features,
    Measured,
    Signal,
    measure,
    ntcp_levels,
    signals_from_features,
)

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

CAPABILITY_TEXT = {
    "general": "timelines, coordination, vendors and stakeholders across any domain",
    "it": "deploying and running IT (infrastructure, security, enterprise software, roll-outs) and "
          "translating between technical teams and business stakeholders",
    "technical": "reading technical requirements, specifications and technical risk with development teams "
                 "(software, data, hardware engineering)",
}


@dataclass(frozen=True)
class Reason:
    """One reason a person can check: the signal, what was found, and the plan items behind it."""

    signal: str
    text: str
    items: tuple[str, ...] = ()
    weight: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "text": self.text, "items": list(self.items), "weight": round(self.weight, 3)}


@dataclass
class Advice:
    """Which kind of PM a project needs, why, with what confidence, and what it costs."""

    project: str
    source: str
    recommended: str
    required_level: int
    scores: dict[str, RoleScore]
    signals: dict[str, Signal]
    ntcp: dict[str, str]
    features: Features
    confidence: Confidence
    reasons: list[Reason]
    onet: list[dict[str, str]]
    counterfactuals: list[Counterfactual]
    programme: str | None
    cost: CostTable
    cost_differences: list[str]
    decision: str
    frameworks: tuple[str, ...]
    consultation: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    attribution: str = ""
    domain_effort: dict[str, float] = field(default_factory=dict)
    start: Any = None
    finish: Any = None
    requested_role: str | None = None
    judgement: Judgement | None = None

    @property
    def role(self) -> str:
        return self.recommended

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.recommended]

    @property
    def allocation(self) -> float:
        return self.cost.costs[self.recommended].allocation

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "source": self.source,
            "recommendation": {"role": self.recommended, "label": self.label,
                               "required_capability": ["general", "it", "technical"][self.required_level - 1]},
            "decision": self.decision,
            "confidence": self.confidence.to_dict(),
            "scores": {r: s.to_dict() for r, s in self.scores.items()},
            "signals": {k: v.to_dict() for k, v in self.signals.items()},
            "ntcp": self.ntcp,
            "reasons": [r.to_dict() for r in self.reasons],
            "onet_statements": self.onet,
            "counterfactuals": [c.to_dict() for c in self.counterfactuals],
            "programme": self.programme,
            "cost": self.cost.to_dict(),
            "cost_differences": self.cost_differences,
            "consultation": self.consultation,
            "notes": self.notes,
            "requested_role": self.requested_role,
            "reading": self.judgement.to_dict() if self.judgement is not None else None,
            "frameworks": list(self.frameworks),
            "features": self.features.to_dict(),
            "domain_effort": {k: round(v, 2) for k, v in sorted(self.domain_effort.items(), key=lambda kv: -kv[1])},
            "attribution": self.attribution,
        }

    def explain(self) -> list[str]:
        """The advice as plain sentences (what the CLI prints and the golden tests compare)."""
        lines = [self.decision]
        lines += [f"- {r.text}" for r in self.reasons]
        lines += [f"- Nearest O*NET task: \"{q['text']}\" ({q['cite']})" for q in self.onet]
        lines += [f"- What would change the answer: {c.text}" for c in self.counterfactuals]
        if self.programme:
            lines.append(f"- {self.programme}")
        lines += [f"- {d}" for d in self.cost_differences]
        return lines


def _pct(x: float) -> str:
    return f"{x:.0%}"


_NAMES: dict[str, str] = {}


def _quote(name: str, width: int = 60) -> str:
    name = " ".join(name.split())
    return "'" + (name if len(name) <= width else name[:width - 1].rstrip() + "…") + "'"


def _ids(items: list[str], limit: int = 5) -> str:
    """Plan items as the reader knows them: quoted task names (or sentences of a brief), never
    internal ids."""
    shown = ", ".join(_quote(_NAMES.get(i, i)) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _names(profile: Profile) -> dict[str, str]:
    out = {item.id: item.name for item in profile.items}
    out.update({r.id: r.name for r in profile.resources})
    return out


def _reasons(m: Measured | None, f: Features, sig: dict[str, Signal], ntcp: dict[str, str],
             vocab_labels: dict[str, str]) -> list[Reason]:
    out: list[Reason] = []
    ge = f.group_effort or {}
    domain_total = ge.get("development", 0) + ge.get("it_operations", 0) + ge.get("non_it", 0)
    domain_total = max(domain_total, MIN_DOMAIN_SHARE * f.total_effort)  # as the shares are computed
    # technology
    t = sig["technology"]
    text = f"Technology (NTCP: {ntcp['technology']}): "
    parts = []
    if f.n_items:
        parts.append(f"{_pct(f.dev_share)} of the domain work is development"
                     + (f" ({ge.get('development', 0):.0f} of {domain_total:.0f} person-days; {f.n_dev} tasks"
                        f"{', e.g. ' + _ids(m.dev_items, 4) if m and m.dev_items else ''})" if m else ""))
    if f.n_newtech:
        markers = ", ".join(f"'{mk}' (in {_quote(_NAMES.get(where, where), 40)})"
                            for where, mk in (m.newtech[:4] if m else []))
        parts.append(f"{f.n_newtech} new-technology markers" + (f": {markers}" if markers else ""))
    if f.n_wide_spread:
        parts.append(f"{f.n_wide_spread} development tasks have wide three-point estimates "
                     f"(pessimistic - optimistic >= likely)")
    if f.risk_spread is not None:
        parts.append(f"the risk simulation's P90 is {_pct(f.risk_spread)} beyond its P50")
    out.append(Reason("technology", text + ("; ".join(parts) or "no development work found"),
                      tuple((m.dev_items[:10] + m.wide_items[:5]) if m else ()), t.value))
    # engineering
    e = sig["engineering"]
    parts = [f"{_pct(f.eng_effort_share)} of the work (project management aside) is development or done by engineers"]
    if m and m.eng_resources:
        parts.append(f"engineering resources: {_ids(m.eng_resources, 6)} ({_pct(f.eng_resource_share)} of the "
                     f"resource units)")
    if f.n_spec:
        parts.append(f"{f.n_spec} specification/architecture tasks"
                     + (f" ({_ids(m.spec_items, 4)})" if m else ""))
    out.append(Reason("engineering", "Engineering depth: " + "; ".join(parts),
                      tuple(m.spec_items[:6] + m.eng_resources[:6]) if m else (), e.value))
    # IT operations
    i = sig["it_operations"]
    it_domains = [(d, v) for d, v in (m.domain_effort.items() if m else []) if d in vocab_labels
                  and vocab_labels[d].startswith("it:")]
    it_domains.sort(key=lambda kv: -kv[1])
    breakdown = ", ".join(f"{vocab_labels[d][3:]} {v:.0f} person-days" for d, v in it_domains[:3])
    out.append(Reason("it_operations",
                      f"IT operations: {f.n_it} of {f.n_tasks} tasks are IT-operations work, "
                      f"{_pct(f.it_share)} of the domain work" + (f" ({breakdown})" if breakdown else "")
                      + (f", e.g. {_ids(m.it_items, 4)}" if m and m.it_items else ""),
                      tuple(m.it_items[:10]) if m else (), i.value))
    # business
    b = sig["business"]
    parts = [f"{f.n_business} business stakeholders" + (f" ({_ids(m.business, 4)})" if m and m.business else "")]
    parts.append(f"{f.n_technical_people} technical")
    if f.n_approvals:
        parts.append(f"{f.n_approvals} business approvals" + (f" ({_ids(m.approvals, 3)})" if m else ""))
    parts.append(f"{f.n_objectives} stated objectives")
    out.append(Reason("business", "Business-stakeholder mix: " + "; ".join(parts),
                      tuple(m.business[:6]) if m else (), b.value))
    # non-IT
    n = sig["non_it"]
    non_domains = [(d, v) for d, v in (m.domain_effort.items() if m else []) if d in vocab_labels
                   and vocab_labels[d].startswith("non:")]
    non_domains.sort(key=lambda kv: -kv[1])
    breakdown = ", ".join(f"{vocab_labels[d][4:]} {v:.0f} person-days" for d, v in non_domains[:3])
    out.append(Reason("non_it", f"Non-IT work: {_pct(f.nonit_share)} of the domain work"
                      + (f" ({breakdown})" if breakdown else "")
                      + (f", e.g. {_ids(m.nonit_items, 4)}" if m and m.nonit_items else ""),
                      tuple(m.nonit_items[:10]) if m else (), n.value))
    # complexity
    c = sig["complexity"]
    out.append(Reason("complexity",
                      f"Complexity (NTCP: {ntcp['complexity']}): {f.n_tasks} tasks, {f.link_density:.1f} links per "
                      f"task, {f.n_teams} teams, {_pct(f.cross_team_share)} of links cross teams",
                      (), c.value))
    # pace
    p = sig["pace"]
    if f.deadline_slack is not None:
        slack = (f"the critical path ends {_pct(abs(f.deadline_slack))} of its length "
                 f"{'before' if f.deadline_slack >= 0 else 'AFTER'} the deadline")
    else:
        slack = "no deadline given"
    out.append(Reason("pace", f"Pace (NTCP: {ntcp['pace']}): {slack}; {_pct(f.critical_share)} of tasks are "
                      f"critical", (), p.value))
    nv = sig["novelty"]
    parts = []
    if m and m.novel:
        parts.append("new-product words: " + ", ".join(m.novel[:4]))
    if m and m.derivative:
        parts.append("derivative words: " + ", ".join(m.derivative[:4]))
    out.append(Reason("novelty", f"Novelty (NTCP: {ntcp['novelty']}): " + ("; ".join(parts) or "no novelty cues"),
                      (), nv.value))
    return out


def _decisive(scores: dict[str, RoleScore], level: int) -> RoleScore:
    """The role score that set the required level."""
    if level == 3 or (level == 2 and scores["it"].score < THRESHOLDS["it"]):
        return scores["technical"]
    return scores["it"] if level == 2 else scores["general"]


def _order_reasons(reasons: list[Reason], scores: dict[str, RoleScore], level: int) -> list[Reason]:
    """Decisive signals first: those that drove the required role, then the rest by weight."""
    decisive = _decisive(scores, level).contributions
    rank = {k: -v for k, v in decisive.items() if v >= 0.03}
    return sorted(reasons, key=lambda r: (rank.get(r.signal, 0.0), -r.weight))


def consultation_questions(f: Features, sig: dict[str, Signal], conf: Confidence, scores: dict[str, RoleScore],
                           name: str, j: Judgement | None = None) -> list[str]:
    """The questions an expert would ask in a one-to-one consultation, for a low-confidence case."""
    q = [f"Consultation brief: which kind of project manager does '{name}' need?"]
    if j is not None:
        q.append(f"pmfit's reading (confidence {conf.level}, {conf.value:.2f}): "
                 + ", ".join(f"{ROLE_LABELS[c]} {pct(j.proba[c])}" for c in ROLES) + ".")
        if j.question:
            q.append(f"The deciding question between {article(j.role)} {ROLE_LABELS[j.role]} and "
                     f"{article(j.runner_up)} {ROLE_LABELS[j.runner_up]}: {j.question}")
    else:
        q.append(f"pmfit's reading (confidence {conf.level}, {conf.value:.2f}): technical need "
                 f"{scores['technical'].score:.2f} (threshold {THRESHOLDS['technical']}), IT need "
                 f"{scores['it'].score:.2f} (threshold {THRESHOLDS['it']}).")
    q.append("Questions for the expert to ask:")
    q.append("1. What will the team build, install or change? Name the three largest pieces of work and who "
             "does them (developers, IT operations, vendors, facilities, marketing...).")
    q.append("2. Is any of the technology new to the organisation or unproven? Which parts could fail "
             "technically, and who would spot it first? (NTCP technology)")
    q.append("3. Who must agree or sign off, and are they technical or business people? How often will "
             "the PM have to translate between the two?")
    q.append("4. How many teams and vendors are involved, and how tightly do their tasks depend on each "
             "other? (NTCP complexity)")
    q.append("5. What happens if the deadline slips by a month? (NTCP pace: regular, competitive, "
             "time-critical or blitz)")
    q.append("6. Is the outcome an improvement of something existing, a new platform or new to the "
             "market? (NTCP novelty)")
    for missing in conf.missing:
        q.append(f"- Information that would raise confidence: {missing}")
    return q


def judgement_of(profile: Profile, data: RoleData) -> tuple[Judgement, list[WhatIf]] | None:
    """The reading of a brief or plan by the shipped model, with what-ifs for its strongest reasons
    (None for an interview or without a model)."""
    if data.model is None or data.cues is None or profile.source == "interview":
        return None
    reading = read(profile_text(profile), data.vocabulary, data.cues)
    j = judge(reading, data.model, data.cues)
    return j, what_ifs(reading, j, data.model, data.cues, data.vocabulary)


def _confidence_from(j: Judgement, f: Features, unread: list[str]) -> Confidence:
    """The judgement's calibrated probability as the advice's confidence (levels: high >= 0.8,
    medium >= 0.6, low below; with little to read, never above low)."""
    # calibrated on briefs (out-of-fold); a plan's reading has no calibration set of its own, and no
    # reading is ever certain
    value = min(j.confidence, 0.95 if f.source == "plan" else 0.99)
    level_name = "high" if value >= 0.8 else "medium" if value >= 0.6 else "low"
    if j.evidence < MIN_EVIDENCE:
        level_name = "low"
    second = j.proba[j.runner_up]
    missing: list[str] = []
    if j.evidence < MIN_EVIDENCE:
        missing.append("more detail on what the work is: what gets built, installed, configured or organised, "
                       "and for whom")
    if j.close_call and j.question:
        missing.append(f"the answer to the deciding question: {j.question}")
    if unread and f.source == "plan":
        missing.append(f"descriptions, tags or a `domain:` for the {len(unread)} tasks pmfit could not read "
                       f"(e.g. {_ids(unread, 4)})")
    read_share = f.classified_effort / f.total_effort if f.total_effort > 0 else 0.0
    return Confidence(value, level_name, value - second, min(1.0, j.evidence / MIN_EVIDENCE), read_share,
                      tuple(missing))


def _judgement_reasons(j: Judgement) -> list[Reason]:
    out = [Reason(f"reading:{a.feature}", a.sentence(), a.quotes, a.weight) for a in j.reasons]
    if j.silent_on:
        out.append(Reason("reading:silent", "Nothing in the text about " + "; ".join(j.silent_on)
                          + f" (which would point away from {article(j.role)} {ROLE_LABELS[j.role]})", (), 0.0))
    out += [Reason(f"counter:{a.feature}", a.sentence(counter=True), a.quotes, a.weight) for a in j.counters]
    return out


def _judgement_counterfactuals(j: Judgement, ifs: list[WhatIf]) -> list[Counterfactual]:
    """What the text would read as without the phrases behind its strongest reasons (re-read, not guessed)."""
    out = []
    for w in ifs:
        words = ", ".join(repr(q) for q in w.quotes[:3])
        if w.role != j.role:
            text = (f"without {words} ({w.label}) the text would read as {article(w.role)} {ROLE_LABELS[w.role]}'s "
                    f"work ({pct(w.probability)})")
        else:
            text = (f"even without {words} ({w.label}) it would still read as {article(w.role)} "
                    f"{ROLE_LABELS[w.role]}'s work ({pct(w.probability)})")
        out.append(Counterfactual(w.feature, j.proba[j.role], w.probability, w.role, text))
    if j.question:
        other = j.runner_up
        out.append(Counterfactual("deciding_question", j.proba[j.role], j.proba[other], other,
                                  f"if the answer to the deciding question points the other way, this would be "
                                  f"{article(other)} {ROLE_LABELS[other]}"))
    return out


def advise_profile(profile: Profile, data: RoleData, *, allocation: float | None = None,
                   features: Features | None = None, measured: Measured | None = None) -> Advice:
    """Advice for a profile (or for ready-made features, as the interview gives)."""
    vocab = data.vocabulary
    _NAMES.clear()
    _NAMES.update(_names(profile))
    m = measured if measured is not None else (measure(vocab, profile) if features is None else None)
    f = features if features is not None else (m.features if m is not None else Features())
    sig = signals_from_features(f)
    scores = role_scores(sig, f)
    jw = judgement_of(profile, data) if features is None else None
    j, ifs = jw if jw is not None else (None, [])
    level = CAPABILITY[j.role] if j is not None else required_level(scores)
    costs = cost_table(data.salaries, currency=profile.currency, location=profile.location,
                       organisation=profile.organisation, team_size=f.team_size,
                       duration_days=f.duration_days, days_per_year=f.days_per_year, allocation=allocation)
    yearly = {r: c.yearly for r, c in costs.costs.items()}
    role = cheapest_sufficient(level, yearly)
    ntcp = ntcp_levels(sig)
    unread = m.unread if m else []
    conf = _confidence_from(j, f, unread) if j is not None else confidence(f, scores, level, unread)
    labels = {}
    for d, meta in vocab.domains.items():
        group = meta.get("group")
        if group == "it_operations":
            labels[d] = "it:" + str(meta.get("label", d))
        elif group == "non_it":
            labels[d] = "non:" + str(meta.get("label", d))
    structural = _order_reasons(_reasons(m, f, sig, ntcp, labels), scores, level)
    if j is not None:
        reasons = _judgement_reasons(j)
        if profile.source == "plan":
            reasons += [r for r in structural if r.signal in ("engineering", "business", "complexity", "pace")]
    else:
        reasons = structural
    if profile.source != "plan":  # a brief's work items are its sentences: show them, not their ids
        reasons = [Reason(r.signal, r.text, tuple(_NAMES.get(i, i) for i in r.items), r.weight) for r in reasons]
    # O*NET: the recommended role's statements nearest to the project's work and its main domains
    # (query: the O*NET-style "anchor" words of the project's largest domains in the group that
    # decided the role, plus the words of the text when there is a reading)
    group = {3: ("development",), 2: ("it_operations",), 1: ("non_it", "management")}[level]
    effort = m.domain_effort if m else {}
    top_domains = sorted((d for d in vocab.domains if vocab.group_of(d) in group),
                         key=lambda d: -effort.get(d, 0.0))[:2]
    query = " ".join(str(vocab.domains[d].get("anchor", "")) for d in top_domains)
    onet = quote_statements(vocab, role, query)
    cfs = _judgement_counterfactuals(j, ifs) if j is not None else counterfactuals(f, yearly)
    required = ["general", "it", "technical"][level - 1]
    missing_caps = {r: CAPABILITY_TEXT[required] for r in ROLES if CAPABILITY[r] < level}
    differences = describe_cost_difference(costs, role, missing_caps)
    rec_cost = costs.costs[role]
    decisive = scores["technical"] if level == 3 else scores["it"] if level == 2 else None
    if j is not None:
        if j.evidence == 0:
            why = ("the text says too little about the work to tell which kind of PM it needs, so pmfit "
                   "falls back to the least specialised role")
        else:
            top = j.reasons[0] if j.reasons else None
            why = (f"the work reads as {top.label} ({', '.join(repr(q) for q in top.quotes[:3])})" if top and
                   top.quotes else f"the reading of the text points to {article(j.role)} {ROLE_LABELS[j.role]}")
            why += (f"; probabilities {', '.join(f'{ROLE_LABELS[c]} {pct(j.proba[c])}' for c in ROLES)}")
    elif level == 2 and scores["it"].score < THRESHOLDS["it"]:
        why = (f"its technical need ({scores['technical'].score:.2f}) is more than a general PM covers "
               f"({GENERAL_TECH_CEILING:.2f}) but below the technical PM threshold ({THRESHOLDS['technical']:.2f})")
    elif decisive is not None:
        top_sig = max(decisive.contributions, key=lambda k: decisive.contributions[k])
        why = (f"its {ROLE_LABELS[decisive.role].replace(' PM', '')} need is {decisive.score:.2f}, at or above the "
               f"{decisive.threshold:.2f} capability threshold (driven most by {sig[top_sig].label})")
    else:
        why = (f"its technical need ({scores['technical'].score:.2f} < {GENERAL_TECH_CEILING:.2f}) and IT need "
               f"({scores['it'].score:.2f} < {THRESHOLDS['it']:.2f}) stay within what a general PM covers")
    art = article(role)
    decision = (f"Recommendation: {art} {ROLE_LABELS[role]} (confidence {conf.level}, {conf.value:.2f}) for "
                f"{profile.name}: {why}. Capability first, then cost: {art} {ROLE_LABELS[role]} is the "
                f"cheapest role that covers {CAPABILITY_TEXT[required]}. Loaded cost "
                f"{costs.currency} {rec_cost.yearly:,.0f} a year; {rec_cost.allocation:.2f} FTE for "
                f"{rec_cost.years * 12:.1f} months = {costs.currency} {rec_cost.project:,.0f} for this project"
                + (f". {costs.currency_note}." if costs.currency_note else "."))
    if j is not None and j.close_call and j.question:
        other = j.runner_up
        decision += (f" This is a close call between {art} {ROLE_LABELS[role]} ({pct(j.proba[role])}) and "
                     f"{article(other)} {ROLE_LABELS[other]} ({pct(j.proba[other])}). The deciding question: "
                     f"{j.question} Answer it in a short interview (`pmfit advise --interview`) or add that "
                     f"detail to the text.")
    prog = programme_note(f, rec_cost.allocation, ntcp["complexity"])
    notes = list(costs.notes) + list(profile.notes)
    if profile.requested_role is not None:
        asked = profile.requested_role
        if asked == role:
            notes.append(f"the text asks for {article(asked)} {ROLE_LABELS[asked]}, and the work "
                         f"described needs one")
        else:
            gap = costs.costs[asked].yearly - costs.costs[role].yearly
            verdict = (f"costs {costs.currency} {abs(gap):,.0f} a year more than needed" if CAPABILITY[asked] >
                       CAPABILITY[role] else "may lack the capability the work needs")
            notes.append(f"the text asks for {article(asked)} {ROLE_LABELS[asked]}, but the work "
                         f"described needs {art} {ROLE_LABELS[role]}: the {ROLE_LABELS[asked]} "
                         f"{verdict}")
    if profile.source != "plan" and j is None:
        notes.append(f"advice from a {profile.source}, not a plan: confidence is scaled down; a plan file gives "
                     f"firmer advice")
    show_consultation = conf.level == "low" or (j is not None and j.close_call)
    consultation = consultation_questions(f, sig, conf, scores, profile.name, j) if show_consultation else []
    return Advice(
        project=profile.name, source=profile.source, recommended=role, required_level=level, scores=scores,
        signals=sig, ntcp=ntcp, features=f, confidence=conf, reasons=reasons, onet=onet, counterfactuals=cfs,
        programme=prog, cost=costs, cost_differences=differences, decision=decision,
        frameworks=(NTCP, WIDEMAN, "capability thresholds first, then cost"),
        consultation=consultation, notes=notes, attribution=vocab.attribution,
        domain_effort=dict(m.domain_effort) if m else {}, start=profile.start, finish=profile.finish,
        requested_role=profile.requested_role, judgement=j,
    )


def advise(plan: Plan, data: RoleData, *, risk_spread: float | None = None,
           allocation: float | None = None) -> Advice:
    """Which kind of PM this plan needs (pure: the caller passes the reference data)."""
    profile = profile_from_plan(plan, risk_spread=risk_spread)
    return advise_profile(profile, data, allocation=allocation)
