"""Schedule-risk charts: finish-date histogram with its cumulative curve, and the tornado."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmfit.report.charts.style import ACCENT, BASELINE, CRITICAL, NORMAL, PALETTE, pyplot

if TYPE_CHECKING:
    from pmfit.engine.risk.result import RiskResult


def finish_histogram(ax: Any, result: RiskResult) -> None:
    """Histogram of the finish, S-curve on a second axis, P50/P80 and the plan's own finish marked.

    The axis runs in working days (no gaps for weekends and holidays); its
    ticks are labelled with the calendar dates when the network has a calendar.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    mpd = result.minutes_per_day
    x = result.finish / mpd

    def at(minutes: float) -> float:
        return minutes / mpd

    if result.network.calendar is not None:
        def label(value: float, _pos: int) -> str:
            date = result.date(max(value, 0.0) * mpd)
            return f"{date:%d %b}\n{date:%Y}" if date is not None else f"{value:g}"

        ax.xaxis.set_major_formatter(FuncFormatter(label))
        ax.set_xlabel("project finish (axis in working days)")
    else:
        ax.set_xlabel("project finish (working days from the start)")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
    x = np.asarray(x, dtype=float)
    bins = int(min(60, max(10, len(np.unique(x)))))
    ax.hist(x, bins=bins, color=NORMAL, alpha=0.75, edgecolor="white", linewidth=0.4)
    ax.set_ylabel("iterations")
    curve = ax.twinx()
    xs = np.sort(x)
    curve.plot(xs, np.arange(1, len(xs) + 1) / len(xs), color=PALETTE["black"], linewidth=1.4)
    curve.set_ylim(0, 1.02)
    curve.set_ylabel("probability of finishing by")
    curve.grid(False)
    curve.spines["right"].set_visible(True)
    for p, colour in ((50, ACCENT), (80, CRITICAL)):
        value = at(result.percentile(p))
        curve.axvline(value, color=colour, linewidth=1.6, linestyle="--")
        curve.annotate(f"P{p}", (value, p / 100), xytext=(4, -12), textcoords="offset points",
                       color=colour, fontweight="bold")
    det = at(result.deterministic_finish)
    curve.axvline(det, color=BASELINE, linewidth=1.4, linestyle=":")
    curve.annotate("plan (CPM)", (det, 0.95), xytext=(4, 0), textcoords="offset points", color=BASELINE)
    ax.set_title(f"Finish over {result.iterations:,} iterations")


def tornado(ax: Any, result: RiskResult, top: int = 10) -> None:
    """Horizontal bars: Spearman correlation of each task's duration with the finish, largest on top."""
    rows = [r for r in result.drivers(top) if r["sensitivity"] != 0]
    names = [(r["name"][:34] + "…") if len(r["name"]) > 35 else r["name"] for r in rows]
    values = [r["sensitivity"] for r in rows]
    y = np.arange(len(rows))
    ax.barh(y, values, color=[CRITICAL if v > 0 else NORMAL for v in values], height=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.axvline(0, color=PALETTE["black"], linewidth=0.8)
    for yi, row in zip(y, rows, strict=True):
        ax.annotate(f"crit {row['criticality']:.0%}", (row["sensitivity"], yi), xytext=(4, -3),
                    textcoords="offset points", fontsize=7, color=PALETTE["black"])
    ax.set_xlim(min(0.0, *values, 0.0) * 1.25 if values else -1, max(0.05, *values) * 1.35 if values else 1)
    ax.set_xlabel("rank correlation with the finish (Spearman)")
    ax.set_title("What drives the finish")
    if not rows:
        ax.text(0.5, 0.5, "no uncertain task on a critical path", ha="center", va="center",
                transform=ax.transAxes)


def risk_figure(result: RiskResult, title: str | None = None, top: int = 10) -> Any:
    """Both panels side by side."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.25, 1]})
    finish_histogram(left, result)
    tornado(right, result, top)
    if title:
        fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig

