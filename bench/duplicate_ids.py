"""Importing an MS Project XML file whose 16,000 tasks share one id: pmfit now vs the one-by-one renaming.

    PYTHONPATH=src python bench/duplicate_ids.py [--tasks 16000]

The named alternative is pmfit's earlier ``clean_id``, which tried ``#2, #3, ...`` one by one for
every copy (quadratic in the number of copies), swapped in for the same run. Times are CPU seconds
of ``import_file`` (read, map, validate; no schedule check), best of two.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def old_clean_id(text: object, used: set[str], fallback: str = "task") -> str:
    from pmfit.io.importcheck import _SPACES

    raw = "" if text is None else str(text)
    ident = _SPACES.sub(" ", raw.replace(",", ";")).strip()[:180] or fallback
    candidate, n = ident, 2
    while candidate in used:
        candidate = f"{ident}#{n}"
        n += 1
    used.add(candidate)
    return candidate


def project(path: Path, count: int, same: bool) -> None:
    tasks = "".join(f"<Task><UID>{7 if same else i}</UID><ID>{7 if same else i}</ID><Name>Same</Name>"
                    "<Duration>PT8H0M0S</Duration></Task>" for i in range(1, count + 1))
    path.write_text('<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project"><Name>x</Name>'
                    f"<StartDate>2027-01-04T08:00:00</StartDate><Tasks>{tasks}</Tasks></Project>\n")


def best(path: Path) -> float:
    from pmfit.io.formats import import_file

    times = []
    for _ in range(2):
        started = time.process_time()
        import_file(path, check=False)
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    import pmfit.io.importcheck as importcheck
    import pmfit.io.mspdi as mspdi

    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=16_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        same, unique = Path(folder) / "same.xml", Path(folder) / "unique.xml"
        project(same, args.tasks, True)
        project(unique, args.tasks, False)
        now_same, now_unique = best(same), best(unique)
        new = importcheck.clean_id
        importcheck.clean_id = old_clean_id  # type: ignore[assignment]
        mspdi.clean_id = old_clean_id  # type: ignore[attr-defined]  # the reader's own reference
        try:
            old_same = best(same)
        finally:
            importcheck.clean_id = new
            mspdi.clean_id = new  # type: ignore[attr-defined]
    print(f"{args.tasks:,} tasks in one MS Project XML file (CPU s, best of 2)")
    print(f"{'file':<28} {'pmfit now':>10} {'one-by-one ids':>15}")
    print(f"{'all ids unique':<28} {now_unique:>10.2f} {'':>15}")
    print(f"{'every id the same':<28} {now_same:>10.2f} {old_same:>15.2f}")
    print(f"one-by-one / now: {old_same / now_same:.1f}x; duplicates / unique now: {now_same / now_unique:.2f}x")


if __name__ == "__main__":
    main()
