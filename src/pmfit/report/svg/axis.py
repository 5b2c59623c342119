"""Calendar time axes: where a date falls in pixels, and which ticks a zoom level shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Zoom = Literal["day", "week", "month", "quarter", "year"]

#: pixels per calendar day at each zoom level (MS Project's timescale steps, roughly)
PIXELS_PER_DAY: dict[str, float] = {"day": 32.0, "week": 12.0, "month": 3.5, "quarter": 1.2, "year": 0.4}


@dataclass(frozen=True)
class TimeScale:
    """Maps datetimes to x pixels: ``x = left + (t - origin) / 1 day * pixels_per_day``."""

    origin: dt.datetime
    pixels_per_day: float
    left: float = 0.0

    def x(self, when: dt.datetime) -> float:
        return self.left + (when - self.origin).total_seconds() / 86400.0 * self.pixels_per_day

    def at(self, x: float) -> dt.datetime:
        return self.origin + dt.timedelta(days=(x - self.left) / self.pixels_per_day)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def ticks(first: dt.date, last: dt.date, unit: Literal["day", "week", "month", "quarter", "year"]
          ) -> Iterator[dt.date]:
    """Boundaries of each ``unit`` from the one holding ``first`` up to ``last`` (weeks start on Monday)."""
    if unit == "day":
        day = first
        step = dt.timedelta(days=1)
    elif unit == "week":
        day = first - dt.timedelta(days=first.weekday())
        step = dt.timedelta(days=7)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        day = _month_start(first)
        if unit == "quarter":
            day = day.replace(month=(day.month - 1) // 3 * 3 + 1)
        elif unit == "year":
            day = day.replace(month=1)
        while day <= last:
            yield day
            day = _add_months(day, months)
        return
    while day <= last:
        yield day
        day += step


def tick_label(day: dt.date, unit: str) -> str:
    if unit == "day":
        return f"{day:%a}"[0] + f" {day.day}"
    if unit == "week":
        return f"{day:%d %b}"
    if unit == "month":
        return f"{day:%b}"
    if unit == "quarter":
        return f"Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}"


#: (major, minor) tick units shown in the two header rows at each zoom level
HEADER_UNITS: dict[str, tuple[str, str]] = {
    "day": ("week", "day"),
    "week": ("month", "week"),
    "month": ("quarter", "month"),
    "quarter": ("year", "quarter"),
    "year": ("year", "year"),
}


def major_label(day: dt.date, unit: str) -> str:
    if unit == "week":
        return f"week of {day:%d %b %Y}"
    if unit == "month":
        return f"{day:%B %Y}"
    if unit == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return f"{day.year}"


def fit_zoom(span_days: float, width: float) -> float:
    """Pixels per day that fit ``span_days`` into ``width`` pixels (at least a hair, at most a day zoom)."""
    return max(0.05, min(PIXELS_PER_DAY["day"] * 2, width / max(span_days, 1.0)))


def zoom_for(pixels_per_day: float) -> Zoom:
    """The named zoom whose header suits a pixels-per-day scale."""
    for name in ("day", "week", "month", "quarter"):
        if pixels_per_day >= PIXELS_PER_DAY[name] * 0.75:
            return name
    return "year"
