"""Gantt chart of a window of weeks, critical path highlighted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pmfit.report.charts.style import ACCENT, CRITICAL, NORMAL, PALETTE, pyplot


@dataclass(frozen=True)
class GanttBar:
    id: str
    name: str
    start: dt.datetime
    finish: dt.datetime
    critical: bool
    milestone: bool = False
    summary: bool = False
    percent_complete: float | None = None
    baseline_start: dt.datetime | None = None
    baseline_finish: dt.datetime | None = None


def gantt_figure(bars: list[GanttBar], title: str, window: tuple[dt.datetime, dt.datetime] | None = None,
                 today: dt.datetime | None = None, max_rows: int = 40) -> Any:
    """A matplotlib figure: one row per task, critical bars in vermillion, milestones as diamonds."""
    plt = pyplot()
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    rows = [b for b in bars if window is None or (b.finish >= window[0] and b.start <= window[1])]
    rows = sorted(rows, key=lambda b: (b.start, b.finish))[:max_rows]
    height = max(2.5, 0.28 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(10, height))
    for y, bar in enumerate(rows):
        colour = CRITICAL if bar.critical else NORMAL
        if bar.milestone:
            ax.plot([mdates.date2num(bar.finish)], [y], marker="D", markersize=7, color=colour, zorder=3)
            continue
        left = mdates.date2num(bar.start)
        width = max(mdates.date2num(bar.finish) - left, 0.05)
        if bar.baseline_start and bar.baseline_finish:
            b_left = mdates.date2num(bar.baseline_start)
            ax.barh(y + 0.28, mdates.date2num(bar.baseline_finish) - b_left, left=b_left, height=0.12,
                    color=PALETTE["grey"], zorder=1)
        ax.barh(y, width, left=left, height=0.55 if not bar.summary else 0.3,
                color=colour if not bar.summary else PALETTE["black"], alpha=0.9, zorder=2,
                hatch="//" if bar.critical and not bar.summary else None, edgecolor="white", linewidth=0)
        if bar.percent_complete:
            ax.barh(y, width * min(bar.percent_complete, 100) / 100, left=left, height=0.18,
                    color=PALETTE["black"], zorder=3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([(b.name[:38] + "…") if len(b.name) > 39 else b.name for b in rows])
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    if window is not None:
        ax.set_xlim(mdates.date2num(window[0]), mdates.date2num(window[1]))
    if today is not None:
        ax.axvline(mdates.date2num(today), color=ACCENT, linewidth=1.5, linestyle="--", zorder=4)
    ax.grid(axis="y", alpha=0)
    ax.set_title(title, loc="left")
    handles = [Patch(facecolor=CRITICAL, hatch="//", edgecolor="white", label="sets the finish date (critical)"),
               Patch(facecolor=NORMAL, label="has room to slip")]
    if today is not None:
        handles.append(Patch(facecolor=ACCENT, label="status date"))
    ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig
