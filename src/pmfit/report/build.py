"""Build a status report for an audience, in a format: the one entry point behind CLI and API."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pmfit.report.document import Chart, Document
from pmfit.report.facts import StatusFacts

if TYPE_CHECKING:
    from pmfit.model.plan import Plan, Stakeholder

Audience = Literal["technical", "executive"]
Format = Literal["md", "html", "pdf"]
GANTT_WEEKS = 8
GANTT_ROWS = 40


class UnknownStakeholder(ValueError):
    """``--for`` names nobody in the plan's stakeholders."""


def find_stakeholder(plan: Plan, name: str) -> Stakeholder:
    """A stakeholder by name or role, case-insensitive."""
    from pmfit.model.diagnostics import did_you_mean

    wanted = name.strip().lower()
    for s in plan.stakeholders:
        if s.name.lower() == wanted or (s.role or "").lower() == wanted or _initials(s.role) == wanted:
            return s
    for s in plan.stakeholders:
        if wanted in s.name.lower() or (s.role and wanted in s.role.lower()):
            return s
    names = [s.name for s in plan.stakeholders]
    raise UnknownStakeholder(f"no stakeholder {name!r} in the plan{did_you_mean(name, names)}"
                             + (f" (stakeholders: {', '.join(names)})" if names else " (it lists none)"))


def charts(facts: StatusFacts) -> dict[str, Chart]:
    """The report charts as inline SVG, drawn by pmfit from the same results the facts quote."""
    from pmfit.report import extra_charts
    from pmfit.report.svg.gantt import GanttRow, GanttView, gantt_svg

    out: dict[str, Chart] = {}
    bars = facts.chart_data.get("gantt", [])
    if isinstance(bars, list) and bars:
        rows = [GanttRow(id=b["id"], name=b["name"], start=b["start"], finish=b["finish"], critical=b["critical"],
                         milestone=b.get("milestone", False), percent_complete=b.get("percent_complete"),
                         baselines=(("baseline", b["baseline_start"], b["baseline_finish"]),)
                         if b.get("baseline_start") and b.get("baseline_finish") else ())
                for b in bars]
        as_of = facts.as_of
        start = max(min(r.start for r in rows), as_of - dt.timedelta(days=7))
        window = (start, start + dt.timedelta(weeks=GANTT_WEEKS))
        shown = sorted((r for r in rows if r.finish >= window[0] and r.start <= window[1]),
                       key=lambda r: (r.start, r.finish))[:GANTT_ROWS]
        svg = gantt_svg(shown, view=GanttView(zoom="fit", width=900, label_width=240, window=window,
                                              status_date=as_of, show_links=False, uid="report-gantt",
                                              title=f"Next {GANTT_WEEKS} weeks"))
        out["gantt"] = Chart(svg, "Gantt chart of the next weeks with the critical path highlighted",
                             f"Tasks active from {window[0]:%d %b} to {window[1]:%d %b %Y}; "
                             "hatched vermillion bars set the finish date.")
    out.update(extra_charts.charts(facts))
    return out


def documents(facts: StatusFacts, with_charts: bool = True, forecast: bool = True) -> dict[Audience, Document]:
    """Both reports from one set of facts (``forecast``: the executive page's one chart)."""
    from pmfit.report.executive import executive_document
    from pmfit.report.extra_charts import forecast_chart
    from pmfit.report.technical import technical_document

    chart_map = charts(facts) if with_charts else {}
    return {"technical": technical_document(facts, chart_map),
            "executive": executive_document(facts, forecast_chart(facts) if forecast else None)}


def render(doc: Document, format: Format) -> str | bytes:
    if format == "md":
        from pmfit.report.markdown import render_markdown

        return render_markdown(doc)
    if format == "html":
        from pmfit.report.html import render_html

        return render_html(doc)
    if format == "pdf":
        from pmfit.report.pdf import render_pdf

        return render_pdf(doc)
    raise ValueError(f"unknown report format {format!r} (md, html or pdf)")


def check_report_options(audience: str | None, format: str) -> None:
    """Refuse an unknown audience or format before any fact is gathered (that takes seconds)."""
    if audience is not None and audience not in ("technical", "executive"):
        raise ValueError(f"unknown audience {audience!r} (technical or executive)")
    if format not in ("md", "html", "pdf"):
        raise ValueError(f"unknown report format {format!r} (md, html or pdf)")


def build_report(
    plan: Plan | None,
    audience: Audience | None = None,
    format: Format = "md",
    *,
    for_stakeholder: str | None = None,
    facts: StatusFacts | None = None,
    as_of: dt.date | dt.datetime | None = None,
    previous: Plan | None = None,
    iterations: int | None = None,
    seed: int | None = None,
) -> str | bytes:
    """A status report as text (md, html) or bytes (pdf).

    ``for_stakeholder`` picks the audience from the plan's stakeholders (a
    business stakeholder gets the executive report) and puts first the
    sections that stakeholder cares about.
    """
    cares: list[str] = []
    if for_stakeholder is not None:
        assert plan is not None, "for_stakeholder needs the plan"
        who = find_stakeholder(plan, for_stakeholder)
        audience = audience or ("technical" if who.audience == "technical" else "executive")
        cares = list(who.cares_about)
    audience = audience or "executive"
    if audience not in ("technical", "executive"):  # before the facts: gathering them takes seconds
        raise ValueError(f"unknown audience {audience!r} (technical or executive)")
    if format not in ("md", "html", "pdf"):
        raise ValueError(f"unknown report format {format!r} (md, html or pdf)")
    if facts is None:
        assert plan is not None, "without facts, the report needs the plan"
        from pmfit.report.facts import gather_facts

        facts = gather_facts(plan, as_of=as_of, previous=previous, iterations=iterations, seed=seed)
    # the executive page's chart is for the printed page (HTML, PDF); Markdown stays plain text
    doc = documents(facts, with_charts=audience == "technical", forecast=format != "md")[audience]
    return render(doc.ordered_for(cares), format)


def _initials(role: str | None) -> str:
    """``Chief Financial Officer`` -> ``cfo``, so ``--for CFO`` finds the CFO."""
    if not role:
        return ""
    return "".join(w[0] for w in role.lower().replace("-", " ").split() if w not in ("of", "and", "the", "&"))
