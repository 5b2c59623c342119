"""Memory of the MPXJ worker over many .mpp imports: pmfit's bounded JVM against an unbounded one.

    PYTHONPATH=src python bench/mpxj_memory.py --imports 550

Each configuration runs in its own process (a JVM starts once per process); the table shows the
process's resident memory (VmRSS) after every 50 imports of the shared .mpp samples. The named
alternative is the JVM with its default options (what pmfit did before: no heap ceiling, no
collection between imports).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(args: tuple[bool, int, list[str]]) -> tuple[str, list[float], float]:
    bounded, count, files = args
    from pmfit.io import mpp

    if not bounded:
        mpp.jvm_options = lambda: []  # type: ignore[assignment]
        mpp.release_memory = lambda: None  # type: ignore[assignment]
    samples = []
    started = time.perf_counter()
    for i in range(count):
        # a sample MPXJ cannot read still costs memory, which is what is measured
        with contextlib.suppress(Exception):
            mpp.read_mpp(files[i % len(files)])
        if (i + 1) % 50 == 0:
            samples.append(rss_mb())
    return ("bounded (pmfit)" if bounded else "JVM defaults"), samples, time.perf_counter() - started


def main() -> None:
    from tests.conftest import SHARED

    parser = argparse.ArgumentParser()
    parser.add_argument("--imports", type=int, default=550)
    args = parser.parse_args()
    files = sorted(str(p) for p in (SHARED / "projects" / "mpp").glob("*.mpp"))
    if not files:
        sys.exit("no shared .mpp files")
    context = multiprocessing.get_context("spawn")
    results = []
    for bounded in (False, True):
        with context.Pool(1) as pool:
            results.append(pool.apply(run, ((bounded, args.imports, files),)))
    print(f"{args.imports} imports of {len(files)} shared .mpp files, resident memory (MB) every 50 imports")
    for name, samples, seconds in results:
        print(f"{name:<16} " + " ".join(f"{s:6.0f}" for s in samples) + f"   peak {max(samples):.0f} MB, {seconds:.0f} s")
    (_, free, _), (_, bounded, _) = results
    print(f"peak ratio, JVM defaults / bounded: {max(free) / max(bounded):.2f}x")


if __name__ == "__main__":
    main()
