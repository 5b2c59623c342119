"""The installed ``pmfit`` console script, run as a real process: exit codes and streams."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import EXPECTED_FINISH, TINY_PLAN

PMFIT = Path(sys.executable).with_name("pmfit")
pytestmark = pytest.mark.skipif(not PMFIT.exists(), reason="the pmfit console script is not installed")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PMFIT), *map(str, args)], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LANG": "C.UTF-8"})


def test_real_process_exit_codes(tmp_path: Path) -> None:
    plan = tmp_path / "tiny.yaml"
    plan.write_text(TINY_PLAN)
    ok = run("schedule", plan, "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["finish"] == EXPECTED_FINISH

    broken = tmp_path / "broken.yaml"
    broken.write_text(TINY_PLAN.replace("after: [b, c]", "after: [b, x]"))
    bad = run("schedule", broken)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert f"{broken}:" in bad.stderr and "[unknown_task]" in bad.stderr

    usage = run("schedule")
    assert usage.returncode == 2
    assert usage.stdout == "" and "Missing argument" in usage.stderr
    for proc in (ok, bad, usage):
        assert "Traceback" not in proc.stdout + proc.stderr


def test_demo_as_a_new_user_runs_it(tmp_path: Path) -> None:
    started = time.perf_counter()
    proc = run("demo", cwd=tmp_path)
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert "Northwind Billing 3.0 release" in proc.stdout
    assert "Try next" in proc.stdout
    assert wall < 30.0  # measured about 0.55 s on a quiet machine; this only guards against a hang


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "pmfit", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("pmfit ")
