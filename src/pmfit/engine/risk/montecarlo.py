"""Monte Carlo schedule risk over a compiled :class:`~pmfit.engine.network.Network`.

Each iteration draws every uncertain task's duration, lets the risk events of
the register occur or not, and runs the CPM passes on those durations (the
same forward and backward kernels as :mod:`pmfit.engine.cpm`, batched across
iterations by :mod:`pmfit.engine.risk.kernel`).

Correlation model (one shared factor per group): a task of group ``g`` gets
``z = sqrt(rho) * F_g + sqrt(1 - rho) * e`` with ``F_g`` and ``e`` independent
standard normals, and the quantile ``q = Phi(z)`` of its own distribution. Two
tasks of one group have normal-score correlation ``rho``; ungrouped tasks are
independent. Each task keeps its own triangular/PERT/uniform marginal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt

from pmfit.engine.cpm import bounds as cpm_bounds
from pmfit.engine.cpm import critical_path_method
from pmfit.engine.jit import kernel
from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.engine.network import DISTRIBUTIONS, FF, FNET, FNLT, FS, MFO, MSO, SF, SNLT, Network
from pmfit.engine.risk import kernel as kernels
from pmfit.engine.risk.kernel import FIXED, PERT
from pmfit.engine.risk.result import DeadlineOdds, RiskImpact, RiskResult

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: PERT quantile table resolution (points on the q grid).
PERT_STEPS = 4096
#: At most this many tasks get per-iteration dates kept (milestones, deadlines, constraints).
MAX_TRACKED = 256
#: At most this many tracked dates per run (iterations x tracked tasks), so memory stays bounded.
TRACKED_NUMBERS = 20_000_000
#: Target size of one chunk's quantile buffer, in numbers (bounded memory at any size).
CHUNK_NUMBERS = 16_000_000
#: Rough cost of a numpy row operation in compiled-row units: decides Python vs numba.
PYTHON_ROW_COST = 4
#: Fewest iterations before an early stop on precision is allowed.
MIN_ITERATIONS = 1000

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class RiskEvent:
    """A risk of the register in engine form: task indices and delays in working minutes."""

    id: str
    probability: float
    delays: dict[int, int] = field(default_factory=dict)
    cost: float = 0.0
    name: str = ""


@cache
def pert_quantiles(alpha: float, beta: float, steps: int = PERT_STEPS) -> FloatArray:
    """Quantiles of Beta(alpha, beta) at ``q = 0, 1/steps, ..., 1`` (alpha, beta >= 1).

    The CDF is integrated numerically on a fine grid (Simpson-accurate for
    these smooth densities) and inverted by interpolation; the tests compare
    it with scipy's ``beta.ppf``.
    """
    grid = 1 << 15
    x = np.linspace(0.0, 1.0, grid + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pdf = (alpha - 1.0) * np.log(x) + (beta - 1.0) * np.log1p(-x)
    pdf = np.exp(np.nan_to_num(log_pdf, nan=-np.inf, neginf=-np.inf))
    if alpha == 1.0:
        pdf[0] = np.exp((beta - 1.0) * np.log1p(-x[0]))
    if beta == 1.0:
        pdf[-1] = np.exp((alpha - 1.0) * np.log(x[-1]))
    cdf = np.concatenate(([0.0], np.cumsum((pdf[1:] + pdf[:-1]) * 0.5)))
    cdf /= cdf[-1]
    q = np.linspace(0.0, 1.0, steps + 1)
    # the CDF can be flat only where the density is zero (the ends); take the inner end
    keep = np.concatenate(([True], np.diff(cdf) > 0))
    return np.interp(q, cdf[keep], x[keep])


@dataclass(frozen=True, eq=False)
class _Sampling:
    """Sampled tasks (ungrouped first, then grouped), their distributions, and the risk register."""

    sample_task: IntArray
    sample_of: IntArray  # per task: its sample index, or -1 when its duration is fixed
    free: int  # samples [0, free) are ungrouped
    dist: IntArray
    lo: FloatArray
    mode: FloatArray
    hi: FloatArray
    group: IntArray
    groups: int
    table: FloatArray
    table_row: IntArray
    risk_ptr: IntArray
    risk_task: IntArray
    risk_delay: IntArray
    risk_prob: FloatArray
    risk_cost: FloatArray


def _sampling(network: Network, risks: Sequence[RiskEvent]) -> _Sampling:
    n = network.n
    base = network.duration.astype(float)
    lo = network.optimistic if len(network.optimistic) == n else base
    mode = network.likely if len(network.likely) == n else base
    hi = network.pessimistic if len(network.pessimistic) == n else base
    dist = network.distribution if len(network.distribution) == n else np.zeros(n, dtype=np.int64)
    group = network.group if len(network.group) == n else np.full(n, -1, dtype=np.int64)
    disordered = (lo < 0) | (lo > mode) | (mode > hi) | ~np.isfinite(lo) | ~np.isfinite(hi)
    if disordered.any():
        bad = int(np.flatnonzero(disordered)[0])
        raise ValueError(f"task {network.ids[bad]!r}: estimate not ordered "
                         "0 <= optimistic <= likely <= pessimistic")
    uncertain = (dist != FIXED) & (hi > lo)
    grouped = uncertain & (group >= 0)
    sampled = np.concatenate((np.flatnonzero(uncertain & ~grouped), np.flatnonzero(grouped))).astype(np.int64)
    free = int((uncertain & ~grouped).sum())
    sample_of = np.full(n, -1, dtype=np.int64)
    sample_of[sampled] = np.arange(len(sampled))
    rows: dict[tuple[float, float], int] = {}
    table_row = np.zeros(len(sampled), dtype=np.int64)
    sdist = dist[sampled].astype(np.int64)
    for s, i in enumerate(sampled.tolist()):
        if sdist[s] == PERT:
            width = hi[i] - lo[i]
            alpha = round(1.0 + 4.0 * (mode[i] - lo[i]) / width, 6)
            beta = round(1.0 + 4.0 * (hi[i] - mode[i]) / width, 6)
            table_row[s] = rows.setdefault((alpha, beta), len(rows))
    # per PERT shape: the quantiles on the grid, then 1/alpha and 1/beta (for the tails)
    table = np.ones((max(len(rows), 1), PERT_STEPS + 3))
    for (alpha, beta), row in rows.items():
        table[row, :PERT_STEPS + 1] = pert_quantiles(alpha, beta)
        table[row, PERT_STEPS + 1:] = (1.0 / alpha, 1.0 / beta)
    sgroup = group[sampled].astype(np.int64)
    used, dense = np.unique(sgroup[sgroup >= 0], return_inverse=True)
    sgroup[sgroup >= 0] = dense

    risk_ptr = np.zeros(len(risks) + 1, dtype=np.int64)
    risk_task: list[int] = []
    risk_delay: list[int] = []
    for r, risk in enumerate(risks):
        if not 0.0 <= risk.probability <= 1.0:
            raise ValueError(f"risk {risk.id!r}: probability {risk.probability} is outside 0..1")
        for task, delay in risk.delays.items():
            if not 0 <= task < n:
                raise ValueError(f"risk {risk.id!r}: task index {task} is not in the network")
            if delay < 0:
                raise ValueError(f"risk {risk.id!r}: negative delay on task {network.ids[task]!r}")
            risk_task.append(task)
            risk_delay.append(delay)
        risk_ptr[r + 1] = len(risk_task)
    return _Sampling(
        sample_task=sampled, sample_of=sample_of, free=free, dist=sdist,
        lo=np.ascontiguousarray(lo[sampled], dtype=float),
        mode=np.ascontiguousarray(mode[sampled], dtype=float),
        hi=np.ascontiguousarray(hi[sampled], dtype=float),
        group=sgroup, groups=len(used), table=table, table_row=table_row,
        risk_ptr=risk_ptr, risk_task=np.array(risk_task, dtype=np.int64),
        risk_delay=np.array(risk_delay, dtype=np.int64),
        risk_prob=np.array([r.probability for r in risks], dtype=float),
        risk_cost=np.array([r.cost for r in risks], dtype=float),
    )


def _tracked(network: Network, iterations: int) -> IntArray:
    """Tasks whose dates are kept per iteration: dated constraints and deadlines first, then milestones.

    At most :data:`MAX_TRACKED`, and at most :data:`TRACKED_NUMBERS` dates in all.
    """
    dated = (network.deadline < NO_UPPER) | np.isin(network.constraint_type, (SNLT, FNLT))
    first = np.flatnonzero(dated)
    rest = np.flatnonzero(network.milestone & ~dated)
    limit = min(MAX_TRACKED, TRACKED_NUMBERS // max(iterations, 1))
    return np.concatenate((first, rest))[:limit].astype(np.int64)


def _threads() -> int:
    try:
        import numba

        return int(numba.get_num_threads())
    except ImportError:  # pragma: no cover - numba is optional
        return 1


def _average_ranks(values: IntArray) -> FloatArray:
    """Ranks 1..n, ties sharing their average rank (as Spearman's rho wants)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    before = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return (before + (counts + 1) / 2.0)[inverse]


def quantile_standard_error(values: FloatArray | IntArray, p: float, presorted: bool = True) -> float:
    """Distribution-free standard error of the ``p``-quantile.

    Half the distance between the order statistics at ranks ``n p -/+ sqrt(n p (1-p))``
    (the one-sigma binomial interval for the quantile's rank). ``values``
    sorted, or ``presorted=False`` (then only those two ranks are selected).
    """
    n = len(values)
    if n < 2:
        return math.inf
    spread = math.sqrt(n * p * (1.0 - p))
    lo = max(math.floor(n * p - spread), 0)
    hi = min(math.ceil(n * p + spread), n - 1)
    ordered = values if presorted else np.partition(values, (lo, hi))
    return float(ordered[hi] - ordered[lo]) / 2.0


@dataclass
class _Run:
    finish: IntArray
    cost: FloatArray
    tracked_start: IntArray
    tracked_finish: IntArray
    critical: IntArray
    conflicts: IntArray
    occurred: IntArray
    s_q: FloatArray
    s_qq: FloatArray
    s_qr: FloatArray
    s_r: float
    s_rr: float
    durations: IntArray | None
    iterations: int
    stopped_early: bool
    #: per risk, the finish of every iteration with that risk switched off (``risk_finishes=True``)
    finish_without: IntArray | None = None


class _Buffers:
    """Work arrays for chunks of one width (tasks x iterations)."""

    def __init__(self, n: int, k: int, groups: int, tracked: int, width: int, times: type) -> None:
        # float32 draws: twice as fast to make and to read; 2^-24 steps are far below a minute
        self.q = np.empty((k, width), dtype=np.float32)
        self.factor = np.zeros((max(groups, 1), width), dtype=np.float32)
        # durations and dates in int32 when the plan's horizon allows: half the memory traffic
        self.d: IntArray = np.empty((n, width), dtype=times)
        self.early: IntArray = np.empty((n, width), dtype=times)
        self.late: IntArray = np.empty((n, width), dtype=times)
        self.fin = np.zeros(width, dtype=np.int64)
        self.no_rows = np.zeros((0, width), dtype=np.int64)
        self.ts = np.zeros((tracked, width), dtype=np.int64)
        self.tf = np.zeros((tracked, width), dtype=np.int64)


class _FlatConstraints:
    """Constrained tasks x iterations flattened, in the shape :func:`cpm.bounds` reads."""

    def __init__(self, network: Network, tasks: IntArray, width: int) -> None:
        self.width = width
        self.n = len(tasks) * width
        self.constraint_type = np.repeat(network.constraint_type[tasks], width)
        self.constraint_time = np.repeat(network.constraint_time[tasks], width)
        self.deadline = np.repeat(network.deadline[tasks], width)


@cache
def _pool() -> ThreadPoolExecutor:
    """Two threads for drawing random numbers (numpy releases the GIL while it fills arrays)."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="pmfit-risk-draw")


def _draw(stream: np.random.SeedSequence, q: npt.NDArray[np.float32], factor: npt.NDArray[np.float32], sampling: _Sampling,
          width: int, pool: ThreadPoolExecutor) -> npt.NDArray[np.bool_]:
    """A chunk's random numbers, in a fixed layout so that a given seed always gives the same ones.

    Five child streams: the ungrouped uniforms in two halves and the grouped
    normals in two halves (drawn in two threads; numpy releases the GIL while
    it fills arrays), then the group factors and the risk occurrences. A rerun
    with one risk switched off therefore sees exactly the same numbers
    (common random numbers).
    """
    gens = [np.random.Generator(np.random.PCG64(s)) for s in stream.spawn(5)]
    free, k = sampling.free, len(q)
    half_free, half_grouped = free // 2, free + (k - free) // 2
    parts = ((gens[0], slice(0, half_free), True), (gens[1], slice(half_free, free), True),
             (gens[2], slice(free, half_grouped), False), (gens[3], slice(half_grouped, k), False))
    jobs = [pool.submit(gen.random if uniform else gen.standard_normal, dtype=np.float32, out=q[rows])
            for gen, rows, uniform in parts if rows.stop > rows.start]
    if k > free:
        gens[4].standard_normal(dtype=np.float32, out=factor)
    occurred = gens[4].random((len(sampling.risk_prob), width)) < sampling.risk_prob[:, None]
    for job in jobs:
        job.result()
    return occurred


def _time_type(network: Network, sampling: _Sampling) -> type:
    """int32 when no date of any iteration can reach 2^30 working minutes, else int64.

    Every early or late date lies within the sum of all (largest) durations,
    risk delays and |lags| of the start or of a constraint date.
    """
    longest = float(np.sum(np.maximum(network.duration, 0)))
    longest += float(np.sum(sampling.hi)) + float(np.sum(sampling.risk_delay))
    longest += float(np.sum(np.abs(network.link_lag)))
    dated = network.constraint_time[network.constraint_time > NO_LOWER]
    deadlines = network.deadline[network.deadline < NO_UPPER]
    for times in (dated, deadlines, np.array([network.project_deadline]) if network.project_deadline < NO_UPPER
                  else np.zeros(0, dtype=np.int64)):
        if len(times):
            longest += float(np.max(np.abs(times)))
    return np.int32 if longest < 2**30 else np.int64


def chunk_width(network: Network) -> int:
    """Iterations per chunk: about :data:`CHUNK_NUMBERS` numbers per (tasks x iterations) array."""
    return int(min(max(CHUNK_NUMBERS // max(network.n, 1), 64), 8192))


def _run(
    network: Network, sampling: _Sampling, cost_rate: FloatArray, iterations: int, seed: int,
    rho: float, tracked: IntArray, *, disabled_risk: int = -1, precision: float | None = None,
    keep_durations: bool = False, progress: ProgressFn | None = None, risk_finishes: bool = False,
) -> _Run:
    """One simulation, chunk by chunk. ``disabled_risk``: run with that risk switched off.

    ``risk_finishes``: also the finish of every iteration with each risk switched off, on the same
    random numbers (common random numbers), as ``disabled_risk`` runs would give, bit for bit: an
    iteration where a risk did not occur has the same durations and so the same finish without it;
    where it occurred, only its delays come off. So only those iterations are recomputed, all risks
    in one batch of forward passes per chunk — about the sum of the risks' probabilities in extra
    passes instead of one whole simulation per risk.
    """
    n, k, groups = network.n, len(sampling.sample_task), sampling.groups
    risks = len(sampling.risk_prob)
    chunk = min(chunk_width(network), iterations)
    chunks = -(-iterations // chunk)
    # Run as Python, each kernel step is one numpy operation on a row of a chunk: cheap
    # for small networks and no compiler start-up. Compile when there are many rows to walk.
    size = (n + network.m) * chunks * PYTHON_ROW_COST
    kernels.register_helpers()
    sample = kernel(kernels.sample_durations, size, parallel=True)
    passes = kernel(kernels.cpm_passes, size, parallel=True)
    outputs = kernel(kernels.chunk_outputs, size)
    compiled = passes is not kernels.cpm_passes
    nblocks = max(1, min(2 * _threads(), chunk // 64)) if compiled else 1
    streams = np.random.SeedSequence(seed).spawn(chunks)

    # constant bounds from the base durations; per-iteration bounds where they move with the duration
    lower, _, upper, must = cpm_bounds(network, network.duration)
    varying = sampling.sample_of >= 0
    varying[sampling.risk_task] = True
    moves = np.isin(network.constraint_type, (FNET, FNLT, MFO)) | (network.deadline < NO_UPPER)
    dep = np.flatnonzero(varying & moves).astype(np.int64)
    bound_row = np.full(n, -1, dtype=np.int64)
    bound_row[dep] = np.arange(len(dep))
    # rows of the (tasks x iterations) arrays in topological order: the passes walk memory in order
    row_of = np.empty(n, dtype=np.int64)
    row_of[network.order] = np.arange(n)
    src_row = np.ascontiguousarray(row_of[network.link_src])
    from_finish = np.isin(network.link_type, (FS, FF)).astype(np.int64)
    to_finish = np.isin(network.link_type, (FF, SF)).astype(np.int64)

    finish = np.zeros(iterations, dtype=np.int64)
    cost = np.zeros(iterations)
    tracked_start = np.zeros((iterations, len(tracked)), dtype=np.int64)
    tracked_finish = np.zeros((iterations, len(tracked)), dtype=np.int64)
    critical = np.zeros((nblocks, n), dtype=np.int64)
    conflicts = np.zeros((nblocks, n), dtype=np.int64)
    occurred_count = np.zeros(risks, dtype=np.int64)
    durations = np.zeros((iterations if keep_durations else 0, n), dtype=np.int64)
    risk_finishes = risk_finishes and risks > 0 and disabled_risk < 0
    finish_without = np.zeros((risks if risk_finishes else 0, iterations), dtype=np.int64)
    parts: list[_Downstream] = []
    union = np.zeros(0, dtype=np.int64)
    if risk_finishes:
        reach = kernel(kernels.reach_forward, network.n + network.m)
        parts = [_downstream(network, sampling, r, row_of, dep, lower, must, from_finish, to_finish, reach)
                 for r in range(risks)]
        union = np.unique(np.concatenate([part.rows for part in parts]))
        for part in parts:  # the union's rows outside each part: their finish is the main run's
            part.rest = np.flatnonzero(~np.isin(union, part.rows)).astype(np.int64)
    s_q = np.zeros(k)
    s_qq = np.zeros(k)
    s_qr = np.zeros(k)
    s_r = s_rr = 0.0
    flat = _FlatConstraints(network, dep, chunk)
    buffers: dict[int, _Buffers] = {}
    times = _time_type(network, sampling)
    with_outputs = disabled_risk < 0 and bool(len(tracked) or np.any(cost_rate != 0)
                                              or np.any(sampling.risk_cost != 0))
    done = 0
    stopped = False
    pool = _pool()
    phi = kernels.phi_table()
    for c in range(chunks):
        width = min(chunk, iterations - done)
        if width not in buffers:
            buffers[width] = _Buffers(n, k, groups, len(tracked), width, times)
        buf = buffers[width]
        q, factor, d, early, late, fin = buf.q, buf.factor, buf.d, buf.early, buf.late, buf.fin
        if width != flat.width:
            flat = _FlatConstraints(network, dep, width)
        occurred = _draw(streams[c], q, factor, sampling, width, pool)
        if disabled_risk >= 0:
            occurred[disabled_risk] = False
        sample(network.duration, sampling.sample_of, sampling.dist, sampling.lo, sampling.mode,
               sampling.hi, sampling.group, float(rho), sampling.table, sampling.table_row, q, factor,
               occurred, sampling.risk_ptr, sampling.risk_task, sampling.risk_delay, row_of, d, s_q, s_qq, phi)
        if len(dep):
            rows = cpm_bounds(flat, d[row_of[dep]].reshape(-1))  # type: ignore[arg-type]
            lower_rows, upper_rows, must_rows = (np.ascontiguousarray(x.reshape(len(dep), width))
                                                 for x in (rows[0], rows[2], rows[3]))
        else:
            lower_rows = upper_rows = must_rows = buf.no_rows
        passes(network.order, network.pred_ptr, src_row, network.link_lag, from_finish, to_finish,
               lower, upper, must, bound_row, lower_rows, upper_rows, must_rows,
               int(network.project_deadline), d, nblocks, disabled_risk < 0, early, late, fin, critical,
               conflicts)
        sl = slice(done, done + width)
        finish[sl] = fin
        if with_outputs:
            outputs(d, early, row_of, cost_rate, sampling.risk_cost, occurred, tracked, cost[sl], buf.ts,
                    buf.tf)
            tracked_start[sl] = buf.ts.T
            tracked_finish[sl] = buf.tf.T
        if keep_durations:
            durations[sl] = d[row_of].T
        if risk_finishes:
            finish_without[:, sl] = fin
            _without_each_risk(network, parts, union, occurred, d, early, times, passes, compiled,
                               finish_without[:, sl])
        occurred_count += occurred.sum(axis=1)
        if k and disabled_risk < 0:  # a rerun only needs the finish
            r = (_average_ranks(fin) - 0.5) / width
            s_qr += q @ r.astype(np.float32)
            s_r += float(r.sum())
            s_rr += float(r @ r)
        done += width
        if progress is not None:
            progress(done, iterations)
        if (precision is not None and done >= MIN_ITERATIONS and c < chunks - 1
                and quantile_standard_error(finish[:done], 0.8, presorted=False) <= precision):
            stopped = True
            break
    return _Run(
        finish=finish[:done], cost=cost[:done], tracked_start=tracked_start[:done],
        tracked_finish=tracked_finish[:done], critical=critical.sum(axis=0), conflicts=conflicts.sum(axis=0),
        occurred=occurred_count, s_q=s_q, s_qq=s_qq, s_qr=s_qr, s_r=s_r, s_rr=s_rr,
        durations=durations[:done] if keep_durations else None, iterations=done,
        stopped_early=stopped, finish_without=finish_without[:, :done] if risk_finishes else None,
    )


@dataclass
class _Downstream:
    """The part of the network a risk can move, as a small network of its own.

    ``rows``: the positions (rows of the chunk arrays, topological) of the risk's tasks, every
    task after them (``affected``) and the predecessors of those that are not affected
    (``inputs``: their dates are read from the main run, pinned through per-iteration lower
    bounds). Sub-task ``s`` is row ``rows[s]``; the links are those into affected tasks.
    """

    rows: IntArray
    inputs: IntArray  # sub-tasks whose start comes from the main run
    moving: IntArray  # affected sub-tasks whose bounds move with their duration
    moving_tasks: IntArray  # their task indices
    delay_sub: IntArray  # the risk's delayed sub-tasks ...
    delay: IntArray  # ... and their delays
    pred_ptr: IntArray
    src: IntArray
    lag: IntArray
    from_finish: IntArray
    to_finish: IntArray
    lower: IntArray
    must: IntArray
    bound_row: IntArray
    rest: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # union rows not in ``rows``


def _downstream(network: Network, sampling: _Sampling, risk: int, row_of: IntArray, dep: IntArray,
                lower: IntArray, must: IntArray, from_finish: IntArray, to_finish: IntArray,
                reach: Callable[..., None]) -> _Downstream:
    n = network.n
    tasks = sampling.risk_task[sampling.risk_ptr[risk]:sampling.risk_ptr[risk + 1]]
    marked = np.zeros(n, dtype=np.uint8)
    marked[tasks] = 1
    reach(network.order, network.pred_ptr, network.link_src, marked)
    affected = np.flatnonzero(marked)
    # the links into affected tasks, and their predecessors that are not affected
    counts = network.pred_ptr[affected + 1] - network.pred_ptr[affected]
    links = (np.repeat(network.pred_ptr[affected], counts)
             + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int64)
    preds = np.unique(network.link_src[links])
    inputs = preds[marked[preds] == 0]
    tasks_sub = np.concatenate((affected, inputs))
    rows = row_of[tasks_sub]
    by_row = np.argsort(rows, kind="stable")
    rows, tasks_sub = rows[by_row], tasks_sub[by_row]  # sub-tasks in topological order
    sub_of = np.full(n, -1, dtype=np.int64)
    sub_of[tasks_sub] = np.arange(len(tasks_sub))
    is_input = marked[tasks_sub] == 0
    # links grouped by their (affected) successor, in sub-task order
    dst_sub = sub_of[network.link_dst[links]]
    by_dst = np.argsort(dst_sub, kind="stable")
    links, dst_sub = links[by_dst], dst_sub[by_dst]
    pred_ptr = np.zeros(len(tasks_sub) + 1, dtype=np.int64)
    np.add.at(pred_ptr, dst_sub + 1, 1)
    pred_ptr = np.cumsum(pred_ptr).astype(np.int64)
    in_dep = np.zeros(n, dtype=bool)
    in_dep[dep] = True
    moving = np.flatnonzero(~is_input & in_dep[tasks_sub]).astype(np.int64)
    input_subs = np.flatnonzero(is_input).astype(np.int64)
    bound_row = np.full(len(tasks_sub), -1, dtype=np.int64)
    bound_row[input_subs] = np.arange(len(input_subs))
    bound_row[moving] = len(input_subs) + np.arange(len(moving))
    delays = sampling.risk_delay[sampling.risk_ptr[risk]:sampling.risk_ptr[risk + 1]]
    sub_lower = lower[tasks_sub].copy()
    sub_must = must[tasks_sub].copy()
    sub_must[input_subs] = NO_LOWER
    return _Downstream(
        rows=rows.astype(np.int64), inputs=input_subs, moving=moving, moving_tasks=tasks_sub[moving],
        delay_sub=sub_of[tasks], delay=delays.astype(np.int64), pred_ptr=pred_ptr,
        src=np.ascontiguousarray(sub_of[network.link_src[links]]),
        lag=np.ascontiguousarray(network.link_lag[links]),
        from_finish=np.ascontiguousarray(from_finish[links]), to_finish=np.ascontiguousarray(to_finish[links]),
        lower=sub_lower, must=sub_must, bound_row=bound_row,
    )


def _without_each_risk(
    network: Network, parts: list[_Downstream], union: IntArray, occurred: npt.NDArray[np.bool_], d: IntArray,
    early: IntArray, times: type, passes: Callable[..., None], compiled: bool, finish_without: IntArray,
) -> None:
    """Write into ``finish_without[r, it]`` the finish of iteration ``it`` with risk ``r`` switched off,
    for the iterations where ``r`` occurred (the others keep the finish with it, which is the same).

    Only the tasks the risk can move are recomputed (its :class:`_Downstream` network, with the
    main run's dates of their other predecessors as inputs); the finish is the latest of theirs
    and of the main run's finishes of every other task.
    """
    width = d.shape[1]
    floor = np.iinfo(early.dtype).min
    # latest finish per iteration over the rows no risk can move, and the finishes of those it can
    outside = early + d
    outside[union] = floor
    rest_finish = np.maximum(outside.max(axis=0), 0) if len(outside) else np.zeros(width, dtype=early.dtype)
    del outside
    union_finish = early[union] + d[union]
    no_late: IntArray = np.zeros((1, 1), dtype=times)  # the forward pass alone reads no late dates
    for r, part in enumerate(parts):
        cols = np.flatnonzero(occurred[r])
        if not len(cols):
            continue
        c = len(cols)
        sub_d = np.ascontiguousarray(d[np.ix_(part.rows, cols)])
        for s, delay in zip(part.delay_sub.tolist(), part.delay.tolist(), strict=True):
            sub_d[s] -= delay
        bounds = len(part.inputs) + len(part.moving)
        lower_rows = np.empty((bounds, c), dtype=np.int64)
        must_rows = np.full((bounds, c), NO_LOWER, dtype=np.int64)
        lower_rows[:len(part.inputs)] = early[np.ix_(part.rows[part.inputs], cols)]
        if len(part.moving):
            flat = _FlatConstraints(network, part.moving_tasks, c)
            rows = cpm_bounds(flat, sub_d[part.moving].reshape(-1))  # type: ignore[arg-type]
            lower_rows[len(part.inputs):] = rows[0].reshape(len(part.moving), c)
            must_rows[len(part.inputs):] = rows[3].reshape(len(part.moving), c)
        sub_early: IntArray = np.empty(sub_d.shape, dtype=times)
        fin = np.zeros(c, dtype=np.int64)
        nblocks = max(1, min(2 * _threads(), c // 64)) if compiled else 1
        scratch = np.zeros((nblocks, len(part.rows)), dtype=np.int64)
        passes(np.arange(len(part.rows), dtype=np.int64), part.pred_ptr, part.src, part.lag, part.from_finish,
               part.to_finish, part.lower, part.lower, part.must, part.bound_row, lower_rows, lower_rows,
               must_rows, int(network.project_deadline), sub_d, nblocks, False, sub_early, no_late, fin,
               scratch, scratch.copy())
        np.maximum(fin, rest_finish[cols], out=fin)
        if len(part.rest):
            np.maximum(fin, union_finish[np.ix_(part.rest, cols)].max(axis=0), out=fin)
        finish_without[r, cols] = fin


def _sensitivity(run: _Run, sampling: _Sampling, n: int) -> FloatArray:
    """Spearman's rho of each task's duration with the project finish (0 for fixed tasks).

    Computed as the correlation of each sampled task's quantile ``q`` (its
    exact rank in its own distribution) with the finish's rank within its
    chunk, which estimates the same population coefficient without sorting
    every task's samples.
    """
    out = np.zeros(n)
    count = run.iterations
    if not len(sampling.sample_task) or count < 2:
        return out
    mean_q = run.s_q / count
    mean_r = run.s_r / count
    var_q = run.s_qq / count - mean_q**2
    var_r = run.s_rr / count - mean_r**2
    cov = run.s_qr / count - mean_q * mean_r
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where((var_q > 0) & (var_r > 1e-15), cov / np.sqrt(var_q * var_r), 0.0)
    out[sampling.sample_task] = np.clip(rho, -1.0, 1.0)
    return out


def simulate_network(
    network: Network,
    iterations: int = 10_000,
    seed: int | np.random.Generator | None = None,
    *,
    risks: Sequence[RiskEvent] = (),
    correlation: float = 0.5,
    cost_rate: FloatArray | None = None,
    fixed_cost: float = 0.0,
    precision: float | None = None,
    risk_impact: bool = True,
    keep_durations: bool = False,
    progress: ProgressFn | None = None,
) -> RiskResult:
    """Monte Carlo schedule risk of a network; pure and seeded.

    Args:
        network: the compiled plan; three-point estimates, distributions and
            groups come from its arrays.
        iterations: iterations to run (the most, when ``precision`` is set).
        seed: an int, a ``numpy.random.Generator`` (one number is drawn from
            it), or None for fresh entropy. Same seed, same result.
        risks: risk events (probability, delays in working minutes per task index, cost).
        correlation: ``rho`` of the shared factor within a group, 0..1.
        cost_rate: cost per working minute of each task (None: no cost model).
        fixed_cost: cost added to every iteration (fixed task costs).
        precision: stop once the standard error of P80 is at most this many
            working minutes (checked after each chunk, from 1,000 iterations on).
        risk_impact: also the P80 with each risk switched off, on the same random numbers
            (exactly what a rerun without it gives; only the iterations where it occurred
            are recomputed, see :func:`_run`).
        keep_durations: keep every iteration's durations (iterations x tasks; tests, small plans).
        progress: called as ``progress(done, total)`` after each chunk.
    """
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    if not 0.0 <= correlation <= 1.0:
        raise ValueError("correlation must be between 0 and 1")
    if precision is not None and precision <= 0:
        raise ValueError("precision must be positive")
    if len(network.order) != network.n:
        raise ValueError("the network has a dependency cycle (no topological order)")
    if isinstance(seed, np.random.Generator):
        seed_value = int(seed.integers(2**63))
    elif seed is None:
        seed_value = int(np.random.SeedSequence().entropy % 2**63)  # type: ignore[operator]
    else:
        seed_value = int(seed)
    sampling = _sampling(network, risks)
    rates = np.zeros(network.n) if cost_rate is None else np.ascontiguousarray(cost_rate, dtype=float)
    tracked = _tracked(network, iterations)
    main = _run(network, sampling, rates, iterations, seed_value, correlation, tracked,
                precision=precision, keep_durations=keep_durations, progress=progress,
                risk_finishes=risk_impact)
    deterministic = critical_path_method(network)
    impacts: list[RiskImpact] = []
    p80 = _quantile(main.finish, 0.8)
    for r, risk in enumerate(risks):
        without = (_quantile(main.finish_without[r], 0.8) if risk_impact and main.finish_without is not None
                   else None)
        impacts.append(RiskImpact(
            id=risk.id, name=risk.name or risk.id, probability=risk.probability,
            occurred=float(main.occurred[r]) / main.iterations, cost=risk.cost,
            p80_with=p80, p80_without=without,
        ))
    impacts.sort(key=lambda x: -(x.p80_with - x.p80_without) if x.p80_without is not None else 0.0)
    has_cost = cost_rate is not None or fixed_cost > 0 or bool(np.any(sampling.risk_cost > 0))
    return RiskResult(
        network=network,
        iterations=main.iterations,
        seed=seed_value,
        correlation=correlation,
        finish=main.finish,
        deterministic_finish=int(deterministic.project_finish),
        criticality=main.critical / max(main.iterations, 1),
        sensitivity=_sensitivity(main, sampling, network.n),
        tracked=tracked,
        tracked_start=main.tracked_start,
        tracked_finish=main.tracked_finish,
        cost=main.cost + fixed_cost if has_cost else None,
        risks=impacts,
        deadlines=_deadlines(network, tracked, main),
        stopped_early=main.stopped_early,
        precision=precision,
        durations=main.durations,
        uncertain=sampling.sample_task,
        distribution_names=DISTRIBUTIONS,
    )


def _quantile(values: IntArray, p: float) -> float:
    return float(np.quantile(values, p, method="inverted_cdf"))


def _deadlines(network: Network, tracked: IntArray, run: _Run) -> list[DeadlineOdds]:
    out: list[DeadlineOdds] = []
    if network.project_deadline < NO_UPPER:
        met = run.finish <= network.project_deadline
        out.append(DeadlineOdds(task=None, kind="project deadline", limit=int(network.project_deadline),
                                probability=float(met.mean())))
    for j, i in enumerate(tracked.tolist()):
        if network.deadline[i] < NO_UPPER:
            met = run.tracked_finish[:, j] <= network.deadline[i]
            out.append(DeadlineOdds(task=network.ids[i], kind="deadline", limit=int(network.deadline[i]),
                                    probability=float(met.mean())))
        kind = int(network.constraint_type[i])
        if kind == FNLT:
            met = run.tracked_finish[:, j] <= network.constraint_time[i]
            out.append(DeadlineOdds(task=network.ids[i], kind="finish no later than",
                                    limit=int(network.constraint_time[i]), probability=float(met.mean())))
        elif kind == SNLT:
            met = run.tracked_start[:, j] <= network.constraint_time[i]
            out.append(DeadlineOdds(task=network.ids[i], kind="start no later than",
                                    limit=int(network.constraint_time[i]), probability=float(met.mean()),
                                    on_start=True))
    for i in np.flatnonzero(np.isin(network.constraint_type, (MSO, MFO))).tolist():
        # held when the predecessors allow the pinned date (CPM's constraint_conflict otherwise)
        start_pin = int(network.constraint_type[i]) == MSO
        out.append(DeadlineOdds(task=network.ids[i], kind="must start on" if start_pin else "must finish on",
                                limit=int(network.constraint_time[i]),
                                probability=1.0 - float(run.conflicts[i]) / max(run.iterations, 1),
                                on_start=start_pin))
    return out
