"""Every shared project file, exported in every format MPXJ reads, read back by MPXJ and by pmfit.

Prints one row per (file, format): whether MPXJ opened the export and whether its reading agrees
with pmfit's on tasks, links, resources, assignments, durations and progress; then the totals.
The test suite runs a sample of this (tests/io/test_export_mpxj.py); this is the full sweep.

    PYTHONPATH=src python tools/mpxj_sweep.py [--formats xer,mspdi] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT.parent / "shared" / "data" / "projects"
EXTENSIONS = {"mspdi": ".xml", "xer": ".xer", "p6xml": ".pmxml", "mpx": ".mpx", "ganttproject": ".gan",
              "planner": ".planner"}


def main() -> int:
    from pmfit.api import export_file  # the writers get the current schedule from pmfit.Project
    from pmfit.io.formats import FORMATS, _load_builtin_formats, import_file
    from pmfit.io.mpxjcheck import MPXJ_READS, crosscheck
    from pmfit.model.diagnostics import PlanError

    parser = argparse.ArgumentParser()
    parser.add_argument("--formats", default=",".join(MPXJ_READS))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    _load_builtin_formats()
    formats = [f for f in args.formats.split(",") if f in FORMATS and FORMATS[f].write is not None]
    files = sorted(p for p in PROJECTS.glob("*/*") if p.name != "README.md")
    if not files:
        print(f"no shared data at {PROJECTS}")
        return 1
    opened = agreed = total = unreadable = 0
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            try:
                plan, _ = import_file(path, check=False)
            except PlanError:
                unreadable += 1
                continue
            for fmt in formats:
                total += 1
                out = Path(tmp) / f"{path.name}{EXTENSIONS[fmt]}"
                export_file(plan, out, fmt)
                try:
                    differences = crosscheck(str(out), fmt)
                except PlanError as exc:
                    rows.append((path.name, fmt, "NOT OPENED", str(exc)[:120]))
                    continue
                opened += 1
                agreed += not differences
                rows.append((path.name, fmt, "agrees" if not differences else "differs",
                             " | ".join(differences)[:2000 if args.verbose else 160]))
    seconds = time.perf_counter() - started
    width = max(len(r[0]) for r in rows)
    for name, fmt, verdict, detail in rows:
        print(f"{name:<{width}}  {fmt:<12} {verdict:<10} {detail}")
    print()
    print("| exports | MPXJ opened | MPXJ agrees with pmfit | files pmfit refuses | seconds |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {total} | {opened} ({100 * opened / max(total, 1):.0f}%) | {agreed} ({100 * agreed / max(total, 1):.0f}%) "
          f"| {unreadable} | {seconds:.1f} |")
    return 0 if opened == total else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
