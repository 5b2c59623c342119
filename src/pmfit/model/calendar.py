"""Working calendars as data: work week, working hours, holidays, exceptions.

The arithmetic that turns dates into working minutes lives in
:mod:`pmfit.model.workingtime`; this module only describes a calendar.
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun",
    "tues": "tue", "thur": "thu", "thurs": "thu",
}


def _parse_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24 * 60:
        # YAML 1.1 reads 08:00 as a sexagesimal integer (480): minutes since midnight.
        # 24:00 (1440) is the end of the day, as the string form "24:00" is.
        return dt.time(value // 60, value % 60) if value < 1440 else dt.time(23, 59, 59, 999999)
    if isinstance(value, str):
        text = value.strip()
        if text in ("24:00", "24:00:00"):
            return dt.time(23, 59, 59, 999999)
        try:
            return dt.time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time of day (write it like 08:00)")


def _supported_countries() -> frozenset[str]:
    """ISO codes the ``holidays`` package has tables for, read from its registry.

    ``holidays.list_supported_countries()`` imports every country module
    (about 0.2 s); the registry lists the same codes without importing them.
    """
    import holidays

    try:
        from holidays import registry

        codes = {code for entry in registry.COUNTRIES.values() for code in entry[1:3]}
    except (ImportError, AttributeError, TypeError, IndexError):
        codes = set()
    if "GB" in codes:
        codes.add("UK")  # holidays accepts UK for GB
    return frozenset(codes) if codes else frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=16)
def country_class(country: str) -> type | None:
    """The ``holidays`` class for one country, importing only that country's module.

    ``holidays.country_holidays`` imports the package's ``countries`` module,
    which imports all 250 countries (about 0.1 s, a fifth of the start-up of
    ``pmfit schedule``). The registry names the module and class of each
    country; loading that one file gives the same class. If anything about
    the package's layout differs, return ``None`` and the caller uses the
    documented way.
    """
    import importlib.util
    import sys
    from pathlib import Path

    try:
        from holidays import registry

        entry = next((name, value) for name, value in registry.COUNTRIES.items()
                     if country.upper() in value[1:3])
        module_name = f"holidays.countries.{entry[0]}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.find_spec("holidays")
            if spec is None or spec.origin is None:
                return None
            path = Path(spec.origin).parent / "countries" / f"{entry[0]}.py"
            file_spec = importlib.util.spec_from_file_location(module_name, path)
            if file_spec is None or file_spec.loader is None:
                return None
            module = importlib.util.module_from_spec(file_spec)
            sys.modules[module_name] = module
            try:
                file_spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(module_name, None)
                raise
        cls = getattr(module, entry[1][0])
        return cls if isinstance(cls, type) else None
    except Exception:  # the registry or the files are not as expected
        return None


class Shift(BaseModel):
    """A working interval within a day, e.g. 08:00-12:00."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: dt.time
    end: dt.time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if isinstance(value, str) and "-" in value:
            start, end = value.split("-", 1)
            return {"start": start, "end": end}
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return {"start": value[0], "end": value[1]}
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: object) -> dt.time:
        return _parse_time(value)

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        if self.end == dt.time(23, 59, 59, 999999):
            return 24 * 60
        return self.end.hour * 60 + self.end.minute

    def __str__(self) -> str:
        end = "24:00" if self.end_minute == 1440 else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


class Holiday(BaseModel):
    """A non-working day (or a range of them) with an optional name."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    date: dt.date
    until: dt.date | None = None
    name: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_date(cls, value: object) -> object:
        if isinstance(value, (dt.date, str)) and not isinstance(value, dt.datetime):
            return {"date": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"holiday ends ({self.until}) before it starts ({self.date})")
        return self

    def days(self) -> list[dt.date]:
        last = self.until or self.date
        return [self.date + dt.timedelta(days=i) for i in range((last - self.date).days + 1)]


class WorkingException(BaseModel):
    """A day whose working time differs from the work week (a working Saturday, a half day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    date: dt.date
    until: dt.date | None = None
    working: bool = True
    shifts: list[Shift] | None = None
    name: str | None = None


class CalendarSpec(BaseModel):
    """A working calendar.

    ``hours`` is the length of a working day; it defines what ``1d`` means.
    ``shifts`` are the working intervals of each working day (by default
    08:00-12:00 and 13:00-17:00 for an 8-hour day, as MS Project's standard
    calendar; otherwise ``hours`` from 08:00). ``country`` (and optionally
    ``subdivision``) adds that country's public holidays from the
    ``holidays`` package.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str | None = None
    workweek: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    hours: Annotated[float, Field(gt=0, le=24)] = 8.0
    shifts: list[Shift] | None = None
    country: str | None = None
    subdivision: str | None = None
    holidays: list[Holiday] = Field(default_factory=list)
    exceptions: list[WorkingException] = Field(default_factory=list)

    @field_validator("workweek", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        if isinstance(value, list):
            out = []
            for day in value:
                key = str(day).strip().lower()
                out.append(_DAY_ALIASES.get(key, key[:3] if key[:3] in WEEKDAYS else key))
            return out
        return value

    @field_validator("hours")
    @classmethod
    def _at_least_a_minute(cls, value: float) -> float:
        if round(value * 60) < 1:  # 0.001 h would make 1d zero minutes long
            raise ValueError(f"a working day of {value:g} hours is shorter than a minute")
        return value

    @field_validator("exceptions")
    @classmethod
    def _exceptions_do_not_overlap(cls, value: list[WorkingException]) -> list[WorkingException]:
        """Two exceptions for one day would silently let the later one win."""
        spans = sorted((e.date, e.until or e.date) for e in value)
        for first, last in spans:
            if last < first:
                raise ValueError(f"exception ends ({last}) before it starts ({first})")
        for (_, a_last), (b_first, _) in itertools.pairwise(spans):
            if b_first <= a_last:
                raise ValueError(f"two exceptions cover {b_first}; give each day once")
        return value

    @field_validator("workweek")
    @classmethod
    def _unique_days(cls, value: list[Weekday]) -> list[Weekday]:
        return sorted(set(value), key=WEEKDAYS.index)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if code not in _supported_countries():
            raise ValueError(f"no public-holiday table for country {value!r} (use an ISO code like US, GB, DE)")
        return code

    @model_validator(mode="after")
    def _known_subdivision(self) -> CalendarSpec:
        """``subdivision: or`` means OR; one the country does not have is an error, not a crash later."""
        if self.country is None or self.subdivision is None:
            return self
        import holidays

        try:
            cls = country_class(self.country)  # one country's module, not all 250 (start-up time)
            table = cls(years=[]) if cls is not None else holidays.country_holidays(self.country, years=[])
        except Exception:  # the country check above already explained a bad country
            return self
        known = [*getattr(table, "subdivisions", ()), *getattr(table, "subdivisions_aliases", {})]
        wanted = self.subdivision.strip()
        match = next((k for k in known if k == wanted), None) or next(
            (k for k in known if k.casefold() == wanted.casefold()), None)
        if match is None:
            listed = ", ".join(list(getattr(table, "subdivisions", ()))[:12])
            raise ValueError(f"country {self.country} has no subdivision {self.subdivision!r}"
                             + (f" (it has {listed}, ...)" if listed else " (it has none)"))
        object.__setattr__(self, "subdivision", match)
        return self

    @model_validator(mode="after")
    def _shifts_match_hours(self) -> CalendarSpec:
        if self.shifts:
            minutes = sum(s.end_minute - s.start_minute for s in self.shifts)
            ordered = sorted(self.shifts, key=lambda s: s.start_minute)
            for a, b in itertools.pairwise(ordered):
                if b.start_minute < a.end_minute:
                    raise ValueError(f"shifts {a} and {b} overlap")
            if "hours" not in self.model_fields_set:
                object.__setattr__(self, "hours", minutes / 60)
            elif abs(minutes - self.hours * 60) > 0.5:
                raise ValueError(
                    f"shifts add up to {minutes / 60:g} hours but hours is {self.hours:g}"
                )
        return self

    @property
    def minutes_per_day(self) -> int:
        return round(self.hours * 60)

    @property
    def days_per_week(self) -> int:
        return max(1, len(self.workweek))

    def day_shifts(self) -> list[tuple[int, int]]:
        """Working intervals of a normal working day, in minutes since midnight."""
        if self.shifts:
            return sorted((s.start_minute, s.end_minute) for s in self.shifts)
        minutes = self.minutes_per_day
        if minutes == 480:
            return [(8 * 60, 12 * 60), (13 * 60, 17 * 60)]
        start = 8 * 60 if minutes <= 16 * 60 else 0
        return [(start, start + minutes)]
