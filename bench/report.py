"""Benchmark: a technical status report, charts drawn as SVG by pmfit vs the same charts through matplotlib.

    .venv/bin/python bench/report.py            # every bundled example, 3 repeats each

For each example plan: the facts are gathered once (leveling, simulation of the remaining
work, earned value, advice: the same for both columns), then timed in CPU seconds:

- gather: ``gather_facts(plan)`` (the engines; warm: numba caches and imports loaded first);
- pmfit SVG: both reports' documents with charts and the HTML rendering (``pmfit.report.svg``);
- matplotlib: the same four charts (Gantt, finish distribution + tornado, S-curve, resource use)
  drawn with matplotlib's figure code that earlier versions used, saved as inline SVG.

The ratio is matplotlib / SVG for the charts; "report" is gather + SVG rendering, the CPU a
user waits for (the target: at most 1 s for html or md).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "src" / "pmfit" / "examples").glob("*.yaml"))


def cpu(fn: Any, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def matplotlib_charts(facts: Any) -> list[str]:
    from pmfit.report.charts.evm import s_curve_figure
    from pmfit.report.charts.gantt import GanttBar, gantt_figure
    from pmfit.report.charts.level import level_figure
    from pmfit.report.charts.risk import risk_figure
    from pmfit.report.charts.style import to_svg

    out = []
    bars = [GanttBar(**bar) for bar in facts.chart_data.get("gantt", [])]
    if bars:
        start = max(min(b.start for b in bars), facts.as_of - dt.timedelta(days=7))
        out.append(to_svg(gantt_figure(bars, "Next 8 weeks", (start, start + dt.timedelta(weeks=8)), facts.as_of)))
    results = facts.results
    if results.risk is not None:
        out.append(to_svg(risk_figure(results.risk)))
    if results.evm is not None:
        out.append(to_svg(s_curve_figure(results.evm)))
    if results.leveled is not None and results.leveled.delays():
        out.append(to_svg(level_figure(results.leveled)))
    return out


def main(repeats: int = 3) -> None:
    import pmfit
    from pmfit.report.build import charts, documents, render
    from pmfit.report.facts import gather_facts

    rows = []
    for path in EXAMPLES:
        plan = pmfit.load(path)
        gather_facts(plan)  # warm: imports, numba caches
        matplotlib_charts(gather_facts(plan))
        gather_time, facts = cpu(lambda plan=plan: gather_facts(plan), repeats)

        def svg_report(facts: Any = facts) -> str:
            docs = documents(facts)
            return str(render(docs["technical"], "html")) + str(render(docs["executive"], "html"))

        svg_time, html = cpu(svg_report, repeats)
        chart_svg_time, _ = cpu(lambda facts=facts: charts(facts), repeats)
        mpl_time, _ = cpu(lambda facts=facts: matplotlib_charts(facts), repeats)
        rows.append((path.stem, len(plan.tasks), gather_time, chart_svg_time, svg_time, mpl_time,
                     gather_time + svg_time, len(html)))
    header = ("plan", "tasks", "gather s", "charts SVG s", "render both s", "charts mpl s", "mpl/SVG",
              "report s", "html KB")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, n, gather, chart_svg, render_s, mpl, report, size in rows:
        print(f"{name} | {n} | {gather:.3f} | {chart_svg:.3f} | {render_s:.3f} | {mpl:.3f} | "
              f"{mpl / max(chart_svg, 1e-6):.0f}x | {report:.3f} | {size / 1024:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
