"""The same calendar dates in browsers at UTC−12, UTC and UTC+14: plan dates are wall-clock dates of the
plan's own calendar, not instants, so nothing on the page may move them with the browser's zone.

Each page is read in three Playwright contexts (timezone_id Etc/GMT+12, UTC, Pacific/Kiritimati): the
Gantt's data attributes, its tooltips and accessible names, the side panel, the analysis tables and
the report must be the same text in all three, and equal to the engine's dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pmfit.project import Project
from pmfit.store import Store
from pmfit.workspace import Workspace
from web.browser import ARTIFACTS, Live, live_app

pytestmark = pytest.mark.browser
#: zone -> its offset from UTC in minutes as JavaScript's getTimezoneOffset() says it (UTC minus local)
ZONES = {"Etc/GMT+12": 720, "UTC": 0, "Pacific/Kiritimati": -840}
PAGES = ("/projects/software-release?task=pentest", "/projects/software-release?zoom=day",
         "/projects/software-release/analysis/leveling", "/projects/software-release/analysis/risk",
         "/projects/software-release/analysis/earned-value", "/projects/software-release/reports/executive", "/")
READ = """() => ({
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    offset: new Date(2027, 0, 15).getTimezoneOffset(),
    text: document.body.innerText,
    bars: Array.from(document.querySelectorAll('g.bar[data-task]')).map(b => [
        b.getAttribute('data-task'), b.getAttribute('data-start'), b.getAttribute('data-finish'),
        b.getAttribute('aria-label'), (b.querySelector('title') || {}).textContent]),
    inputs: Array.from(document.querySelectorAll('input[type=date]')).map(i => i.value),
})"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from live_app(tmp_path_factory, "zones")


def read_everywhere(live: Live) -> dict[str, dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for zone in ZONES:
        page = live.signed_in(timezone_id=zone, locale="en-GB")
        for path in PAGES:
            page.goto(live.base + path)
            page.wait_for_load_state()
            got = page.evaluate(READ)
            assert got["zone"] == zone and got["offset"] == ZONES[zone]  # the browser really is there
            seen[f"{zone} {path}"] = got
        page.screenshot(path=str(ARTIFACTS / f"zone-{zone.replace('/', '-')}.png"), full_page=True)
        page.context.close()
    return seen


def test_every_date_is_the_same_at_utc_minus_12_utc_and_utc_plus_14(live: Live) -> None:
    seen = read_everywhere(live)
    for path in PAGES:
        views = [seen[f"{zone} {path}"] for zone in ZONES]
        for key in ("text", "bars", "inputs"):
            assert views[0][key] == views[1][key] == views[2][key], (path, key)
    # and they are the engine's dates: each bar's data-start/-finish is the current schedule's wall clock
    plan = Workspace(Store(engine=live.server.app.state.engine)).get("software-release").plan
    sched = Project(plan).current
    bars = {b[0]: b for b in seen["Pacific/Kiritimati /projects/software-release?task=pentest"]["bars"]}
    assert bars  # the Gantt was drawn
    for task_id, (_, start, finish, label, tooltip) in bars.items():
        row = sched.tasks[task_id]
        assert (start, finish) == (row.start.isoformat(timespec="minutes"), row.finish.isoformat(timespec="minutes"))
        assert f"{row.finish:%d %b %Y}" in label and f"{row.finish:%d %b %Y}" in tooltip
    panel = seen["Etc/GMT+12 /projects/software-release?task=pentest"]["text"]
    pentest = sched.tasks["pentest"]
    assert f"{pentest.start:%Y-%m-%d} → {pentest.finish:%Y-%m-%d}" in panel
    assert f"Finish {sched.finish:%Y-%m-%d}" in panel
