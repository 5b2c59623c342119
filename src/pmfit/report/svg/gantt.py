"""The Gantt chart as SVG, drawn from the engine's own results.

Every task bar is a group that carries the schedule it shows, so tools, tests and the
web app's small script read the engine's numbers straight off the picture::

    <g class="bar" data-task="build" data-start="2027-01-11T08:00" data-finish="2027-02-05T17:00"
       data-critical="true" data-total-float="0" tabindex="0" aria-label="...">

``data-start``/``data-finish`` are the current schedule's ISO date-times (the plan's
wall-clock time: no time zone, so a browser anywhere shows the same day), and
``data-total-float`` is in working minutes. Nothing here schedules: rows come in with
their dates, critical flags and floats already decided by the engine.

Large plans: :class:`GanttView` ``first_row``/``last_row`` draw only a window of rows
while the drawing keeps the full height, so a page can fetch and show just the rows
on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pmfit.report.svg.axis import (
    HEADER_UNITS,
    PIXELS_PER_DAY,
    TimeScale,
    Zoom,
    fit_zoom,
    major_label,
    tick_label,
    ticks,
    zoom_for,
)
from pmfit.report.svg.canvas import (
    ACCENT,
    BASELINE,
    CRITICAL,
    NORMAL,
    PALETTE,
    Canvas,
    escape,
    num,
    shorten,
    text_width,
)

LinkKind = Literal["FS", "SS", "FF", "SF"]
BASELINE_SHADES = ("#8C8C8C", "#B0B0B0", "#6E6E6E")


@dataclass(frozen=True)
class GanttRow:
    """One task as the Gantt shows it; dates are the current schedule's."""

    id: str
    name: str
    start: dt.datetime
    finish: dt.datetime
    critical: bool = False
    total_float: int = 0
    late_finish: dt.datetime | None = None
    milestone: bool = False
    summary: bool = False
    depth: int = 0
    folded: bool = False
    percent_complete: float | None = None
    #: up to three (name, start, finish) baselines, drawn as ghost bars under the task
    baselines: tuple[tuple[str, dt.datetime, dt.datetime], ...] = ()
    #: the leveled position when it differs from the current one
    leveled: tuple[dt.datetime, dt.datetime] | None = None
    #: one line on why the task starts when it does (the engine's ``why``)
    why: str = ""
    #: the scheduled duration in working minutes (an interactive page resizes from it)
    duration: int | None = None


@dataclass(frozen=True)
class GanttLink:
    """A dependency arrow: ``pred`` to ``succ`` of a link type, with its lag as written."""

    pred: str
    succ: str
    type: LinkKind = "FS"
    lag: str = ""


@dataclass(frozen=True)
class GanttView:
    """How to draw: zoom (or ``fit`` into ``width``), the rows to draw, the status date."""

    zoom: Zoom | Literal["fit"] = "week"
    width: float = 1100.0
    label_width: float = 260.0
    row_height: float = 24.0
    first_row: int = 0
    last_row: int | None = None
    status_date: dt.datetime | None = None
    window: tuple[dt.datetime, dt.datetime] | None = None
    title: str = "Gantt chart"
    minutes_per_day: int = 480
    show_links: bool = True
    legend: bool = True
    uid: str = "gantt"
    #: bars are controls on a page (role "button": select, drag, keys) rather than parts of a picture
    interactive: bool = False


HEADER = 44.0
LEGEND_LINE = 20.0


def _days(minutes: int, minutes_per_day: int) -> str:
    days = minutes / minutes_per_day if minutes_per_day else 0.0
    return f"{days:g} working day{'s' if days != 1 else ''}" if days == int(days) else f"{days:.1f} working days"


def _label(row: GanttRow, view: GanttView) -> str:
    kind = "milestone" if row.milestone else "summary task" if row.summary else "task"
    when = (f"{row.finish:%a %d %b %Y}" if row.milestone
            else f"{row.start:%a %d %b %Y} to {row.finish:%a %d %b %Y}")
    slack = "critical" if row.critical else f"total float {_days(row.total_float, view.minutes_per_day)}"
    done = f", {row.percent_complete:g}% complete" if row.percent_complete else ""
    return f"{row.name} ({kind}): {when}, {slack}{done}"


def _tooltip(row: GanttRow, view: GanttView) -> str:
    lines = [_label(row, view)]
    for name, start, finish in row.baselines[:3]:
        lines.append(f"baseline {name}: {start:%d %b %Y} to {finish:%d %b %Y}")
    if row.leveled is not None:
        lines.append(f"leveled: {row.leveled[0]:%d %b %Y} to {row.leveled[1]:%d %b %Y}")
    if row.why:
        lines.append(row.why)
    return "\n".join(lines)


def _window(rows: Sequence[GanttRow], view: GanttView) -> tuple[dt.datetime, dt.datetime]:
    if view.window is not None:
        return view.window
    if not rows:
        today = view.status_date or dt.datetime(2000, 1, 3)
        return today, today + dt.timedelta(days=7)
    first = min(r.start for r in rows)
    last = max(max(r.finish, r.late_finish or r.finish) for r in rows)
    for row in rows:
        for _, start, finish in row.baselines[:3]:
            first, last = min(first, start), max(last, finish)
        if row.leveled is not None:
            first, last = min(first, row.leveled[0]), max(last, row.leveled[1])
    if view.status_date is not None:
        first, last = min(first, view.status_date), max(last, view.status_date)
    pad = dt.timedelta(days=2)
    origin = dt.datetime.combine(first.date(), dt.time()) - pad
    return origin, dt.datetime.combine(last.date(), dt.time()) + pad + dt.timedelta(days=1)


def gantt_svg(rows: Sequence[GanttRow], links: Sequence[GanttLink] = (), view: GanttView | None = None) -> str:
    """The Gantt of ``rows`` (in display order) with ``links`` as SVG text."""
    view = view or GanttView()
    start, end = _window(rows, view)
    span_days = max((end - start).total_seconds() / 86400.0, 1.0)
    chart_width = view.width - view.label_width
    if view.zoom == "fit":
        per_day = fit_zoom(span_days, chart_width)
        zoom: Zoom = zoom_for(per_day)
    else:
        per_day, zoom = PIXELS_PER_DAY[view.zoom], view.zoom
        chart_width = max(chart_width, span_days * per_day)
    scale = TimeScale(start, per_day, view.label_width)
    row_h = view.row_height
    n = len(rows)
    first = max(0, min(view.first_row, n))
    last = n if view.last_row is None else max(first, min(view.last_row, n))
    body_height = n * row_h
    placed = _legend_layout(_legend_items(rows, view), view.label_width + chart_width) if view.legend else []
    legend_height = (max(y for _, y, _, _ in placed) + LEGEND_LINE + 10) if placed else 0.0
    canvas = Canvas(view.label_width + chart_width, HEADER + body_height + legend_height + 4,
                    title=view.title,
                    description=(f"{n} tasks from {start:%d %b %Y} to {end:%d %b %Y}; "
                                 f"{sum(1 for r in rows if r.critical)} critical. "
                                 "Each bar's data attributes hold its scheduled start, finish and float."),
                    css_class="pmfit-gantt", uid=view.uid)
    _defs(canvas, view.uid)
    canvas.defs.append(f'<clipPath id="{escape(view.uid)}-clip"><rect x="{num(view.label_width)}" y="0" '
                       f'width="{num(chart_width)}" height="{num(HEADER + body_height)}"/></clipPath>')
    canvas.add(f'<g class="gantt" data-zoom="{zoom}" data-pixels-per-day="{num(per_day)}" '
               f'data-origin="{start.isoformat(timespec="minutes")}" data-rows="{n}" '
               f'data-row-height="{num(row_h)}" data-header="{num(HEADER)}" '
               f'data-minutes-per-day="{view.minutes_per_day}" data-label-width="{num(view.label_width)}" '
               f'data-first-row="{first}" data-last-row="{last}">')
    _header(canvas, scale, start, end, zoom, body_height)
    positions = {row.id: i for i, row in enumerate(rows)}
    canvas.add('<g class="rows">')
    for i in range(first, last):
        _row(canvas, rows[i], i, scale, view)
    canvas.add("</g>")
    if view.show_links:
        _links(canvas, rows, links, positions, scale, view, first, last)
    if view.status_date is not None:
        x = scale.x(view.status_date)
        canvas.add(f'<g class="status-date" data-date="{view.status_date.isoformat(timespec="minutes")}">')
        if x >= view.label_width:
            canvas.line(x, HEADER - 6, x, HEADER + body_height, stroke=ACCENT, stroke_width=1.5,
                        stroke_dasharray="5 3")
        canvas.add("</g>")
    if placed:
        _legend(canvas, placed, view.uid, HEADER + body_height + 6)
    canvas.add("</g>")
    drawing = canvas.render()
    if view.interactive:  # children of role="img" are hidden from assistive technology: the bars are controls
        drawing = drawing.replace(' role="img"', ' role="group"', 1)
    return drawing


def _defs(canvas: Canvas, uid: str) -> None:
    canvas.defs.append(
        f'<pattern id="{escape(uid)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="' + CRITICAL + '"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2" stroke-opacity="0.45"/></pattern>')
    canvas.defs.append(
        f'<marker id="{escape(uid)}-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#555555"/></marker>')
    canvas.defs.append(
        "<style>.pmfit-gantt .bar:focus{outline:none}.pmfit-gantt .bar:focus rect.body,"
        ".pmfit-gantt .bar:focus polygon.body{stroke:#000;stroke-width:2}"
        ".pmfit-gantt .label{fill:#222}.pmfit-gantt .link{fill:none;stroke:#555;stroke-width:1}</style>")


def _header(canvas: Canvas, scale: TimeScale, start: dt.datetime, end: dt.datetime, zoom: Zoom,
            body_height: float) -> None:
    major, minor = HEADER_UNITS[zoom]
    left, right = scale.left, canvas.width
    canvas.add('<g class="timescale">')
    canvas.rect(0, 0, canvas.width, HEADER, fill="#F6F6F6")
    canvas.text(8, HEADER - 10, "Task", size=11, font_weight="bold", fill=PALETTE["ink"])
    first_day, last_day = start.date(), end.date()
    label_end = -1e9
    for day in ticks(first_day, last_day, major):  # type: ignore[arg-type]
        x = scale.x(dt.datetime.combine(day, dt.time()))
        if x >= right:
            continue
        if x >= left:
            canvas.line(x, 0, x, HEADER + body_height, stroke="#D0D0D0", stroke_width=1)
        text = major_label(day, major)
        text_x = max(left, x) + 4
        next_x = scale.x(dt.datetime.combine(_next(day, major), dt.time()))
        # a label that would run into the next one (a unit mostly before the window) is left out
        if text_x >= label_end and text_x + text_width(text, 10) < max(next_x, text_x + 1) + 2:
            canvas.text(text_x, 15, text, size=10, fill=PALETTE["ink"])
            label_end = text_x + text_width(text, 10) + 6
    minor_days = list(ticks(first_day, last_day, minor))  # type: ignore[arg-type]
    min_gap = 26.0
    last_x = -1e9
    for day in minor_days:
        x = scale.x(dt.datetime.combine(day, dt.time()))
        if x < left or x >= right:
            continue
        canvas.line(x, 22, x, HEADER + body_height, stroke="#EEEEEE", stroke_width=1)
        if x - last_x >= min_gap:
            canvas.text(x + 3, 36, tick_label(day, minor), size=9, fill="#555555")
            last_x = x
    if zoom == "day":  # shade weekends where days are wide enough to see
        for day in minor_days:
            if day.weekday() >= 5:
                x = scale.x(dt.datetime.combine(day, dt.time()))
                if left <= x < right:
                    canvas.rect(x, HEADER, scale.pixels_per_day, body_height, fill="#F3F3F3")
    canvas.line(0, HEADER, canvas.width, HEADER, stroke="#BBBBBB", stroke_width=1)
    canvas.line(left, 0, left, HEADER + body_height, stroke="#BBBBBB", stroke_width=1)
    canvas.add("</g>")


def _next(day: dt.date, unit: str) -> dt.date:
    later = ticks(day + dt.timedelta(days=1), day + dt.timedelta(days=400), unit)  # type: ignore[arg-type]
    return next(later, day + dt.timedelta(days=400))


def _row(canvas: Canvas, row: GanttRow, index: int, scale: TimeScale, view: GanttView) -> None:
    row_h = view.row_height
    top = HEADER + index * row_h
    mid = top + row_h / 2
    canvas.add(f'<g class="row" data-row="{index}" data-task="{escape(row.id)}">')
    if index % 2:
        canvas.rect(0, top, canvas.width, row_h, fill="#FAFAFA", class_="stripe")
    indent = 8 + 14 * min(row.depth, 12)
    marker = ("▸ " if row.folded else "▾ ") if row.summary else ""
    name = shorten(marker + row.name, view.label_width - indent - 6, 11)
    canvas.text(indent, mid + 4, name, size=11, class_="label",
                font_weight="bold" if row.summary else None)
    x0, x1 = scale.x(row.start), scale.x(row.finish)
    canvas.add(f'<g clip-path="url(#{escape(view.uid)}-clip)">')
    for k, (bname, bstart, bfinish) in enumerate(row.baselines[:3]):
        bx0, bx1 = scale.x(bstart), scale.x(bfinish)
        y = top + row_h - 6 + 0 - k * 3
        canvas.add(f'<rect class="baseline" data-baseline="{escape(bname)}" x="{num(bx0)}" y="{num(y)}" '
                   f'width="{num(max(bx1 - bx0, 2.0))}" height="2.5" fill="{BASELINE_SHADES[k]}"/>')
    if row.leveled is not None:
        lx0, lx1 = scale.x(row.leveled[0]), scale.x(row.leveled[1])
        canvas.rect(lx0, top + 4, max(lx1 - lx0, 2.0), row_h - 11, fill="none", stroke=PALETTE["purple"],
                    stroke_width=1.2, stroke_dasharray="3 2", class_="leveled")
    attrs = (f' data-task="{escape(row.id)}" data-start="{row.start.isoformat(timespec="minutes")}"'
             f' data-finish="{row.finish.isoformat(timespec="minutes")}"'
             f' data-critical="{"true" if row.critical else "false"}" data-total-float="{int(row.total_float)}"'
             f' data-summary="{"true" if row.summary else "false"}"'
             f' data-milestone="{"true" if row.milestone else "false"}"'
             + (f' data-duration="{row.duration}"' if row.duration is not None else "")
             + f' tabindex="0" role="{"button" if view.interactive else "img"}"'
             f' aria-label="{escape(_label(row, view))}"')
    kind = "milestone" if row.milestone else "summary" if row.summary else "task"
    css = f"bar {kind}{' critical' if row.critical else ''}"
    canvas.add(f'<g class="{css}"{attrs}><title>{escape(_tooltip(row, view))}</title>')
    colour = CRITICAL if row.critical else NORMAL
    if row.milestone:
        r = row_h * 0.32
        canvas.polygon([(x0, mid - r), (x0 + r, mid), (x0, mid + r), (x0 - r, mid)],
                       fill=colour, class_="body")
    elif row.summary:
        width = max(x1 - x0, 2.0)
        canvas.rect(x0, mid - 4, width, 6, fill=PALETTE["black"], class_="body")
        canvas.polygon([(x0, mid + 2), (x0 + 5, mid + 2), (x0, mid + 7)], fill=PALETTE["black"])
        canvas.polygon([(x0 + width, mid + 2), (x0 + width - 5, mid + 2), (x0 + width, mid + 7)],
                       fill=PALETTE["black"])
    else:
        width = max(x1 - x0, 2.0)
        fill = f"url(#{view.uid}-hatch)" if row.critical else colour
        canvas.rect(x0, top + 5, width, row_h - 13, fill=fill, rx=2, class_="body")
        if row.percent_complete:
            done = width * min(max(row.percent_complete, 0.0), 100.0) / 100.0
            canvas.rect(x0, mid - 2, done, 4, fill=PALETTE["black"], class_="progress")
        if not row.critical and row.late_finish is not None and row.late_finish > row.finish:
            fx = scale.x(row.late_finish)
            canvas.line(x0 + width, mid, fx, mid, stroke=NORMAL, stroke_width=1, class_="float")
            canvas.line(fx, mid - 3, fx, mid + 3, stroke=NORMAL, stroke_width=1)
    canvas.add("</g></g></g>")


def _links(canvas: Canvas, rows: Sequence[GanttRow], links: Sequence[GanttLink], positions: dict[str, int],
           scale: TimeScale, view: GanttView, first: int, last: int) -> None:
    row_h = view.row_height
    canvas.add(f'<g class="links" clip-path="url(#{escape(view.uid)}-clip)">')
    for link in links:
        a, b = positions.get(link.pred), positions.get(link.succ)
        if a is None or b is None or not (first <= a < last or first <= b < last):
            continue
        pred, succ = rows[a], rows[b]
        ya, yb = HEADER + a * row_h + row_h / 2, HEADER + b * row_h + row_h / 2
        from_start = link.type in ("SS", "SF")
        to_finish = link.type in ("FF", "SF")
        xa = scale.x(pred.start if from_start else pred.finish)
        xb = scale.x(succ.finish if to_finish else succ.start)
        out = -8.0 if from_start else 8.0
        into = 8.0 if to_finish else -8.0
        points = [(xa, ya), (xa + out, ya)]
        if (not to_finish and xb + into >= xa + out) or (to_finish and xb + into <= xa + out and from_start):
            points += [(xa + out, yb), (xb, yb)]
        else:  # go round: down to the gap between the rows, across, then into the bar
            gap = HEADER + (b if b > a else b + 1) * row_h
            points += [(xa + out, gap), (xb + into, gap), (xb + into, yb), (xb, yb)]
        label = f"{pred.name} to {succ.name}: {link.type}{(' ' + link.lag) if link.lag else ''}"
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        canvas.add(f'<polyline class="link" data-pred="{escape(link.pred)}" data-succ="{escape(link.succ)}" '
                   f'data-type="{escape(link.type)}" data-lag="{escape(link.lag)}" points="{coords}" '
                   f'marker-end="url(#{escape(view.uid)}-arrow)"><title>{escape(label)}</title></polyline>')
    canvas.add("</g>")


def _legend_items(rows: Sequence[GanttRow], view: GanttView) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if any(r.critical and not r.summary for r in rows):
        items.append(("critical", "critical: sets the finish date"))
    if any(not r.critical and not r.summary and not r.milestone for r in rows):
        items.append(("normal", "has room to slip"))
    if any(r.late_finish is not None and not r.critical and r.late_finish > r.finish for r in rows):
        items.append(("float", "total float (room to slip)"))
    if any(r.summary for r in rows):
        items.append(("summary", "summary task (black)"))
    if any(r.milestone for r in rows):
        items.append(("milestone", "milestone"))
    if any(r.percent_complete for r in rows):
        items.append(("progress", "done so far (black strip)"))
    if any(r.baselines for r in rows):
        items.append(("baseline", "baseline (grey)"))
    if any(r.leveled is not None for r in rows):
        items.append(("leveled", "leveled position"))
    if view.status_date is not None:
        items.append(("status", f"status date {view.status_date:%d %b %Y}"))
    return items


def _legend_layout(items: list[tuple[str, str]], width: float) -> list[tuple[float, float, str, str]]:
    """(x, y, key, text) per item, wrapping onto new lines within ``width``."""
    placed: list[tuple[float, float, str, str]] = []
    x, y = 8.0, 0.0
    for key, text in items:
        item_width = 22 + text_width(text, 10) + 14
        if x > 8.0 and x + item_width > width:
            x, y = 8.0, y + LEGEND_LINE
        placed.append((x, y, key, text))
        x += item_width
    return placed


def _legend(canvas: Canvas, placed: list[tuple[float, float, str, str]], uid: str, top: float) -> None:
    canvas.add(f'<g class="legend" transform="translate(0 {num(top)})">')
    for x, y, key, text in placed:
        if key == "critical":
            canvas.rect(x, y + 6, 18, 10, fill=f"url(#{uid}-hatch)")
        elif key == "normal":
            canvas.rect(x, y + 6, 18, 10, fill=NORMAL)
        elif key == "float":
            canvas.line(x, y + 11, x + 18, y + 11, stroke=NORMAL, stroke_width=1)
            canvas.line(x + 18, y + 8, x + 18, y + 14, stroke=NORMAL, stroke_width=1)
        elif key == "summary":
            canvas.rect(x, y + 8, 18, 5, fill=PALETTE["black"])
        elif key == "milestone":
            canvas.polygon([(x + 9, y + 5), (x + 15, y + 11), (x + 9, y + 17), (x + 3, y + 11)], fill=NORMAL)
        elif key == "progress":
            canvas.rect(x, y + 9, 18, 4, fill=PALETTE["black"])
        elif key == "baseline":
            canvas.rect(x, y + 10, 18, 3, fill=BASELINE)
        elif key == "leveled":
            canvas.rect(x, y + 6, 18, 10, fill="none", stroke=PALETTE["purple"], stroke_dasharray="3 2")
        elif key == "status":
            canvas.line(x + 9, y + 4, x + 9, y + 18, stroke=ACCENT, stroke_width=1.5, stroke_dasharray="4 2")
        canvas.text(x + 22, y + 15, text, size=10, fill=PALETTE["ink"])
    canvas.add("</g>")


__all__ = ["GanttLink", "GanttRow", "GanttView", "gantt_svg"]
