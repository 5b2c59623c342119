"""Charts beyond the Gantt: finish distribution and tornado, S-curve, resource usage.

Each is drawn as SVG by :mod:`pmfit.report.svg` from the very result the facts were read
from, so a chart never shows a different number.
"""

from __future__ import annotations

from pmfit.report.document import Chart
from pmfit.report.facts import StatusFacts


def charts(facts: StatusFacts) -> dict[str, Chart]:
    from pmfit.report.svg.charts import (
        distribution_from_risk,
        s_curve_from_ev,
        tornado_from_risk,
        usage_from_level,
    )

    results = facts.results
    out: dict[str, Chart] = {}
    if results is None:
        return out
    risk = results.risk
    if risk is not None:
        out["distribution"] = Chart(
            distribution_from_risk(risk, f"Finish-date distribution ({risk.iterations:,} runs)", uid="report-dist")
            + tornado_from_risk(risk, uid="report-tornado"),
            "Histogram of simulated finish dates with cumulative curve, P50 and P80 marked, and a tornado "
            "of the tasks that drive the finish",
            "Top: simulated finish dates (bars) and the chance of finishing by each date (line). "
            "Bottom: tasks ranked by how strongly their duration moves the finish (Spearman).")
    evm = results.evm
    if evm is not None:
        out["scurve"] = Chart(s_curve_from_ev(evm, uid="report-scurve"),
                              "S-curve of planned value, earned value and actual cost with the forecast",
                              "Planned value (baseline), earned value and actual cost to the status date, "
                              "with the forecast to completion.")
    level = results.leveled
    if level is not None and level.delays():
        out["usage"] = Chart(usage_from_level(level, uid="report-usage"),
                             "Resource usage before and after leveling, with capacity lines",
                             "Units in use per resource before (unleveled) and after leveling; "
                             "the dashed line is the capacity.")
    return out


def forecast_chart(facts: StatusFacts) -> Chart | None:
    """The executive report's one chart: when the project finishes, in plain words (None without a simulation)."""
    from pmfit.report.svg.charts import distribution_from_risk

    risk = facts.results.risk if facts.results is not None else None
    if risk is None:
        return None
    svg = distribution_from_risk(risk, f"Finish forecast: {risk.iterations:,} simulated runs of the plan",
                                 uid="exec-forecast",
                                 labels=("today's schedule", "even odds", "promise (4 in 5)"))
    return Chart(svg, "Finish forecast: how often the simulated plan finished on each date",
                 "Bars: how often the plan finished on each date; line: the chance of finishing by that date. "
                 "Marked: today's schedule, the date we are as likely to beat as to miss (even odds) and "
                 "the date we can promise with 4-in-5 confidence.")
