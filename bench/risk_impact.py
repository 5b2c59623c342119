"""Benchmark: the per-risk impact (tornado) of a simulation, from the one run vs one rerun per risk.

    .venv/bin/python bench/risk_impact.py                    # 100,000 tasks, 1,000 iterations, 20 risks
    .venv/bin/python bench/risk_impact.py --sizes 10000      # a quick run

The plan is ``bench/e2e_plan.py``'s (phases and work streams, FS/SS/FF/SF links with lags,
three-point estimates on half the tasks, a 20-risk register with probabilities 0.1..0.9),
compiled once with ``pmfit.Project``. In one process, one after the other:

- simulation alone: ``simulate_network(..., risk_impact=False)``;
- pmfit: ``risk_impact=True`` — each risk's P80 without it from the one simulation: only the
  iterations where the risk occurred are redone without its delays (common random numbers),
  all risks batched into the forward passes of each chunk;
- the named alternative, the previous code's method: one more simulation per risk with that
  risk switched off, on the same seed (forward passes only, as the previous code ran them).

Both give the same P80 without each risk, to the minute (checked and printed). Times are wall
and CPU seconds; the machine is shared, so CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def _timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def measure(n: int, iterations: int, seed: int = 1) -> dict[str, object]:
    import numpy as np
    from e2e_plan import plan_text

    import pmfit
    from pmfit.engine.risk.montecarlo import _run, _sampling, _tracked, simulate_network
    from pmfit.engine.risk.plan import DEFAULT_CORRELATION, risk_events

    plan = pmfit.loads(plan_text(n))
    network = pmfit.Project(plan).network
    risks = risk_events(plan, network)
    rho = plan.project.risk_correlation or DEFAULT_CORRELATION
    simulate_network(network, 64, seed, risks=risks, correlation=rho)  # compile or load the kernels first
    alone, alone_wall, alone_cpu = _timed(lambda: simulate_network(
        network, iterations, seed, risks=risks, correlation=rho, risk_impact=False))
    batched, new_wall, new_cpu = _timed(lambda: simulate_network(
        network, iterations, seed, risks=risks, correlation=rho, risk_impact=True))

    def reruns() -> list[float]:
        sampling = _sampling(network, risks)
        rates = np.zeros(network.n)
        tracked = _tracked(network, iterations)[:0]
        return [float(np.quantile(_run(network, sampling, rates, iterations, seed, rho, tracked,
                                       disabled_risk=r).finish, 0.8, method="inverted_cdf"))
                for r in range(len(risks))]

    without, rerun_wall, rerun_cpu = _timed(reruns)
    by_id = {impact.id: impact.p80_without for impact in batched.risks}
    same = sum(by_id[risk.id] == value for risk, value in zip(risks, without, strict=True))
    return {"n": network.n, "links": network.m, "risks": len(risks), "p_sum": sum(r.probability for r in risks),
            "alone": (alone_wall, alone_cpu), "new": (new_wall, new_cpu),
            "old": (alone_wall + rerun_wall, alone_cpu + rerun_cpu), "same": same,
            "p80": alone.p80}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; "
          f"{args.iterations:,} iterations; cells are wall / CPU seconds")
    print()
    print("| plan | simulation alone | + per-risk impact, pmfit (one run) | + per-risk impact, one rerun "
          "per risk | rerun / pmfit (CPU) | P80 without each risk equal |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(n, args.iterations)
        a, new, old = r["alone"], r["new"], r["old"]
        print(f"| {r['n']:,} tasks, {r['links']:,} links, {r['risks']} risks (probabilities sum "  # type: ignore[str-format]
              f"{r['p_sum']:.1f}) | {a[0]:.2f} / {a[1]:.2f} | {new[0]:.2f} / {new[1]:.2f} | "  # type: ignore[index]
              f"{old[0]:.2f} / {old[1]:.2f} | {old[1] / new[1]:.1f}x | {r['same']} of {r['risks']} |",  # type: ignore[index]
              flush=True)
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
