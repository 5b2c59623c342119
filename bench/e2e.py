"""Benchmark: the user's path end to end at scale, side by side with the previous code and a plain alternative.

    .venv/bin/python bench/e2e.py                       # 100k and 10k plans, CLI rows, start-up, 1M kernel
    .venv/bin/python bench/e2e.py --sizes 10000 --quick # a quick run
    .venv/bin/python bench/e2e.py --old-src ../main/src # also the code before this work, in the same run
    .venv/bin/python bench/e2e.py --sizes 100000 --breakdown --no-commands --kernel 0  # where the load goes

Each size runs in a fresh process (so its peak memory is its own), one step after
the other as a user's session would: load + validate the plan file (``pmfit.load``),
the schedule to JSON (``pmfit.schedule`` and the JSON ``pmfit schedule --json``
prints), a 1,000-iteration simulation without and (at 10k) with the per-risk reruns.
The plan file comes from ``bench/e2e_plan.py``: phases and work streams (two WBS
levels), FS/SS/FF/SF links with lags and leads, some links on whole phases,
three-point estimates on half the tasks, milestones, resource needs, holidays, a
country calendar and a risk register.

Beside it, in the same run:
- the named alternative: ``yaml.load`` (libyaml ``CSafeLoader``, no line numbers,
  no validation) and a networkx longest-path pass over ``topological_sort`` (FS only);
- the previous code (``--old-src``, e.g. the main branch's ``src``) on the same file;
- ``pmfit schedule`` (table) and ``--json`` as commands on 10,000 tasks, also a
  10,000-task chain in a ten-deep WBS (the case whose table was quadratic);
- the CPM kernel on a 1M-task random network (``bench/cpm.py``'s generator);
- start-up: ``pmfit schedule`` on the 68-task example against ``python -c pass``,
  ``python -c "import numpy"`` and the previous code.

Times are wall and CPU seconds; on a shared machine wall time stretches with the
load (printed), CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {"load": 3.0, "json": 5.0, "simulate": 10.0, "rss": 2048.0}


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> dict[str, float]:
    wall, cpu = _clock()
    return {"wall": round(wall - start[0], 3), "cpu": round(cpu - start[1], 3)}


def child_pmfit(path: str, iterations: int, risk_impact: bool) -> dict[str, Any]:
    """The user's path in this process: load, schedule to JSON, simulate (run with the src under test)."""
    import gc

    import pmfit

    out: dict[str, Any] = {}
    start = _clock()
    plan = pmfit.load(path)
    out["load"] = _since(start)
    out["tasks"] = len(plan.tasks)
    out["links"] = sum(len(t.after) for t in plan.tasks)
    gc.freeze()  # as `pmfit` commands do after loading a large plan (cli/common.py load_plan)
    start = _clock()
    result = pmfit.schedule(plan)
    rows = [t.to_dict(result.minutes_per_day) for t in result.tasks.values()]
    try:
        from pmfit.cli.jsonout import dumps_indented

        text = dumps_indented({**result.summary(), "tasks": rows}, default=str)
    except ImportError:  # the previous code
        text = json.dumps({**result.summary(), "tasks": rows}, indent=2, default=str, ensure_ascii=False)
    out["json"] = _since(start)
    out["json_bytes"] = len(text)
    out["finish"] = result.finish.isoformat()
    del text, rows
    if iterations:
        start = _clock()
        sim = pmfit.simulate(plan, iterations=iterations, seed=1, risk_impact=False)
        out["simulate"] = _since(start)
        out["p80"] = float(sim.percentile(80)) if hasattr(sim, "percentile") else None
        if risk_impact:
            start = _clock()
            pmfit.simulate(plan, iterations=iterations, seed=1, risk_impact=True)
            out["simulate_risks"] = _since(start)
            out["risks"] = len(plan.risks)
    out["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def child_breakdown(path: str) -> dict[str, Any]:
    """Where ``pmfit.load`` spends its time, step by step (this code's internals; collector paused as in a load)."""
    import gc

    import numpy  # noqa: F401  (imported by any load; not part of a step)

    from pmfit.engine.checks import schedule_checks
    from pmfit.engine.cpm import critical_path_method  # noqa: F401  (numba's cached kernel loaded up front)
    from pmfit.io.yamlplan import parse_yaml, read_text_file
    from pmfit.model.plan import Plan
    from pmfit.model.validate import validate_plan

    gc.disable()
    out: dict[str, Any] = {}
    start = _clock()
    text = read_text_file(path)
    out["read"] = _since(start)
    start = _clock()
    data, source = parse_yaml(text, path)
    out["yaml"] = _since(start)
    start = _clock()
    plan = Plan.model_validate(data)
    out["schema"] = _since(start)
    start = _clock()
    validate_plan(plan)
    out["model checks"] = _since(start)
    start = _clock()
    schedule_checks(plan)
    out["scheduler checks"] = _since(start)
    start = _clock()
    source.line(("tasks", 0))
    out["lines (only when a diagnostic needs one)"] = _since(start)
    return out


def child_alternative(path: str) -> dict[str, Any]:
    """The named alternative: libyaml safe_load + networkx longest path (FS links only, no validation)."""
    import networkx as nx
    import yaml

    out: dict[str, Any] = {}
    start = _clock()
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=yaml.CSafeLoader)
    out["load"] = _since(start)
    start = _clock()
    tasks = data["tasks"]
    parents = {t.get("parent") for t in tasks}
    graph = nx.DiGraph()
    days = {}
    for t in tasks:
        if t["id"] in parents:
            continue
        d = t.get("duration") or (t.get("estimate") or [0, "0d"])[1]
        days[t["id"]] = int(str(d).rstrip("d") or 0)
        graph.add_node(t["id"])
        for link in t.get("after") or []:
            pred = str(link).split()[0]
            if pred not in parents:
                graph.add_edge(pred, t["id"])
    finish: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        start_day = max((finish[p] for p in graph.predecessors(node)), default=0)
        finish[node] = start_day + days.get(node, 0)
    text = json.dumps([{"id": k, "finish_day": v} for k, v in finish.items()], indent=2)
    out["json"] = _since(start)
    out["json_bytes"] = len(text)
    out["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_child(kind: str, path: Path, src: Path, iterations: int = 0, risk_impact: bool = False,
              timeout: float = 1800) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--child", kind, str(path), str(iterations), str(int(risk_impact))]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def command_time(cmd: list[str], src: Path, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of a command (start-up included), after one warm-up run."""
    # Byte-code caching on, as in an installed pmfit (this workplace sets PYTHONDONTWRITEBYTECODE, which
    # would compile every pmfit module from source on each start); the warm-up run writes the caches.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(src)
    walls, cpus = [], []
    for k in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if k:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def kernel_row(n: int) -> dict[str, Any]:
    from cpm import pmfit_compile, pmfit_cpm, random_network, timed, warm_up

    warm_up()
    g = random_network(n)
    t_compile, net = timed(lambda: pmfit_compile(g), 2)
    t_cpm, _ = timed(lambda: pmfit_cpm(net), 2)
    return {"tasks": n, "links": len(g["src"]), "wall": t_compile.wall + t_cpm.wall, "cpu": t_compile.cpu + t_cpm.cpu}


def _cell(step: dict[str, Any] | None, key: str) -> str:
    if not step or key not in step:
        return "—"
    return f"{step[key]['wall']:.2f} / {step[key]['cpu']:.2f}"


def _ratio(old: dict[str, Any] | None, new: dict[str, Any], key: str) -> str:
    if not old or key not in old or key not in new or not new[key]["cpu"]:
        return "—"
    return f"{old[key]['cpu'] / new[key]['cpu']:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,10000")
    parser.add_argument("--links-per-task", type=float, default=3.2)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--old-src", type=Path, default=None, help="the previous code's src folder")
    parser.add_argument("--old-max", type=int, default=100_000, help="largest size run with the previous code")
    parser.add_argument("--kernel", type=int, default=1_000_000, help="tasks of the CPM kernel row (0: skip)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per command row (median)")
    parser.add_argument("--quick", action="store_true", help="no previous-code, kernel or start-up rows")
    parser.add_argument("--startup-only", action="store_true", help="only the start-up rows")
    parser.add_argument("--commands-only", action="store_true", help="only the command, start-up and kernel rows")
    parser.add_argument("--breakdown", action="store_true", help="also where load + validate spends its time, "
                        "step by step (this code only)")
    parser.add_argument("--no-commands", action="store_true", help="no command or start-up rows (the plan rows, "
                        "with the previous code if given)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, iterations, risks = args.child
        if kind == "breakdown":
            print(json.dumps(child_breakdown(path)))
            return
        fn = child_pmfit if kind == "pmfit" else None
        result = (fn(path, int(iterations), risks == "1") if fn else child_alternative(path))
        print(json.dumps(result))
        return

    from e2e_plan import plan_text

    src = ROOT / "src"
    exe = str(Path(sys.executable).with_name("pmfit"))
    sizes = [] if args.startup_only or args.commands_only else [int(s) for s in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="pmfit-e2e-"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the start; cells are wall / CPU seconds")
    print()
    rows = []
    breakdowns: list[tuple[int, dict[str, Any]]] = []
    for n in sizes:
        path = tmp / f"plan-{n}.yaml"
        path.write_text(plan_text(n, args.links_per_task), encoding="utf-8")
        new = run_child("pmfit", path, src, args.iterations, risk_impact=n <= 10_000)
        alt = run_child("alternative", path, src)
        old = None
        if args.old_src and not args.quick and n <= args.old_max:
            # the previous risk cost model searched the task list once per task: hours at 100k, so not run there
            old = run_child("pmfit", path, args.old_src, args.iterations if n <= 10_000 else 0,
                            risk_impact=n <= 10_000)
        steps = run_child("breakdown", path, src) if args.breakdown else None
        rows.append((n, path, new, alt, old))
        if steps:
            breakdowns.append((n, steps))
        print(f"  measured {n:,} tasks", file=sys.stderr, flush=True)

    if rows:
        print("| plan | step | pmfit | previous code | old / new (CPU) | yaml.load + networkx | target | met |")
        print("|---|---|---|---|---|---|---|---|")
    for n, path, new, alt, old in rows:
        if "error" in new:
            print(f"| {n:,} | error | {new['error']} | | | | | |")
            continue
        label = f"{new['tasks']:,} tasks, {new['links']:,} links ({path.stat().st_size / 1e6:.1f} MB)"
        big = n >= 100_000
        for key, name, target in (("load", "load + validate", "load"), ("json", "schedule to JSON", "json"),
                                  ("simulate", f"{args.iterations:,} iterations (no per-risk reruns)",
                                   "simulate"),
                                  ("simulate_risks", f"{args.iterations:,} iterations + {new.get('risks', 0)} "
                                   "per-risk reruns", None)):
            if key not in new:
                continue
            limit = TARGETS.get(target or "", 0.0) if big else 0.0
            met = ("yes" if new[key]["wall"] <= limit else "CPU only" if new[key]["cpu"] <= limit
                   else "no") if limit else ""
            old_cell = old.get("error", _cell(old, key)) if old else "—"
            print(f"| {label} | {name} | {_cell(new, key)} | {old_cell} | {_ratio(old, new, key)} | "
                  f"{_cell(alt, key) if key in ('load', 'json') else '—'} | {f'<= {limit:g} s' if limit else ''} "
                  f"| {met} |")
            label = ""
        old_rss = old.get("rss_mb", "—") if old else "—"
        print(f"| | peak memory | {new['rss_mb']:,} MB | {old_rss} MB | | {alt.get('rss_mb', '—')} MB | "
              f"{'<= 2,048 MB' if big else ''} | {('yes' if new['rss_mb'] <= 2048 else 'no') if big else ''} |")
    print()

    for n, steps in breakdowns:
        print(f"Load + validate of {n:,} tasks, step by step (wall / CPU s, collector paused):")
        print()
        print("| step | wall / CPU s |")
        print("|---|---|")
        for name, took in steps.items():
            print(f"| {name} | {took['wall']:.2f} / {took['cpu']:.2f} |" if isinstance(took, dict)
                  else f"| {name} | {took} |")
        print()

    small = next((p for n, p, *_ in rows if n == 10_000), None)
    if args.commands_only:
        small = tmp / "plan-10000.yaml"
        small.write_text(plan_text(10_000, args.links_per_task), encoding="utf-8")
    if small is not None and not args.quick and not args.no_commands:
        chain = tmp / "chain-10000.yaml"
        chain.write_text(plan_text(10_000, chain=True), encoding="utf-8")
        print("Commands on 10,000 tasks, start-up included (median of "
              f"{args.repeat}; target < 2 s each):")
        print()
        print("| command | pmfit wall / CPU s | previous code wall / CPU s | old / new (CPU) |")
        print("|---|---|---|---|")
        for name, cmd in (("schedule (table), generated plan", [exe, "schedule", str(small)]),
                          ("schedule --json, generated plan", [exe, "schedule", "--json", str(small)]),
                          ("schedule (table), 10,000-task chain, WBS ten deep", [exe, "schedule", str(chain)]),
                          ("schedule --json, 10,000-task chain", [exe, "schedule", "--json", str(chain)]),
                          ("why (last task of the chain)", [exe, "why", str(chain), "c9999"]),
                          ("validate, generated plan", [exe, "validate", str(small)])):
            now = command_time(cmd, src, args.repeat)
            before = command_time(cmd, args.old_src, 1) if args.old_src else None
            old_cell = f"{before['wall']:.2f} / {before['cpu']:.2f}" if before else "—"
            ratio = f"{before['cpu'] / now['cpu']:.1f}x" if before else "—"
            shown = " ".join(Path(c).name if c.endswith(".yaml") else c for c in cmd[1:])
            print(f"| `pmfit {shown}` ({name}) | {now['wall']:.2f} / {now['cpu']:.2f} | {old_cell} | {ratio} |")
        print()

    if not args.quick and not args.no_commands:
        example = ROOT / "examples" / "it-infrastructure-rollout.yaml"
        print(f"Start-up: `pmfit schedule {example.name}` (68 tasks), median of {args.repeat}, "
              "target <= 0.5 s:")
        print()
        print("| command | wall s | CPU s |")
        print("|---|---|---|")
        for name, cmd, code in (("python -c pass", [sys.executable, "-c", "pass"], src),
                                ('python -c "import numpy"', [sys.executable, "-c", "import numpy"], src),
                                ("pmfit --version", [exe, "--version"], src),
                                ("pmfit schedule (this code)", [exe, "schedule", str(example)], src),
                                ("pmfit schedule (previous code)", [exe, "schedule", str(example)],
                                 args.old_src)):
            if code is None:
                continue
            t = command_time(cmd, code, args.repeat)
            print(f"| `{name}` | {t['wall']:.3f} | {t['cpu']:.3f} |")
        print()
    if args.kernel and not args.quick and not args.startup_only:
        k = kernel_row(args.kernel)
        print(f"CPM kernel alone (compile arrays + CPM, numba): {k['tasks']:,} tasks, {k['links']:,} links: "
              f"{k['wall']:.2f} s wall / {k['cpu']:.2f} s CPU")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
