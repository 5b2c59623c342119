"""Benchmark: the CPM with elapsed lags (calendar time) against the same network with working lags.

    .venv/bin/python bench/elapsed_lags.py            # 10k and 100k tasks, 0.3% .. 5% elapsed links
    .venv/bin/python bench/elapsed_lags.py --repeat 5

Seeded random networks like bench/cpm.py's (3 links per task, short-range, all four link types).
A share of the links gets a lag of 1-9 days: elapsed (``3ed``) in one run, working (``3d``) in the
other, on the standard calendar. Elapsed links are resolved through the calendar in repeated passes
(see pmfit.engine.elapsed), so the cost grows with how many elapsed links sit one after another on a
path; the working-lag run is the plain CPM. CPU seconds, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from pmfit.engine.cpm import critical_path_method
from pmfit.engine.network import Network
from pmfit.engine.workcal import WorkingTime


def _best(net: Network, repeat: int) -> float:
    critical_path_method(net)  # compiled kernels loaded, calendar table grown
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        critical_path_method(net)
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'tasks':>8} {'links':>8} {'lagged':>7} | {'working lags':>12} {'elapsed lags':>12} | {'ratio':>6}")
    print("-" * 64)
    for n, share in ((10_000, 0.003), (10_000, 0.01), (10_000, 0.05), (100_000, 0.003), (100_000, 0.01)):
        rng = np.random.default_rng(n)
        m = 3 * n
        dst = rng.integers(1, n, m)
        src = np.maximum(dst - rng.integers(1, 50, m), 0)
        duration = rng.integers(0, 10, n) * 480
        types = rng.integers(0, 4, m)
        days = np.where(rng.random(m) < share, rng.integers(1, 10, m), 0)
        calendar = WorkingTime(None, dt.date(2027, 1, 4))
        working = Network.from_arrays(duration, src, dst, types, days * 480, calendar=calendar)
        elapsed = Network.from_arrays(duration, src, dst, types, None, link_elapsed=days * 1440, calendar=calendar)
        a, b = _best(working, args.repeat), _best(elapsed, args.repeat)
        print(f"{n:>8,} {m:>8,} {int((days > 0).sum()):>7,} | {a:>10.4f} s {b:>10.4f} s | {b / a:>5.1f}x")


if __name__ == "__main__":
    main()
