"""Leveling charts: resource histograms before and after, and a Gantt of the leveled plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmfit.report.charts.style import ACCENT, BASELINE, CRITICAL, NORMAL, pyplot

if TYPE_CHECKING:
    from pmfit.engine.level.result import LeveledSchedule


def _steps(segments: list[tuple[int, int, float]], mpd: int) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for a, b, u in segments:
        if xs and xs[-1] != a / mpd:
            xs += [xs[-1], a / mpd]
            ys += [0.0, 0.0]
        xs += [a / mpd, b / mpd]
        ys += [u, u]
    return xs, ys


def level_figure(result: LeveledSchedule, max_resources: int = 6, max_rows: int = 40) -> Any:
    """A figure: one usage panel per resource (before in grey, after in blue, capacity in
    vermillion) and a Gantt of the leveled tasks with their unleveled position as a thin bar.
    The x axis is working days from the project start."""
    plt = pyplot()
    profiles = list(result.profiles.values())
    # the most contended resources first
    profiles.sort(key=lambda p: -(p.peak_before / p.capacity if p.capacity else 0))
    shown = profiles[:max_resources]
    tasks = sorted((t for t in result.tasks.values() if not t.milestone),
                   key=lambda t: (t.start_minute, t.finish_minute))[:max_rows]
    mpd = result.minutes_per_day
    heights = [1.6] * len(shown) + [max(2.0, 0.22 * len(tasks) + 0.8)]
    fig, axes = plt.subplots(len(heights), 1, figsize=(10, sum(heights) + 0.6), sharex=True,
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    axes = axes[:, 0]
    for ax, profile in zip(axes, shown, strict=False):
        bx, by = _steps(profile.before, mpd)
        ax.fill_between(bx, by, step=None, color=BASELINE, alpha=0.35, label="before leveling", linewidth=0)
        ax.plot(*_steps(profile.after, mpd), color=NORMAL, linewidth=1.6, label="after leveling")
        ax.axhline(profile.capacity, color=CRITICAL, linestyle="--", linewidth=1, label="units available")
        ax.set_ylabel(profile.name[:18], rotation=0, ha="right", va="center")
        ax.set_ylim(0, max(profile.peak_before, profile.capacity) * 1.15 + 0.1)
    if shown:
        axes[0].legend(loc="upper right", fontsize=7, ncol=3, frameon=False)
        axes[0].set_title(f"Resource use before and after leveling — finish +{result.added_days:g} working days")
    gantt = axes[-1]
    for y, t in enumerate(tasks):
        gantt.barh(y + 0.3, (t.unleveled_finish_minute - t.unleveled_start_minute) / mpd,
                   left=t.unleveled_start_minute / mpd, height=0.12, color=BASELINE)
        gantt.barh(y, (t.finish_minute - t.start_minute) / mpd, left=t.start_minute / mpd, height=0.5,
                   color=ACCENT if t.delay > 0 else NORMAL)
    gantt.set_yticks(range(len(tasks)))
    gantt.set_yticklabels([t.id[:24] for t in tasks])
    gantt.invert_yaxis()
    gantt.set_xlabel("working days from the project start (orange = delayed by leveling, grey = unleveled)")
    fig.tight_layout()
    return fig
