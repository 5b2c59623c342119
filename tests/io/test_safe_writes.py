"""Issue 18: every file pmfit rewrites survives concurrent writers, kills and special files.

* 16 concurrent writer processes per file-rewriting command: no acknowledged write is lost
  (baselines: every one is there; whole-file writers: the file is exactly one writer's output);
* a FIFO, a device or a symlink to one is written by opening it, never replaced;
* ``-`` is standard output for every writer; ``report -o DIR`` names the folder;
* a killed write leaves the old file whole, and its temporary file is cleaned by the next write.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import threading
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pmfit.cli.app import app
from pmfit.io.atomic import LOCK_SUFFIX, TEMP_SUFFIX, stale_temporaries, write_file

WRITERS = 16
PLAN = """\
project: {name: P, start: 2027-01-04}
tasks:
  - {id: a, name: Design, duration: 2d}
  - {id: b, name: Build, duration: 3d, after: [a]}
"""

fork = pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs forkserver")


def _processes() -> multiprocessing.context.BaseContext:
    """Writer processes forked from a fresh single-threaded server with pmfit imported once.

    Not plain fork: the test process may run threads (the MPXJ JVM, FIFO readers) whose locks a
    forked child would inherit held, and hang on. Not spawn: 16 fresh imports of pmfit are slow.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pmfit.cli.app", "pmfit.io.atomic", "pmfit.io.baselines",
                                    "pmfit.io.yamlformat", "typer.testing"])
    return context


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout + result.stderr


def _in_parallel(jobs: list[list[str]]) -> list[tuple[int, str]]:
    """Run each CLI invocation in its own process, all at once."""
    with _processes().Pool(len(jobs)) as pool:
        return pool.map(_cli, jobs, chunksize=1)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((TEMP_SUFFIX, LOCK_SUFFIX)))


@fork
@pytest.mark.parametrize("sidecar", [False, True], ids=["in-plan", "sidecar"])
def test_sixteen_concurrent_baselines_all_survive(tmp_path: Path, sidecar: bool) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    extra = ["--sidecar"] if sidecar else []
    results = _in_parallel([["baseline", str(plan), "--name", f"c{k}", *extra] for k in range(WRITERS)])
    assert all(code == 0 for code, _ in results), results
    stored = tmp_path / ("p.baselines.yaml" if sidecar else "p.yaml")
    names = sorted(b["name"] for b in yaml.safe_load(stored.read_text(encoding="utf-8"))["baselines"])
    assert names == sorted(f"c{k}" for k in range(WRITERS))  # every acknowledged baseline is there
    if sidecar:
        assert plan.read_text(encoding="utf-8") == PLAN
    assert _leftovers(tmp_path) == []


def _variant(k: int) -> str:
    return PLAN.replace("name: Design", f"name: Design {k} " + "x" * 3000)


@fork
def test_sixteen_concurrent_whole_file_writers_leave_one_whole_file(tmp_path: Path) -> None:
    """``export --to`` and ``import --to``, eight of each at once, all onto one file."""
    sources = []
    for k in range(WRITERS):
        source = tmp_path / f"v{k}.yaml"
        source.write_text(_variant(k), encoding="utf-8")
        sources.append(source)
    out = tmp_path / "out.json"
    results = _in_parallel([["export" if k % 2 else "import", str(s), "--to", str(out), "--force"]
                            for k, s in enumerate(sources)])
    assert all(code == 0 for code, _ in results), results
    import json

    written = json.loads(out.read_text(encoding="utf-8"))  # whole, not interleaved
    name = written["tasks"][0]["name"]
    assert name in {f"Design {k} " + "x" * 3000 for k in range(WRITERS)}
    assert _leftovers(tmp_path) == []


@fork
def test_sixteen_concurrent_schema_writers(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    results = _in_parallel([["schema", "-o", str(out)] for _ in range(WRITERS)])
    assert all(code == 0 for code, _ in results), results
    import json

    assert json.loads(out.read_text(encoding="utf-8"))["title"]
    assert _leftovers(tmp_path) == []


def _write_many(args: tuple[str, int]) -> None:
    path, k = args
    write_file((f"writer {k}\n" * 20_000).encode(), path)


@fork
def test_sixteen_concurrent_report_writes_through_the_shared_writer(tmp_path: Path) -> None:
    """``report -o`` (and advise --consultation, demo) write through write_file: 16 at once, one wins whole."""
    out = tmp_path / "report.md"
    with _processes().Pool(WRITERS) as pool:
        pool.map(_write_many, [(str(out), k) for k in range(WRITERS)], chunksize=1)
    lines = set(out.read_text(encoding="utf-8").splitlines())
    assert len(lines) == 1 and len(out.read_text().splitlines()) == 20_000
    assert _leftovers(tmp_path) == []


# ---- special files -----------------------------------------------------------------------------------

def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("through_link", [False, True], ids=["fifo", "symlink-to-fifo"])
def test_writing_to_a_fifo_opens_it_and_keeps_it_a_fifo(tmp_path: Path, through_link: bool) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if through_link:
        target = tmp_path / "link"
        target.symlink_to(fifo)
    got: list[bytes] = []
    reader = _drain(fifo, got)
    code, output = _cli(["export", str(plan), "--to", str(target), "--format", "yaml"])
    reader.join(10)
    assert code == 0, output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not through_link or target.is_symlink()
    assert yaml.safe_load(got[0])["tasks"][0]["id"] == "a"
    assert _leftovers(tmp_path) == []


def test_writing_to_a_device_keeps_the_device(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    before = os.stat(os.devnull)
    for target in (link, Path(os.devnull)):
        code, output = _cli(["export", str(plan), "--to", str(target), "--format", "json"])
        assert code == 0, output
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert not any(p.name.endswith(TEMP_SUFFIX) for p in Path(os.devnull).parent.iterdir()
                   if p.name.startswith(".null."))


@pytest.mark.parametrize("fmt, check", [
    ("yaml", lambda b: yaml.safe_load(b)["tasks"][1]["after"] == ["a"]),
    ("json", lambda b: __import__("json").loads(b)["tasks"][0]["id"] == "a"),
    ("mspdi", lambda b: b.startswith(b"<?xml") and b"<Name>Build</Name>" in b),
    ("xer", lambda b: b.startswith(b"ERMHDR")),
    ("csv", lambda b: b"Design" in b and b.count(b"\n") >= 3),
    ("xlsx", lambda b: b.startswith(b"PK\x03\x04")),
    ("icalendar", lambda b: b.startswith(b"BEGIN:VCALENDAR")),
])
def test_every_writer_writes_to_stdout_as_dash(tmp_path: Path, fmt: str, check: object) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(plan), "--to", "-", "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert check(result.stdout_bytes), result.stdout_bytes[:200]  # type: ignore[operator]
    assert not (tmp_path / "-").exists()
    assert "wrote" not in result.stdout and "wrote" in result.stderr


def test_dash_without_a_format_is_a_usage_error(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(plan), "--to", "-"])
    assert result.exit_code == 2 and "--format" in result.stderr


def test_report_to_stdout_and_to_a_folder(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(plan), "-o", "-", "--iterations", "100"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# P")
    folder = tmp_path / "reports"
    folder.mkdir()
    result = CliRunner().invoke(app, ["report", str(plan), "-o", str(folder), "--iterations", "100"])
    assert result.exit_code == 1
    assert "[bad_file]" in result.stderr and str(folder) in result.stderr and "folder" in result.stderr
    assert list(folder.iterdir()) == []


def test_schema_to_stdout_as_dash() -> None:
    result = CliRunner().invoke(app, ["schema", "-o", "-"])
    assert result.exit_code == 0 and '"title"' in result.stdout


# ---- killed writes -------------------------------------------------------------------------------------

def _slow_write(path: str) -> None:
    os.fsync = lambda fd: time.sleep(60)  # type: ignore[assignment]  # killed while "flushing"
    write_file(b"new and never finished\n" * 1000, path)


@fork
def test_a_killed_write_keeps_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    target.write_text(PLAN, encoding="utf-8")
    child = _processes().Process(target=_slow_write, args=(str(target),))
    child.start()
    deadline = time.monotonic() + 20
    while not stale_temporaries(target) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert target.read_text(encoding="utf-8") == PLAN  # the old file, whole
    assert stale_temporaries(target)  # what the kill left behind (hidden, beside the target)
    unrelated = tmp_path / ".plan.yaml.swp"
    unrelated.write_text("an editor's", encoding="utf-8")
    write_file("fresh\n", target)
    assert target.read_text(encoding="utf-8") == "fresh\n"
    assert stale_temporaries(target) == [] and _leftovers(tmp_path) == []
    assert unrelated.exists()


def test_old_style_temporaries_are_cleaned_too(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    old = tmp_path / ".out.md.k2j4_x9a"       # the mkstemp name earlier versions used
    new = tmp_path / f".out.md.abc123{TEMP_SUFFIX}"
    other = tmp_path / ".other.md.k2j4_x9a"
    for p in (old, new, other):
        p.write_text("half", encoding="utf-8")
    write_file("done\n", target)
    assert not old.exists() and not new.exists() and other.exists()


def test_a_rewrite_keeps_the_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    target.write_text(PLAN, encoding="utf-8")
    target.chmod(0o640)
    write_file("x: 1\n", target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
