"""Charts beyond the Gantt: finish distribution and tornado, S-curve, resource usage.

Each is drawn by the engine's own chart module from the very result the
facts were read from, so a chart never shows a different number.
"""

from __future__ import annotations

from pmfit.report.charts.style import to_svg
from pmfit.report.document import Chart
from pmfit.report.facts import StatusFacts


def charts(facts: StatusFacts) -> dict[str, Chart]:
    results = facts.results
    out: dict[str, Chart] = {}
    if results is None:
        return out
    risk = results.risk
    if risk is not None:
        from pmfit.report.charts.risk import risk_figure

        out["distribution"] = Chart(
            to_svg(risk_figure(risk, title=f"Finish-date distribution and drivers ({risk.iterations:,} runs)")),
            "Histogram of simulated finish dates with cumulative curve, P50 and P80 marked, and a tornado "
            "of the tasks that drive the finish",
            "Left: simulated finish dates (bars) and the chance of finishing by each date (line). "
            "Right: tasks ranked by how strongly their duration moves the finish (Spearman).")
    evm = results.evm
    if evm is not None:
        from pmfit.report.charts.evm import s_curve_figure

        out["scurve"] = Chart(to_svg(s_curve_figure(evm)),
                              "S-curve of planned value, earned value and actual cost with the forecast",
                              "Planned value (baseline), earned value and actual cost to the status date, "
                              "with the forecast to completion.")
    level = results.leveled
    if level is not None and level.delays():
        from pmfit.report.charts.level import level_figure

        out["usage"] = Chart(to_svg(level_figure(level)),
                             "Resource usage before and after leveling, with capacity lines",
                             "Units in use per resource before (unleveled) and after leveling; "
                             "the dashed line is the capacity.")
    return out
