"""The leveling problem: a compiled network reduced to integer grid arrays.

Every link is one inequality ``S[dst] >= S[src] + offset`` (see
:func:`pmfit.engine.cpm.link_offsets`), so all four link types with lags are
the same thing here. Times are divided by the greatest common divisor of all
durations, offsets and dates (a *grid unit*: a day for a plan in whole days),
and fractional resource units are scaled to integers, so that the schedule
generation works on a small integer grid and CP-SAT gets integer data.

Date constraints: start/finish-no-earlier-than raise a task's release date;
must-start-on / must-finish-on pin it; the project start is a release date
for every task. Upper constraints (start/finish no later than, deadlines)
cannot hold back a leveled task; they are checked afterwards and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, reduce
from math import gcd

import numpy as np
import numpy.typing as npt

from pmfit.engine import kernels
from pmfit.engine.cpm import CpmResult, critical_path_method, link_offsets
from pmfit.engine.jit import kernel
from pmfit.engine.kernels import NO_LOWER
from pmfit.engine.network import ALAP, FNET, MFO, MSO, SNET, Network
from pmfit.model.diagnostics import Diagnostic, PlanError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NORMAL, IGNORE_RESOURCES, PINNED = 0, 1, 2
#: The resource grid (resources x time steps) is kept below this many cells (8 bytes each).
MAX_GRID_CELLS = 30_000_000


@dataclass(frozen=True, eq=False)
class Problem:
    """Integer arrays for the leveling kernels (times in grid units)."""

    network: Network
    cpm: CpmResult
    unit: int  # working minutes per grid unit
    units_scale: int  # resource units are multiplied by this
    dur: IntArray
    lower: IntArray
    mode: IntArray
    rank: IntArray  # 0 = highest plan priority
    # forward CSR
    fpp: IntArray
    fps: IntArray
    fpo: IntArray
    fsp: IntArray
    fsd: IntArray
    fso: IntArray
    findeg: IntArray
    # backward (reversed) CSR
    bpp: IntArray
    bps: IntArray
    bpo: IntArray
    bsp: IntArray
    bsd: IntArray
    bso: IntArray
    bindeg: IntArray
    # demands
    dptr: IntArray
    dres: IntArray
    dun: IntArray
    cap: IntArray
    horizon: int
    over_capacity: list[tuple[int, int]]  # (task, resource) whose demand was cut to capacity
    rounded: bool = False  # durations and dates were rounded up to a coarser time step
    # time a resource is not working (its own calendar): rows (resource, from, to) in grid units
    blocked: IntArray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.dur)

    @property
    def resources(self) -> int:
        return len(self.cap)

    @property
    def levelable_only(self) -> bool:
        return bool((self.mode == NORMAL).all())

    def cpm_bound(self) -> int:
        """The critical-path length with releases and pins (grid units): no schedule is shorter."""
        es = self.early_starts
        return int((es + self.dur).max()) if self.n else 0

    @cached_property
    def early_starts(self) -> IntArray:
        """Earliest starts from links, releases and pins alone (no resources), grid units."""
        forward = kernel(kernels.forward_pass, self.n + len(self.fps))
        es = np.zeros(self.n, dtype=np.int64)
        driver = np.zeros(self.n, dtype=np.int64)
        must = np.where(self.mode == PINNED, self.lower, NO_LOWER).astype(np.int64)
        forward(self.network.order, self.fpp, self.fps, self.fpo, self.lower,
                np.zeros(self.n, dtype=np.int64), must, es, driver)
        return es

    def precedence_starts(self, start: IntArray, use_all: bool = False) -> IntArray:
        """Earliest starts from links and releases alone (``use_all``) or given other starts."""
        if use_all:
            return self.early_starts.copy()
        es = self.lower.copy()
        for j in range(self.n):
            if self.mode[j] == PINNED:
                continue
            for k in range(int(self.fpp[j]), int(self.fpp[j + 1])):
                c = start[self.fps[k]] + self.fpo[k]
                if c > es[j]:
                    es[j] = c
        return es

    @cached_property
    def late_dates(self) -> tuple[IntArray, IntArray]:
        """Latest starts and finishes with the critical-path length as horizon (no resources)."""
        backward = kernel(kernels.backward_pass, self.n + len(self.fps))
        horizon = self.cpm_bound()
        ls = np.zeros(self.n, dtype=np.int64)
        upper = (horizon - self.dur).astype(np.int64)
        must = np.full(self.n, NO_LOWER, dtype=np.int64)
        backward(self.network.order, self.fsp, np.arange(len(self.fsd), dtype=np.int64), self.fsd,
                 self.fso, upper, must, ls)
        return ls, (ls + self.dur).astype(np.int64)

    @cached_property
    def blocked_base(self) -> npt.NDArray[np.int64]:
        """Blocked time on the grid (read only): a resource's days off hold its full capacity."""
        grid = np.zeros((max(self.resources, 1), self.horizon + 1), dtype=np.int64)
        for r, a, b in self.blocked.tolist():
            grid[r, max(a, 0):max(min(b, self.horizon + 1), 0)] += int(self.cap[r])
        return grid

    def blocked_grid(self) -> npt.NDArray[np.int64]:
        """A fresh usage grid before any task is placed (blocked time filled in)."""
        return self.blocked_base.copy()

    def energy_bound(self) -> int:
        """``max_r ceil(sum_j d_j u_jr / cap_r)``: valid when every task is leveled and none is pinned."""
        if not self.levelable_only or self.resources == 0 or len(self.blocked):
            return 0
        energy = np.zeros(self.resources, dtype=np.int64)
        per_task = np.repeat(np.arange(self.n), np.diff(self.dptr))
        np.add.at(energy, self.dres, self.dun * self.dur[per_task])
        return int(np.max(-(-energy // np.maximum(self.cap, 1))))

    def lower_bound(self) -> int:
        return max(self.cpm_bound(), self.energy_bound())

    def to_minutes(self, t: IntArray) -> IntArray:
        return (t * self.unit).astype(np.int64)


def _gcd_of(values: IntArray) -> int:
    nz = np.unique(np.abs(values[values != 0]))
    if len(nz) == 0:
        return 0
    return int(reduce(gcd, nz.tolist()))


def build_problem(network: Network, cpm: CpmResult | None = None,
                  blocked: list[tuple[int, int, int]] | None = None) -> Problem:
    """Reduce a network to the leveler's integer arrays.

    ``blocked``: ``(resource index, from, to)`` in working minutes when a resource is not
    working (its own calendar); no task that needs it may run then.
    """
    cpm = cpm or critical_path_method(network)
    n = network.n
    d_min = network.duration.astype(np.int64)
    offsets = link_offsets(network, d_min)
    ctype, ctime = network.constraint_type, network.constraint_time
    lower_min = np.zeros(n, dtype=np.int64)
    lower_min = np.where(ctype == SNET, np.maximum(lower_min, ctime), lower_min)
    lower_min = np.where(ctype == FNET, np.maximum(lower_min, ctime - d_min), lower_min)
    pinned = (ctype == MSO) | (ctype == MFO)
    pin = np.where(ctype == MSO, ctime, np.where(ctype == MFO, ctime - d_min, 0))
    pin = np.where(pinned & (pin == NO_LOWER), 0, pin)
    lower_min = np.where(pinned, pin, lower_min)
    # ALAP tasks keep their late (unleveled) position as the earliest they may start
    lower_min = np.where(ctype == ALAP, np.maximum(lower_min, cpm.start), lower_min)
    lower_min = np.maximum(lower_min, 0)  # nothing starts before the project start
    windows = np.array(blocked or [], dtype=np.int64).reshape(-1, 3)
    unit = reduce(gcd, [g for g in (_gcd_of(d_min), _gcd_of(offsets), _gcd_of(lower_min),
                                    _gcd_of(windows[:, 1:].ravel())) if g] or [1])
    unit = max(unit, 1)
    resources = max(len(network.capacity), 1)

    def cells(u: int) -> int:
        span = (lower_min.max(initial=0) + d_min.sum() + np.maximum(network.link_lag, 0).sum()
                + (windows[:, 2] - windows[:, 1]).sum())
        return int(-(-span // u) + n + 2) * resources

    rounded = False
    if cells(unit) > MAX_GRID_CELLS:
        # A very long plan at a fine time step: round durations, offsets and dates *up* to a
        # coarser step. Rounding up keeps every link and capacity satisfied for the true
        # durations; only must-start/finish dates can move by less than one step.
        for step in (60, 240, 480, 2400, 9600, 48000, 480 * 250, 480 * 1000):
            if step > unit and cells(step) <= MAX_GRID_CELLS:
                unit, rounded = step, True
                break
        else:
            raise PlanError(Diagnostic("plan_too_long", "the plan spans too many working days to level "
                                       f"(over {MAX_GRID_CELLS // resources // 1000}k time steps per resource)"))
    dur = -(-d_min // unit)
    off = -(-offsets // unit)
    lower = -(-lower_min // unit)
    mode = np.where(pinned, PINNED, np.where(network.levelable, NORMAL, IGNORE_RESOURCES)).astype(np.int64)
    pri = network.priority if len(network.priority) == n else np.zeros(n, dtype=np.int64)
    levels = np.unique(pri)
    rank = (len(levels) - 1 - np.searchsorted(levels, pri)).astype(np.int64)
    # tasks that do not wait for resources are placed first, so the others are leveled around them
    rank = np.where(mode == NORMAL, rank + 1, 0).astype(np.int64)

    # forward CSR: links are stored grouped by successor (dst)
    fpp = network.pred_ptr.astype(np.int64)
    fps = network.link_src.astype(np.int64)
    fpo = off.astype(np.int64)
    fsp = network.succ_ptr.astype(np.int64)
    fsd = network.link_dst[network.succ_link].astype(np.int64)
    fso = off[network.succ_link].astype(np.int64)
    findeg = np.diff(fpp).astype(np.int64)
    # reversed: link a->b with offset o becomes b->a with offset o + d_b - d_a
    roff = (off + dur[network.link_dst] - dur[network.link_src]).astype(np.int64)
    bpp = fsp
    bps = fsd  # in reverse, a task's predecessors are its successors
    bpo = roff[network.succ_link].astype(np.int64)
    bsp = fpp
    bsd = fps
    bso = roff
    bindeg = np.diff(fsp).astype(np.int64)

    # demands: integer units, never above capacity (a task that needs more is cut and reported)
    cap_f = network.capacity.astype(float) if len(network.capacity) else np.zeros(0)
    units_f = network.demand_units.astype(float)
    integral = np.all(np.isclose(units_f, np.round(units_f))) and np.all(np.isclose(cap_f, np.round(cap_f)))
    scale = 1 if integral else 1000
    cap = np.round(cap_f * scale).astype(np.int64)
    dun = np.round(units_f * scale).astype(np.int64)
    dres = network.demand_resource.astype(np.int64)
    dptr = network.demand_ptr.astype(np.int64) if len(network.demand_ptr) == n + 1 else np.zeros(n + 1, np.int64)
    over: list[tuple[int, int]] = []
    if len(dun):
        too_much = dun > cap[dres]
        if too_much.any():
            task_of = np.repeat(np.arange(n), np.diff(dptr))
            over = [(int(task_of[k]), int(dres[k])) for k in np.flatnonzero(too_much)]
            dun = np.minimum(dun, cap[dres])
    # demands on zero-duration tasks and zero units never bind
    # No schedule generation pass can end later than this: a task starts at most one positive
    # lag after everything before it has finished (pinned tasks sit at their release date).
    lag = -(-network.link_lag // unit)
    # blocked time rounds outwards (never lets a task into a resource's day off)
    grid_windows = np.stack([windows[:, 0], windows[:, 1] // unit, -(-windows[:, 2] // unit)], axis=1) \
        if len(windows) else np.zeros((0, 3), dtype=np.int64)
    horizon = int(lower.max(initial=0) + dur.sum() + np.maximum(lag, 0).sum() + dur.max(initial=0) + 2
                  + (grid_windows[:, 2] - grid_windows[:, 1]).sum())
    return Problem(
        network=network, cpm=cpm, unit=unit, units_scale=scale,
        dur=dur.astype(np.int64), lower=lower.astype(np.int64), mode=mode, rank=rank,
        fpp=fpp, fps=fps, fpo=fpo, fsp=fsp, fsd=fsd, fso=fso, findeg=findeg,
        bpp=bpp, bps=bps, bpo=bpo, bsp=bsp, bsd=bsd, bso=bso, bindeg=bindeg,
        dptr=dptr, dres=dres, dun=dun, cap=cap, horizon=horizon, over_capacity=over, rounded=rounded,
        blocked=grid_windows.astype(np.int64),
    )
