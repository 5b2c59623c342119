"""Crash safety, tested the way SQLite tests itself: writers are killed with SIGKILL at random points
while importing and saving — over 1,000 kills across both backends — and after every round of kills
the store check passes (the database's integrity check, every version's hash, no partial version)
and every save that was acknowledged before the kill is there. See ``tests/store/killer.py``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from tests.store.conftest import pg_schema_url, pg_unreachable

from pmfit.store import Store

KILLS = {"sqlite": 520, "postgresql": 500}  # together over 1,000
ROOT = Path(__file__).resolve().parents[2]


def _kill_run(url: str, kills: int) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "tests.store.killer", url, str(kills), "20261206"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_sigkill_at_random_points_never_loses_an_acknowledged_save(backend_name: str, request: pytest.FixtureRequest,
                                                                    tmp_path: Path) -> None:
    if backend_name == "postgresql":
        if reason := pg_unreachable():
            pytest.skip(reason)
        url = pg_schema_url(request.getfixturevalue("pg_schemas").new())
    else:
        # A killed process loses nothing the kernel has (written pages survive it; only power loss
        # needs the fsync), so the file may live in memory: same code paths, no disk queue to wait on.
        shm = Path("/dev/shm")
        folder = Path(tempfile.mkdtemp(prefix="pmfit-kill-", dir=shm)) if shm.is_dir() else tmp_path
        request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
        url = f"sqlite:///{folder / 'killed.db'}"
    fresh = Store(url, must_exist=False)
    fresh.init()
    fresh.close()
    summary = _kill_run(url, KILLS[backend_name])
    assert summary["problems"] == [] and summary["lost"] == [], summary
    assert summary["final_ok"], summary["final_problems"]
    assert int(summary["kills"]) >= KILLS[backend_name]  # type: ignore[call-overload]
    # the kills landed while saving, not only before the first save
    assert int(summary["acked"]) >= int(summary["kills"]) // 10, summary  # type: ignore[call-overload]
    assert int(summary["versions"]) >= int(summary["acked"])  # type: ignore[call-overload]
