"""The critical path method: forward and backward passes over the network.

Every link becomes one inequality on start times,
``ES[succ] >= ES[pred] + offset``, with

- FS: ``offset = d_pred + lag``           (start(succ) >= finish(pred) + lag)
- SS: ``offset = lag``                    (start(succ) >= start(pred) + lag)
- FF: ``offset = d_pred + lag - d_succ``  (finish(succ) >= finish(pred) + lag)
- SF: ``offset = lag - d_succ``           (finish(succ) >= start(pred) + lag)

so one longest-path pass in topological order gives the early dates and one
shortest-path pass in reverse gives the late dates, for all four types.

An elapsed lag (``3ed``: calendar time) has no constant offset in working
minutes: it is resolved through the calendar at the predecessor's early date
(forward) and the successor's late date (backward), see :mod:`pmfit.engine.elapsed`.
``CpmResult.link_offset`` holds the offsets as resolved at the early dates.

Constraints follow MS Project: SNET/FNET raise the early dates; SNLT/FNLT
and deadlines lower the late dates (a task that cannot meet them shows
negative float); MSO/MFO pin the task; ALAP tasks are placed as late as they
can go without delaying a successor (they use their free float). No task
starts before the project start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pmfit.engine import kernels
from pmfit.engine.jit import kernel
from pmfit.engine.kernels import (
    DRIVER_CONSTRAINT,
    DRIVER_PROJECT_START,
    NO_LOWER,
    NO_UPPER,
)
from pmfit.engine.network import (
    ALAP,
    FF,
    FNET,
    FNLT,
    FS,
    MFO,
    MSO,
    SF,
    SNET,
    SNLT,
    SS,
    Network,
)

IntArray = npt.NDArray[np.int64]


def _working_offsets(network: Network, d: IntArray) -> IntArray:
    """Offsets from the working lags alone (an elapsed lag counts 0 here)."""
    t = network.link_type
    from_finish = (t == FS) | (t == FF)
    to_finish = (t == FF) | (t == SF)
    return (
        network.link_lag
        + np.where(from_finish, d[network.link_src], 0)
        - np.where(to_finish, d[network.link_dst], 0)
    ).astype(np.int64)


def link_offsets(network: Network, duration: IntArray | None = None) -> IntArray:
    """Per-link offset so that ``ES[dst] >= ES[src] + offset`` (see the module doc).

    Elapsed lags are resolved where the early dates (for these durations) put them: exact for
    that schedule; an engine that moves tasks (leveling, simulation) measures the elapsed lag
    in working time there.
    """
    d = network.duration if duration is None else np.asarray(duration, dtype=np.int64)
    offset = _working_offsets(network, d)
    if network.has_elapsed:
        lower, lower_driver, _, must = _bounds(network, d)
        offset, _, _ = _forward(network, d, offset, lower, lower_driver, must)
    return offset


def in_working_time(network: Network) -> Network:
    """The network with each elapsed lag replaced by the working lag it is at the early dates.

    For the engines that move tasks with constant link offsets (leveling, the risk simulation):
    exact where the plain schedule puts the tasks, an approximation of the calendar time where
    they move a predecessor across a weekend or holiday. The plan a leveling keeps (as leveling
    delays) is scheduled again by :func:`critical_path_method`, with the elapsed lags exact.
    """
    if not network.has_elapsed:
        return network
    from dataclasses import replace

    d = network.duration
    resolved = link_offsets(network, d) - _working_offsets(network, d)
    return replace(network, link_lag=(network.link_lag + resolved).astype(np.int64),
                   link_elapsed=np.zeros(0, dtype=np.int64))


def elapsed_links_short(network: Network, start: IntArray, duration: IntArray | None = None) -> IntArray:
    """Links whose elapsed lag ``start`` (a schedule's starts) does not leave: for checking engines
    that move tasks with the lags in working time (:func:`in_working_time`)."""
    if not network.has_elapsed:
        return np.zeros(0, dtype=np.int64)
    from pmfit.engine.elapsed import shift

    assert network.calendar is not None, "elapsed lags need the network's calendar"
    d = network.duration if duration is None else np.asarray(duration, dtype=np.int64)
    links = np.flatnonzero(network.link_elapsed)
    pre, post, from_start = _anchor_parts(network, d, links)
    lag = _working_offsets(network, d)[links] - pre + post
    anchor = start[network.link_src[links]] + pre
    needed = shift(network.calendar, anchor, from_start, network.link_elapsed[links]) - post + lag
    short: IntArray = links[start[network.link_dst[links]] < needed]
    return short


def _anchor_parts(network: Network, d: IntArray, links: IntArray) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """For links: the predecessor's part (its duration from a finish), the successor's, whether from a start."""
    t = network.link_type[links]
    from_start = (t == SS) | (t == SF)
    to_finish = (t == FF) | (t == SF)
    pre = np.where(from_start, 0, d[network.link_src[links]]).astype(np.int64)
    post = np.where(to_finish, d[network.link_dst[links]], 0).astype(np.int64)
    return pre, post, from_start


def _forward(network: Network, d: IntArray, offset: IntArray, lower: IntArray, lower_driver: IntArray,
             must: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The forward pass; with elapsed lags, repeated until their resolved offsets settle.

    Returns ``(offset, early_start, driver)`` with the elapsed links' offsets resolved.
    """
    n = network.n
    forward = kernel(kernels.forward_pass, n + network.m)
    early_start = np.zeros(n, dtype=np.int64)
    driver = np.zeros(n, dtype=np.int64)
    forward(network.order, network.pred_ptr, network.link_src, offset,
            lower, lower_driver, must, early_start, driver)
    if not network.has_elapsed:
        return offset, early_start, driver
    from pmfit.engine.elapsed import shift

    assert network.calendar is not None, "elapsed lags need the network's calendar"
    links = np.flatnonzero(network.link_elapsed)
    base = offset[links]
    pre, _, from_start = _anchor_parts(network, d, links)
    offset = offset.copy()
    for _ in range(len(links) + 1):
        anchor = early_start[network.link_src[links]] + pre
        resolved = base + shift(network.calendar, anchor, from_start, network.link_elapsed[links]) - anchor
        if np.array_equal(resolved, offset[links]):
            break
        offset[links] = resolved
        forward(network.order, network.pred_ptr, network.link_src, offset,
                lower, lower_driver, must, early_start, driver)
    return offset, early_start, driver


def _backward_pass(network: Network, d: IntArray, offset: IntArray, dates: IntArray,
                   run: Callable[[IntArray], None]) -> IntArray:
    """Repeat a backward pass ``run(offset)`` (which fills ``dates``) with each elapsed link resolved at
    its successor's date there, until the resolved offsets settle; returns the offsets last used."""
    from pmfit.engine.elapsed import latest_anchor

    assert network.calendar is not None, "elapsed lags need the network's calendar"
    links = np.flatnonzero(network.link_elapsed)
    working = _working_offsets(network, d)[links]  # working lag + pre - post
    pre, post, from_start = _anchor_parts(network, d, links)
    lag = working - pre + post
    offset = offset.copy()
    for _ in range(len(links) + 1):
        at_dst = dates[network.link_dst[links]]
        # ES[dst] >= shift(ES[src] + pre) - post + lag  <=>  ES[src] <= latest_anchor(ES[dst] + post - lag) - pre
        allowed = latest_anchor(network.calendar, at_dst + post - lag, from_start,
                                network.link_elapsed[links]) - pre
        resolved = at_dst - allowed
        if np.array_equal(resolved, offset[links]):
            break
        offset[links] = resolved
        run(offset)
    return offset


@dataclass(frozen=True, eq=False)
class CpmResult:
    """Early/late starts in working minutes per task, with floats and drivers.

    ``start``/``finish`` are the scheduled dates (the early dates, except for
    ALAP tasks, which sit as late as their successors allow). ``driver[i]`` is the link
    index that set ``early_start[i]``, or a negative ``kernels.DRIVER_*`` code.
    """

    network: Network
    early_start: IntArray
    early_finish: IntArray
    late_start: IntArray
    late_finish: IntArray
    start: IntArray
    finish: IntArray
    total_float: IntArray
    free_float: IntArray
    driver: IntArray
    project_finish: int
    link_offset: IntArray

    @property
    def critical(self) -> npt.NDArray[np.bool_]:
        """Critical tasks: total float of zero or less (MS Project's rule)."""
        return self.total_float <= 0

    def driving_links(self) -> npt.NDArray[np.bool_]:
        """Links with no slack: ``ES[dst] == ES[src] + offset``."""
        n = self.network
        tight: npt.NDArray[np.bool_] = self.early_start[n.link_dst] == self.early_start[n.link_src] + self.link_offset
        return tight


def _bounds(network: Network, d: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Lower bounds on ES (with what set them), upper bounds on LS, must-dates."""
    ctype = network.constraint_type
    ctime = network.constraint_time
    lower = np.zeros(network.n, dtype=np.int64)
    lower_driver = np.full(network.n, DRIVER_PROJECT_START, dtype=np.int64)
    snet = np.where(ctype == SNET, ctime, NO_LOWER)
    fnet = np.where(ctype == FNET, ctime - d, NO_LOWER)
    constrained = np.maximum(snet, fnet)
    raise_it = constrained > lower
    lower = np.where(raise_it, constrained, lower)
    lower_driver[raise_it] = DRIVER_CONSTRAINT
    must = np.full(network.n, NO_LOWER, dtype=np.int64)
    must = np.where(ctype == MSO, ctime, must)
    must = np.where(ctype == MFO, ctime - d, must)
    upper = np.full(network.n, NO_UPPER, dtype=np.int64)
    upper = np.where(ctype == SNLT, np.minimum(upper, ctime), upper)
    upper = np.where(ctype == FNLT, np.minimum(upper, ctime - d), upper)
    has_deadline = network.deadline < NO_UPPER
    upper = np.where(has_deadline, np.minimum(upper, network.deadline - d), upper)
    return lower, lower_driver, upper, must


def critical_path_method(network: Network, duration: IntArray | None = None) -> CpmResult:
    """Run the forward and backward passes; pure, returns a :class:`CpmResult`."""
    d = network.duration if duration is None else np.asarray(duration, dtype=np.int64)
    n = network.n
    lower, lower_driver, upper, must = _bounds(network, d)
    size = n + network.m
    backward = kernel(kernels.backward_pass_by_pred, size)
    offset, early_start, driver = _forward(network, d, _working_offsets(network, d), lower, lower_driver, must)
    early_finish = early_start + d
    project_finish = int(early_finish.max()) if n else 0

    late_start = np.zeros(n, dtype=np.int64)
    upper = np.minimum(upper, project_finish - d)
    if network.project_deadline < NO_UPPER:
        upper = np.minimum(upper, network.project_deadline - d)
    backward(network.order, network.pred_ptr, network.link_src, offset, upper, must, late_start)
    if network.has_elapsed:  # each elapsed link resolved where its successor is late
        _backward_pass(network, d, offset, late_start, lambda off: backward(
            network.order, network.pred_ptr, network.link_src, off, upper, must, late_start))
    late_finish = late_start + d
    total_float = late_start - early_start

    free_float = project_finish - early_finish
    if network.m:
        free_pass = kernel(kernels.free_float_pass, size)
        if free_pass is not kernels.free_float_pass:  # compiled: one pass over the links
            free_pass(network.link_src, network.link_dst, offset, early_start, free_float)
        else:
            slack = early_start[network.link_dst] - early_start[network.link_src] - offset
            np.minimum.at(free_float, network.link_src, slack)
    free_float = np.maximum(np.minimum(free_float, np.maximum(total_float, 0)), 0)

    start = early_start
    alap = network.constraint_type == ALAP
    if alap.any():
        # ALAP: as late as possible without delaying any successor or the project finish
        # (MS Project and Primavera: it uses its free float; successors keep their dates).
        limit = np.minimum(upper, NO_UPPER).astype(np.int64)
        start = np.zeros(n, dtype=np.int64)
        alap_pass = kernel(kernels.alap_pass, size)
        alap_pass(network.order, network.pred_ptr, network.link_src, offset, alap, early_start, limit.copy(), start)
        if network.has_elapsed:  # an ALAP predecessor's elapsed lag resolved where its successor is placed
            _backward_pass(network, d, offset, start, lambda off: alap_pass(
                network.order, network.pred_ptr, network.link_src, off, alap, early_start, limit.copy(), start))
    return CpmResult(
        network=network,
        early_start=early_start,
        early_finish=early_finish,
        late_start=late_start,
        late_finish=late_finish,
        start=start,
        finish=start + d,
        total_float=total_float,
        free_float=free_float,
        driver=driver,
        project_finish=project_finish,
        link_offset=offset,
    )


__all__ = ["CpmResult", "critical_path_method", "in_working_time", "link_offsets", "FS", "SS", "FF", "SF",
           "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"]


def bounds(network: Network, duration: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The constraint bounds the passes apply for these durations: ``(lower, lower_driver, upper, must)``.

    ``ES >= lower`` (SNET/FNET and the project start), ``LS <= upper``
    (SNLT/FNLT/deadlines), ``must`` pins MSO/MFO tasks (``NO_LOWER`` = none).
    Public so that other engines (the risk simulation) apply constraints
    exactly as :func:`critical_path_method` does.
    """
    return _bounds(network, np.asarray(duration, dtype=np.int64))
