"""The SIGKILL crash test's driver: ``python -m tests.store.killer URL KILLS SEED`` prints a JSON summary.

It runs in a fresh, small interpreter that imports the store only (not inside pytest, whose many
imports make every fork and every exit slow); an import is the store's part of one: a new project
and its first version in one transaction. It warms itself up — every import and every SQL statement compiled once — then
forks the writers, which reuse its engine after ``engine.dispose(close=False)``: each child opens its
own connections and never touches the parent's. Each writer saves and imports until it is killed
with SIGKILL at a random moment; it acknowledges a save on a pipe only after the save returned.
After every round the driver checks the store and that every acknowledged save is present.
"""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import sys
import time

from pmfit.store import HeadMoved, Store

WRITERS = 3  # alive at any moment; one is killed at a time and replaced at once
KILLS_PER_PROJECT = 5
PAUSE = 0.008  # longest pause of a writer between two saves
SAVES_PER_WRITER = 3
MAX_DELAY = 0.02  # seconds between kills

PLAN = """\
project:
  name: Killed
  start: 2027-01-04
tasks:
  - {id: a, duration: 3d}
  - {id: b, duration: 5d, after: [a]}
"""


def _document(rng: random.Random, n: int) -> bytes:
    return (PLAN + f"# edit {n} {rng.random()}\n" + "# padding\n" * rng.randrange(1, 60)).encode()


def _writer(store: Store, project: str, ack_fd: int, seed: int) -> None:
    rng = random.Random(seed)
    deadline = time.monotonic() + 10
    n = 0
    while time.monotonic() < deadline:
        if n >= SAVES_PER_WRITER:  # done: wait for the kill (keeps each round's check small)
            time.sleep(0.01)
            continue
        n += 1
        time.sleep(rng.uniform(0, PAUSE))  # so that kills land between saves as well as inside them
        if rng.random() < 0.25:
            # an import: a new project and its first version, in one transaction
            _, first = store.create_project(f"{project}-i{seed}-{n}", "Imported", _document(rng, n),
                                            author=f"w{seed}", kind="import", source="plan.yaml")
            os.write(ack_fd, f"{first.project_id} {first.id}\n".encode())
            continue
        try:
            head = store.version(project)
            version, created = store.commit(project, head.id, _document(rng, n), author=f"w{seed}")
        except HeadMoved:
            continue
        if created:
            os.write(ack_fd, f"{project} {version.id}\n".encode())


class Writer:
    def __init__(self, store: Store, project: str, seed: int) -> None:
        read_fd, write_fd = os.pipe()
        self.project = project
        gc.freeze()  # the child's collector leaves the parent's objects alone: fewer pages copied
        self.pid = os.fork()
        if self.pid == 0:
            try:
                gc.disable()  # a child lives for milliseconds
                os.close(read_fd)
                store.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
                _writer(store, project, write_fd, seed)
            finally:
                os._exit(0)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        self.acks = os.fdopen(read_fd, "rb")
        self.buffer = b""

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def reap(self) -> list[tuple[str, str]]:
        """Wait for the killed writer to be gone; every save it acknowledged."""
        os.waitpid(self.pid, 0)
        data = self.acks.read() or b""
        self.acks.close()
        return [(p, v) for p, v in (line.split() for line in data.decode().splitlines())]


def _present(store: Store, project: str) -> dict[str, set[str]]:
    """The version ids of ``project`` and of the projects its writers imported."""
    from sqlalchemy import or_, select

    from pmfit.store.repository import versions

    found: dict[str, set[str]] = {project: set()}
    with store.read() as conn:
        rows = conn.execute(select(versions.c.project_id, versions.c.id).where(or_(
            versions.c.project_id == project, versions.c.project_id.startswith(f"{project}-", autoescape=True))))
        for project_id, version_id in rows:
            found.setdefault(project_id, set()).add(version_id)
    return found


def run(url: str, kills: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    store = Store(url)
    # warm up: every import, every statement compiled, in this process, before any fork
    _, warm = store.create_project("warm-up", "Warm", PLAN.encode(), author="driver", kind="import")
    store.commit("warm-up", warm.id, _document(rng, 0), author="driver")
    store.check(["warm-up"])
    summary: dict[str, object] = {"kills": 0, "acked": 0, "problems": [], "lost": []}
    acked_by_project: dict[str, set[str]] = {}
    started = time.monotonic()
    project = "k0"
    store.create_project(project, "Killed", PLAN.encode(), author="driver")
    store.engine.dispose()
    writers = [Writer(store, project, rng.randrange(1 << 30)) for _ in range(WRITERS)]
    killed = acked_count = 0
    try:
        last_kill = time.monotonic()
        while killed < kills:
            # a random moment after the last kill (the check since then counts: no need to wait twice)
            time.sleep(max(0.0, last_kill + rng.uniform(0, MAX_DELAY) - time.monotonic()))
            victim = writers.pop(rng.randrange(len(writers)))
            victim.kill()
            last_kill = time.monotonic()
            killed += 1
            if killed % KILLS_PER_PROJECT == 0:
                project = f"k{killed // KILLS_PER_PROJECT}"
                store.create_project(project, "Killed", PLAN.encode(), author="driver")
            # the store check, while the other writers keep writing (and the victim is torn down)
            report = store.check(sorted(_present(store, victim.project)))
            # then every save the victim (or anyone before it) acknowledged must be there
            acked = victim.reap()
            acked_count += len(acked)
            for project_id, version_id in acked:
                acked_by_project.setdefault(project_id, set()).add(version_id)
            present = _present(store, victim.project)
            lost = [f"{p}: {v}" for p, ids in present.items() for v in acked_by_project.get(p, set()) - ids]
            lost += [f"{p}: whole project" for p in acked_by_project
                     if p.startswith(f"{victim.project}-") and p not in present]
            if not report.ok or lost:
                summary["problems"] = report.problems
                summary["lost"] = lost
                break
            store.engine.dispose()  # no connection of ours crosses the fork
            writers.append(Writer(store, project, rng.randrange(1 << 30)))
    finally:
        for writer in writers:
            writer.kill()
            acked = writer.reap()
            acked_count += len(acked)
            killed += 1
            for project_id, version_id in acked:
                acked_by_project.setdefault(project_id, set()).add(version_id)
    summary["kills"] = killed
    summary["acked"] = acked_count
    final = store.check()
    lost = []
    for project_id, ids in acked_by_project.items():
        lost += [f"{project_id}: {v}" for v in ids - _present(store, project_id).get(project_id, set())]
    summary["lost"] = list(summary["lost"]) + lost  # type: ignore[call-overload]
    summary["final_ok"] = final.ok
    summary["final_problems"] = final.problems[:20]
    summary["versions"] = final.versions
    summary["seconds"] = round(time.monotonic() - started, 2)
    store.close()
    return summary


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))) + "\n")
