"""The technical report: for engineers and leads, with the engine's own terms, from :class:`StatusFacts`."""

from __future__ import annotations

from pmfit.report.document import Block, Bullets, Callout, Chart, Document, Paragraph, Section, Table
from pmfit.report.facts import StatusFacts
from pmfit.report.words import day, days, long_day, money, percent, ratio


def technical_document(facts: StatusFacts, charts: dict[str, Chart] | None = None) -> Document:
    """Build the technical report; ``charts`` (key -> Chart) are placed in their sections."""
    f, s = facts, facts.schedule
    cur = f.currency
    charts = charts or {}
    sections: list[Section] = []

    summary = [
        f"Start {day(s.start)}, finish of the current schedule {day(s.finish)} ({days(s.duration_days)}"
        + (f"; progress as of {day(f.as_of)}" if f.evm is not None or _has(f, "as_planned") else "") + ").",
        f"Critical path: {len(s.critical_path)} tasks"
        + (f" ({s.critical_path_text})" if s.critical_path_text and s.critical_path else "")
        + f"; near-critical (float ≤ 5d): {len(s.near_critical)}.",
    ]
    if s.deadline is not None and s.days_to_deadline is not None:
        summary.append(f"Deadline {day(s.deadline)}: total float to the deadline {days(s.days_to_deadline)}.")
    if s.finish_variance_days is not None:
        summary.append(f"Finish variance of the current schedule against the baseline "
                       f"({day(s.baseline_finish)}): {days(s.finish_variance_days)}.")
    if s.float_erosion_days:
        summary.append(f"Float erosion since the baseline: {days(s.float_erosion_days)}.")
    if f.risk is not None:
        r = f.risk
        summary.append(f"Simulation ({r.iterations:,} iterations, seed {r.seed}): P50 {day(r.p50)}, "
                       f"P80 {day(r.p80)} (current schedule {day(r.deterministic_finish)}; "
                       f"merge bias {days(r.merge_bias_days)}).")
        if r.probability_on_time is not None:
            summary.append(f"P(finish ≤ deadline) = {percent(r.probability_on_time)}.")
    if f.forecast_cost is not None:
        summary.append(f"Forecast cost {money(f.forecast_cost, cur)}"
                       + (f", budget {money(f.budget, cur)}." if f.budget else "."))
    summary_blocks: list[Block] = [Callout(f.status, f"Status {f.status.upper()}: {f.status_rule}."),
                                   Bullets(summary)]
    if len(f.finishes) > 1:
        summary_blocks.append(Paragraph("Every finish date in this report, and what each one is:"))
        summary_blocks.append(Table(["finish date", "which"], [[day(x.finish), x.label] for x in f.finishes]))
    sections.append(Section("status", "Summary", summary_blocks, topics=("status", "schedule", "deadline")))

    rows = [[t.id, t.name, day(t.start), day(t.finish), f"{t.total_float_days:g}d", t.driver or ""]
            for t in s.critical_path]
    blocks: list[Paragraph | Table | Bullets | Chart | Callout] = [
        Table(["id", "task", "start", "finish", "total float", "driven by"], rows,
              ["left", "left", "left", "left", "right", "left"])]
    if s.near_critical:
        blocks.append(Paragraph("Near-critical tasks (total float ≤ 5 working days):"))
        blocks.append(Table(["id", "task", "start", "finish", "total float", "driven by"],
                            [[t.id, t.name, day(t.start), day(t.finish), f"{t.total_float_days:g}d",
                              t.driver or ""] for t in s.near_critical],
                            ["left", "left", "left", "left", "right", "left"]))
    if "gantt" in charts:
        blocks.append(charts["gantt"])
    if s.diagnostics:
        blocks.append(Bullets([f"Warning: {d}" for d in s.diagnostics]))
    sections.append(Section("critical", "Critical path and near-critical work", blocks,
                            topics=("critical path", "schedule", "dependencies")))

    if f.evm is not None:
        e = f.evm
        evm_rows = [
            ["BAC", money(e.bac, cur)], ["PV", money(e.pv, cur)], ["EV", money(e.ev, cur)],
            ["AC", money(e.ac, cur)], ["SV", money(e.sv, cur)], ["CV", money(e.cv, cur)],
            ["SPI", ratio(e.spi)], ["CPI", ratio(e.cpi)], ["SPI(t)", ratio(e.spi_t)],
            ["EAC", money(e.eac, cur)], ["ETC", money(e.etc, cur)], ["VAC", money(e.vac, cur)],
            ["TCPI", ratio(e.tcpi)], ["Forecast finish (earned schedule)", day(e.forecast_finish)],
        ]
        blocks = [Paragraph(f"Earned value as of {day(e.status_date)}."),
                  Table(["measure", "value"], evm_rows, ["left", "right"])]
        if "scurve" in charts:
            blocks.append(charts["scurve"])
        sections.append(Section("evm", "Earned value", blocks, topics=("cost", "budget", "progress")))
        if e.behind:
            sections.append(Section("behind", "Tasks behind schedule", [Table(
                ["id", "task", "days late", "% complete", "% expected", "driving predecessor"],
                [[b.id, b.name, f"{b.days_late:g}", f"{b.percent_complete:g}", f"{b.expected_percent:g}",
                  b.driving_predecessor or "-"] for b in e.behind],
                ["left", "left", "right", "right", "right", "left"])], topics=("progress", "schedule")))
    elif "evm" in f.unavailable:
        sections.append(Section("evm", "Earned value", [Paragraph(f.unavailable["evm"])]))

    if f.leveling is not None:
        lv = f.leveling
        blocks = [Paragraph(f"Leveled finish {day(lv.finish_after)} versus the current schedule's "
                            f"{day(lv.finish_before)} ({days(lv.delay_days)}); method {lv.method}.")]
        if lv.overallocated:
            blocks.append(Table(["resource", "peak demand", "capacity", "first over-allocated"],
                                [[o.name, f"{o.peak:g}", f"{o.capacity:g}", day(o.first)]
                                 for o in lv.overallocated], ["left", "right", "right", "left"]))
        if lv.delays:
            blocks.append(Table(["id", "task", "delay", "cause"],
                                [[d.id, d.name, f"{d.days:g}d", d.cause] for d in lv.delays[:20]],
                                ["left", "left", "right", "left"]))
        if "usage" in charts:
            blocks.append(charts["usage"])
        sections.append(Section("resources", "Resources: over-allocation and leveling", blocks,
                                topics=("resources", "people", "team", "capacity")))

    if f.risk is not None:
        r = f.risk
        blocks = [Table(["percentile", "finish"], [["P10", day(r.p10)], ["P50", day(r.p50)],
                                                   ["P80", day(r.p80)], ["P90", day(r.p90)]],
                        ["left", "left"])]
        if r.drivers:
            blocks.append(Table(["id", "task", "criticality index", "sensitivity (Spearman)"],
                                [[d.id, d.name, percent(d.criticality), f"{d.sensitivity:.2f}"]
                                 for d in r.drivers], ["left", "left", "right", "right"]))
        if r.risks:
            blocks.append(Table(["risk", "probability", "P80 impact", "cost", "tasks"],
                                [[e.name, percent(e.probability), days(e.p80_impact_days),
                                  money(e.cost, cur) if e.cost else "-", ", ".join(e.tasks)] for e in r.risks],
                                ["left", "right", "right", "right", "left"]))
        for key in ("distribution", "tornado"):
            if key in charts:
                blocks.append(charts[key])
        sections.append(Section("risk", f"Schedule risk ({r.iterations:,} iterations, seed {r.seed})", blocks,
                                topics=("risk", "risks", "uncertainty")))
    elif "risk" in f.unavailable:
        sections.append(Section("risk", "Schedule risk", [Paragraph(f.unavailable["risk"])]))

    if f.changes is not None:
        c = f.changes
        items = ([f"added: {', '.join(c.added)}"] if c.added else []) + \
                ([f"removed: {', '.join(c.removed)}"] if c.removed else []) + \
                [f"changed: {x}" for x in c.changed[:15]] + [f"dependency: {x}" for x in c.link_changes[:15]]
        items.append(f"finish moved {days(c.finish_moved_days)}"
                     + (f"; driven by {', '.join(c.drivers)}" if c.drivers else ""))
        sections.append(Section("changes", f"Changes since {c.against}", [Bullets(items)],
                                topics=("changes", "dependencies", "scope")))

    if f.decisions:
        sections.append(Section("decisions", "Decisions needed", [Table(
            ["decision", "by", "why"],
            [[d.what, long_day(d.by) if d.by else "asap", d.why] for d in f.decisions])],
            topics=("decisions",)))

    if f.advice is not None:
        a = f.advice
        sections.append(Section("advice", "Project-manager fit", [
            Paragraph(f"Recommended: {a.role_label} (confidence {percent(a.confidence)}; "
                      f"{money(a.annual_cost, a.currency)} a year loaded)."),
            Bullets(a.reasons[:6]),
        ], topics=("staffing", "pm")))

    footer = f"pmfit technical status for '{f.project}' as of {day(f.as_of)}."
    if f.advice is not None and f.advice.attribution:
        footer += f" {f.advice.attribution}"
    return Document(f"{f.project}: technical status", f"As of {long_day(f.as_of)}", "technical", sections, footer)


def _has(facts: StatusFacts, key: str) -> bool:
    return any(x.key == key for x in facts.finishes)
