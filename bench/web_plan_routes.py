"""What the per-version Project cache buys the plan routes: GET /schedule and GET /risk on a stored plan.

Drives the app in-process (TestClient, no sockets) on a SQLite store in a temp folder, the plan
``examples/software-release.yaml`` uploaded once. Compared side by side in the same run:

- GET /schedule with the per-worker cache of compiled projects (keyed by version id);
- the named alternative, a stateless recompute: the same request with the cache emptied before each
  (parse, compile, schedule every time);
- GET /risk (10,000 iterations): the first request computes and stores the result, later ones read the
  store's results table (what a second worker would do too).

Run:  PYTHONPATH=src:tests python bench/web_plan_routes.py [--n 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from web.helpers import make_server

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "software-release.yaml"


def timed(n: int, call: Callable[[], None]) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"| {name:<44} | {len(samples):>4} | {statistics.median(samples):>9.2f} | {p95:>8.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        server = make_server(Path(work))
        server.add_user("olga")
        client = server.login("olga")
        made = client.post("/api/v1/projects", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())})
        assert made.status_code == 201, made.text
        url = "/api/v1/projects/software-release"

        def schedule() -> None:
            assert client.get(f"{url}/schedule").status_code == 200

        def schedule_cold() -> None:
            server.app.state.project_cache = None  # stateless: read, parse and compile again
            server.app.state.plan_store = None
            schedule()

        schedule()
        cached = timed(args.n, schedule)
        cold = timed(args.n, schedule_cold)

        def risk() -> None:
            assert client.get(f"{url}/risk").status_code == 200

        first = timed(1, risk)
        stored = timed(args.n, risk)
        print("| request                                      |    n | median ms |   p95 ms |")
        print("|----------------------------------------------|------|-----------|----------|")
        print(row("GET /schedule, project cached per version", cached))
        print(row("GET /schedule, recompiled each time", cold))
        print(row("GET /risk 10,000 it., first (computes)", first))
        print(row("GET /risk 10,000 it., from the results table", stored))
        print()
        print(f"the cache makes /schedule {statistics.median(cold) / statistics.median(cached):.1f}x faster; "
              f"a stored simulation answers {first[0] / statistics.median(stored):.0f}x faster than computing it")
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        server.app.state.engine.dispose()


if __name__ == "__main__":
    main()
