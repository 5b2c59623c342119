"""Resource leveling on PSPLIB J30 (480 instances with proven optima), side by side in one run.

Methods (each instance is solved by every method in the same process):

- ``h1000`` / ``h5000``: pmfit heuristic (SGS + sampling + justification + genetic
  search) limited to 1,000 / 5,000 generated schedules (each forward or backward pass counts);
- ``auto``: ``pmfit.engine.level.level_network(method="auto", time_limit=B)``
  (heuristic, then CP-SAT warm-started from it; ``tidy=False`` so the time is the makespan search);
- ``cp``: a plain OR-Tools CP-SAT model written here (intervals, one cumulative per
  resource, precedences, horizon = sum of durations, minimise makespan), no warm start,
  same budget ``B`` and same number of workers;
- ``lft``: one serial pass with the latest-finish-time rule (the classic single-pass
  leveler, MS Project style).

Results go to a JSON-lines file, one record per (instance, method); a rerun skips what is
there (resumable) and ``--shard i/k`` splits the instances over processes. The table is
printed from the file, so ``--report`` alone re-prints it.

Extra measures: ``--large`` times the heuristic on a generated 10,000-task / 20-resource
plan; ``--gen N`` generates N random 120-task instances (4 resources, ProGen-like) and
reports the heuristic at 5,000 schedules against the critical-path lower bound, and auto
vs plain CP-SAT at ``--gen-budget`` seconds. These generated instances are NOT PSPLIB J120.

    python bench/level.py                       # all 480, every method, 1 s budget
    python bench/level.py --limit 40 --every 12 # a spread sample of 40
    python bench/level.py --report              # print the table from the results file
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("PMFIT_SHARED_DATA", ROOT.parent / "shared" / "data")) / "psplib" / "j30"
METHODS = ("lft", "h1000", "h5000", "auto", "cp")
LABELS = {
    "lft": "single-pass LFT rule (MS Project-style)",
    "h1000": "pmfit heuristic, 1,000 schedules",
    "h5000": "pmfit heuristic, 5,000 schedules",
    "auto": "pmfit auto (heuristic + warm CP-SAT), {b:g} s",
    "cp": "plain OR-Tools CP-SAT, no warm start, {b:g} s",
}


def plain_cp(durations: list[int], successors: list[list[int]], demands: list[list[int]],
             capacities: list[int], budget: float, workers: int) -> tuple[int | None, bool, float]:
    """The textbook CP-SAT RCPSP model, no hints: (makespan, proven, seconds)."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    n = len(durations)
    horizon = sum(durations)
    model = cp_model.CpModel()
    start = [model.new_int_var(0, horizon, f"s{j}") for j in range(n)]
    intervals = [model.new_fixed_size_interval_var(start[j], durations[j], f"i{j}") for j in range(n)]
    for j, succ in enumerate(successors):
        for s in succ:
            model.add(start[s] >= start[j] + durations[j])
    for r, cap in enumerate(capacities):
        use = [(intervals[j], demands[j][r]) for j in range(n) if demands[j][r] > 0 and durations[j] > 0]
        if use:
            model.add_cumulative([u[0] for u in use], [u[1] for u in use], cap)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [start[j] + durations[j] for j in range(n)])
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = budget
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    seconds = time.perf_counter() - t0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(solver.objective_value), status == cp_model.OPTIMAL, seconds
    return None, False, seconds


def run_one(instance: object, method: str, budget: float, workers: int) -> dict[str, object]:
    from pmfit.engine.level import level_network
    from pmfit.engine.level.problem import build_problem
    from pmfit.engine.level.sgs import single_pass, solve_heuristic
    from pmfit.engine.rcpsp import rcpsp_network

    inst = instance  # PsplibInstance
    network = rcpsp_network(inst)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    proven = False
    schedules = 0
    if method == "lft":
        problem = build_problem(network)
        start = single_pass(problem, "LFT", "serial", jit=True)
        makespan = int((start + problem.dur).max())
        schedules = 1
    elif method in ("h1000", "h5000"):
        problem = build_problem(network)
        result = solve_heuristic(problem, schedules=1000 if method == "h1000" else 5000, jit=True)
        makespan, proven, schedules = result.makespan, result.proven_optimal, result.schedules
    elif method == "auto":
        leveled = level_network(network, time_limit=budget, method="auto", workers=workers, tidy=False, jit=True)
        makespan, proven, schedules = leveled.duration_after, leveled.proven_optimal, leveled.schedules
    elif method == "cp":
        value, proven, _ = plain_cp(inst.durations, inst.successors, inst.demands,  # type: ignore[attr-defined]
                                    inst.capacities, budget, workers)  # type: ignore[attr-defined]
        makespan = value if value is not None else -1
    else:
        raise ValueError(method)
    return {"makespan": makespan, "proven": bool(proven), "seconds": time.perf_counter() - t0,
            "schedules": schedules}


def summarise(records: list[dict[str, object]], methods: list[str], budget: float) -> str:
    lines = [
        "| method | instances | mean % above optimum | optimal | proven optimal | mean s/instance | max s/instance |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    stats: dict[str, dict[str, float]] = {}
    for m in methods:
        rows = [r for r in records if r["method"] == m and (m not in ("auto", "cp") or r.get("budget") == budget)]
        if not rows:
            continue
        devs = [100.0 * (int(r["makespan"]) - int(r["optimum"])) / int(r["optimum"])  # type: ignore[call-overload]
                if int(r["makespan"]) > 0 else 100.0 for r in rows]  # type: ignore[call-overload]
        optimal = sum(int(r["makespan"]) == int(r["optimum"]) for r in rows)  # type: ignore[call-overload]
        proven = sum(bool(r["proven"]) for r in rows)
        secs = [float(r["seconds"]) for r in rows]  # type: ignore[arg-type]
        stats[m] = {"dev": statistics.mean(devs), "optimal": optimal, "proven": proven,
                    "mean_s": statistics.mean(secs), "n": len(rows)}
        lines.append(f"| {LABELS[m].format(b=budget)} | {len(rows)} | {statistics.mean(devs):.3f} | {optimal} | "
                     f"{proven} | {statistics.mean(secs):.3f} | {max(secs):.3f} |")
    if "auto" in stats and "cp" in stats:
        a, c = stats["auto"], stats["cp"]
        lines.append("")
        lines.append(f"auto vs plain CP-SAT at {budget:g} s: mean deviation {a['dev']:.3f}% vs {c['dev']:.3f}%, "
                     f"proven {int(a['proven'])} vs {int(c['proven'])}, mean time "
                     f"{a['mean_s']:.3f} s vs {c['mean_s']:.3f} s ({c['mean_s'] / max(a['mean_s'], 1e-9):.2f}x).")
    if "h1000" in stats and "lft" in stats:
        lines.append(f"heuristic at 1,000 schedules vs single-pass LFT: {stats['h1000']['dev']:.3f}% vs "
                     f"{stats['lft']['dev']:.3f}% above optimum "
                     f"({stats['lft']['dev'] / max(stats['h1000']['dev'], 1e-9):.1f}x closer).")
    return "\n".join(lines)


def large_plan(tasks: int = 10_000, resources: int = 20, seed: int = 1) -> str:
    """Time the heuristic on a generated plan with ``tasks`` tasks and ``resources`` resources."""
    from pmfit.engine.level import level
    from pmfit.engine.network import compile_plan
    from pmfit.model.plan import Plan

    rng = np.random.default_rng(seed)
    res = [{"id": f"team{r}", "name": f"Team {r}", "units": int(rng.integers(3, 9))} for r in range(resources)]
    rows = []
    for i in range(tasks):
        task: dict[str, object] = {"id": f"t{i}", "duration": f"{int(rng.integers(1, 11))}d"}
        if i:
            k = int(rng.integers(1, 4))
            preds = sorted({int(p) for p in rng.integers(max(0, i - 200), i, size=k)})
            task["after"] = [f"t{p}" for p in preds]
        picks = rng.choice(resources, size=int(rng.integers(1, 3)), replace=False)
        task["needs"] = {f"team{int(r)}": int(rng.integers(1, 3)) for r in picks}
        rows.append(task)
    t0 = time.perf_counter()
    plan = Plan.model_validate({"project": {"name": "large", "start": "2027-01-04"}, "resources": res,
                                "tasks": rows})
    network = compile_plan(plan)
    t_build = time.perf_counter() - t0
    out = [f"Generated plan: {tasks} tasks, {resources} resources, {network.m} links "
           f"(model + compile {t_build:.2f} s, not counted below)", "",
           "| run | schedules | wall s (incl. explanations) | finish before (days) | finish after (days) |",
           "|---|---:|---:|---:|---:|"]
    from pmfit.engine.level import level_network

    level_network(network, method="heuristic", schedules=2, time_limit=60, jit=True)  # load compiled loops
    for label, kwargs in (("single pass + justification (schedules=10)", {"schedules": 10, "time_limit": 60.0}),
                          ("heuristic, 10 s budget", {"schedules": 10**9, "time_limit": 10.0}),
                          ("pmfit.level(plan, method='heuristic', time_limit=5)", None)):
        t0 = time.perf_counter()
        if kwargs is None:
            result = level(plan, method="heuristic", time_limit=5.0)
        else:
            result = level_network(network, method="heuristic", jit=True, **kwargs)  # type: ignore[arg-type]
        _ = result.tasks, result.profiles
        wall = time.perf_counter() - t0
        out.append(f"| {label} | {result.schedules} | {wall:.2f} | {result.duration_before / 480:g} | "
                   f"{result.duration_after / 480:g} |")
    return "\n".join(out)


def generated_120(count: int, budget: float, workers: int, seed: int = 7) -> str:
    """Random 120-task instances: heuristic at 5,000 schedules vs the critical-path bound; auto vs plain CP."""
    from pmfit.engine.level import level_network
    from pmfit.engine.level.problem import build_problem
    from pmfit.engine.level.sgs import solve_heuristic
    from pmfit.engine.rcpsp import rcpsp_network
    from pmfit.io.psplib import PsplibInstance

    rng = np.random.default_rng(seed)
    rows = []
    for g in range(count):
        n = 122
        succ: list[list[int]] = [[] for _ in range(n)]
        for j in range(1, n - 1):  # every real job gets 1..3 successors later in the order
            for s in rng.choice(np.arange(j + 1, n - 1), size=min(int(rng.integers(1, 4)), n - 2 - j), replace=False) \
                    if j < n - 2 else []:
                succ[j].append(int(s))
        has_pred = {s for row in succ for s in row}
        succ[0] = [j for j in range(1, n - 1) if j not in has_pred]
        for j in range(1, n - 1):
            if not succ[j]:
                succ[j] = [n - 1]
        dur = [0] + [int(rng.integers(1, 11)) for _ in range(n - 2)] + [0]
        # ProGen-style resource factor (share of resources a job uses) and strength
        # (capacity = K_min + RS * (K_max - K_min), K_max = peak of the early-start schedule)
        rf = float(rng.choice([0.25, 0.5, 0.75, 1.0]))
        rs = float(rng.choice([0.1, 0.2, 0.3, 0.4, 0.5]))
        dem = [[0] * 4] + [[int(rng.integers(1, 11)) if rng.random() < rf else 0 for _ in range(4)]
                           for _ in range(n - 2)] + [[0] * 4]
        es = [0] * n
        for j in range(n):
            for s2 in succ[j]:
                es[s2] = max(es[s2], es[j] + dur[j])
        horizon = max(e + d for e, d in zip(es, dur, strict=True))
        caps = []
        for r in range(4):
            profile = [0] * (horizon + 1)
            for j in range(n):
                for t in range(es[j], es[j] + dur[j]):
                    profile[t] += dem[j][r]
            k_min = max((row[r] for row in dem), default=0)
            caps.append(max(1, k_min + round(rs * (max(profile) - k_min))))
        inst = PsplibInstance(f"gen120_{g}", dur, succ, dem, caps)
        problem = build_problem(rcpsp_network(inst))
        cpm = problem.cpm_bound()
        t0 = time.perf_counter()
        h = solve_heuristic(problem, schedules=5000, jit=True)
        th = time.perf_counter() - t0
        auto = level_network(rcpsp_network(inst), time_limit=budget, method="auto", workers=workers, tidy=False,
                             jit=True)
        cp, _, _ = plain_cp(dur, succ, dem, caps, budget, workers)
        rows.append((cpm, h.makespan, th, auto.duration_after, auto.proven_optimal, cp or -1))
    dev = [100 * (h - c) / c for c, h, *_ in rows]
    better = sum(a < c for *_, a, _, c in rows)
    worse = sum(a > c for *_, a, _, c in rows)
    lines = [f"{count} generated 120-task instances (ProGen-like: 4 resources, 1-3 successors per job, "
             "resource factor 0.25-1, resource strength 0.1-0.5):",
             f"- heuristic at 5,000 schedules: mean {statistics.mean(dev):.1f}% above the critical-path bound, "
             f"mean {statistics.mean(r[2] for r in rows):.2f} s/instance",
             f"- auto {budget:g} s vs plain CP-SAT {budget:g} s (same {workers} workers): auto better on {better}, "
             f"worse on {worse}, equal on {count - better - worse}; mean makespan "
             f"{statistics.mean(r[3] for r in rows):.1f} vs {statistics.mean(r[5] for r in rows):.1f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with instances/ and j30opt.sm")
    parser.add_argument("--methods", default=",".join(METHODS), help=f"comma list of {', '.join(METHODS)}")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds for auto and plain CP-SAT")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (both CP methods)")
    parser.add_argument("--limit", type=int, default=None, help="only this many instances")
    parser.add_argument("--every", type=int, default=1, help="take every k-th instance (a spread sample)")
    parser.add_argument("--shard", default="0/1", help="i/k: this process takes instances i, i+k, ...")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "level_j30.jsonl")
    parser.add_argument("--report", action="store_true", help="only print the table from --out")
    parser.add_argument("--large", action="store_true", help="time a generated 10,000-task / 20-resource plan")
    parser.add_argument("--gen", type=int, default=0, help="generated 120-task instances to run")
    parser.add_argument("--gen-budget", type=float, default=10.0, help="seconds for auto/CP on generated 120s")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            parser.error(f"unknown method {m!r}")
    if args.large:
        print(large_plan())
        return 0
    if args.gen:
        print(generated_120(args.gen, args.gen_budget, args.workers))
        return 0
    from pmfit.io.psplib import read_optima, read_sm

    optima = read_optima(args.data / "j30opt.sm")
    files = sorted((args.data / "instances").glob("*.sm"),
                   key=lambda p: tuple(int(x) for x in p.stem[3:].split("_")))[::args.every]
    if args.limit:
        files = files[:args.limit]
    shard, shards = (int(x) for x in args.shard.split("/"))
    files = files[shard::shards]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, object]] = []
    if args.out.exists():
        records = [json.loads(line) for line in args.out.read_text().splitlines() if line.strip()]
    names = {p.name for p in files}
    if not args.report:
        done = {(r["instance"], r["method"], r.get("budget")) for r in records}
        # load the compiled loops once, outside every measurement
        from pmfit.engine.level.sgs import kernels_for

        kernels_for(10**9, True)
        with args.out.open("a") as sink:
            for i, path in enumerate(files):
                inst = read_sm(path)
                for m in methods:
                    key_budget = args.budget if m in ("auto", "cp") else None
                    if (path.name, m, key_budget) in done:
                        continue
                    row = {"instance": path.name, "method": m, "budget": key_budget, "workers": args.workers,
                           "optimum": optima[path.name].optimum, **run_one(inst, m, args.budget, args.workers)}
                    records.append(row)
                    sink.write(json.dumps(row) + "\n")
                    sink.flush()
                if (i + 1) % 20 == 0:
                    print(f"... {i + 1}/{len(files)} instances", file=sys.stderr, flush=True)
    chosen = [r for r in records if r["instance"] in names or args.report]
    print(f"PSPLIB J30: {len({r['instance'] for r in chosen})} instances, budget {args.budget:g} s, "
          f"{args.workers} CP-SAT workers, {os.cpu_count()} cores")
    print(summarise(chosen, methods, args.budget))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
