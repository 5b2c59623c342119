"""The report and dashboard charts as SVG: finish distribution, tornado, S-curve, resource usage.

Each chart has a function over plain data (testable against hand-made numbers) and an
adapter over the engine's result object, so a chart never shows a number the engine
did not compute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pmfit.report.svg.canvas import ACCENT, BASELINE, CRITICAL, NORMAL, PALETTE, Canvas, text_width
from pmfit.report.svg.plots import Frame, label_fit, legend_row, nice_ticks, title

if TYPE_CHECKING:
    import numpy.typing as npt

    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.risk.result import RiskResult
    from pmfit.engine.track import EarnedValue


@dataclass(frozen=True)
class Marker:
    """A labelled vertical line at ``value`` (same unit as the chart's x axis)."""

    label: str
    value: float
    colour: str
    dash: str | None = "5 3"


def _money(value: float) -> str:
    return f"{value:,.0f}"


# ---- finish distribution ---------------------------------------------------------------------------------

def distribution_svg(values: npt.ArrayLike, markers: Sequence[Marker], x_name: Callable[[float], str],
                     chart_title: str, x_title: str = "project finish", width: float = 640,
                     height: float = 320, uid: str = "dist") -> str:
    """Histogram of ``values`` with the cumulative share finishing by each value (right axis)."""
    data = np.sort(np.asarray(values, dtype=float).ravel())
    canvas = Canvas(width, height, title=chart_title, uid=uid,
                    description=(f"Histogram of {data.size:,} simulated finishes with the chance of finishing by "
                                 "each date; " + "; ".join(f"{m.label} {x_name(m.value)}" for m in markers)))
    title(canvas, 12, 18, chart_title)
    if data.size == 0:
        canvas.text(width / 2, height / 2, "no simulation results", size=11, text_anchor="middle")
        return canvas.render()
    low = min(float(data[0]), *(m.value for m in markers)) if markers else float(data[0])
    high = max(float(data[-1]), *(m.value for m in markers)) if markers else float(data[-1])
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    pad = (high - low) * 0.04
    low, high = low - pad, high + pad
    bins = int(min(50, max(8, np.unique(data).size)))
    counts, edges = np.histogram(data, bins=bins, range=(low, high))
    top_count = int(counts.max()) if counts.size else 1
    frame = Frame(canvas, 58, 34, width - 58 - 54, height - 34 - 72, (low, high), (0.0, top_count * 1.1))
    x_ticks = nice_ticks(low, high, 6)
    frame.axes(x_ticks, x_name, nice_ticks(0, top_count * 1.1, 5), lambda v: f"{v:,.0f}",
               x_title=x_title, y_title="iterations")
    for count, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if count:
            canvas.rect(frame.x(a) + 0.5, frame.y(float(count)), max(frame.x(b) - frame.x(a) - 1, 0.5),
                        frame.y(0) - frame.y(float(count)), fill=NORMAL, fill_opacity=0.75, class_="bin")
    # cumulative curve on the right axis: share of iterations finishing by x
    share = np.arange(1, data.size + 1) / data.size
    step = max(1, data.size // 400)
    picks = [*list(range(0, data.size, step)), data.size - 1]
    right = Frame(canvas, frame.left, frame.top, frame.width, frame.height, (low, high), (0.0, 1.0))
    canvas.polyline([(right.x(float(data[i])), right.y(float(share[i]))) for i in picks],
                    stroke=PALETTE["black"], stroke_width=1.4, class_="cdf")
    for value in (0.0, 0.25, 0.5, 0.75, 1.0):
        canvas.text(frame.left + frame.width + 6, right.y(value) + 3.5, f"{value:.0%}", size=9, fill="#444444")
    canvas.text(width - 10, frame.top - 8, "chance of finishing by", size=9, text_anchor="end", fill="#444444")
    for marker in markers:
        x = frame.x(marker.value)
        canvas.line(x, frame.top, x, frame.top + frame.height, stroke=marker.colour, stroke_width=1.6,
                    stroke_dasharray=marker.dash, class_="marker")
    legend_row(canvas, frame.left, height - 12,
               [(f"{m.label}: {x_name(m.value)}", m.colour, "dash" if m.dash else "line") for m in markers],
               width - frame.left - 10)
    return canvas.render()


def distribution_from_risk(result: RiskResult, chart_title: str | None = None, uid: str = "dist",
                           labels: tuple[str, str, str] = ("current schedule", "P50", "P80")) -> str:
    """The finish distribution of a simulation: P50, P80 and the schedule's own finish marked.

    The axis runs in working days, so weekends and holidays leave no gaps; ticks are named by date.
    ``labels`` name the three markers (current schedule, P50, P80), e.g. in plain words for executives.
    """
    mpd = result.minutes_per_day

    def name(days: float) -> str:
        when = result.date(max(days, 0.0) * mpd) if result.network.calendar is not None else None
        return f"{when:%d %b %Y}" if when is not None else f"day {days:g}"

    markers = [Marker(labels[0], result.deterministic_finish / mpd, BASELINE, "2 2"),
               Marker(labels[1], result.percentile(50) / mpd, ACCENT),
               Marker(labels[2], result.percentile(80) / mpd, CRITICAL)]
    return distribution_svg(np.asarray(result.finish, dtype=float) / mpd, markers, name,
                            chart_title or f"Finish over {result.iterations:,} simulations", uid=uid)


# ---- tornado ---------------------------------------------------------------------------------------------

def tornado_svg(rows: Sequence[tuple[str, float, str]], chart_title: str = "What drives the finish",
                x_title: str = "rank correlation with the finish (Spearman)", width: float = 560,
                uid: str = "tornado") -> str:
    """Horizontal bars (name, value, note), largest first; positive values in vermillion."""
    row_h = 22.0
    height = 34 + max(len(rows), 1) * row_h + 48
    canvas = Canvas(width, height, title=chart_title, uid=uid,
                    description="; ".join(f"{n}: {v:+.2f} {note}".strip() for n, v, note in rows)
                    or "no uncertain task drives the finish")
    title(canvas, 12, 18, chart_title)
    if not rows:
        canvas.text(width / 2, height / 2, "no uncertain task on a critical path", size=11, text_anchor="middle")
        return canvas.render()
    label_w = 190.0
    values = [v for _, v, _ in rows]
    low, high = min(0.0, *values), max(0.0, *values)
    span = max(high - low, 0.05)
    frame = Frame(canvas, label_w, 34, width - label_w - 70, len(rows) * row_h,
                  (low - 0.05 * span if low < 0 else 0.0, high + 0.05 * span), (0.0, float(len(rows))))
    frame.axes(nice_ticks(frame.x_range[0], frame.x_range[1], 5), lambda v: f"{v:.1f}", [], str, x_title=x_title)
    zero = frame.x(0.0)
    for k, (name, value, note) in enumerate(rows):
        y = frame.top + k * row_h
        x0, x1 = sorted((zero, frame.x(value)))
        canvas.rect(x0, y + 4, max(x1 - x0, 1.0), row_h - 8, fill=CRITICAL if value > 0 else NORMAL,
                    class_="driver")
        canvas.text(label_w - 8, y + row_h / 2 + 4, label_fit(name, label_w - 14, 10), size=10,
                    text_anchor="end", fill=PALETTE["ink"])
        if note:
            canvas.text(x1 + 4, y + row_h / 2 + 4, note, size=9, fill="#444444")
    canvas.line(zero, frame.top, zero, frame.top + frame.height, stroke=PALETTE["black"], stroke_width=1)
    return canvas.render()


def tornado_from_risk(result: RiskResult, top: int = 10, uid: str = "tornado") -> str:
    rows = [(str(r["name"]), float(r["sensitivity"]), f"critical {r['criticality']:.0%}")
            for r in result.drivers(top) if r["sensitivity"] != 0]
    return tornado_svg(rows, uid=uid)


# ---- lines over dates (S-curve) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: Sequence[tuple[dt.date, float]]
    dash: str | None = None


def _ordinal(day: dt.date | dt.datetime) -> float:
    if isinstance(day, dt.datetime):
        return day.toordinal() + (day.hour * 60 + day.minute) / 1440.0
    return float(day.toordinal())


def _date_name(value: float) -> str:
    return f"{dt.date.fromordinal(round(value)):%d %b %y}"


def lines_svg(series: Sequence[Series], chart_title: str, y_title: str,
              levels: Sequence[tuple[str, float, str]] = (), dates: Sequence[Marker] = (),
              width: float = 680, height: float = 340, uid: str = "lines") -> str:
    """Lines over calendar dates, with horizontal ``levels`` (label, value, colour) and dated ``dates`` markers
    (values as ordinals of :class:`datetime.date`)."""
    canvas = Canvas(width, height, title=chart_title, uid=uid,
                    description="; ".join(f"{s.label} ends at {s.points[-1][1]:,.0f}" for s in series if s.points))
    title(canvas, 12, 18, chart_title)
    xs = [_ordinal(d) for s in series for d, _ in s.points] + [m.value for m in dates]
    ys = [v for s in series for _, v in s.points] + [v for _, v, _ in levels]
    if not xs:
        canvas.text(width / 2, height / 2, "no data", size=11, text_anchor="middle")
        return canvas.render()
    x_low, x_high = min(xs), max(xs)
    if x_high - x_low < 1:
        x_low, x_high = x_low - 1, x_high + 1
    y_high = max([*ys, 1.0]) * 1.08
    legend_items = [(s.label, s.colour, "dash" if s.dash else "line") for s in series]
    legend_items += [(f"{label} {_money(value)}", colour, "dot") for label, value, colour in levels]
    legend_items += [(m.label, m.colour, "dash") for m in dates]
    lines_needed = 1 + int(sum(22 + text_width(t, 9) + 12 for t, _, _ in legend_items) // (width - 80))
    frame = Frame(canvas, 72, 32, width - 72 - 18, height - 32 - 44 - 16 * lines_needed,
                  (x_low, x_high), (0.0, y_high))
    month_ticks = _month_ticks(x_low, x_high)
    frame.axes(month_ticks, _date_name, nice_ticks(0, y_high, 5), _money, y_title=y_title)
    for label, value, colour in levels:
        y = frame.y(value)
        canvas.line(frame.left, y, frame.left + frame.width, y, stroke=colour, stroke_width=1,
                    stroke_dasharray="2 2", class_="level")
        del label
    for marker in dates:
        x = frame.x(marker.value)
        canvas.line(x, frame.top, x, frame.top + frame.height, stroke=marker.colour, stroke_width=1.2,
                    stroke_dasharray=marker.dash, class_="marker")
    for s in series:
        if s.points:
            canvas.polyline([(frame.x(_ordinal(d)), frame.y(v)) for d, v in s.points], stroke=s.colour,
                            stroke_width=2, stroke_dasharray=s.dash, class_="series")
    legend_row(canvas, frame.left, frame.top + frame.height + 40, legend_items, width - frame.left - 10)
    return canvas.render()


def _month_ticks(low: float, high: float) -> list[float]:
    first, last = dt.date.fromordinal(int(low)), dt.date.fromordinal(int(high) + 1)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    every = max(1, int(np.ceil(months / 8)))
    out = []
    year, month = first.year, first.month
    for k in range(months + 1):
        if k % every == 0:
            out.append(float(dt.date(year, month, 1).toordinal()))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return [t for t in out if low <= t <= high] or [low, high]


def s_curve_from_ev(result: EarnedValue, uid: str = "scurve") -> str:
    """Planned value, earned value and actual cost to the status date, the cost forecast after it."""
    rows = result.timephased
    status = result.status_date
    series = [Series("PV (planned value)", PALETTE["blue"], [(r.date, r.pv) for r in rows])]
    done = [r for r in rows if r.ev is not None]
    if done:
        series.append(Series("EV (earned value)", PALETTE["green"],
                             [(r.date, float(r.ev or 0)) for r in done] + [(status.date(), result.project.ev)]))
        series.append(Series("AC (actual cost)", PALETTE["vermillion"],
                             [(r.date, float(r.ac or 0)) for r in done] + [(status.date(), result.project.ac)]))
    future = [r for r in rows if r.forecast is not None]
    if future:
        series.append(Series(f"forecast to EAC {_money(result.project.eac)}", PALETTE["vermillion"],
                             [(status.date(), result.project.ac)] + [(r.date, float(r.forecast or 0)) for r in future],
                             dash="5 3"))
    markers = [Marker(f"status date {status:%d %b %Y}", _ordinal(status.date()), PALETTE["black"], "2 2")]
    es = result.schedule
    markers.append(Marker(f"baseline finish {es.planned_finish:%d %b %Y}", _ordinal(es.planned_finish.date()),
                          BASELINE))
    if es.forecast_finish is not None:
        markers.append(Marker(f"forecast finish (earned schedule) {es.forecast_finish:%d %b %Y}",
                              _ordinal(es.forecast_finish.date()), ACCENT))
    return lines_svg(series, f"Earned value against baseline '{result.baseline}'", result.currency,
                     levels=[("BAC", result.project.bac, BASELINE)], dates=markers, uid=uid)


# ---- resource usage before and after leveling ---------------------------------------------------------------

@dataclass(frozen=True)
class UsagePanel:
    """Units in use of one resource: (start, finish, units) segments before and after leveling, in working days
    from the project start (so nights and weekends leave no gaps)."""

    name: str
    capacity: float
    before: Sequence[tuple[float, float, float]]
    after: Sequence[tuple[float, float, float]]


def _steps(segments: Sequence[tuple[float, float, float]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for a, b, units in sorted(segments):
        if not points:
            points.append((a, 0.0))
        elif points[-1][0] < a:
            points += [(points[-1][0], 0.0), (a, 0.0)]
        points += [(a, units), (b, units)]
    if points:
        points.append((points[-1][0], 0.0))
    return points


def usage_svg(panels: Sequence[UsagePanel], chart_title: str, x_name: Callable[[float], str],
              width: float = 680, uid: str = "usage") -> str:
    """One small chart per resource: use before leveling (grey area), after (blue line), capacity (dashed)."""
    panel_h = 92.0
    height = 34 + len(panels) * (panel_h + 14) + 40
    canvas = Canvas(width, height, title=chart_title, uid=uid,
                    description="; ".join(
                        f"{p.name}: peak {max((u for *_, u in p.before), default=0):g} before, "
                        f"{max((u for *_, u in p.after), default=0):g} after, capacity {p.capacity:g}"
                        for p in panels))
    title(canvas, 12, 18, chart_title)
    stamps = [t for p in panels for seg in (*p.before, *p.after) for t in seg[:2]]
    if not stamps:
        canvas.text(width / 2, height / 2, "no resource use", size=11, text_anchor="middle")
        return canvas.render()
    low, high = min(stamps), max(stamps)
    if high - low < 1:
        high = low + 1
    for k, panel in enumerate(panels):
        top = 34 + k * (panel_h + 14)
        peak = max([panel.capacity, *(u for *_, u in panel.before), *(u for *_, u in panel.after)]) * 1.15
        frame = Frame(canvas, 150, top, width - 150 - 18, panel_h - 24, (low, high), (0.0, peak or 1.0))
        frame.axes(nice_ticks(low, high, 7) if k == len(panels) - 1 else [], x_name,
                   nice_ticks(0, peak or 1.0, 3), lambda v: f"{v:g}")
        before = _steps(panel.before)
        if before:
            canvas.polygon([(frame.x(x), frame.y(y)) for x, y in before], fill=BASELINE, fill_opacity=0.4,
                           class_="before")
        after = _steps(panel.after)
        if after:
            canvas.polyline([(frame.x(x), frame.y(y)) for x, y in after], stroke=NORMAL, stroke_width=1.6,
                            class_="after")
        y = frame.y(panel.capacity)
        canvas.line(frame.left, y, frame.left + frame.width, y, stroke=CRITICAL, stroke_width=1,
                    stroke_dasharray="5 3", class_="capacity")
        canvas.text(frame.left - 40, top + panel_h / 2 - 8, label_fit(panel.name, 100, 10), size=10,
                    text_anchor="end", fill=PALETTE["ink"])
    legend_row(canvas, 150, height - 10, [("before leveling", BASELINE, "bar"), ("after leveling", NORMAL, "line"),
                                          ("units available", CRITICAL, "dash")], width - 160)
    return canvas.render()


def usage_from_level(result: LeveledSchedule, max_resources: int = 6, uid: str = "usage") -> str:
    """Resource use before and after leveling; the axis runs in working days and is labelled with dates."""
    calendar = result.calendar
    mpd = result.minutes_per_day
    profiles = sorted(result.profiles.values(), key=lambda p: -(p.peak_before / p.capacity if p.capacity else 0))

    def days(segments: Sequence[tuple[int, int, float]]) -> list[tuple[float, float, float]]:
        return [(a / mpd, b / mpd, float(u)) for a, b, u in segments]

    def name(value: float) -> str:
        if calendar is None:
            return f"day {value:g}"
        return f"{calendar.start_at(round(max(value, 0.0) * mpd)):%d %b %y}"

    panels = [UsagePanel(p.name, float(p.capacity), days(p.before), days(p.after)) for p in profiles[:max_resources]]
    return usage_svg(panels, f"Resource use before and after leveling — finish +{result.added_days:g} working days",
                     name, uid=uid)


__all__ = ["Marker", "Series", "UsagePanel", "distribution_from_risk", "distribution_svg", "lines_svg",
           "s_curve_from_ev", "tornado_from_risk", "tornado_svg", "usage_from_level", "usage_svg"]
