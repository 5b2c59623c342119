"""The long fuzz run: N mutated inputs per reader, counting crashes, hangs over 10 s and peak memory.

    PYTHONPATH=src python bench/fuzz.py --per-reader 10000 [--readers yaml,mspdi] [--jobs 2] [--save DIR]
                                        [--clock cpu|wall] [--minutes M]

Each reader runs in its own process (so its peak memory is its own); an input that takes more than
``--hang`` seconds is counted as a hang and the reader goes on with the next one. The hang clock is
the process's CPU time by default (on a shared, loaded machine the wall clock measures the
neighbours); ``--clock wall`` uses the wall clock. ``--minutes`` stops a reader early (the table
says how many inputs it got). Each reader's row is printed as soon as it is done. The table compares
each reader's time per input with the time to just parse the same bytes as UTF-8 text and split them
into lines (the named alternative: the cost floor of looking at the bytes at all).
Crashing inputs are saved with ``--save`` for the regression corpus (tests/io/corpus/).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class _Hang(BaseException):  # not an Exception: no reader may swallow it
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def fuzz_reader(args: tuple[str, int, int, float, str | None, str, float]) -> dict[str, object]:
    from tests.io.fuzzkit import mutate, readers, run_one

    name, count, seed, hang, save, clock, minutes = args
    timer, signum = (signal.ITIMER_PROF, signal.SIGPROF) if clock == "cpu" else (signal.ITIMER_REAL,
                                                                                 signal.SIGALRM)
    reader = next(r for r in readers() if r.name == name)
    rng = random.Random(f"{seed}:{name}")
    crashes: dict[str, int] = {}
    hangs = 0
    slowest = 0.0
    floor = 0.0
    signal.signal(signum, _alarm)
    started = time.perf_counter()
    done = 0
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(count):
            if minutes and time.perf_counter() - started > 60 * minutes:
                break
            done += 1
            data = mutate(rng, rng.choice(reader.seeds))
            t0 = time.perf_counter()
            data.decode("utf-8", "replace").splitlines()
            floor += time.perf_counter() - t0
            t0 = time.perf_counter()
            signal.setitimer(timer, hang)
            try:
                crash = run_one(name, data, reader.suffix, folder)
            except _Hang:
                hangs += 1
                crash = None
                if save:
                    _save(save, name, "hang", data, reader.suffix)
            finally:
                signal.setitimer(timer, 0)
            slowest = max(slowest, time.perf_counter() - t0)
            if crash:
                key = crash.strip().splitlines()[-1][:160]
                crashes[key] = crashes.get(key, 0) + 1
                if save and crashes[key] <= 2:
                    _save(save, name, "crash", data, reader.suffix)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    done = max(done, 1)
    return {"reader": name, "inputs": done, "crashes": sum(crashes.values()), "kinds": crashes,
            "hangs": hangs, "slowest_s": slowest, "seconds": elapsed, "per_input_ms": 1000 * elapsed / done,
            "floor_us": 1e6 * floor / done, "peak_mb": peak_mb}


def _save(folder: str, name: str, kind: str, data: bytes, suffix: str) -> None:
    digest = hashlib.sha1(data).hexdigest()[:10]
    target = Path(folder) / f"{name}-{kind}-{digest}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def main() -> None:
    from tests.io.fuzzkit import readers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-reader", type=int, default=10_000)
    parser.add_argument("--readers", default="", help="comma-separated reader names (default: all)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--hang", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--save", default=None, help="save crashing and hanging inputs here")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="the clock hangs are timed by")
    parser.add_argument("--minutes", type=float, default=0.0, help="stop each reader after this long (0: never)")
    args = parser.parse_args()
    names = [r.name for r in readers()]
    if args.readers:
        names = [n for n in names if n in args.readers.split(",")]
    work = [(n, args.per_reader, args.seed, args.hang, args.save, args.clock, args.minutes) for n in names]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    print(f"{'reader':<13} {'inputs':>7} {'crashes':>7} {'hangs>' + format(args.hang, 'g') + 's':>9} "
          f"{'slowest s':>9} {'ms/input':>9} {'floor us':>9} {'ratio':>7} {'peak MB':>8}   "
          f"(hang clock: {args.clock}; slowest: wall clock)", flush=True)
    results = []
    with context.Pool(args.jobs, maxtasksperchild=1) as pool:
        for r in pool.imap_unordered(fuzz_reader, work, chunksize=1):
            results.append(r)
            _row(r)
    total = sum(int(r["inputs"]) for r in results)  # type: ignore[call-overload]
    crashes = sum(int(r["crashes"]) for r in results)  # type: ignore[call-overload]
    hangs = sum(int(r["hangs"]) for r in results)  # type: ignore[call-overload]
    print(f"total: {total} inputs, {crashes} crashes, {hangs} hangs, {time.perf_counter() - started:.0f} s wall")


def _row(r: dict[str, object]) -> None:
    ratio = float(r["per_input_ms"]) * 1000 / max(float(r["floor_us"]), 1e-3)  # type: ignore[arg-type]
    print(f"{r['reader']:<13} {r['inputs']:>7} {r['crashes']:>7} {r['hangs']:>9} {r['slowest_s']:>9.2f} "
          f"{r['per_input_ms']:>9.2f} {r['floor_us']:>9.1f} {ratio:>6.0f}x {r['peak_mb']:>8.0f}")
    for kind, n in r["kinds"].items():  # type: ignore[attr-defined]
        print(f"    {n} x {kind}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
