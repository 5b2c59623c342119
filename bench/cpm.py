"""Benchmark: compile + critical path on random networks, side by side with networkx and plain Python.

    .venv/bin/python bench/cpm.py                 # 10k, 100k, 1M tasks (networkx up to 100k)
    .venv/bin/python bench/cpm.py --sizes 10000   # a quick run
    .venv/bin/python bench/cpm.py --networkx-max 1000000   # networkx at 1M too (about a minute)

Each network is seeded: ``n`` tasks, about 3 links per task (mostly FS, some
SS/FF/SF, a third with a lag or a lead), task numbers shuffled so that the
topological sort has real work to do. Timed separately:

- pmfit compile: ``Network.from_arrays`` (CSR both ways + topological order);
- pmfit CPM: ``critical_path_method`` (offsets, forward, backward, floats);
- networkx: building the ``DiGraph``, then a longest-path forward pass over
  ``topological_sort`` with every link read as FS (what the issue asks for);
- plain Python: lists of lists, Kahn's sort, forward and backward pass with all
  four link types, one task at a time (its answer is checked against pmfit's).

pmfit runs its numba kernels (``fast`` extra); the one-off JIT compile or
cache load is timed on its own, before the measured runs. Also measured:
``pmfit schedule`` on a 100-task plan file, start-up included, against
``python -c "import numpy"`` as the floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]


def random_network(n: int, seed: int = 1, links_per_task: float = 3.0) -> dict[str, np.ndarray]:
    """A seeded random DAG with ``n`` tasks and about ``links_per_task * n`` links."""
    rng = np.random.default_rng(seed)
    m = int(n * links_per_task)
    duration = rng.integers(0, 20, n) * 240  # 0..9.5 days in half days; about 5% milestones
    # Links go from an earlier to a later position (so the graph is acyclic), mostly short-range.
    dst_pos = rng.integers(1, n, m)
    back = np.minimum(dst_pos, rng.geometric(1 / 200, m))
    src_pos = dst_pos - back
    perm = rng.permutation(n)  # shuffle task numbers so topological order is not the identity
    src, dst = perm[src_pos], perm[dst_pos]
    link_type = rng.choice(4, m, p=[0.85, 0.07, 0.05, 0.03])
    has_lag = rng.random(m) < 0.3
    lag = np.where(has_lag, rng.integers(-4, 11, m) * 120, 0)  # -1d .. +2.75d in quarter days
    return {"duration": duration.astype(np.int64), "src": src.astype(np.int64),
            "dst": dst.astype(np.int64), "type": link_type.astype(np.int64), "lag": lag.astype(np.int64)}


@dataclass
class Timing:
    wall: float  # best wall-clock seconds of the runs
    cpu: float  # best CPU seconds of this process (less sensitive to other load on the machine)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[Timing, Any]:
    """Best wall and CPU time of ``repeat`` runs, and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return Timing(wall, cpu), result


def pmfit_compile(g: dict[str, np.ndarray]) -> Any:
    from pmfit.engine.network import Network

    return Network.from_arrays(g["duration"], g["src"], g["dst"], g["type"], g["lag"])


def pmfit_cpm(net: Any) -> Any:
    from pmfit.engine.cpm import critical_path_method

    return critical_path_method(net)


def networkx_build(g: dict[str, np.ndarray]) -> Any:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(g["duration"])))
    graph.add_edges_from(zip(g["src"].tolist(), g["dst"].tolist(), strict=True))
    return graph


def networkx_forward(graph: Any, duration: list[int]) -> list[int]:
    import networkx as nx

    es = [0] * len(duration)
    for v in nx.topological_sort(graph):
        best = 0
        for u in graph.predecessors(v):
            c = es[u] + duration[u]
            if c > best:
                best = c
        es[v] = best
    return es


def python_build(g: dict[str, np.ndarray]) -> tuple[list[list[int]], list[list[int]]]:
    n = len(g["duration"])
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for k, (a, b) in enumerate(zip(g["src"].tolist(), g["dst"].tolist(), strict=True)):
        preds[b].append(k)
        succs[a].append(k)
    return preds, succs


def python_cpm(g: dict[str, np.ndarray], preds: list[list[int]], succs: list[list[int]]) -> tuple[list[int], list[int]]:
    """Kahn's sort, forward and backward pass, one task at a time, all four link types."""
    d = g["duration"].tolist()
    src, dst = g["src"].tolist(), g["dst"].tolist()
    types, lags = g["type"].tolist(), g["lag"].tolist()
    n = len(d)
    offset = [lags[k] + (d[src[k]] if types[k] in (0, 2) else 0) - (d[dst[k]] if types[k] in (2, 3) else 0)
              for k in range(len(src))]
    indeg = [len(p) for p in preds]
    order = [i for i in range(n) if indeg[i] == 0]
    head = 0
    while head < len(order):
        i = order[head]
        head += 1
        for k in succs[i]:
            j = dst[k]
            indeg[j] -= 1
            if indeg[j] == 0:
                order.append(j)
    es = [0] * n
    for j in order:
        best = 0
        for k in preds[j]:
            c = es[src[k]] + offset[k]
            if c > best:
                best = c
        es[j] = best
    finish = max(es[i] + d[i] for i in range(n))
    ls = [0] * n
    for i in reversed(order):
        best = finish - d[i]
        for k in succs[i]:
            c = ls[dst[k]] - offset[k]
            if c < best:
                best = c
        ls[i] = best
    return es, ls


def warm_up() -> float:
    """Seconds for the first numba call in this process (compile, or load from numba's cache)."""
    from pmfit.engine import jit

    if not jit.numba_available():
        return float("nan")
    g = random_network(max(jit.JIT_THRESHOLD, 1000), seed=99)
    t0 = time.perf_counter()
    pmfit_cpm(pmfit_compile(g))
    return time.perf_counter() - t0


def cli_wall(repeat: int) -> tuple[float, float, str, float, float]:
    """Median wall (and CPU) seconds of `pmfit schedule` on a 100-task plan and of `python -c 'import numpy'`."""
    examples = sorted((ROOT / "src" / "pmfit" / "examples").glob("*.yaml"))
    plan_file = None
    best = None
    for path in examples:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        count = len(data.get("tasks") or []) if isinstance(data, dict) else 0
        if 40 <= count <= 130 and (best is None or abs(count - 100) < abs(best[0] - 100)):
            best = (count, path)
    if best is not None:
        plan_file = best[1]
    tmp = None
    if plan_file is None:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")  # noqa: SIM115
        rng = np.random.default_rng(5)
        lines = ["project: {name: Bench, start: 2027-01-04, calendar: {country: US}}", "tasks:"]
        for i in range(100):
            preds = sorted({int(x) for x in rng.integers(max(0, i - 10), i, 2)}) if i else []
            after = ", ".join(f"t{p}" for p in preds)
            lines.append(f"  - {{id: t{i}, name: Task {i}, duration: {int(rng.integers(1, 10))}d"
                         + (f", after: [{after}]" if after else "") + "}")
        tmp.write("\n".join(lines) + "\n")
        tmp.close()
        plan_file = Path(tmp.name)
    exe = str(Path(sys.executable).with_name("pmfit"))
    cpu: list[float] = []

    def run(cmd: list[str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return wall

    run([exe, "schedule", str(plan_file)])  # warm the OS file cache and .pyc files
    cpu.clear()
    cli = statistics.median(run([exe, "schedule", str(plan_file)]) for _ in range(repeat))
    cli_cpu = statistics.median(cpu)
    cpu.clear()
    floor = statistics.median(run([sys.executable, "-c", "import numpy"]) for _ in range(repeat))
    floor_cpu = statistics.median(cpu)
    label = plan_file.name if tmp is None else "generated 100-task plan"
    if tmp is not None:
        os.unlink(tmp.name)
    return cli, floor, label, cli_cpu, floor_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--networkx-max", type=int, default=100_000, help="largest size run with networkx")
    parser.add_argument("--python-max", type=int, default=1_000_000, help="largest size run as plain Python")
    parser.add_argument("--repeat", type=int, default=3, help="pmfit runs per size (best is reported)")
    parser.add_argument("--no-cli", action="store_true", help="skip the `pmfit schedule` start-up check")
    parser.add_argument("--cli-only", action="store_true", help="only the `pmfit schedule` start-up check")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if not args.cli_only else []

    t0 = time.perf_counter()
    import numba  # noqa: F401  (timed on its own: part of the one-off cost)
    numba_import = time.perf_counter() - t0
    jit_first = warm_up()
    print(f"numba import: {numba_import:.2f} s; first JIT call (compile or cache load, one-off "
          f"per process): {jit_first:.2f} s")
    print()
    nan = Timing(float("nan"), float("nan"))
    rows = []
    for n in sizes:
        g = random_network(n)
        t_compile, net = timed(lambda g=g: pmfit_compile(g), args.repeat)
        t_cpm, result = timed(lambda net=net: pmfit_cpm(net), args.repeat)
        nx_build = nx_fwd = py_build = py_cpm = nan
        if n <= args.networkx_max:
            nx_build, graph = timed(lambda g=g: networkx_build(g))
            d = g["duration"].tolist()
            nx_fwd, _ = timed(lambda graph=graph, d=d: networkx_forward(graph, d), 2)
            del graph
        if n <= args.python_max:
            py_build, (preds, succs) = timed(lambda g=g: python_build(g))
            py_cpm, (es, ls) = timed(lambda g=g, p=preds, s=succs: python_cpm(g, p, s))
            if es != result.early_start.tolist() or ls != result.late_start.tolist():
                raise SystemExit(f"plain Python and pmfit disagree at n={n}")
            del preds, succs
        rows.append((n, len(g["src"]), t_compile, t_cpm, nx_build, nx_fwd, py_build, py_cpm))
        print(f"  measured {n:,} tasks", file=sys.stderr, flush=True)
    for kind in ("wall", "cpu"):
        print(f"{'Wall-clock' if kind == 'wall' else 'CPU'} seconds (best of {args.repeat} for pmfit):")
        header = (f"{'tasks':>9} {'links':>9} | {'pmfit compile':>13} {'pmfit CPM':>9} {'pmfit total':>11} | "
                  f"{'nx build':>9} {'nx forward':>10} | {'py build':>9} {'py CPM':>8} | "
                  f"{'nx fwd / pmfit CPM':>18} {'py CPM / pmfit CPM':>18}")
        print(header)
        print("-" * len(header))
        for n, m, *times in rows:
            c, k, nb, nf, pb, pc = (getattr(t, kind) for t in times)
            print(f"{n:>9,} {m:>9,} | {c:>11.4f} s {k:>7.4f} s {c + k:>9.4f} s | "
                  f"{nb:>7.2f} s {nf:>8.2f} s | {pb:>7.2f} s {pc:>6.2f} s | "
                  f"{nf / k:>17.0f}x {pc / k:>17.0f}x")
        print()
    print("pmfit CPM = link offsets + forward + backward pass + total/free float; nx forward = "
          "longest-path forward pass only (FS links); py CPM = Kahn + forward + backward (all link types).")
    if not args.no_cli:
        cli, floor, label, cli_cpu, floor_cpu = cli_wall(5)
        print()
        print(f"`pmfit schedule {label}` (median of 5, start-up included): {cli:.3f} s wall, "
              f"{cli_cpu:.3f} s CPU; `python -c 'import numpy'`: {floor:.3f} s wall, {floor_cpu:.3f} s CPU")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(wall times on a shared machine stretch with the load; CPU time much less)")


if __name__ == "__main__":
    main()
