"""Open and scroll the Gantt of a 10,000-task plan in Chromium: the longest browser task, against the
same Gantt drawn whole (every row in one SVG, what the page did before rows were windowed).

The app is served by uvicorn on loopback (a SQLite store in a temp folder, bench/project.py's generated
plan). Playwright drives Debian's Chromium; a PerformanceObserver for "longtask" entries (every main-thread
task over 50 ms, with its duration) is installed before any page script runs. Measured, for each side:

- open: navigation to the page until the network is idle;
- scroll: 40 wheel steps of 1,500 px down the Gantt (100 ms apart), then back to the top in 8 steps;
  pmfit's page fetches the window of rows in view (GET /projects/{id}/gantt) and swaps it in.

The alternative is the same rows and links drawn by the same code with no window (``last_row=None``),
loaded as a page of its own (no script: the browser only parses, lays out and paints it).
The target (issue 15): no browser task over 200 ms.

Run:  PYTHONPATH=src:tests python bench/web_gantt_scroll.py [--tasks 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
warnings.filterwarnings("ignore")

from project import generated  # noqa: E402  (bench/project.py)

from pmfit.io.yamlplan import write_plan_text  # noqa: E402
from pmfit.project import Project  # noqa: E402
from pmfit.report.svg.gantt import GanttView, gantt_svg  # noqa: E402
from pmfit.report.svg.gantt_rows import gantt_links, gantt_rows  # noqa: E402
from pmfit.store import Store  # noqa: E402
from pmfit.web import accounts  # noqa: E402
from pmfit.workspace import Workspace  # noqa: E402
from web.helpers import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OBSERVER = """
window.__long = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__long.push(e.duration); });
}).observe({type: "longtask", buffered: true});
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scroll(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 300))
    for _ in range(40):
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    for _ in range(8):
        page.mouse.wheel(0, -8000)
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def _long_tasks(page: Any) -> list[float]:
    return [float(x) for x in page.evaluate("() => window.__long.splice(0)")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10000)
    args = parser.parse_args()
    import uvicorn
    from playwright.sync_api import sync_playwright

    plan = generated(args.tasks)
    text = write_plan_text(plan)
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(Path(folder))
        ws = Workspace(Store(engine=server.app.state.engine))
        ws.import_bytes(text.encode(), "big.yaml", project_id="big")
        server.add_user("bench")
        server.add_member("big", "bench", "editor")
        server.clock.now = dt.datetime.now(dt.UTC)
        with server.db() as db:
            secret = accounts.make_login_link(db, accounts.get_user(db, "bench"), server.clock(),
                                              server.settings.login_link_lifetime)
            db.commit()
        # the alternative: every row drawn in one SVG by the same code
        stored = ws.get("big").plan
        schedule = Project(stored).current
        whole = gantt_svg(gantt_rows(schedule, stored, baselines=stored.baselines), gantt_links(stored),
                          GanttView(zoom="week", width=1200, minutes_per_day=schedule.calendar.minutes_per_day))
        alternative = Path(folder) / "whole.html"
        alternative.write_text('<!doctype html><html><body><div id="gantt" style="overflow:auto;max-height:700px;'
                               f'width:1100px">{whole}</div></body></html>')

        port = _free_port()
        web = uvicorn.Server(uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=web.run, daemon=True).start()
        while not web.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        results: list[tuple[str, float, list[float]]] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                         else shutil.which("chromium"), args=["--no-sandbox", "--headless"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(OBSERVER)
            page.goto(f"{base}/login?token={secret}")
            with page.expect_response(lambda r: "/auth/" in r.url or r.url.endswith("/login")):
                page.get_by_role("button", name="Log in").click(no_wait_after=True)
            page.goto(f"{base}/static/pmfit.css")  # off the portfolio (its figures for 10,000 tasks are not measured here)
            _long_tasks(page)
            started = time.perf_counter()
            page.goto(f"{base}/projects/big?zoom=week", wait_until="networkidle")
            results.append(("pmfit page: open (rows in view drawn)", time.perf_counter() - started, _long_tasks(page)))
            drawn = page.locator("#gantt g.bar").count()
            started = time.perf_counter()
            _scroll(page, "#gantt")
            fetched = page.evaluate("() => performance.getEntriesByType('resource')"
                                    ".filter(e => e.name.indexOf('/gantt?') > 0).map(e => e.duration)")
            results.append(("pmfit page: scroll down and back", time.perf_counter() - started, _long_tasks(page)))
            bottom_rows = page.evaluate("() => document.querySelector('#gantt g.gantt').getAttribute('data-rows')")

            other = browser.new_page(viewport={"width": 1400, "height": 1000})
            other.add_init_script(OBSERVER)
            started = time.perf_counter()
            other.goto(alternative.as_uri(), wait_until="load")
            other.wait_for_timeout(300)
            results.append(("whole SVG (alternative): open", time.perf_counter() - started, _long_tasks(other)))
            started = time.perf_counter()
            _scroll(other, "#gantt")
            results.append(("whole SVG (alternative): scroll down and back", time.perf_counter() - started,
                            _long_tasks(other)))
            browser.close()
        web.should_exit = True
        server.app.state.engine.dispose()

    print(f"{args.tasks} tasks ({bottom_rows} rows), zoom week; pmfit drew {drawn} bars on opening; "
          f"{len(fetched)} window fetches while scrolling, median {sorted(fetched)[len(fetched) // 2]:.0f} ms "
          f"(server, not the browser's main thread)" if fetched else "")
    print(f"{'what':48} {'wall s':>7} {'long tasks':>10} {'longest ms':>10} {'>200 ms':>8}")
    for name, seconds, long in results:
        print(f"{name:48} {seconds:7.2f} {len(long):10d} {max(long, default=0):10.0f} "
              f"{sum(1 for x in long if x > 200):8d}")
    ours = max(max(r[2], default=0) for r in results[:2])
    theirs = max(max(r[2], default=0) for r in results[2:])
    print(f"longest browser task: pmfit {ours:.0f} ms, whole SVG {theirs:.0f} ms "
          f"(ratio {theirs / ours if ours else float('inf'):.1f}x); target: none over 200 ms")


if __name__ == "__main__":
    main()
