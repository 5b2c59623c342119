"""The web app's project page and a Gantt edit on a large plan, against the engine alone.

In-process (FastAPI TestClient, no sockets) on a SQLite store in a temp folder, a generated plan of
``--tasks`` tasks (bench/project.py's generator: 20 chains with cross links, progress, a baseline).
Compared side by side in the same run:

- the named alternative, the engine alone: the head version from the store (its parsed plan kept by
  the workspace, as the app's is) scheduled by ``Project.schedule()``, which any page must do at least;
- GET the project page (schedule, the Gantt's first rows, the selected panel, history), zoom week,
  as a worker serves it again (the composed page kept by version id and view);
- the same at zoom fit;
- the first view of a version (nothing kept: schedule, Gantt rows and the first window drawn), zoom week;
- a task's side panel with its "why", as the page fetches it when a bar is selected;
- a Gantt edit: POST a new duration for a critical task naming the base version, then GET the
  redrawn page (what the browser does after the form post): a new version, drawn for the first time.

Run:  PYTHONPATH=src:tests python bench/web_pages.py [--tasks 2000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
warnings.filterwarnings("ignore")

from project import generated  # noqa: E402  (bench/project.py)

import pmfit  # noqa: E402
from pmfit.project import Project  # noqa: E402
from pmfit.store import Store  # noqa: E402
from pmfit.web.pages import views  # noqa: E402
from pmfit.workspace import Workspace  # noqa: E402
from web.helpers import make_server  # noqa: E402

HTML = {"accept": "text/html"}


def timed(fn: Callable[[int], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run (CPU: the whole process, the app's threads included,
    which a machine shared with other work changes less than the wall clock)."""
    fn(-1)  # warm-up (imports, JIT, caches of the first render)
    wall, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    plan = generated(args.tasks)
    text = pmfit.dumps(plan) if hasattr(pmfit, "dumps") else None
    if text is None:
        from pmfit.io.yamlplan import write_plan_text

        text = write_plan_text(plan)
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(Path(folder))
        ws = Workspace(Store(engine=server.app.state.engine))
        ws.import_bytes(text.encode(), "big.yaml", project_id="big")
        server.add_user("bench")
        server.add_member("big", "bench", "editor")
        client = server.login("bench")
        schedule = Project(ws.get("big").plan).schedule()
        critical = next(t for t, row in schedule.tasks.items() if row.critical and not row.summary)
        tasks = [t for t, row in schedule.tasks.items() if not row.summary]

        # The app's first read of the head writes its text once in a background thread (so that the
        # first edit reuses every task's text); let it finish, as it does while a user reads the page.
        started = time.perf_counter()
        client.get("/projects/big", params={"zoom": "week"}, headers=HTML)
        for thread in threading.enumerate():
            if thread.name == "pmfit-warm-edits":
                thread.join()
        first_read = (time.perf_counter() - started) * 1000

        def engine(_: int) -> None:
            Project(ws.get("big").plan).schedule()  # the workspace keeps parsed plans, as the app's does

        def page(zoom: str) -> Callable[[int], None]:
            def get(_: int) -> None:
                answer = client.get("/projects/big", params={"zoom": zoom}, headers=HTML)
                assert answer.status_code == 200

            return get

        def first_view(_: int) -> None:
            views.forget_drawn_pages()  # as after a save by someone else, or a worker's first request
            answer = client.get("/projects/big", params={"zoom": "week"}, headers=HTML)
            assert answer.status_code == 200

        def panel(i: int) -> None:
            answer = client.get(f"/projects/big/panel/{tasks[(37 * i) % len(tasks)]}", headers=HTML)
            assert answer.status_code == 200 and "task-panel" in answer.text

        def edit(i: int) -> None:
            base = ws.version("big").id
            answer = client.post(f"/projects/big/tasks/{critical}", headers=HTML,
                                 data={"base": base, "duration": f"{30 + i}d"})  # each a new version
            assert answer.status_code == 200 and "saved as" in answer.text, answer.text[:300]
            assert re.search(r'id="finish" data-finish="', answer.text)

        load = os.getloadavg()
        rows = [("engine alone: store read + schedule (the alternative)", timed(engine, args.repeat)),
                ("project page, zoom week", timed(page("week"), args.repeat)),
                ("project page, zoom fit", timed(page("fit"), args.repeat)),
                ("project page, first view of a version (nothing kept)", timed(first_view, args.repeat)),
                ("a task's side panel with its why (fetched on select)", timed(panel, args.repeat)),
                ("Gantt edit: POST + redrawn page", timed(edit, args.repeat))]
        floor = statistics.median(rows[0][1][0])
        print(f"{args.tasks} tasks, {args.repeat} runs each (ms); load average before/after: "
              f"{load[0]:.1f} / {os.getloadavg()[0]:.1f}")
        print(f"{'what':58} {'p50':>8} {'p95':>8} {'x engine':>9} {'CPU p50':>8}")
        for name, (values, cpu) in rows:
            print(f"{name:58} {statistics.median(values):8.1f} {p95(values):8.1f} "
                  f"{statistics.median(values) / floor:9.2f} {statistics.median(cpu):8.1f}")
        print(f"(the app's first read of the plan, with the background write of its text: {first_read:.0f} ms, once)")
        server.app.state.engine.dispose()


if __name__ == "__main__":
    main()
