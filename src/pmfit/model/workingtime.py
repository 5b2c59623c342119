"""Exact conversion between calendar dates/times and working minutes.

Pure arithmetic on a :class:`~pmfit.model.calendar.CalendarSpec` (no I/O): it sits with the
calendar in the model so that readers (which may use the model only) can use it too; the
engines import it from here (:mod:`pmfit.engine.workcal` keeps the old names).

Time inside the engines is an integer count of working minutes since the
project's start. A :class:`WorkingTime` turns those counts into datetimes and
back, for one calendar, across weekends, holidays, exceptions and year ends.

Two readings of the same count, as MS Project shows them:

- as a *start*: the moment the next working minute begins (``480`` on a
  Mon-Fri 8h calendar starting Monday is Tuesday 08:00);
- as a *finish*: the moment that many minutes have been worked (``480`` is
  Monday 17:00). A finish of ``0`` is the project start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from pmfit.model.calendar import WEEKDAYS, CalendarSpec, country_class

IntArray = npt.NDArray[np.int64]
_CHUNK_DAYS = 366
_MAX_DAYS = 366 * 400  # a calendar that needs more than 400 years is a broken calendar


class CalendarError(ValueError):
    """A calendar with no working time to schedule in."""


@lru_cache(maxsize=64)
def country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """The public holidays of ``country`` (and ``subdivision``) in ``year``, from the holidays package."""
    import holidays

    cls = country_class(country)
    if cls is not None:
        try:
            return frozenset(cls(subdiv=subdivision, years=year).keys())
        except Exception:  # any surprise: take the package's documented way below
            pass
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


def _merged_ranges(ranges: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Date ranges (first, last), sorted and with overlapping or touching ranges joined."""
    out: list[tuple[dt.date, dt.date]] = []
    for first, last in sorted(ranges):
        if out:
            previous_first, previous_last = out[-1]
            if previous_last == dt.date.max or first <= previous_last + dt.timedelta(days=1):
                if last > previous_last:
                    out[-1] = (previous_first, last)
                continue
        out.append((first, last))
    return out


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


class WorkingTime:
    """A calendar anchored at an origin: working minutes <-> datetimes.

    ``origin`` is the project start; working minute 0 is the first working
    minute at or after it. Conversions accept scalars or numpy arrays.
    """

    def __init__(self, spec: CalendarSpec | None, origin: dt.date | dt.datetime) -> None:
        self.spec = spec or CalendarSpec()
        self.origin = _as_datetime(origin)
        self.minutes_per_day = self.spec.minutes_per_day
        self.days_per_week = self.spec.days_per_week
        self._week = {WEEKDAYS.index(d) for d in self.spec.workweek}
        self._normal = tuple(self.spec.day_shifts())
        # Holidays and exceptions are kept as date ranges and looked up by bisection, so a
        # range that runs to 9999 costs nothing until a day inside it is asked about: the
        # calendar's cost is the span a schedule uses, times log of the number of ranges.
        self._holidays: set[dt.date] = set()  # the country's public holidays, per year on first use
        self._holiday_ranges = _merged_ranges((h.date, h.until or h.date) for h in self.spec.holidays)
        self._holiday_starts = [first for first, _ in self._holiday_ranges]
        exceptions: list[tuple[dt.date, dt.date, tuple[tuple[int, int], ...]]] = []
        for exc in self.spec.exceptions:
            shifts: tuple[tuple[int, int], ...] = ()
            if exc.working:
                shifts = tuple(
                    sorted((s.start_minute, s.end_minute) for s in exc.shifts)
                ) if exc.shifts else self._normal
            exceptions.append((exc.date, exc.until or exc.date, shifts))
        exceptions.sort(key=lambda e: (e[0], e[1]))  # the calendar model refuses overlapping exceptions
        self._exception_ranges = exceptions
        self._exception_starts = [first for first, _, _ in exceptions]
        if not self._week and not any(shifts for _, _, shifts in exceptions):
            raise CalendarError("the calendar has no working days")
        self._patterns: list[tuple[tuple[int, int], ...]] = []
        self._pattern_index: dict[tuple[tuple[int, int], ...], int] = {}
        self._years_loaded: set[int] = set()
        # The table covers days [base, base + len); origin sits at day _origin_day.
        self._base = self.origin.date()
        self._day_minutes = np.zeros(0, dtype=np.int64)
        self._day_pattern = np.zeros(0, dtype=np.int64)
        self._origin_day = 0
        self._extend(forward=_CHUNK_DAYS)
        origin_clock = self.origin.hour * 60 + self.origin.minute
        self._origin_offset = int(self._cum[0]) + self._worked_before(
            self._normal_or(self.origin.date()), origin_clock
        )
        self._check_has_work()

    # ---- the day table -------------------------------------------------
    def _exception_on(self, day: dt.date) -> tuple[tuple[int, int], ...] | None:
        index = bisect_right(self._exception_starts, day) - 1
        if index >= 0 and day <= self._exception_ranges[index][1]:
            return self._exception_ranges[index][2]
        return None

    def _in_holiday_range(self, day: dt.date) -> bool:
        index = bisect_right(self._holiday_starts, day) - 1
        return index >= 0 and day <= self._holiday_ranges[index][1]

    def _shifts_on(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        if self._exception_ranges:
            shifts = self._exception_on(day)
            if shifts is not None:
                return shifts
        if self._holiday_ranges and self._in_holiday_range(day):
            return ()
        if self.spec.country:
            if day.year not in self._years_loaded:
                self._years_loaded.add(day.year)
                self._holidays.update(
                    country_holidays(self.spec.country, self.spec.subdivision, day.year)
                )
            if day in self._holidays:
                return ()
        return self._normal if day.weekday() in self._week else ()

    def _normal_or(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        return self._shifts_on(day)

    def _pattern(self, shifts: tuple[tuple[int, int], ...]) -> int:
        index = self._pattern_index.get(shifts)
        if index is None:
            index = len(self._patterns)
            self._patterns.append(shifts)
            self._pattern_index[shifts] = index
        return index

    def _extend(self, forward: int = 0, backward: int = 0) -> None:
        if len(self._day_minutes) + forward + backward > _MAX_DAYS:
            raise CalendarError("the calendar has too little working time for this plan")
        try:
            days_before = [self._base - dt.timedelta(days=i) for i in range(backward, 0, -1)]
            start = self._base + dt.timedelta(days=len(self._day_minutes))
            days_after = [start + dt.timedelta(days=i) for i in range(forward)]
        except OverflowError:
            raise CalendarError("the schedule runs outside the years 1-9999: check the dates") from None
        def table(days: list[dt.date]) -> tuple[IntArray, IntArray]:
            shifts = [self._shifts_on(d) for d in days]
            minutes = np.fromiter((sum(e - s for s, e in sh) for sh in shifts), np.int64, len(days))
            patterns = np.fromiter((self._pattern(sh) for sh in shifts), np.int64, len(days))
            return minutes, patterns
        before_m, before_p = table(days_before)
        after_m, after_p = table(days_after)
        self._day_minutes = np.concatenate([before_m, self._day_minutes, after_m])
        self._day_pattern = np.concatenate([before_p, self._day_pattern, after_p])
        self._base -= dt.timedelta(days=backward)
        self._origin_day += backward
        self._cum = np.concatenate([[0], np.cumsum(self._day_minutes)]).astype(np.int64)
        # Shift so that cum is measured from the start of the origin day.
        self._cum -= self._cum[self._origin_day]

    def _check_has_work(self) -> None:
        if self._cum[-1] <= self._origin_offset:
            self._extend(forward=_CHUNK_DAYS * 4)
            if self._cum[-1] <= self._origin_offset:
                raise CalendarError("the calendar has no working time within five years of the start")

    def _ensure(self, lo: int, hi: int) -> None:
        """Grow the table until it covers working minutes ``lo..hi`` (relative to origin)."""
        while self._cum[-1] - self._origin_offset <= hi:
            self._extend(forward=max(_CHUNK_DAYS, len(self._day_minutes)))
        while self._cum[0] - self._origin_offset > lo:
            self._extend(backward=max(_CHUNK_DAYS, len(self._day_minutes)))

    @staticmethod
    def _worked_before(shifts: tuple[tuple[int, int], ...], clock: int) -> int:
        return sum(max(0, min(e, clock) - s) for s, e in shifts)

    # ---- working minutes -> datetimes ----------------------------------
    def _to_datetimes(self, t: IntArray, finish: bool) -> npt.NDArray[np.datetime64]:
        t = np.asarray(t, dtype=np.int64)
        if t.size == 0:
            return np.zeros(t.shape, dtype="datetime64[m]")
        self._ensure(int(t.min()), int(t.max()) + 1)
        if finish and int(t.min()) + self._origin_offset <= self._cum[0]:
            # a finish at the table's first working minute is the end of the working day before it:
            # reach back once (a calendar with no working time before keeps the start itself)
            with contextlib.suppress(CalendarError):
                self._extend(backward=_CHUNK_DAYS)
        absolute = t + self._origin_offset
        day_end = self._cum[1:]
        if finish:
            day = np.searchsorted(day_end, absolute, side="left")
            # A finish at the very start of working time is the start itself.
            at_origin = t == 0
            day = np.where(day >= len(day_end), len(day_end) - 1, day)
        else:
            day = np.searchsorted(day_end, absolute, side="right")
        minute_in_day = absolute - self._cum[day]
        clock = np.zeros_like(absolute)
        patterns = self._day_pattern[day]
        for index in np.flatnonzero(np.bincount(patterns)):  # np.unique would import numpy.ma (start-up)
            shifts = self._patterns[int(index)]
            mask = patterns == index
            if not shifts:
                continue
            lengths = np.array([e - s for s, e in shifts], dtype=np.int64)
            ends = np.cumsum(lengths)
            starts = ends - lengths
            m = minute_in_day[mask]
            j = np.searchsorted(ends, m, side="left" if finish else "right")
            j = np.minimum(j, len(shifts) - 1)
            shift_starts = np.array([s for s, _ in shifts], dtype=np.int64)
            clock[mask] = shift_starts[j] + (m - starts[j])
        base = np.datetime64(self._base, "m")
        result = base + (day * 1440 + clock).astype("timedelta64[m]")
        if finish:
            starts_at = self._to_datetimes(t, finish=False) if np.any(at_origin) else result
            result = np.where(at_origin, starts_at, result)
        return result

    def starts(self, t: Iterable[int] | IntArray) -> npt.NDArray[np.datetime64]:
        """Datetimes of working-minute counts read as starts (vectorised)."""
        return self._to_datetimes(np.asarray(t, dtype=np.int64), finish=False)

    def finishes(self, t: Iterable[int] | IntArray) -> npt.NDArray[np.datetime64]:
        """Datetimes of working-minute counts read as finishes (vectorised)."""
        return self._to_datetimes(np.asarray(t, dtype=np.int64), finish=True)

    def start_at(self, t: int) -> dt.datetime:
        """The moment working minute ``t`` begins."""
        return self.starts(np.array([t]))[0].astype(dt.datetime)  # type: ignore[no-any-return]

    def finish_at(self, t: int) -> dt.datetime:
        """The moment ``t`` working minutes have been worked."""
        return self.finishes(np.array([t]))[0].astype(dt.datetime)  # type: ignore[no-any-return]

    # ---- datetimes -> working minutes ----------------------------------
    def _day_index(self, day: dt.date) -> int:
        offset = (day - self._base).days
        if offset < 0:
            self._extend(backward=max(-offset + 1, _CHUNK_DAYS))
            offset = (day - self._base).days
        while offset >= len(self._day_minutes):
            self._extend(forward=max(offset - len(self._day_minutes) + 1, _CHUNK_DAYS))
        return offset

    def offset(self, moment: dt.date | dt.datetime) -> int:
        """Working minutes worked between the origin and ``moment`` (negative before it)."""
        when = _as_datetime(moment)
        day = self._day_index(when.date())
        shifts = self._patterns[int(self._day_pattern[day])]
        clock = when.hour * 60 + when.minute
        return int(self._cum[day]) + self._worked_before(shifts, clock) - self._origin_offset

    def offsets(self, moments: npt.NDArray[np.datetime64]) -> IntArray:
        """:meth:`offset` of many moments at once (vectorised; whole minutes)."""
        when = np.asarray(moments, dtype="datetime64[m]")
        if when.size == 0:
            return np.zeros(when.shape, dtype=np.int64)
        dates = when.astype("datetime64[D]")
        for extreme in (dates.min(), dates.max()):  # grow the table to cover both ends first
            self._day_index(extreme.astype(dt.date))
        day = (dates - np.datetime64(self._base, "D")).astype(np.int64)
        clock = (when - dates).astype(np.int64)
        patterns = self._day_pattern[day]
        worked = np.zeros(when.shape, dtype=np.int64)
        for index in np.flatnonzero(np.bincount(patterns)):
            mask = patterns == index
            for start, end in self._patterns[int(index)]:
                worked[mask] += np.clip(clock[mask] - start, 0, end - start)
        result: IntArray = self._cum[day] + worked - self._origin_offset
        return result

    def day_start(self, day: dt.date | dt.datetime) -> int:
        """Working minutes before the day ``day`` begins (a start on that date)."""
        if isinstance(day, dt.datetime):
            return self.offset(day)
        return self.offset(_as_datetime(day))

    def day_end(self, day: dt.date | dt.datetime) -> int:
        """Working minutes by the end of ``day`` (a finish on that date)."""
        if isinstance(day, dt.datetime):
            return self.offset(day)
        index = self._day_index(day)
        return int(self._cum[index + 1]) - self._origin_offset

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._day_minutes[self._day_index(day)] > 0)

    def non_working_days_between(self, a: dt.datetime, b: dt.datetime) -> list[dt.date]:
        """Dates strictly between ``a`` and ``b`` with no working time (for explanations)."""
        out: list[dt.date] = []
        day = a.date() + dt.timedelta(days=1)
        while day < b.date() and len(out) < 400:
            if not self.is_working_day(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def holiday_names(self, day: dt.date) -> str | None:
        for holiday in self.spec.holidays:
            if holiday.date <= day <= (holiday.until or holiday.date):
                return holiday.name or "holiday"
        if self.spec.country:
            import holidays

            cls = country_class(self.spec.country)  # one country's module, not all of them
            table = (cls(subdiv=self.spec.subdivision, years=day.year) if cls is not None else
                     holidays.country_holidays(self.spec.country, subdiv=self.spec.subdivision, years=day.year))
            return table.get(day)  # type: ignore[no-any-return]
        return None

    def minutes(self, duration: object) -> int:
        """Working minutes of a :class:`~pmfit.model.duration.Duration` on this calendar."""
        from pmfit.model.duration import Duration

        return Duration.parse(duration).minutes(self.minutes_per_day, self.days_per_week)
