"""Durations in working time: ``5d``, ``3h``, ``2w``, ``1.5d``, ``30m``, ``-1d``.

A duration keeps the unit it was written in, so a plan read and written back
says ``5d`` and not ``2400m``. It becomes working minutes only when a calendar
says how long a working day and a working week are (see :meth:`Duration.minutes`).

A link's lag (:class:`Lag`) may also be *elapsed*, as in MS Project and P6:
``3ed``, ``40eh``, ``1ew``, ``30em``, ``1emo`` are calendar time (24-hour days,
7-day weeks, 30-day months) that runs through nights, weekends and holidays.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

Unit = Literal["m", "h", "d", "w", "mo", "em", "eh", "ed", "ew", "emo"]
WORKING_UNITS = ("m", "h", "d", "w", "mo")
#: Elapsed units (MS Project's): calendar minutes per unit; an elapsed month is 30 elapsed days.
ELAPSED_MINUTES: dict[str, int] = {"em": 1, "eh": 60, "ed": 1440, "ew": 10080, "emo": 43200}

_PATTERN = re.compile(
    r"^\s*(?P<sign>[+-])?\s*(?P<amount>\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>e?(?:mo|months?|w|wks?|weeks?|d|days?|h|hrs?|hours?|m|mins?|minutes?))?\s*$",
    re.IGNORECASE,
)
_UNIT_ALIASES: dict[str, Unit] = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "mo": "mo", "month": "mo", "months": "mo",
}
_UNIT_ALIASES.update({"e" + word: ("e" + unit) for word, unit in list(_UNIT_ALIASES.items())})  # type: ignore[misc]
_UNIT_WORDS = ("mo", "months", "month", "weeks", "week", "wks", "wk", "w", "days", "day", "d",
               "hours", "hour", "hrs", "hr", "h", "minutes", "minute", "mins", "min", "m")


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


#: The same language as :meth:`Duration.parse`, as a JSON Schema (ECMA-262) pattern.
DURATION_PATTERN = (r"^\s*[+-]?\s*(\d+(\.\d+)?|\.\d+)\s*("
                    + "|".join(_any_case(w) for w in _UNIT_WORDS) + r")?\s*$")
#: :class:`Lag`'s language: working units and the same with an ``e`` for elapsed (``3ed``).
LAG_PATTERN = (r"^\s*[+-]?\s*(\d+(\.\d+)?|\.\d+)\s*([eE]?("
               + "|".join(_any_case(w) for w in _UNIT_WORDS) + r"))?\s*$")


class DurationError(ValueError):
    """A text that is not a duration, e.g. ``5 dayz``."""


#: The longest duration in working minutes: about two million years, beyond any calendar (so the
#: schedule refuses it, naming the task) yet small enough that a million of them add up in int64.
MAX_MINUTES = 2**40


class Duration:
    """An amount of working time in a unit: minutes, hours, days, weeks, months.

    Days, weeks and months are working days (the calendar's hours per day),
    working weeks (its working days per week) and 20 working days, as MS
    Project counts them. A bare number means days.
    """

    __slots__ = ("amount", "unit")
    #: The units this kind of duration accepts (a :class:`Lag` also takes elapsed ones).
    units: tuple[str, ...] = WORKING_UNITS

    def __init__(self, amount: float, unit: Unit = "d") -> None:
        if unit not in self.units:
            if unit in ELAPSED_MINUTES:
                raise DurationError(f"elapsed time ({unit}) is for link lags only: a task's duration, work or "
                                    "delay is working time (write it like 5d, 3h or 2w)")
            raise DurationError(f"unknown duration unit {unit!r}")
        self.amount = float(amount)
        if not math.isfinite(self.amount):  # 1e309 or 400 digits read as a float: no duration at all
            raise DurationError(f"{amount!r} is not a duration (a number too large to be one)")
        self.unit: Unit = unit

    @classmethod
    def parse(cls, value: Any) -> Duration:
        """Read ``"5d"``, ``"-1.5h"``, ``3`` (days) or a Duration."""
        if isinstance(value, Duration):
            return value if value.unit in cls.units else cls(value.amount, value.unit)
        if isinstance(value, bool):
            raise DurationError(f"{value!r} is not a duration")
        if isinstance(value, (int, float)):
            if value != value or value in (float("inf"), float("-inf")):
                raise DurationError(f"{value!r} is not a duration")
            return cls(float(value), "d")
        if not isinstance(value, str):
            raise DurationError(f"{value!r} is not a duration (write it like 5d, 3h or 2w)")
        match = _PATTERN.match(value)
        if not match:
            raise DurationError(f"{value!r} is not a duration (write it like 5d, 3h or 2w)")
        amount = float(match["amount"])
        if not math.isfinite(amount):
            shown = value.strip() if len(value.strip()) <= 24 else value.strip()[:12] + "…" + value.strip()[-6:]
            raise DurationError(f"{shown!r} is not a duration (a number too large to be one)")
        if match["sign"] == "-":
            amount = -amount
        unit = _UNIT_ALIASES[(match["unit"] or "d").lower()]
        return cls(amount, unit)

    @classmethod
    def from_minutes(cls, minutes: float, minutes_per_day: int = 480) -> Duration:
        """The friendliest exact unit for a number of working minutes."""
        if minutes_per_day > 0 and minutes % minutes_per_day == 0:
            return cls(minutes / minutes_per_day, "d")
        if minutes % 60 == 0:
            return cls(minutes / 60, "h")
        return cls(minutes, "m")

    @property
    def elapsed(self) -> bool:
        """Calendar time (``3ed``) rather than working time (``3d``)."""
        return self.unit in ELAPSED_MINUTES

    def minutes(self, minutes_per_day: int = 480, days_per_week: int = 5) -> int:
        """Working minutes, rounded to the nearest minute (calendar minutes for an elapsed unit)."""
        if self.unit in ELAPSED_MINUTES:
            minutes = self.amount * ELAPSED_MINUTES[self.unit]
            if not abs(minutes) <= MAX_MINUTES:
                return MAX_MINUTES if minutes > 0 else -MAX_MINUTES
            return round(minutes)
        per_unit = {
            "m": 1,
            "h": 60,
            "d": minutes_per_day,
            "w": minutes_per_day * days_per_week,
            "mo": minutes_per_day * 20,
        }[self.unit]
        minutes = self.amount * per_unit
        if not abs(minutes) <= MAX_MINUTES:  # 1e308d: held at a length no calendar can hold (bad_calendar later)
            return MAX_MINUTES if minutes > 0 else -MAX_MINUTES
        return round(minutes)

    def average_working_minutes(self, minutes_per_day: int = 480, days_per_week: int = 5) -> float:
        """Working minutes, an elapsed amount as the working time it spans on average.

        For a format that holds only working-time lags: a calendar week holds
        ``days_per_week`` working days, so ``7ed`` is ``5d`` on a 5-day week and ``3ed``
        about ``2.14d``. Exact for whole elapsed weeks on a calendar without holidays.
        """
        if self.unit in ELAPSED_MINUTES:
            return self.minutes() * minutes_per_day * days_per_week / 10080
        return self.minutes(minutes_per_day, days_per_week)

    def average_elapsed_minutes(self, minutes_per_day: int = 480, days_per_week: int = 5) -> float:
        """Calendar minutes, a working amount as the calendar time it spans on average
        (the inverse of :meth:`average_working_minutes`: ``5d`` is ``7ed`` on a 5-day week)."""
        if self.unit in ELAPSED_MINUTES:
            return self.minutes()
        per_week = minutes_per_day * days_per_week
        return self.minutes(minutes_per_day, days_per_week) * 10080 / per_week if per_week else 0.0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        amount = self.amount
        # no exponent (1e-07d, 1.23457e+06d are not durations) and no rounding to 6 digits
        text = str(int(amount)) if amount == int(amount) else format(Decimal(repr(amount)), "f")
        return f"{text}{self.unit}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Duration):
            return self.amount == other.amount and self.unit == other.unit
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.amount, self.unit))

    def __neg__(self) -> Duration:
        return type(self)(-self.amount, self.unit)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        parsed: dict[str, Duration] = {}  # big plans write "5d" thousands of times: parse each text once

        def validate(value: Any) -> Duration:
            if value.__class__ is str and value in parsed:
                return parsed[value]
            try:
                result = cls.parse(value)
            except DurationError as exc:
                raise ValueError(str(exc)) from None
            if value.__class__ is str and len(parsed) < 10_000:
                parsed[value] = result
            return result

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if cls.units != WORKING_UNITS:
            return {
                "anyOf": [
                    {"type": "string", "pattern": LAG_PATTERN},
                    {"type": "number"},
                ],
                "description": "Working time (5d, 3h, 2w, 1.5d, 30m) or elapsed calendar time "
                               "(3ed, 40eh, 1ew, 30em, 1emo); a bare number is working days.",
                "examples": ["2d", "-1d", "3ed", "40eh"],
            }
        return {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"type": "number"},
            ],
            "description": "Working time: 5d, 3h, 2w, 1.5d, 30m; a bare number is days.",
            "examples": ["5d", "3h", "2w", "1.5d"],
        }


class Lag(Duration):
    """A link's lag: working time like any :class:`Duration`, or elapsed calendar time.

    ``3ed`` is 72 hours of the clock whatever the calendar says (MS Project's
    elapsed days; P6 and Planner lags in calendar hours); ``3d`` is three
    working days. The schedule places a successor an elapsed lag after its
    predecessor in calendar time, then on its next working time.
    """

    __slots__ = ()
    units = (*WORKING_UNITS, *ELAPSED_MINUTES)

    @classmethod
    def elapsed_minutes(cls, minutes: float, unit: str | None = None) -> Lag:
        """An elapsed lag of ``minutes`` calendar minutes: in ``unit`` when that is exact (to a
        thousandth), else in the largest elapsed unit that holds it whole (``4320`` is ``3ed``)."""
        if unit in ELAPSED_MINUTES:
            amount = minutes / ELAPSED_MINUTES[unit]
            if amount == round(amount, 3):
                return cls(amount, unit)  # type: ignore[arg-type]
        for name in ("ew", "ed", "eh"):
            if minutes % ELAPSED_MINUTES[name] == 0:
                return cls(minutes / ELAPSED_MINUTES[name], name)  # type: ignore[arg-type]
        hours = minutes / 60
        if hours == round(hours, 3):
            return cls(hours, "eh")  # 16.8eh rather than 1008em
        return cls(minutes, "em") if minutes == round(minutes) else cls(round(hours, 6), "eh")
