"""Benchmark: the store — save a 10,000-task plan, load any one of 1,000 versions of a 1,000-task plan,
bytes on disk per version — on SQLite and PostgreSQL, side by side with a named alternative: every
version written as its own YAML file with an atomic rename (write, fsync, rename), as a file-based
plan-as-code workflow would keep them.

    /work/main/.venv/bin/python bench/store.py                      # both backends, full sizes
    /work/main/.venv/bin/python bench/store.py --versions 200       # a quick run
    PMFIT_TEST_POSTGRES_URL=postgresql+psycopg://... bench/store.py  # another PostgreSQL

Timed:
- save 10k: ``Store.commit`` of a 10,000-task document one task different from the head (the usual
  save: a delta against the head is computed, compressed, written, the head swapped, committed with
  fsync), by a process that has the head in memory and by a fresh one that rebuilds it; ``first save`` is the project's first version (a full compressed copy); ``workspace
  commit`` adds what a REST call does on top: parse and validate the plan before saving it.
- load 1k: a fresh ``Store`` (no cache) rebuilding a random one of 1,000 versions of a 1,000-task
  plan (each version edits one or two tasks), its SHA-256 checked; median and worst of 50 loads.
- bytes/version: SQLite file size (after a checkpoint) or PostgreSQL ``pg_total_relation_size`` of
  ``versions``, divided by the number of versions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pmfit.store import Store

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def plan_text(tasks: int, edits: dict[int, int] | None = None) -> str:
    edits = edits or {}
    lines = [f"project:\n  name: Bench {tasks}\n  start: 2027-01-04\nresources:\n  - {{id: dev, units: 5}}\ntasks:\n"]
    for i in range(tasks):
        after = f", after: [t{i - 1}]" if i % 10 else ""
        days = edits.get(i, 1 + i % 5)
        lines.append(f"  - {{id: t{i}, name: Task number {i} of the plan, duration: {days}d, "
                     f"needs: {{dev: 1}}{after}}}\n")
    return "".join(lines)


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_store(url: str, versions: int, big: int, small: int, rng: random.Random) -> dict[str, float]:
    from pmfit.workspace import Workspace

    out: dict[str, float] = {}
    store = Store(url, must_exist=False)
    store.init()
    # save a 10k-task plan
    edits: dict[int, int] = {}
    doc = plan_text(big, edits).encode()
    out["first_save"] = timed(lambda: store.create_project("big", "Big", doc, author="bench"))
    saves = []
    for n in range(5):
        edits[rng.randrange(big)] = 10 + n
        changed = plan_text(big, edits).encode()
        head = store.version("big")
        saves.append(timed(lambda c=changed, h=head: store.commit("big", h.id, c, author="bench")))
    out["save_10k"] = statistics.median(saves)
    cold = Store(url)  # a fresh process (a stateless web worker): the head is rebuilt before the delta
    edits[rng.randrange(big)] = 99
    changed = plan_text(big, edits).encode()
    head = cold.version("big")
    out["save_10k_cold"] = timed(lambda: cold.commit("big", head.id, changed, author="bench"))
    cold.close()
    workspace = Workspace(store)
    head = store.version("big")
    edits[rng.randrange(big)] = 42
    text = plan_text(big, edits)
    out["workspace_commit_10k"] = timed(lambda: workspace.commit("big", head.id, text=text, author="bench"))
    # 1,000 versions of a 1,000-task plan
    edits = {}
    _, head = store.create_project("hist", "History", plan_text(small).encode(), author="bench")
    ids = [head.id]
    started = time.perf_counter()
    for _version in range(versions - 1):
        for _ in range(rng.randint(1, 2)):
            edits[rng.randrange(small)] = rng.randint(1, 30)
        head, _ = store.commit("hist", head.id, plan_text(small, edits).encode(), author="bench")
        ids.append(head.id)
    out["build_per_version"] = (time.perf_counter() - started) / max(1, versions - 1)
    store.close()
    fresh = Store(url)
    loads = [timed(lambda v=rng.choice(ids): fresh.content(v)) for _ in range(50)]
    fresh._rebuilt.clear()
    out["load_median"] = statistics.median(loads)
    out["load_max"] = max(loads)
    # bytes per version
    if fresh.dialect == "sqlite":  # fold the write-ahead log into the file first
        raw = fresh.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    with fresh.read() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM versions").scalar()
        if fresh.dialect == "sqlite":
            from pmfit.store.connect import sqlite_path

            path = sqlite_path(url)
            assert path is not None
            size = path.stat().st_size
        else:
            size = conn.exec_driver_sql("SELECT pg_total_relation_size('versions')").scalar()
        payload = conn.exec_driver_sql("SELECT sum(length(payload)) FROM versions WHERE project_id = 'hist'").scalar()
    out["bytes_per_version"] = size / count
    out["payload_per_version"] = payload / versions
    out["doc_bytes_small"] = len(plan_text(small).encode())
    out["doc_bytes_big"] = len(doc)
    fresh.close()
    return out


def bench_files(folder: Path, versions: int, big: int, small: int, rng: random.Random) -> dict[str, float]:
    """The alternative: every version its own YAML file, written atomically (fsync + rename)."""
    from pmfit.io.yamlplan import save_atomic

    out: dict[str, float] = {}
    edits: dict[int, int] = {}
    saves = []
    for n in range(5):
        edits[rng.randrange(big)] = 10 + n
        text = plan_text(big, edits)
        saves.append(timed(lambda t=text, n=n: save_atomic(t, folder / f"big-{n}.yaml")))
    out["save_10k"] = statistics.median(saves)
    edits = {}
    paths = []
    for n in range(versions):
        edits[rng.randrange(small)] = rng.randint(1, 30)
        path = folder / f"hist-{n}.yaml"
        save_atomic(plan_text(small, edits), path)
        paths.append(path)
    loads = [timed(lambda p=rng.choice(paths): p.read_bytes()) for _ in range(50)]
    out["load_median"] = statistics.median(loads)
    out["load_max"] = max(loads)
    out["bytes_per_version"] = sum(p.stat().st_size for p in paths) / versions
    return out


def pg_url() -> str | None:
    base = os.environ.get("PMFIT_TEST_POSTGRES_URL", DEFAULT_PG)
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(base)
        with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                             dbname=url.database, connect_timeout=3, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS pmfit_bench CASCADE")
            conn.execute("CREATE SCHEMA pmfit_bench")
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3Dpmfit_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql,files")
    args = parser.parse_args()
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pmfit-bench-store-") as work:
        for backend in args.backends.split(","):
            rng = random.Random(7)
            if backend == "sqlite":
                rows["SQLite (pmfit store)"] = bench_store(f"sqlite:///{work}/bench.db", args.versions, args.big,
                                                          args.small, rng)
            elif backend == "postgresql":
                url = pg_url()
                if url:
                    try:
                        rows["PostgreSQL (pmfit store)"] = bench_store(url, args.versions, args.big, args.small, rng)
                    finally:
                        import psycopg

                        with psycopg.connect(os.environ.get("PMFIT_TEST_POSTGRES_URL", DEFAULT_PG).replace(
                                "postgresql+psycopg", "postgresql"), autocommit=True) as conn:
                            conn.execute("DROP SCHEMA IF EXISTS pmfit_bench CASCADE")
            elif backend == "files":
                folder = Path(work) / "files"
                folder.mkdir()
                rows["YAML file per version (atomic rename)"] = bench_files(folder, args.versions, args.big,
                                                                            args.small, rng)
    load = os.getloadavg()[0]
    print(f"store benchmark: save a {args.big:,}-task plan; load one of {args.versions:,} versions of a "
          f"{args.small:,}-task plan")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| store | save 10k (ms) | save 10k, fresh process (ms) | first save 10k (ms) | REST-style commit 10k (ms) | load 1 of 1k median (ms) "
          "| load max (ms) | bytes on disk / version | stored payload / version |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        def ms(key: str, r: dict[str, float] = r) -> str:
            return f"{r[key] * 1000:.0f}" if key in r else "–"

        print(f"| {name} | {ms('save_10k')} | {ms('save_10k_cold')} | {ms('first_save')} | {ms('workspace_commit_10k')} | "
              f"{r['load_median'] * 1000:.1f} | {r['load_max'] * 1000:.1f} | {r['bytes_per_version']:,.0f} | "
              f"{r.get('payload_per_version', r['bytes_per_version']):,.0f} |")
    first = next(iter(rows.values()), None)
    if first and "doc_bytes_small" in first:
        print(f"\ndocument sizes: {first['doc_bytes_big']:,.0f} bytes (10k tasks), "
              f"{first['doc_bytes_small']:,.0f} bytes (1k tasks)")
    files = rows.get("YAML file per version (atomic rename)")
    for name, r in rows.items():
        if files and r is not files:
            print(f"{name}: save {r['save_10k'] / files['save_10k']:.2f}x the file's time, "
                  f"{files['bytes_per_version'] / r['bytes_per_version']:.0f}x fewer bytes per version; "
                  f"building the history took {r['build_per_version'] * 1000:.1f} ms per version")


if __name__ == "__main__":
    main()
