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


DRIVERS = 3  # drivers per backend, each on its own store, run at once: a kill waits mostly on the scheduler


def _start(url: str, kills: int, seed: int) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, "-m", "tests.store.killer", url, str(kills), str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _summary(process: subprocess.Popen[str]) -> dict[str, object]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _sqlite_url(request: pytest.FixtureRequest, tmp_path: Path, n: int) -> str:
    # A killed process loses nothing the kernel has (written pages survive it; only power loss
    # needs the fsync), so the file may live in memory: same code paths, no disk queue to wait on.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="pmfit-kill-", dir=shm)) if shm.is_dir() else tmp_path / str(n)
    folder.mkdir(exist_ok=True)
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    return f"sqlite:///{folder / 'killed.db'}"


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_sigkill_at_random_points_never_loses_an_acknowledged_save(backend_name: str, request: pytest.FixtureRequest,
                                                                    tmp_path: Path) -> None:
    urls = []
    for n in range(DRIVERS):
        if backend_name == "postgresql":
            if reason := pg_unreachable():
                pytest.skip(reason)
            urls.append(pg_schema_url(request.getfixturevalue("pg_schemas").new()))
        else:
            urls.append(_sqlite_url(request, tmp_path, n))
        fresh = Store(urls[-1], must_exist=False)
        fresh.init()
        fresh.close()
    share = -(-KILLS[backend_name] // DRIVERS)
    running = [_start(url, share, 20261206 + n) for n, url in enumerate(urls)]
    summaries = [_summary(process) for process in running]
    for summary in summaries:
        assert summary["problems"] == [] and summary["lost"] == [], summary
        assert summary["final_ok"], summary["final_problems"]
        assert int(summary["versions"]) >= int(summary["acked"])  # type: ignore[call-overload]
    kills = sum(int(s["kills"]) for s in summaries)  # type: ignore[call-overload]
    acked = sum(int(s["acked"]) for s in summaries)  # type: ignore[call-overload]
    assert kills >= KILLS[backend_name]
    # the kills landed while saving, not only before the first save
    assert acked >= kills // 10, summaries
