"""Benchmark: Monte Carlo schedule risk, batched engine vs a per-iteration CPM loop.

    .venv/bin/python bench/risk.py                  # 1,000 and 10,000 tasks, 10,000 iterations
    .venv/bin/python bench/risk.py --sizes 1000     # a quick run

Each network is seeded: ``n`` tasks, about 3 links per task (85% FS, then SS,
FF, SF; a third with a lag or a lead), task numbers shuffled, 5% of tasks with
a date constraint (SNET/FNET/SNLT/FNLT), triangular three-point estimates on
every task (optimistic 60-100% and pessimistic 100-250% of the likely value),
a fifth of the tasks in 20 correlation groups, and 10 risk events that each
delay 3 tasks.

- pmfit: ``simulate_network(network, 10_000, seed)`` — sampling, risk events,
  the batched forward and backward passes, criticality, sensitivity, percentiles
  (without the per-risk reruns, which cost one more simulation per risk).
  The one-off numba compile or cache load is timed on its own, before.
- loop: the straightforward way — for each iteration draw the durations with
  numpy and call ``critical_path_method(network, durations)`` once. It is timed
  over a few hundred iterations and extrapolated to 10,000 (it is linear in the
  iterations; the table says how many were run).

Peak memory is the peak of numpy/Python allocations traced by ``tracemalloc``
during the call (a separate run), and the process's peak RSS. Also measured:
``pmfit risk`` on a 100-task plan file, 10,000 iterations, start-up included.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DAY = 480


def random_network(n: int, seed: int = 1, links_per_task: float = 3.0) -> Any:
    """A seeded random DAG with estimates, constraints and groups (see the module doc)."""
    from pmfit.engine.kernels import NO_LOWER
    from pmfit.engine.network import Network

    rng = np.random.default_rng(seed)
    m = int(n * links_per_task)
    dst_pos = rng.integers(1, n, m)
    back = np.minimum(dst_pos, rng.geometric(1 / 200, m))
    src_pos = dst_pos - back
    perm = rng.permutation(n)
    src, dst = perm[src_pos], perm[dst_pos]
    link_type = rng.choice(4, m, p=[0.85, 0.07, 0.05, 0.03])
    lag = np.where(rng.random(m) < 0.3, rng.integers(-4, 11, m) * 120, 0)
    likely = (rng.integers(1, 20, n) * 240).astype(float)
    optimistic = np.round(likely * rng.uniform(0.6, 1.0, n))
    pessimistic = np.round(likely * rng.uniform(1.0, 2.5, n))
    ctype = np.zeros(n, dtype=np.int64)
    ctime = np.full(n, NO_LOWER, dtype=np.int64)
    constrained = rng.random(n) < 0.05
    ctype[constrained] = rng.choice([2, 3, 4, 5], int(constrained.sum()))  # SNET SNLT FNET FNLT
    ctime[constrained] = rng.integers(0, 200 * DAY, int(constrained.sum()))
    group = np.where(rng.random(n) < 0.2, rng.integers(0, 20, n), -1)
    return Network.from_arrays(
        likely.astype(np.int64), src, dst, link_type, lag, constraint_type=ctype, constraint_time=ctime,
        optimistic=optimistic, likely=likely, pessimistic=pessimistic,
        distribution=np.ones(n, dtype=np.int64), group=group.astype(np.int64),
    )


def risk_events(n: int, seed: int = 2) -> list[Any]:
    from pmfit.engine.risk import RiskEvent

    rng = np.random.default_rng(seed)
    return [RiskEvent(f"r{r}", float(rng.uniform(0.05, 0.4)),
                      {int(t): int(rng.integers(1, 10)) * DAY for t in rng.choice(n, 3, replace=False)})
            for r in range(10)]


def run_pmfit(network: Any, iterations: int, risks: list[Any]) -> Any:
    from pmfit.engine.risk import simulate_network

    return simulate_network(network, iterations, 7, risks=risks, risk_impact=False)


def run_loop(network: Any, iterations: int, risks: list[Any], compiled: bool = False) -> np.ndarray:
    """The straightforward way: numpy draws, then one ``critical_path_method`` call per iteration.

    ``compiled`` forces the CPM engine's numba kernels even where it would run them as
    Python (below ``JIT_THRESHOLD`` tasks + links), so the loop gets its best case.
    """
    from pmfit.engine import jit
    from pmfit.engine.cpm import critical_path_method

    saved = jit.JIT_THRESHOLD
    if compiled:
        jit.JIT_THRESHOLD = 0
        critical_path_method(network)  # compile or load outside the timing

    rng = np.random.default_rng(7)
    lo, mode, hi = network.optimistic, network.likely, network.pessimistic
    uncertain = hi > lo
    finish = np.zeros(iterations, dtype=np.int64)
    critical = np.zeros(network.n, dtype=np.int64)
    for it in range(iterations):
        d = network.duration.copy()
        d[uncertain] = np.rint(rng.triangular(lo[uncertain], mode[uncertain], hi[uncertain])).astype(np.int64)
        for risk in risks:
            if rng.random() < risk.probability:
                for task, delay in risk.delays.items():
                    d[task] += delay
        result = critical_path_method(network, d)
        finish[it] = result.project_finish
        critical += result.critical
    jit.JIT_THRESHOLD = saved
    return finish


CPU: dict[int, float] = {}


def timed(fn: Any) -> tuple[float, Any]:
    """Wall time of one call, and its result; the call's CPU time (all threads) goes to ``CPU[id]``."""
    gc.collect()
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    CPU[id(out)] = time.process_time() - c0
    return wall, out


def traced_peak(fn: Any) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def cli_plan(path: Path, n: int = 100, seed: int = 3) -> None:
    """A 100-task YAML plan with estimates, groups and risks."""
    rng = np.random.default_rng(seed)
    lines = ["project:", "  name: Bench 100", "  start: 2027-01-04", "tasks:"]
    for i in range(n):
        likely = int(rng.integers(2, 15))
        preds = sorted({int(p) for p in rng.integers(max(0, i - 10), i, size=min(i, 2))}) if i else []
        after = f", after: [{', '.join(f't{p}' for p in preds)}]" if preds else ""
        group = f", group: team{i % 4}" if i % 3 == 0 else ""
        lines.append(f"  - {{id: t{i}, estimate: [{max(1, likely - 2)}d, {likely}d, {likely * 2}d]{after}{group}}}")
    lines.append("risks:")
    for r in range(5):
        lines.append(f"  - {{id: risk{r}, probability: 0.{r + 1}, delays: {{t{int(rng.integers(0, n))}: 5d}}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cli_seconds(plan: Path, repeat: int = 3) -> tuple[float, float]:
    pmfit = str(Path(sys.executable).with_name("pmfit"))
    runs = []
    for args in ([pmfit, "risk", str(plan), "--iterations", "10000", "--json"],
                 [sys.executable, "-c", "import numpy"]):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        runs.append(statistics.median(times))
    return runs[0], runs[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--loop-iterations", type=int, default=300,
                        help="iterations actually run by the per-iteration loop (then extrapolated)")
    parser.add_argument("--repeat", type=int, default=3, help="pmfit runs per size (the best is reported)")
    args = parser.parse_args()
    iterations = args.iterations
    try:
        import numba

        threads = numba.get_num_threads()
    except ImportError:
        threads = 0
    print(f"pmfit risk benchmark: {iterations:,} iterations, {os.cpu_count()} cores, numba threads {threads}, "
          f"load average at start {os.getloadavg()[0]:.1f}")
    rows = []
    for n in args.sizes:
        network = random_network(n)
        risks = risk_events(n)
        warm, _ = timed(lambda network=network, risks=risks: run_pmfit(network, iterations, risks))
        t_pmfit, result = timed(lambda network=network, risks=risks: run_pmfit(network, iterations, risks))
        cpu_pmfit = CPU[id(result)]
        for _ in range(args.repeat - 1):  # best of --repeat runs
            again, other = timed(lambda network=network, risks=risks: run_pmfit(network, iterations, risks))
            t_pmfit = min(t_pmfit, again)
            cpu_pmfit = min(cpu_pmfit, CPU[id(other)])
        peak = traced_peak(lambda network=network, risks=risks: run_pmfit(network, iterations, risks))
        loop_n = min(args.loop_iterations, iterations)
        from pmfit.engine.jit import JIT_THRESHOLD

        loops = []
        for compiled in ([False, True] if n + network.m < JIT_THRESHOLD else [False]):
            run_loop(network, 3, risks, compiled)  # warm
            t_run, loop_finish = timed(lambda network=network, risks=risks, k=loop_n, c=compiled:
                                       run_loop(network, k, risks, c))
            cpu_loop = CPU[id(loop_finish)] * iterations / loop_n
            loops.append((compiled, t_run, t_run * iterations / loop_n, cpu_loop))
        rows.append((n, network.m, warm, (t_pmfit, cpu_pmfit), peak, result, loop_n, loops, loop_finish))
        print(f"  n={n:,}: pmfit {t_pmfit:.2f}s, loop {loops[-1][1]:.2f}s for {loop_n} iterations", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    header = ("tasks", "links", "engine", "iterations", "wall (s)", "CPU (s)", "iter/s", "peak traced MB",
              "ratio (wall)", "ratio (CPU)")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|")
    for n, m, _warm, (t_pmfit, cpu_pmfit), peak, _result, loop_n, loops, _finish in rows:
        print(f"| {n:,} | {m:,} | pmfit simulate_network | {iterations:,} | {t_pmfit:.2f} | {cpu_pmfit:.2f} | "
              f"{iterations / t_pmfit:,.0f} | {peak / 2**20:,.0f} | 1.0x | 1.0x |")
        for compiled, t_run, t_loop, cpu_loop in loops:
            how = "compiled CPM kernels forced" if compiled else "CPM as shipped"
            print(f"| {n:,} | {m:,} | loop of critical_path_method ({how}) | {iterations:,} (ran {loop_n}, "
                  f"extrapolated) | {t_loop:.1f} | {cpu_loop:.1f} | {loop_n / t_run:,.0f} | - | "
                  f"{t_loop / t_pmfit:,.0f}x slower | {cpu_loop / cpu_pmfit:,.0f}x more |")
    print()
    for n, _, warm, _, _, result, loop_n, _, loop_finish in rows:
        p50_loop = float(np.median(loop_finish)) / DAY
        print(f"n={n:,}: first run {warm:.2f}s (includes loading the compiled kernels, once per process); P50 {result.p50 / DAY:.1f}d, "
              f"P80 {result.p80 / DAY:.1f}d (SE {result.p80_standard_error / DAY:.2f}d); the loop's median over "
              f"{loop_n} iterations {p50_loop:.1f}d")
    print(f"process peak RSS (everything above): {rss:,.0f} MB; load average at the end {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "bench100.yaml"
        cli_plan(plan)
        subprocess.run([str(Path(sys.executable).with_name("pmfit")), "risk", str(plan), "--json"],
                       check=True, capture_output=True)  # warm the numba cache
        cli, floor = cli_seconds(plan)
        print(f"`pmfit risk` on a 100-task plan (5 risks, per-risk reruns included), 10,000 iterations, "
              f"start-up included: {cli:.2f}s (median of 3; `python -c 'import numpy'` takes {floor:.2f}s)")


if __name__ == "__main__":
    main()
