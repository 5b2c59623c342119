"""Elapsed lags (``3ed``, ``40eh``): calendar time between two tasks, as MS Project schedules it.

The engines count time in working minutes, where a working lag is a constant offset. An
elapsed lag is not: 3 elapsed days after a Wednesday 17:00 finish is Saturday 17:00, so the
successor starts Monday 08:00 (one working day later), while after a Monday 17:00 finish it is
Thursday 17:00 (three working days later). So a link with an elapsed lag is resolved through
the calendar at the predecessor's date:

- the predecessor's anchor (its finish for FS/FF, its start for SS/SF) is read as a moment —
  a finish at the end of its last working minute (Friday 17:00), a start when its first working
  minute begins (Monday 08:00);
- the lag is added in calendar minutes (24-hour days, 7-day weeks, 30-day months);
- the moment reached is read back as working minutes worked by then: a successor's start (FS,
  SS) there begins at the next working time, a successor's finish (FF, SF) there is the working
  time done by then.

With the anchor ``a`` in working minutes, that is ``shift(a) = worked_by(moment(a) + lag)``,
monotone in ``a``; an elapsed lag of 0 is ``shift(a) = a``, a working lag of 0.

The forward pass resolves each elapsed link at its predecessor's early date, the backward pass
at its successor's late date (the latest anchor whose shift still meets it), the ALAP placement
at its successor's scheduled date. Both repeat a
plain pass until no resolved offset changes: each round settles every task one more elapsed
link deep, so a plan with ``k`` elapsed links on a path needs at most ``k + 1`` rounds, and a
plan without elapsed links runs the plain pass once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pmfit.engine.workcal import WorkingTime

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _moments(calendar: WorkingTime, anchor: IntArray, from_start: BoolArray) -> npt.NDArray[np.datetime64]:
    """Anchors as moments: a start when its working minute begins, a finish when it ends."""
    starts = calendar.starts(anchor).astype("datetime64[m]")
    finishes = calendar.finishes(anchor).astype("datetime64[m]")
    return np.where(from_start, starts, finishes)


def _worked_by(calendar: WorkingTime, moments: npt.NDArray[np.datetime64]) -> IntArray:
    """Working minutes worked between the origin and each moment."""
    return calendar.offsets(moments)


def shift(calendar: WorkingTime, anchor: IntArray, from_start: BoolArray, elapsed: IntArray) -> IntArray:
    """Working minutes worked ``elapsed`` calendar minutes after each anchor moment."""
    anchor = np.asarray(anchor, dtype=np.int64)
    if not len(anchor):
        return anchor.copy()
    reached = _moments(calendar, anchor, from_start) + np.asarray(elapsed, dtype=np.int64).astype("timedelta64[m]")
    return _worked_by(calendar, reached)


def latest_anchor(calendar: WorkingTime, target: IntArray, from_start: BoolArray, elapsed: IntArray) -> IntArray:
    """The latest anchor ``a`` with ``shift(a) <= target`` (the inverse the backward pass needs).

    ``worked_by(m) <= target`` holds exactly up to the moment working minute ``target`` begins,
    so the anchor's moment may be at most that moment minus the lag.
    """
    target = np.asarray(target, dtype=np.int64)
    if not len(target):
        return target.copy()
    limit = calendar.starts(target).astype("datetime64[m]") - np.asarray(elapsed, dtype=np.int64).astype(
        "timedelta64[m]")
    anchor = _worked_by(calendar, limit)
    # a finish anchor ends when its minute ends: worked_by(limit) minutes are done by ``limit``.
    # A start anchor begins when its minute begins: one earlier when that minute begins after ``limit``.
    if from_start.any():
        begins = calendar.starts(anchor).astype("datetime64[m]")
        anchor = np.where(from_start & (begins > limit), anchor - 1, anchor)
    return anchor
