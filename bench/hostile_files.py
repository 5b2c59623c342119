"""The cost of refusing the issue-18 heavy workbooks, against opening them with openpyxl as pmfit did.

    PYTHONPATH=src python bench/hostile_files.py [--rows 6800000] [--whitespace-mb 450]

Builds (in a temporary folder) a workbook whose sheet holds ``--whitespace-mb`` MB of whitespace
(packs to under 1 MB) and one with ``--rows`` rows, then times pmfit's read of each (CPU seconds and
peak traced memory) next to the named alternative: openpyxl's read-only load and row iteration,
which is what pmfit ran before the limits (stopped after ``--budget`` seconds).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>')
TAIL = b"</sheetData></worksheet>"


def build(path: Path, sheet_body: Callable[[zipfile.ZipFile], None]) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Tasks"
    book.active.append(["id", "duration"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                sheet_body(target)
            else:
                target.writestr(info.filename, source.read(info))


def whitespace(megabytes: int) -> Callable[[zipfile.ZipFile], None]:
    def write(target: zipfile.ZipFile) -> None:
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(HEAD)
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                out.write(block)
            out.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>' + TAIL)
    return write


def rows(count: int) -> Callable[[zipfile.ZipFile], None]:
    def write(target: zipfile.ZipFile) -> None:
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>')
            chunk = []
            for n in range(2, count + 2):
                chunk.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n))
                if len(chunk) == 100_000:
                    out.write(b"".join(chunk))
                    chunk = []
            out.write(b"".join(chunk) + TAIL)
    return write


def measure(action: Callable[[], object], budget: float) -> tuple[float, float, str]:
    """CPU seconds and peak traced MB of ``action`` (the tracer on: both sides pay it alike)."""
    tracemalloc.start()
    started = time.process_time()
    try:
        outcome = str(action())[:60]
    except Exception as exc:  # the outcome is what is reported
        outcome = f"{type(exc).__name__}: {getattr(exc, 'codes', '') or str(exc)[:40]}"
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6, outcome


def openpyxl_rows(path: Path, budget: float) -> str:
    import openpyxl

    started = time.process_time()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for _ in book.active.iter_rows(values_only=True):
        count += 1
        if count % 10_000 == 0 and time.process_time() - started > budget:
            return f"stopped after {budget:g} s at row {count:,}"
    return f"{count:,} rows"


def main() -> None:
    from pmfit.io.csvplan import read_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=6_800_000)
    parser.add_argument("--whitespace-mb", type=int, default=450)
    parser.add_argument("--budget", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = {f"{args.whitespace_mb} MB of whitespace": whitespace(args.whitespace_mb),
                 f"{args.rows:,} rows": rows(args.rows)}
        print(f"{'workbook':<24} {'file':>8} {'reader':<14} {'CPU s':>7} {'peak MB':>8}  outcome")
        for name, body in cases.items():
            path = Path(folder) / "book.xlsx"
            build(path, body)
            size = f"{path.stat().st_size / 1e6:.1f} MB"
            for reader, action in (("pmfit", lambda p=path: read_table(p)),
                                   ("openpyxl", lambda p=path: openpyxl_rows(p, args.budget))):
                seconds, peak, outcome = measure(action, args.budget)
                print(f"{name:<24} {size:>8} {reader:<14} {seconds:>7.2f} {peak:>8.1f}  {outcome}")


if __name__ == "__main__":
    main()
