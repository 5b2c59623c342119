"""The Monte Carlo risk engine, checked against independent answers.

- every iteration equals a call of ``critical_path_method`` on its durations
  (random networks with all link types, lags, constraints, deadlines, risks);
- closed forms: a chain of triangulars (mean, variance), two parallel tasks
  (CDF of the max), a risk event (mixture), PERT moments, the Gaussian-copula
  rank correlation of the shared factor;
- tolerances are 4 Monte Carlo standard errors computed in each test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pmfit.engine import jit
from pmfit.engine.cpm import critical_path_method
from pmfit.engine.kernels import NO_LOWER, NO_UPPER
from pmfit.engine.network import Network
from pmfit.engine.risk import RiskEvent, RiskResult, simulate_network
from pmfit.engine.risk.kernel import PERT, TRIANGULAR, UNIFORM
from pmfit.engine.risk.montecarlo import PERT_STEPS, pert_quantiles, quantile_standard_error
from pmfit.model.diagnostics import PlanError

DAY = 480


def random_network(n: int, seed: int, *, constraints: bool = True, links_per_task: float = 2.5,
                   spread: float = 1.0, groups: int = 0, dist: int = 1) -> Network:
    """A random DAG of ``n`` tasks with three-point estimates (``spread`` scales o/p around m)."""
    rng = np.random.default_rng(seed)
    src: list[int] = []
    dst: list[int] = []
    for j in range(1, n):
        k = min(j, int(rng.poisson(links_per_task)))
        preds = np.unique(rng.integers(max(0, j - 15), j, size=k))
        src.extend(preds.tolist())
        dst.extend([j] * len(preds))
    m = len(src)
    types = rng.choice(4, size=m, p=[0.55, 0.2, 0.15, 0.1])
    lags = np.where(rng.random(m) < 0.3, rng.integers(-2 * DAY, 3 * DAY, size=m), 0)
    likely = (rng.integers(0, 12, size=n) * DAY).astype(float)
    lo = np.round(likely * (1 - spread * rng.uniform(0, 0.5, size=n)))
    hi = np.round(likely * (1 + spread * rng.uniform(0, 1.5, size=n)))
    ctype = np.zeros(n, dtype=np.int64)
    ctime = np.full(n, NO_LOWER, dtype=np.int64)
    deadline = np.full(n, NO_UPPER, dtype=np.int64)
    if constraints:
        picks = rng.random(n) < 0.25
        ctype[picks] = rng.integers(1, 8, size=int(picks.sum()))
        ctime[picks] = rng.integers(0, 40 * DAY, size=int(picks.sum()))
        ctime[ctype == 1] = NO_LOWER  # ALAP has no date
        with_deadline = rng.random(n) < 0.1
        deadline[with_deadline] = rng.integers(5 * DAY, 60 * DAY, size=int(with_deadline.sum()))
    group = rng.integers(-1, groups, size=n) if groups else np.full(n, -1, dtype=np.int64)
    return Network.from_arrays(
        likely.astype(np.int64), np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
        types, lags, constraint_type=ctype, constraint_time=ctime, deadline=deadline,
        optimistic=lo, likely=likely, pessimistic=hi,
        distribution=np.full(n, dist, dtype=np.int64), group=group.astype(np.int64),
        project_deadline=int(rng.integers(30 * DAY, 90 * DAY)) if constraints else NO_UPPER,
    )


def chain(estimates: list[tuple[float, float, float]], dist: int = 1,
          parallel: bool = False, groups: list[int] | None = None) -> Network:
    """Tasks in one FS chain (or all in parallel) with the given (o, m, p) in working minutes."""
    n = len(estimates)
    o, m, p = (np.array([e[i] for e in estimates], dtype=float) for i in range(3))
    src = [] if parallel else list(range(n - 1))
    dst = [] if parallel else list(range(1, n))
    return Network.from_arrays(
        m.astype(np.int64), np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
        optimistic=o, likely=m, pessimistic=p, distribution=np.full(n, dist, dtype=np.int64),
        group=np.array(groups if groups is not None else [-1] * n, dtype=np.int64),
    )


# ---- identity with the CPM engine -----------------------------------------------


def _cpm_oracle(network: Network, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finish and critical counts from one critical_path_method call per iteration."""
    finish = np.zeros(len(durations), dtype=np.int64)
    counts = np.zeros(network.n, dtype=np.int64)
    for it, d in enumerate(durations):
        cpm = critical_path_method(network, d)
        finish[it] = cpm.project_finish
        counts += cpm.critical
    return finish, counts


@pytest.fixture(params=["python", "compiled"])
def kernels_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the kernels as numpy row operations, or compiled by numba (when installed)."""
    if request.param == "compiled":
        if not jit.numba_available():
            pytest.skip("numba is not installed")
        monkeypatch.setattr(jit, "JIT_THRESHOLD", 0)
    else:
        monkeypatch.setattr(jit, "JIT_THRESHOLD", 10**15)
    return str(request.param)


@pytest.mark.parametrize("seed", range(6))
def test_every_iteration_is_a_cpm_run(seed: int, kernels_mode: str) -> None:
    """Random networks (all link types, lags, every constraint, deadlines, risks): each
    iteration's durations fed to critical_path_method give the same finish and critical set."""
    network = random_network(40 + 10 * seed, seed)
    rng = np.random.default_rng(seed)
    risks = [RiskEvent(f"r{r}", 0.4, {int(t): int(rng.integers(1, 5)) * DAY
                                        for t in rng.integers(0, network.n, size=3)}) for r in range(2)]
    result = simulate_network(network, 120, seed, risks=risks, keep_durations=True, risk_impact=False)
    assert result.durations is not None
    finish, counts = _cpm_oracle(network, result.durations)
    assert np.array_equal(result.finish, finish)
    assert np.array_equal(np.round(result.criticality * result.iterations).astype(np.int64), counts)


def test_far_dates_switch_to_64_bit_times(kernels_mode: str) -> None:
    """Dates beyond 2^30 working minutes (about 4,000 years) still schedule exactly."""
    base = random_network(30, 2, constraints=False)
    ctype = np.zeros(base.n, dtype=np.int64)
    ctime = np.full(base.n, NO_LOWER, dtype=np.int64)
    ctype[5], ctime[5] = 2, 2**33  # SNET far in the future
    network = Network.from_arrays(
        base.duration, base.link_src, base.link_dst, base.link_type, base.link_lag,
        constraint_type=ctype, constraint_time=ctime, optimistic=base.optimistic, likely=base.likely,
        pessimistic=base.pessimistic, distribution=base.distribution, group=base.group)
    result = simulate_network(network, 50, 1, keep_durations=True)
    assert result.durations is not None
    finish, counts = _cpm_oracle(network, result.durations)
    assert finish.min() > 2**33
    assert np.array_equal(result.finish, finish)
    assert np.array_equal(np.round(result.criticality * 50).astype(np.int64), counts)


@pytest.mark.parametrize("dist", [TRIANGULAR, PERT, UNIFORM])
def test_python_and_compiled_kernels_agree(dist: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if not jit.numba_available():
        pytest.skip("numba is not installed")
    network = random_network(40, 3, groups=3, dist=dist)
    risks = [RiskEvent("r", 0.5, {3: DAY, 7: 2 * DAY}, cost=10.0)]
    runs = []
    for threshold in (0, 10**15):  # compiled, then every kernel as numpy row operations
        monkeypatch.setattr(jit, "JIT_THRESHOLD", threshold)
        runs.append(simulate_network(network, 300, 5, risks=risks, keep_durations=True,
                                     cost_rate=np.full(network.n, 0.1)))
    compiled, python = runs
    assert np.array_equal(compiled.durations, python.durations)  # type: ignore[arg-type]
    assert np.array_equal(compiled.finish, python.finish)
    assert np.array_equal(compiled.criticality, python.criticality)
    assert np.allclose(compiled.sensitivity, python.sensitivity, rtol=0, atol=1e-12)
    assert np.allclose(compiled.cost, python.cost)  # type: ignore[arg-type]
    assert np.array_equal(compiled.tracked_finish, python.tracked_finish)


@pytest.mark.parametrize("seed", range(3))
def test_degenerate_estimates_give_the_cpm_finish_exactly(seed: int, kernels_mode: str) -> None:
    network = random_network(60, seed, spread=0.0)
    assert np.array_equal(network.optimistic, network.pessimistic)
    cpm = critical_path_method(network)
    result = simulate_network(network, 300, seed)
    assert np.all(result.finish == cpm.project_finish)
    assert result.p50 == result.deterministic_finish == cpm.project_finish
    assert result.merge_bias == 0
    assert np.array_equal(result.criticality, cpm.critical.astype(float))
    assert np.all(result.sensitivity == 0)


# ---- analytic cases ------------------------------------------------------------


def test_chain_of_triangulars_mean_and_variance() -> None:
    """Sum of independent triangulars: mean (a+b+c)/3, variance (a²+b²+c²-ab-ac-bc)/18 each."""
    est = [(2 * DAY, 5 * DAY, 9 * DAY), (1 * DAY, 2 * DAY, 6 * DAY), (3 * DAY, 3 * DAY, 4 * DAY),
           (4 * DAY, 7 * DAY, 8 * DAY)]
    mean = sum((a + b + c) / 3 for a, b, c in est)
    var = sum((a * a + b * b + c * c - a * b - a * c - b * c) / 18 for a, b, c in est)
    var += len(est) / 12  # rounding each duration to a whole minute adds U(-1/2, 1/2)
    n = 20_000
    result = simulate_network(chain(est), n, 11)
    x = result.finish.astype(float)
    se_mean = math.sqrt(var / n)
    assert abs(x.mean() - mean) < 4 * se_mean
    # SE of the sample variance: sqrt((mu4 - sigma^4) / n), mu4 estimated from the sample
    mu4 = float(((x - x.mean()) ** 4).mean())
    se_var = math.sqrt((mu4 - var**2) / n)
    assert abs(x.var(ddof=1) - var) < 4 * se_var


def _tri_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a))
    return 1 - (b - x) ** 2 / ((b - a) * (b - c))


def test_two_parallel_tasks_finish_is_the_max() -> None:
    """P(max(X, Y) <= t) = F_X(t) F_Y(t) for independent X, Y."""
    x, y = (2 * DAY, 6 * DAY, 10 * DAY), (4 * DAY, 5 * DAY, 9 * DAY)
    n = 20_000
    result = simulate_network(chain([x, y], parallel=True), n, 3)
    for t in np.linspace(4 * DAY, 10 * DAY, 13):
        expected = _tri_cdf(t + 0.5, *x) * _tri_cdf(t + 0.5, *y)  # whole minutes round half up
        observed = result.probability_by(int(t))
        assert abs(observed - expected) <= 4 * math.sqrt(expected * (1 - expected) / n) + 1e-9, t


def test_risk_event_makes_a_mixture() -> None:
    """A fixed 10-day task and a risk p = 0.3 of +5 days: finish is 10d or 15d, 15d w.p. 0.3."""
    network = chain([(10 * DAY, 10 * DAY, 10 * DAY)])
    risk = RiskEvent("late", 0.3, {0: 5 * DAY}, cost=1000.0)
    n = 20_000
    result = simulate_network(network, n, 8, risks=[risk], cost_rate=np.array([0.5]))
    assert set(np.unique(result.finish).tolist()) == {10 * DAY, 15 * DAY}
    share = float((result.finish == 15 * DAY).mean())
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n)
    assert result.risks[0].occurred == share
    assert result.percentile(50) == 10 * DAY and result.p80 == 15 * DAY
    # P80 with the risk is 15 days, without it 10: the risk costs exactly 5 days of P80
    assert result.risks[0].p80_without == 10 * DAY and result.risks[0].delta == 5 * DAY
    # cost: 0.5 per minute of work plus 1000 whenever the risk occurs
    assert result.cost is not None
    assert np.array_equal(result.cost, np.where(result.finish == 15 * DAY, 0.5 * 15 * DAY + 1000, 0.5 * 10 * DAY))


def test_risk_on_a_triangular_task_shifts_the_mean() -> None:
    est = (2 * DAY, 4 * DAY, 9 * DAY)
    n = 20_000
    result = simulate_network(chain([est]), n, 2, risks=[RiskEvent("r", 0.25, {0: 3 * DAY})])
    a, c, b = est
    mean = (a + b + c) / 3 + 0.25 * 3 * DAY
    var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18 + 0.25 * 0.75 * (3 * DAY) ** 2
    assert abs(result.mean - mean) < 4 * math.sqrt(var / n)


def test_pert_quantiles_match_scipy() -> None:
    """The PERT table and its interpolation (power-law tails) against scipy's Beta quantiles."""
    from scipy import stats

    from pmfit.engine.risk.kernel import tabulated

    grid = np.linspace(0, 1, PERT_STEPS + 1)
    rng = np.random.default_rng(0)
    q = np.concatenate((rng.random(50_000), rng.random(2_000) / PERT_STEPS, 1 - rng.random(2_000) / PERT_STEPS,
                        [0.0, 0.5, 1 - 1e-7])).astype(np.float32)
    for alpha, beta in ((1.0, 5.0), (2.2, 3.8), (3.0, 3.0), (4.6, 1.4), (5.0, 1.0)):
        table = pert_quantiles(alpha, beta)
        assert np.max(np.abs(table - stats.beta.ppf(grid, alpha, beta))) < 2e-3, (alpha, beta)
        # the sampler: durations on a 0..10^6 scale, so the error is in millionths of the range
        row = np.empty(len(q), dtype=np.int64)
        tabulated(row, q, 0.0, 1e6, np.concatenate((table, [1 / alpha, 1 / beta])))
        error = np.abs(row / 1e6 - stats.beta.ppf(q.astype(np.float64), alpha, beta))
        assert error.max() < 2e-3, (alpha, beta, error.max())  # the worst case, deep in a tail
        assert error[:50_000].mean() < 3e-5, (alpha, beta)  # typical samples


def test_pert_chain_mean_and_variance() -> None:
    """PERT-beta: mean (a + 4m + b)/6, variance (mean - a)(b - mean)/7."""
    est = [(2 * DAY, 3 * DAY, 8 * DAY), (5 * DAY, 9 * DAY, 10 * DAY)]
    n = 20_000
    result = simulate_network(chain(est, dist=PERT), n, 4)
    means = [(a + 4 * m + b) / 6 for a, m, b in est]
    var = sum((mu - a) * (b - mu) / 7 for mu, (a, _, b) in zip(means, est, strict=True))
    assert abs(result.mean - sum(means)) < 4 * math.sqrt(var / n) + 2  # + table interpolation
    assert abs(result.std**2 / var - 1) < 0.05


def test_uniform_distribution() -> None:
    n = 20_000
    result = simulate_network(chain([(2 * DAY, 2 * DAY, 6 * DAY)], dist=UNIFORM), n, 4)
    assert abs(result.mean - 4 * DAY) < 4 * (4 * DAY) / math.sqrt(12 * n)
    assert result.finish.min() >= 2 * DAY and result.finish.max() <= 6 * DAY


def test_shared_factor_gives_the_gaussian_copula_rank_correlation() -> None:
    """Two tasks of one group: Spearman's rho = (6/pi) asin(rho/2); other groups independent."""
    from scipy import stats

    est = [(1 * DAY, 3 * DAY, 9 * DAY)] * 3
    n = 10_000
    for rho in (0.0, 0.5, 0.9):
        network = chain(est, parallel=True, groups=[0, 0, 1])
        result = simulate_network(network, n, 6, correlation=rho, keep_durations=True)
        d = result.durations
        assert d is not None
        same = stats.spearmanr(d[:, 0], d[:, 1]).statistic
        other = stats.spearmanr(d[:, 0], d[:, 2]).statistic
        assert abs(same - 6 / math.pi * math.asin(rho / 2)) < 4 / math.sqrt(n)
        assert abs(other) < 4 / math.sqrt(n)


# ---- criticality and sensitivity ---------------------------------------------------------


def test_criticality_one_on_every_path_zero_with_huge_float() -> None:
    # start -> {a, b} -> end, and a short side task with a month of float
    o = np.array([1, 3, 2, 1, 1], dtype=float) * DAY
    m = np.array([1, 5, 4, 1, 1], dtype=float) * DAY
    p = np.array([1, 9, 8, 1, 1], dtype=float) * DAY
    network = Network.from_arrays(
        m.astype(np.int64), [0, 0, 1, 2], [1, 2, 3, 3],
        optimistic=o, likely=m, pessimistic=p, distribution=np.ones(5, dtype=np.int64),
        group=np.full(5, -1, dtype=np.int64), ids=["start", "a", "b", "end", "side"],
    )
    result = simulate_network(network, 5000, 1)
    ci = dict(zip(network.ids, result.criticality.tolist(), strict=True))
    assert ci["start"] == 1.0 and ci["end"] == 1.0
    assert ci["side"] == 0.0
    assert 0 < ci["b"] < ci["a"] < 1 and ci["a"] + ci["b"] >= 1.0


def test_sensitivity_matches_spearman_of_the_samples() -> None:
    from scipy import stats

    network = random_network(30, 9, constraints=False)
    result = simulate_network(network, 8000, 2, keep_durations=True)
    d = result.durations
    assert d is not None
    for i in np.argsort(-np.abs(result.sensitivity))[:5].tolist():
        exact = stats.spearmanr(d[:, i], result.finish).statistic
        assert abs(result.sensitivity[i] - exact) < 0.03, network.ids[i]
    assert result.drivers(3)[0]["id"] == network.ids[int(np.argmax(np.abs(result.sensitivity)))]


def test_risk_impact_ranks_the_risk_on_the_critical_path_first() -> None:
    network = Network.from_arrays(
        np.array([10, 2], dtype=np.int64) * DAY, [], [], ids=["long", "short"],
        optimistic=np.array([8, 2.0]) * DAY, likely=np.array([10, 2.0]) * DAY,
        pessimistic=np.array([14, 2.0]) * DAY, distribution=np.ones(2, dtype=np.int64),
        group=np.full(2, -1, dtype=np.int64),
    )
    risks = [RiskEvent("harmless", 0.9, {1: 3 * DAY}), RiskEvent("certain", 1.0, {0: 2 * DAY})]
    result = simulate_network(network, 4000, 3, risks=risks)
    assert [r.id for r in result.risks] == ["certain", "harmless"]
    certain, harmless = result.risks
    assert certain.delta == 2 * DAY  # same random numbers with and without: exactly the delay
    assert harmless.delta == 0


@pytest.mark.parametrize("seed", range(4))
def test_risk_impact_is_what_a_rerun_without_the_risk_gives(seed: int, kernels_mode: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The impact of each risk comes from the one simulation (only the iterations where it occurred
    are redone without its delays); the rerun method — a whole second simulation with the risk's
    probability set to 0 on the same seed, so the same random numbers — gives the same P80 exactly.
    Random networks with all link types, lags, date constraints and deadlines; 6 risks, one of
    them on two tasks, one certain, one that never happens; a chunk size that splits the runs."""
    from pmfit.engine.risk import montecarlo

    network = random_network(60, seed, groups=3)
    monkeypatch.setattr(montecarlo, "CHUNK_NUMBERS", 60 * 256)  # chunks of 256 iterations
    assert montecarlo.chunk_width(network) == 256
    rng = np.random.default_rng(100 + seed)
    risks = [RiskEvent(f"r{r}", p, {int(t): int(rng.integers(1, 8)) * DAY
                                    for t in rng.choice(60, size=2 if r == 0 else 1, replace=False)})
             for r, p in enumerate((0.3, 0.5, 0.1, 1.0, 0.0, 0.7))]
    result = simulate_network(network, 1500, seed, risks=risks)
    by_id = {r.id: r for r in result.risks}
    for r, risk in enumerate(risks):
        off = [RiskEvent(x.id, 0.0 if i == r else x.probability, x.delays) for i, x in enumerate(risks)]
        rerun = simulate_network(network, 1500, seed, risks=off, risk_impact=False)
        assert by_id[risk.id].p80_with == result.p80
        assert by_id[risk.id].p80_without == rerun.p80, risk.id
    assert by_id["r4"].delta == 0  # never happens: nothing to take off


def test_risk_impact_costs_a_fraction_of_a_rerun_per_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the iterations where a risk occurred are recomputed, and in them only the tasks the
    risk can move: with 20 risks of probability 0.1 on tasks of a 40-task chain's second half,
    about 2 simulations' worth of iterations over at most half the tasks, not 20 whole reruns."""
    from pmfit.engine.risk import montecarlo

    n = 40
    network = chain([(DAY, 2 * DAY, 4 * DAY)] * n)
    risks = [RiskEvent(f"r{r}", 0.1, {n // 2 + r: DAY}) for r in range(20)]
    work: list[int] = []  # task-iterations recomputed
    original = montecarlo._without_each_risk

    def counting(*args: object) -> None:
        parts, occurred = args[1], args[3]
        work.append(sum(int(np.count_nonzero(occurred[r])) * len(part.rows)  # type: ignore[index]
                        for r, part in enumerate(parts)))  # type: ignore[arg-type]
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(montecarlo, "_without_each_risk", counting)
    result = simulate_network(network, 2000, 5, risks=risks)
    rerun_work = 20 * 2000 * n
    assert sum(work) < 0.12 * 20 * 2000 * (n // 2 + 1) < 0.07 * rerun_work
    # and each risk's P80 without it is still the rerun's
    off = [RiskEvent(x.id, 0.0 if x.id == "r0" else x.probability, x.delays) for x in risks]
    without = next(r for r in result.risks if r.id == "r0").p80_without
    assert without == simulate_network(network, 2000, 5, risks=off, risk_impact=False).p80


# ---- results, dates, deadlines, seeds, early stop ---------------------------------------


def test_deadline_and_project_deadline_probabilities() -> None:
    est = (2 * DAY, 5 * DAY, 9 * DAY)
    limit = 5 * DAY
    network = Network.from_arrays(
        np.array([5 * DAY, 0]), [0], [1], ids=["work", "done"], deadline=[NO_UPPER, limit],
        optimistic=np.array([est[0], 0.0]), likely=np.array([est[1], 0.0]),
        pessimistic=np.array([est[2], 0.0]), distribution=np.array([1, 0]),
        group=np.full(2, -1, dtype=np.int64), project_deadline=6 * DAY,
    )
    n = 20_000
    result = simulate_network(network, n, 5)
    odds = {(d.task, d.kind): d.probability for d in result.deadlines}
    for key, limit_minutes in (((None, "project deadline"), 6 * DAY), (("done", "deadline"), limit)):
        expected = _tri_cdf(limit_minutes + 0.5, *est)
        assert abs(odds[key] - expected) < 4 * math.sqrt(expected * (1 - expected) / n)
    assert "done" in result.milestones()


@pytest.mark.parametrize("kind", [6, 7])  # MSO, MFO
def test_odds_of_holding_a_must_date(kind: int, kernels_mode: str) -> None:
    """A fixed date after an uncertain task holds when the task is done by then: P = F(limit)."""
    est = (5 * DAY, 8 * DAY, 15 * DAY)
    start = 10 * DAY
    network = Network.from_arrays(
        np.array([8 * DAY, 2 * DAY]), [0], [1], ids=["work", "event"],
        constraint_type=[0, kind], constraint_time=[NO_LOWER, start if kind == 6 else start + 2 * DAY],
        optimistic=np.array([est[0], 2.0 * DAY]), likely=np.array([est[1], 2.0 * DAY]),
        pessimistic=np.array([est[2], 2.0 * DAY]), distribution=np.array([1, 0]),
        group=np.full(2, -1, dtype=np.int64),
    )
    n = 20_000
    result = simulate_network(network, n, 9)
    (odds,) = [d for d in result.deadlines if d.task == "event"]
    assert odds.kind == ("must start on" if kind == 6 else "must finish on")
    expected = _tri_cdf(start + 0.5, *est)
    assert abs(odds.probability - expected) < 4 * math.sqrt(expected * (1 - expected) / n)


def test_same_seed_same_numbers_different_seed_consistent() -> None:
    network = random_network(50, 4)
    a = simulate_network(network, 3000, 42)
    b = simulate_network(network, 3000, np.random.default_rng(7))
    c = simulate_network(network, 3000, np.random.default_rng(7))
    again = simulate_network(network, 3000, 42)
    assert np.array_equal(a.finish, again.finish)
    assert np.array_equal(a.criticality, again.criticality)
    assert np.array_equal(a.sensitivity, again.sensitivity)
    assert a.summary() == again.summary()
    assert np.array_equal(b.finish, c.finish)
    assert not np.array_equal(a.finish, b.finish)
    # two independent estimates of the mean agree within their Monte Carlo error
    se = math.sqrt(a.std**2 / a.iterations + b.std**2 / b.iterations)
    assert abs(a.mean - b.mean) < 4 * se


def test_early_stop_on_precision() -> None:
    network = random_network(40, 1, constraints=False)
    full = simulate_network(network, 100_000, 3, precision=None, risk_impact=False)
    coarse = simulate_network(network, 100_000, 3, precision=full.p80_standard_error * 20)
    assert coarse.stopped_early and coarse.iterations < 100_000
    assert coarse.p80_standard_error <= full.p80_standard_error * 20
    assert np.array_equal(coarse.finish, full.finish[:coarse.iterations])  # same stream, cut short
    assert not full.stopped_early and full.iterations == 100_000


def test_quantile_standard_error_matches_theory() -> None:
    """For N(0, 1) samples the SE of the 0.8-quantile is sqrt(p(1-p)/n)/phi(z_0.8)."""
    rng = np.random.default_rng(0)
    n = 40_000
    x = np.sort(rng.standard_normal(n))
    z = 0.8416212335729143
    theory = math.sqrt(0.8 * 0.2 / n) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
    assert abs(quantile_standard_error(x, 0.8) / theory - 1) < 0.15


def test_bad_arguments_are_rejected() -> None:
    network = chain([(1.0, 2.0, 3.0)])
    with pytest.raises(ValueError, match="iterations"):
        simulate_network(network, 0)
    with pytest.raises(ValueError, match="correlation"):
        simulate_network(network, 10, correlation=1.5)
    with pytest.raises(ValueError, match="precision"):
        simulate_network(network, 10, precision=-1)
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        simulate_network(network, 10, risks=[RiskEvent("r", 1.5, {0: 1})])
    with pytest.raises(ValueError, match="negative delay"):
        simulate_network(network, 10, risks=[RiskEvent("r", 0.5, {0: -1})])
    with pytest.raises(ValueError, match="not ordered"):
        simulate_network(chain([(3.0, 2.0, 1.0)]), 10)


# ---- from a plan ------------------------------------------------------------------------

PLAN = """\
project:
  name: Risky
  start: 2027-01-04
  deadline: 2027-03-31
resources:
  - {id: dev, rate: 100/h}
tasks:
  - {id: spec, duration: 5d, needs: {dev: 1}}
  - id: build
    after: [spec]
    estimate: {optimistic: 10d, likely: 15d, pessimistic: 30d, distribution: pert}
    needs: {dev: 2}
    group: backend
  - id: api
    after: ["spec SS+2d"]
    estimate: [8d, 12d, 20d]
    group: backend
  - {id: launch, milestone: true, after: [build, api], deadline: 2027-03-15}
risks:
  - {id: vendor, probability: 0.3, delays: {build: 10d}, cost: 5000}
"""


def test_simulate_plan_end_to_end() -> None:
    import pmfit

    plan = pmfit.loads(PLAN)
    result = pmfit.simulate(plan, iterations=4000, seed=1)
    assert isinstance(result, RiskResult)
    summary = result.summary()
    assert summary["deterministic"]["date"] == pmfit.schedule(plan).finish.isoformat(timespec="minutes")
    assert result.deterministic_finish <= result.p50 <= result.p80
    assert [r.id for r in result.risks] == ["vendor"] and result.risks[0].delta is not None
    assert result.risks[0].delta > 0
    kinds = {(d["task"], d["kind"]) for d in summary["deadlines"]}
    assert kinds == {(None, "project deadline"), ("launch", "deadline")}
    assert set(summary["milestones"]) == {"launch"}
    # cost: spec 5d x 8h x 100 + build 2 x 100/h x its hours, + 5000 when the vendor is late
    assert result.cost is not None and result.cost.min() >= 5 * 8 * 100 + 2 * 100 * 10 * 8
    frame = result.to_pandas()
    assert list(frame.index) == ["spec", "build", "api", "launch"]
    assert frame.loc["spec", "criticality"] == 1.0 and not frame.loc["spec", "uncertain"]
    assert len(result.iterations_frame()) == 4000
    assert plan == pmfit.loads(PLAN)  # the plan is untouched


def test_normal_cdf_table_is_accurate() -> None:
    from scipy import stats

    from pmfit.engine.risk.kernel import phi_table, shared_factor

    z = np.linspace(-9, 9, 20001).astype(np.float32)
    q = z.copy()
    shared_factor(q, np.zeros_like(q), 0.0, 1.0, phi_table())  # q = Phi(z) (stored as float32)
    assert np.max(np.abs(q - stats.norm.cdf(z.astype(np.float64)))) < 1e-7


def test_plan_sets_the_group_correlation() -> None:
    """project.risk_correlation is the default; an explicit correlation wins."""
    import pmfit

    text = PLAN.replace("  deadline: 2027-03-31\n", "  deadline: 2027-03-31\n  risk_correlation: 0.9\n")
    plan = pmfit.loads(text)
    assert plan.project.risk_correlation == 0.9
    assert pmfit.simulate(plan, iterations=500, seed=1).correlation == 0.9
    assert pmfit.simulate(plan, iterations=500, seed=1, correlation=0.0).correlation == 0.0
    assert pmfit.simulate(pmfit.loads(PLAN), iterations=500, seed=1).correlation == 0.5
    with pytest.raises(PlanError):
        pmfit.loads(text.replace("risk_correlation: 0.9", "risk_correlation: 1.5"))
