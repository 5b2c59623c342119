"""Formatting shared by both reports, so the same number is always written the same way."""

from __future__ import annotations

import datetime as dt

_ODDS = [
    (0.02, "almost no chance"), (0.07, "about 1 in 20 chance"), (0.15, "about 1 in 10 chance"),
    (0.22, "about 1 in 5 chance"), (0.29, "about 1 in 4 chance"), (0.4, "about 1 in 3 chance"),
    (0.6, "about an even chance"), (0.7, "about 2 in 3 chance"), (0.77, "about 3 in 4 chance"),
    (0.86, "4 in 5 chance"), (0.95, "9 in 10 chance"), (0.985, "19 in 20 chance"), (1.01, "near-certain chance"),
]


def odds(p: float) -> str:
    """A probability in plain words: 0.8 -> '4 in 5 chance'."""
    for limit, words in _ODDS:
        if p < limit:
            return words
    return "near-certain chance"


def percent(p: float) -> str:
    return f"{p:.0%}"


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "n/a"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if value >= 10_000_000:
        return f"{sign}{currency} {value / 1e6:,.1f}M"
    return f"{sign}{currency} {value:,.0f}"


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:%a %d %b %Y}"


def long_day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "n/a"
    return f"{value.day} {value:%B %Y}"


def days(value: float | None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} working day{'s' if abs(value) != 1 else ''}"


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
