"""Working-time arithmetic for the engines: the names live in :mod:`pmfit.model.workingtime`.

The conversion between dates and working minutes is pure calendar arithmetic, so it sits with the
calendar in the model, where the readers may use it too; the engines keep importing it from here.
"""

from __future__ import annotations

from pmfit.model.workingtime import (
    CalendarError,
    IntArray,
    WorkingTime,
    country_holidays,
)

#: the old private name (tests and older callers)
_country_holidays = country_holidays

__all__ = ["CalendarError", "IntArray", "WorkingTime", "country_holidays"]
