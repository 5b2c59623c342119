"""The executive report: one page for business leaders, in plain words, from :class:`StatusFacts`."""

from __future__ import annotations

from pmfit.report.document import Block, Bullets, Callout, Chart, Document, Paragraph, Section, Table
from pmfit.report.facts import StatusFacts
from pmfit.report.words import days, long_day, money, odds

_TITLE = {"green": "on track", "amber": "needs attention", "red": "off track"}


def executive_document(facts: StatusFacts, forecast: Chart | None = None) -> Document:
    """Build the executive report (one A4 page, with ``forecast`` as its one chart).

    No engine jargon: see :mod:`pmfit.report.glossary`.
    """
    f, s = facts, facts.schedule
    cur = f.currency
    sections: list[Section] = []

    lines: list[str] = []
    finish_word = "finish"
    if s.milestones:
        finish_word = s.milestones[-1].name.lower() if len(s.milestones[-1].name) < 40 else "finish"
    if f.risk is not None:
        target = s.deadline or f.risk.p80
        chance = f.risk.probability_on_time
        if chance is not None and s.deadline is not None:
            lines.append(f"{odds(chance).capitalize()} of {_gerund(finish_word)} by {long_day(s.deadline)}.")
        lines.append(f"The date we can promise with 4-in-5 confidence is {long_day(f.risk.p80)}; "
                     f"the date we are as likely to beat as to miss is {long_day(f.risk.p50)} "
                     f"({f.risk.iterations:,} simulated runs of the plan; the schedule as it stands "
                     f"today finishes on {long_day(s.finish)}).")
        del target
    else:
        lines.append(f"The schedule as it stands today finishes on {long_day(s.finish)}.")
    if s.deadline is not None and s.days_to_deadline is not None:
        if s.days_to_deadline >= 0:
            lines.append(f"The schedule as it stands today finishes {days(s.days_to_deadline)} before the deadline "
                         f"of {long_day(s.deadline)}.")
        else:
            lines.append(f"The schedule as it stands today finishes {days(-s.days_to_deadline)} after the deadline "
                         f"of {long_day(s.deadline)}.")
    if s.baseline_finish is not None and s.finish_variance_days is not None:
        moved = s.finish_variance_days
        direction = "later" if moved > 0 else "earlier"
        lines.append(f"Against the approved plan's finish ({long_day(s.baseline_finish)}), today's schedule "
                     f"finishes {days(abs(moved))} {direction}." if moved else
                     f"The finish matches the approved plan ({long_day(s.baseline_finish)}).")
    if f.forecast_cost is not None:
        cost_line = f"Forecast total cost {money(f.forecast_cost, cur)}"
        if f.budget:
            cost_line += f" against a budget of {money(f.budget, cur)}"
        if f.baseline_cost:
            cost_line += f" (approved plan: {money(f.baseline_cost, cur)})"
        lines.append(cost_line + ".")
    if f.evm is not None:
        lines.append(f"Spent so far {money(f.evm.ac, cur)} for work planned to cost {money(f.evm.ev, cur)}; "
                     f"by now we planned to have done work worth {money(f.evm.pv, cur)}.")
    status_blocks: list[Block] = [
        Callout(f.status, f"Overall {f.status.upper()}: {_TITLE[f.status]}. {f.status_rule}."), Bullets(lines)]
    if forecast is not None:
        status_blocks.append(forecast)
    sections.append(Section("status", "Status at a glance", status_blocks, topics=("status", "go-live", "deadline", "schedule", "date", "timeline", "budget", "cost")))

    if f.objectives:
        sections.append(Section("objectives", "Business objectives", [Table(
            ["Objective", "Status", "Why"],
            [[o.objective, o.status.upper(), o.why] for o in f.objectives])],
            topics=("objectives", "goals", "business", "benefits", "outcome")))

    if f.risk is not None and f.risk.risks:
        items = []
        for event in f.risk.risks[:3]:
            effect = (f"if it does it can move the promised date by about {days(event.p80_impact_days)}"
                      if event.p80_impact_days >= 0.5 else "it would not move the promised date")
            text = f"{event.name}: {odds(event.probability)} it happens; {effect}"
            if event.cost:
                joiner = "and cost" if event.p80_impact_days >= 0.5 else "but would cost"
                text += f" {joiner} {money(event.cost, cur)}"
            if event.mitigation:
                text += f". Response: {event.mitigation.rstrip('. ')}"
            items.append(text + ".")
        sections.append(Section("risks", "Top risks", [Bullets(items)],
                                topics=("risk", "risks", "security", "vendor", "compliance")))
    elif "risk" in f.unavailable:
        sections.append(Section("risks", "Top risks", [Paragraph(f.unavailable["risk"])], topics=("risk",)))

    if f.decisions:
        sections.append(Section("decisions", "Decisions needed", [Table(
            ["Decision", "By", "Why"],
            [[d.what, long_day(d.by) if d.by else "as soon as possible", d.why] for d in f.decisions])],
            topics=("decisions", "approval", "approvals", "budget", "go-live")))
    else:
        sections.append(Section("decisions", "Decisions needed",
                                [Paragraph("No decisions are needed from leadership at this point.")],
                                topics=("decisions",)))

    if f.advice is not None:
        a = f.advice
        alternatives = "; ".join(
            f"{_article(label)} {label} would {'add' if diff > 0 else 'save'} {money(abs(diff), a.currency)} a year"
            for label, diff in a.alternatives.items())
        sections.append(Section("advice", "Who should run this project", [Paragraph(
            f"Recommended: {_article(a.role_label)} {a.role_label} ({money(a.annual_cost, a.currency)} a year, "
            "fully loaded). "
            + (f"By comparison, {alternatives}." if alternatives else "")
            + (f" {a.note}" if a.note else ""))],
            topics=("staffing", "pm", "project manager", "hiring", "people", "cost", "budget")))

    if f.changes is not None and (f.changes.added or f.changes.removed or f.changes.changed):
        c = f.changes
        moved = c.finish_moved_days
        text = (f"Since {c.against}: {len(c.added)} tasks added, {len(c.removed)} removed, "
                f"{len(c.changed)} moved or changed; the finish moved {days(abs(moved))} "
                f"{'later' if moved > 0 else 'earlier'}." if moved else
                f"Since {c.against}: {len(c.added)} tasks added, {len(c.removed)} removed, "
                f"{len(c.changed)} moved or changed; the finish did not move.")
        sections.append(Section("changes", "What changed", [Paragraph(text)], topics=("changes", "scope")))

    footer = (f"Prepared by pmfit from the plan '{f.project}' as of {long_day(f.as_of)}."
              + (f" Dates with confidence levels come from {f.risk.iterations:,} simulated runs of the plan."
                 if f.risk else "")
              + (f" Salary figures: US Bureau of Labor Statistics (OEWS May 2024). {f.advice.attribution}"
                 if f.advice is not None and f.advice.attribution else ""))
    return Document(f"{f.project}: executive status", f"As of {long_day(f.as_of)}", "executive", sections, footer)


def _gerund(word: str) -> str:
    mapping = {"go-live": "going live", "go live": "going live", "golive": "going live", "launch": "launching",
               "release": "releasing", "finish": "finishing", "cut-over": "cutting over", "cutover": "cutting over",
               "move-in": "moving in", "move in": "moving in", "handover": "handing over"}
    for key, value in mapping.items():
        if key in word:
            return value
    return f"reaching '{word}'"


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" or word.startswith(("IT ", "IT-")) else "a"
