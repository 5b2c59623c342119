"""The interactive Gantt in a real browser (Playwright driving Debian's Chromium): drag a critical task
and see the finish move, link two tasks by dragging one onto the other and answering the dialog, move a
task with Shift+Right, and a stale drag after someone else's edit shows the conflict. Every change is
checked against the store (the engine's schedule of the saved plan), not only the picture.
Screenshots go to tests/web/artifacts/ (not committed)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pmfit.project import Project
from pmfit.web import accounts
from pmfit.web.server import LOCAL_ADMIN
from web.helpers import Server
from web.test_journey import ARTIFACTS, CHROMIUM, live  # noqa: F401  (the served app, one per module)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(live: tuple[Server, str]) -> Iterator[Any]:  # noqa: F811
    from playwright.sync_api import Error, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which(
                "chromium"), args=["--no-sandbox", "--headless"])
        except Error as exc:
            pytest.skip(f"Chromium does not start here: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


def _workspace(server: Server) -> Any:
    from pmfit.store import Store
    from pmfit.workspace import Workspace

    return Workspace(Store(engine=server.app.state.engine))


def _open(live: tuple[Server, str], browser: Any, project: str, zoom: str = "week") -> tuple[Any, list[str]]:  # noqa: F811
    """A new browser context logged in by a one-time link, on the project's page; its script errors."""
    server, base = live
    server.clock.now = dt.datetime.now(dt.UTC)  # the cookie must outlive the browser's own clock
    with server.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, LOCAL_ADMIN), server.clock(),
                                          server.settings.login_link_lifetime)
        db.commit()
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/login?token={secret}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/projects/{project}?zoom={zoom}")
    page.wait_for_selector("#gantt g.bar")
    return page, errors


def _saved(page: Any) -> str:
    page.wait_for_function("() => document.getElementById('gantt-status').textContent.indexOf('Saved') === 0")
    return str(page.locator("#gantt-status").text_content())


def _drag(page: Any, bar: Any, dx: float, dy: float = 0.0, at: float = 0.5) -> None:
    bar.locator(".body").scroll_into_view_if_needed()
    box = bar.locator(".body").bounding_box()
    x, y = box["x"] + box["width"] * at, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + dx * step / 5, y + dy * step / 5)
    page.mouse.up()


def _critical_leaf(server: Server, project: str) -> str:
    """A critical task not started yet (moving it later moves the finish)."""
    plan = _workspace(server).get(project).plan
    schedule = Project(plan).current
    started = set(plan.progress.tasks) if plan.progress else set()
    for task in plan.tasks:
        row = schedule.tasks[task.id]
        if row.critical and not row.summary and not row.milestone and task.id not in started:
            return task.id
    raise AssertionError("no critical task near the top")


def test_dragging_a_critical_task_later_moves_the_finish(live: tuple[Server, str], browser: Any) -> None:  # noqa: F811
    server, _ = live
    page, errors = _open(live, browser, "software-release", zoom="day")
    task = _critical_leaf(server, "software-release")
    finish_before = page.locator("#finish").get_attribute("data-finish")
    bar = page.locator(f'#gantt g.bar[data-task="{task}"]')
    start_before = bar.get_attribute("data-start")
    per_day = float(page.locator("#gantt g.gantt").get_attribute("data-pixels-per-day"))
    _drag(page, bar, 7 * per_day)  # one week later, by pointer
    said = _saved(page)
    page.screenshot(path=str(ARTIFACTS / "gantt-1-drag-critical.png"), full_page=True)
    finish_after = page.locator("#finish").get_attribute("data-finish")
    assert finish_before and finish_after and finish_after > finish_before, said
    saved = _workspace(server).get("software-release")
    task_after = next(t for t in saved.plan.tasks if t.id == task)
    assert task_after.constraint is not None and task_after.constraint.type.value == "SNET"
    assert task_after.constraint.date == dt.date.fromisoformat(start_before[:10]) + dt.timedelta(days=7)
    # the redrawn page is the engine's schedule of the saved version
    schedule = Project(saved.plan).current
    assert finish_after == schedule.finish.isoformat(timespec="minutes")
    assert page.locator(f'#gantt g.bar[data-task="{task}"]').get_attribute("data-start") == \
        schedule.tasks[task].start.isoformat(timespec="minutes")
    assert page.locator("#gantt").get_attribute("data-version") == saved.version.id
    assert errors == []


def _unlinked_pair(server: Server, project: str) -> tuple[str, str, int, int]:
    """Two leaf tasks two to six rows apart, the later not already depending on the earlier, and the
    earlier not (through any chain) after the later: linking them is allowed."""
    plan = _workspace(server).get(project).plan
    schedule = Project(plan).current
    order = [t.id for t in plan.tasks]
    after = {t.id: {link.task for link in t.after} for t in plan.tasks}
    parent = {t.id: t.parent for t in plan.tasks}

    def upstream(task_id: str) -> set[str]:
        seen: set[str] = set()
        todo = [task_id]
        while todo:
            node = todo.pop()
            for pred in after.get(node, set()) | ({parent[node]} if parent.get(node) else set()):
                if pred and pred not in seen:
                    seen.add(pred)
                    todo.append(pred)
        return seen

    leaves = [tid for tid in order[:20] if not schedule.tasks[tid].summary]
    for i, a in enumerate(leaves):
        for b in leaves[i + 1:]:
            ra, rb = order.index(a), order.index(b)
            if 2 <= rb - ra <= 6 and a not in after[b] and b not in upstream(a) and a not in upstream(b):
                return a, b, ra, rb
    raise AssertionError("no pair to link")


def test_linking_two_tasks_by_dragging_and_the_dialog(live: tuple[Server, str], browser: Any) -> None:  # noqa: F811
    server, _ = live
    page, errors = _open(live, browser, "office-move", zoom="fit")  # both bars on screen
    pred, succ, _, _ = _unlinked_pair(server, "office-move")
    source = page.locator(f'#gantt g.bar[data-task="{pred}"] .body')
    target = page.locator(f'#gantt g.bar[data-task="{succ}"] .body')
    source.scroll_into_view_if_needed()
    box, aim = source.bounding_box(), target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):  # down the rows onto the other bar
        page.mouse.move(x + (aim["x"] + aim["width"] / 2 - x) * step / 5, y + (aim["y"] + aim["height"] / 2 - y) * step / 5)
    page.mouse.up()
    dialog = page.locator("#link-dialog")
    dialog.wait_for(state="visible")
    page.screenshot(path=str(ARTIFACTS / "gantt-2-link-dialog.png"))
    dialog.locator('select[name="type"]').select_option("SS")
    dialog.locator('input[name="lag"]').fill("2d")
    dialog.get_by_role("button", name="Link").click()
    _saved(page)
    drawn = page.locator(f'#gantt polyline.link[data-pred="{pred}"][data-succ="{succ}"]')
    assert drawn.get_attribute("data-type") == "SS" and drawn.get_attribute("data-lag") == "+2d"
    page.screenshot(path=str(ARTIFACTS / "gantt-3-linked.png"), full_page=True)
    saved = next(t for t in _workspace(server).get("office-move").plan.tasks if t.id == succ)
    link = next(x for x in saved.after if x.task == pred)
    assert link.type.value == "SS" and str(link.lag) == "2d"
    # the successor starts no earlier than two working days after the predecessor's start (the engine's answer)
    schedule = Project(_workspace(server).get("office-move").plan).current
    assert page.locator(f'#gantt g.bar[data-task="{succ}"]').get_attribute("data-start") == \
        schedule.tasks[succ].start.isoformat(timespec="minutes")
    assert errors == []


def test_shift_right_moves_the_selected_task_by_one_zoom_unit(live: tuple[Server, str], browser: Any) -> None:  # noqa: F811
    server, _ = live
    page, errors = _open(live, browser, "it-infrastructure-rollout", zoom="week")
    task = _critical_leaf(server, "it-infrastructure-rollout")
    bar = page.locator(f'#gantt g.bar[data-task="{task}"]')
    start_before = str(bar.get_attribute("data-start"))
    finish_before = page.locator("#finish").get_attribute("data-finish")
    bar.focus()
    page.keyboard.press("Shift+ArrowRight")
    _saved(page)
    page.screenshot(path=str(ARTIFACTS / "gantt-4-shift-right.png"), full_page=True)
    moved = next(t for t in _workspace(server).get("it-infrastructure-rollout").plan.tasks if t.id == task)
    assert moved.constraint is not None and moved.constraint.type.value == "SNET"
    assert moved.constraint.date == dt.date.fromisoformat(start_before[:10]) + dt.timedelta(days=7)  # one week
    assert str(page.locator(f'#gantt g.bar[data-task="{task}"]').get_attribute("data-start")) >= \
        moved.constraint.date.isoformat()
    assert str(page.locator("#finish").get_attribute("data-finish")) > str(finish_before)
    # the focus stays on the moved bar, so the next key acts on it again; Alt+Right lengthens it one week
    assert page.evaluate("document.activeElement.getAttribute('data-task')") == task
    duration_before = int(str(page.locator(f'#gantt g.bar[data-task="{task}"]').get_attribute("data-duration")))
    page.keyboard.press("Alt+ArrowRight")
    page.wait_for_function(f"() => document.querySelector('#gantt g.bar[data-task=\"{task}\"]')"
                           f".getAttribute('data-duration') != '{duration_before}'")
    minutes_per_day = int(str(page.locator("#gantt g.gantt").get_attribute("data-minutes-per-day")))
    after = int(str(page.locator(f'#gantt g.bar[data-task="{task}"]').get_attribute("data-duration")))
    assert after == duration_before + 5 * minutes_per_day
    # Enter opens the side panel on its first field; progress is one JSON call too
    page.locator(f'#gantt g.bar[data-task="{task}"]').focus()
    page.keyboard.press("Enter")
    panel = page.locator(f'#panel .task-panel[data-panel="{task}"]')
    panel.locator('input[name="percent"]').wait_for(state="visible")
    assert page.evaluate("() => document.activeElement.getAttribute('name')") == "name"
    panel.locator('input[name="percent"]').fill("30")
    page.evaluate("() => { document.getElementById('gantt-status').textContent = ''; }")
    panel.get_by_role("button", name="Record progress").click()
    _saved(page)
    recorded = _workspace(server).get("it-infrastructure-rollout").plan.progress
    assert recorded is not None and recorded.tasks[task].percent_complete == 30
    assert recorded.tasks[task].actual_start is not None
    assert errors == []


def test_a_stale_drag_after_another_persons_edit_shows_the_conflict(live: tuple[Server, str], browser: Any) -> None:  # noqa: F811
    server, _ = live
    project = "software-release"
    mine, errors = _open(live, browser, project, zoom="day")
    theirs, their_errors = _open(live, browser, project, zoom="day")
    plan = _workspace(server).get(project).plan
    schedule = Project(plan).current
    started = set(plan.progress.tasks) if plan.progress else set()
    task = next(t.id for t in plan.tasks if t.duration is not None and not schedule.tasks[t.id].summary
                and not schedule.tasks[t.id].milestone and t.constraint is None and t.id not in started)
    # the other person moves the task (a start constraint) on their page
    theirs.locator(f'#gantt g.bar[data-task="{task}"]').focus()
    theirs.keyboard.press("Shift+ArrowRight")
    _saved(theirs)
    # I still look at the older version and drag the same task: the same field, changed differently
    per_day = float(mine.locator("#gantt g.gantt").get_attribute("data-pixels-per-day"))
    _drag(mine, mine.locator(f'#gantt g.bar[data-task="{task}"]'), 3 * per_day)
    box = mine.locator("#gantt-conflict")
    box.wait_for(state="visible")
    text = str(box.text_content())
    mine.screenshot(path=str(ARTIFACTS / "gantt-5-conflict.png"), full_page=True)
    assert task in text and LOCAL_ADMIN in text and "constraint" in text
    since = str(mine.locator("#gantt-conflict [data-since]").text_content())
    assert "constraint (none) → {type: SNET, date: " in since and "null" not in since and '"' not in since
    saved = next(t for t in _workspace(server).get(project).plan.tasks if t.id == task)
    assert saved.constraint is not None and saved.constraint.date is not None
    kept = saved.constraint.date  # theirs, not overwritten by my stale drag
    assert kept == dt.date.fromisoformat(str(schedule.tasks[task].start)[:10]) + dt.timedelta(days=1)
    box.get_by_role("button", name="Reload the newest version").click()
    mine.wait_for_load_state()
    mine.wait_for_selector("#gantt g.bar")
    assert mine.locator("#gantt").get_attribute("data-version") == _workspace(server).version(project).id
    assert [e for e in errors if "409" not in e] == [] and their_errors == []  # the 409 answer is logged


def _long_plan(tasks: int) -> str:
    lines = ["project: {name: Long chain, start: 2027-01-04}", "tasks:"]
    for i in range(tasks):
        after = f", after: [t{i - 1}]" if i % 10 else ""
        lines.append(f"  - {{id: t{i}, name: Step {i}, duration: {1 + i % 3}d{after}}}")
    return "\n".join(lines) + "\n"


def test_rows_are_drawn_as_they_scroll_into_view_and_the_toggles(live: tuple[Server, str], browser: Any) -> None:  # noqa: F811
    server, _ = live
    ws = _workspace(server)
    ws.import_bytes(_long_plan(600).encode(), "long.yaml", project_id="long")
    with server.db() as db:
        accounts.set_member(db, "long", accounts.get_user(db, LOCAL_ADMIN), "owner", server.clock())
        db.commit()
    page, errors = _open(live, browser, "long")
    gantt = page.locator("#gantt g.gantt")
    assert gantt.get_attribute("data-rows") == "600"
    assert page.locator("#gantt g.bar").count() < 600  # only a window is drawn
    page.evaluate("() => { const w = document.getElementById('gantt'); w.scrollTop = w.scrollHeight; }")
    page.wait_for_selector('#gantt g.row[data-row="599"] g.bar')
    assert int(str(page.locator("#gantt g.gantt").get_attribute("data-first-row"))) > 0
    last = page.locator('#gantt g.row[data-row="599"] g.bar')
    schedule = Project(ws.get("long").plan).current
    assert last.get_attribute("data-start") == schedule.tasks["t599"].start.isoformat(timespec="minutes")
    # the keyboard walks up from the last row across the drawn window's edge
    last.focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.getAttribute('data-task')") == "t598"
    # zoom keys and the toggles redraw in place
    page.keyboard.press("-")
    page.wait_for_function("() => document.querySelector('#gantt g.gantt').getAttribute('data-zoom') === 'month'")
    page.get_by_role("switch", name="critical path").click()
    assert "no-critical" in str(page.locator("#gantt").get_attribute("class"))
    assert page.get_by_role("switch", name="critical path").get_attribute("aria-checked") == "false"
    page.screenshot(path=str(ARTIFACTS / "gantt-6-long-plan.png"))
    assert errors == []
