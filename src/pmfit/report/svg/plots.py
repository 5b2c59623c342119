"""Plot primitives as SVG: a frame with nice ticks, histograms with a cumulative curve, bars, lines, steps.

Charts in :mod:`pmfit.report.svg.charts` compose these; each takes plain numbers (and a
function that names an x value, for dates), so the drawing knows nothing of the engines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pmfit.report.svg.canvas import PALETTE, Canvas, num, shorten, text_width


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    out = []
    value = first
    while value <= high + step * 1e-9:
        out.append(round(value, 10))
        value += step
    return out


@dataclass
class Frame:
    """A plot area inside a canvas: data (x, y) to pixels, with axes drawn by :meth:`axes`."""

    canvas: Canvas
    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value: float) -> float:
        lo, hi = self.x_range
        return self.left + (value - lo) / ((hi - lo) or 1.0) * self.width

    def y(self, value: float) -> float:
        lo, hi = self.y_range
        return self.top + self.height - (value - lo) / ((hi - lo) or 1.0) * self.height

    def axes(self, x_ticks: Sequence[float], x_label: Callable[[float], str], y_ticks: Sequence[float],
             y_label: Callable[[float], str], x_title: str = "", y_title: str = "") -> None:
        c = self.canvas
        bottom = self.top + self.height
        for value in y_ticks:
            y = self.y(value)
            if self.top - 0.5 <= y <= bottom + 0.5:
                c.line(self.left, y, self.left + self.width, y, stroke="#E4E4E4", stroke_width=1)
                c.text(self.left - 6, y + 3.5, y_label(value), size=9, text_anchor="end", fill="#444444")
        last_end = -1e9
        for value in x_ticks:
            x = self.x(value)
            if self.left - 0.5 <= x <= self.left + self.width + 0.5:
                c.line(x, bottom, x, bottom + 4, stroke="#888888", stroke_width=1)
                label = x_label(value)
                half = text_width(label, 9) / 2
                if x - half >= last_end:
                    c.text(x, bottom + 15, label, size=9, text_anchor="middle", fill="#444444")
                    last_end = x + half + 4
        c.line(self.left, bottom, self.left + self.width, bottom, stroke="#888888", stroke_width=1)
        c.line(self.left, self.top, self.left, bottom, stroke="#888888", stroke_width=1)
        if x_title:
            c.text(self.left + self.width / 2, bottom + 31, x_title, size=10, text_anchor="middle",
                   fill=PALETTE["ink"])
        if y_title:
            c.text(12, self.top + self.height / 2, y_title, size=10, text_anchor="middle", fill=PALETTE["ink"],
                   transform=f"rotate(-90 12 {num(self.top + self.height / 2)})")


def title(canvas: Canvas, x: float, y: float, text: str) -> None:
    canvas.text(x, y, text, size=12, font_weight="bold", fill=PALETTE["ink"])


def legend_row(canvas: Canvas, x: float, y: float, items: Sequence[tuple[str, str, str]], width: float) -> float:
    """Swatches (label, colour, style: 'bar' | 'line' | 'dash' | 'dot') from (x, y); returns the height used."""
    cx, cy = x, y
    for label, colour, style in items:
        item = 22 + text_width(label, 9) + 12
        if cx > x and cx + item > x + width:
            cx, cy = x, cy + 16
        if style == "bar":
            canvas.rect(cx, cy - 8, 14, 9, fill=colour)
        else:
            dash = {"dash": "5 3", "dot": "2 2"}.get(style)
            canvas.line(cx, cy - 4, cx + 16, cy - 4, stroke=colour, stroke_width=2, stroke_dasharray=dash)
        canvas.text(cx + 20, cy, label, size=9, fill=PALETTE["ink"])
        cx += item
    return cy - y + 16


def label_fit(text: str, width: float, size: float = 9) -> str:
    return shorten(text, width, size)


__all__ = ["Frame", "label_fit", "legend_row", "nice_ticks", "title"]
