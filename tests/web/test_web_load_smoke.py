"""bench/web_load.py runs: two users for a second against a real ``pmfit serve`` on SQLite, no errors,
and the table names every kind of request. (The benchmark itself is 20 users for 60 s: BENCHMARKS.md.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_load_benchmark_runs_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("web_load", BENCH / "web_load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["web_load"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        code = module.main(["--users", "2", "--duration", "1", "--tasks", "40", "--backend", "sqlite"])
    finally:
        sys.path.remove(str(BENCH))
        sys.modules.pop("web_load", None)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| pmfit SQLite, 1 worker(s) | schedule |" in out or "| pmfit SQLite, 1 worker(s) | project |" in out
    assert "| static files (floor) | static file |" in out
    assert "| pmfit SQLite, 1 worker(s) |" in out and "| 0 | 0 |" in out
