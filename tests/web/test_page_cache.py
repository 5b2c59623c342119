"""The project page's speed-ups keep it right: drawings kept per version are never stale, a task's
"why" asked on demand is the engine's for the version the page shows, and large plans carry the
selected task's panel only (the others fetched when a bar is selected, in a real browser too); the
toggles (baselines, leveled) are part of what a kept page is kept by."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pmfit.io.yamlplan import read_plan_text
from pmfit.project import Project
from pmfit.store import Store
from pmfit.web.pages import views
from pmfit.workspace import Workspace
from web.helpers import Server, make_server
from web.plans import SMALL_PLAN, store_plan
from web.test_journey import CHROMIUM, live  # noqa: F401  (the app served with the examples: a shared fixture)

HTML = {"accept": "text/html"}
BAR = re.compile(r'<g class="bar[^"]*" data-task="([^"]*)" data-start="([^"]*)" data-finish="([^"]*)"')
PANEL = re.compile(r'<section class="task-panel" data-panel="([^"]*)"')


def wide_plan(tasks: int) -> str:
    lines = ["version: 1", "project:", "  name: Wide", "  start: 2027-03-01", "tasks:"]
    for i in range(tasks):
        after = f", after: [t{i - 1}{'' if i % 3 else ', t' + str(max(0, i - 5))}]" if i else ""
        lines.append(f"  - {{id: t{i}, duration: {1 + i % 4}d{after}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    views.forget_drawn_pages()
    made = make_server(tmp_path)
    made.add_user("ed")
    made.add_user("vi")
    store_plan(made.app, "p", SMALL_PLAN)
    for project in ("p",):
        made.add_member(project, "ed", "editor")
        made.add_member(project, "vi", "viewer")
    yield made
    for client in made.clients:
        client.close()
    made.app.state.engine.dispose()


def bars(page: str) -> dict[str, tuple[str, str]]:
    return {task: (start, finish) for task, start, finish in BAR.findall(page)}


def engine_bars(plan_text: str) -> dict[str, tuple[str, str]]:
    sched = Project(read_plan_text(plan_text, "stored")).current
    return {t: (r.start.isoformat(timespec="minutes"), r.finish.isoformat(timespec="minutes"))
            for t, r in sched.tasks.items()}


def head_text(server: Server, project: str = "p") -> str:
    ws = Workspace(Store(engine=server.app.state.engine))
    return ws.text(ws.version(project))


def test_an_edit_then_a_read_shows_the_new_version_never_the_kept_drawing(server: Server) -> None:
    client = server.login("ed")
    first = client.get("/projects/p", params={"zoom": "week"}, headers=HTML).text
    again = client.get("/projects/p", params={"zoom": "week"}, headers=HTML).text  # from the kept drawing
    assert bars(first) == bars(again) == engine_bars(head_text(server)) != {}
    base = re.search(r'name="base" value="([0-9a-f]+)"', first)
    assert base is not None
    edited = client.post("/projects/p/tasks/build", headers=HTML, data={"base": base.group(1), "duration": "9d"})
    assert edited.status_code == 200 and "saved as" in edited.text
    after = bars(edited.text)
    assert after == engine_bars(head_text(server)) and after["build"] != bars(first)["build"]
    # someone else saves through another workspace (the API, the CLI): the page shows theirs at once
    ws = Workspace(Store(engine=server.app.state.engine))
    head = ws.version("p")
    ws.commit("p", head.id, text=head_text(server).replace("duration: 2d", "duration: 6d"), author="other")
    theirs = client.get("/projects/p", params={"zoom": "week"}, headers=HTML).text
    assert bars(theirs) == engine_bars(head_text(server)) and bars(theirs)["test"] != after["test"]
    assert re.search(r'id="finish" data-finish="([^"]+)"', theirs).group(1) == (  # type: ignore[union-attr]
        Project(read_plan_text(head_text(server), "x")).current.finish.isoformat(timespec="minutes"))


def _why(plan_text: str, task: str) -> list[str]:
    return [step.reason for step in Project(read_plan_text(plan_text, "x")).current.why(task, depth=views.WHY_DEPTH)]


def test_the_panel_part_is_the_engines_why_in_the_version_the_page_shows(server: Server) -> None:
    viewer, editor = server.login("vi"), server.login("ed")
    ws = Workspace(Store(engine=server.app.state.engine))
    old = ws.version("p")
    old_text = ws.text(old)
    page = editor.get("/projects/p", headers=HTML).text
    assert "Why here" not in page and "data-why-pending" in page  # no task's chain computed for the page
    editor.post("/projects/p/tasks/build", headers=HTML, data={"base": old.id, "duration": "9d"})
    part = editor.get("/projects/p/panel/test", params={"version": old.id}, headers=HTML)
    assert part.status_code == 200 and part.text.lstrip().startswith("<section")
    shown = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", part.text)]
    assert shown == _why(old_text, "test") != []
    assert f'name="base" value="{old.id}"' in part.text  # its forms name the version the page showed
    head = editor.get("/projects/p/panel/test", headers=HTML).text
    assert [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", head)] == _why(head_text(server), "test")
    assert 'name="duration"' not in viewer.get("/projects/p/panel/test", headers=HTML).text
    assert viewer.get("/projects/p/panel/nope", headers=HTML).status_code == 404
    selected = editor.get("/projects/p", params={"task": "test"}, headers=HTML).text
    assert "Why here" in selected and "data-why-pending" not in selected.split('data-panel="test"')[1].split("</section>")[0]


def test_a_large_plan_carries_the_selected_panel_only_and_its_first_bars(server: Server) -> None:
    text = wide_plan(views.INLINE_PANELS + 50)
    Workspace(Store(engine=server.app.state.engine)).import_bytes(text.encode(), "wide.yaml", project_id="wide")
    server.add_member("wide", "ed", "editor")
    client = server.login("ed")
    page = client.get("/projects/wide", headers=HTML).text
    engine = engine_bars(text)
    first = {f"t{i}": engine[f"t{i}"] for i in range(views.FIRST_WINDOW)}  # the rows are in plan order
    assert bars(page) == first and len(engine) == views.INLINE_PANELS + 50 > views.FIRST_WINDOW
    assert PANEL.findall(page) == []
    chosen = client.get("/projects/wide", params={"task": "t9"}, headers=HTML).text
    assert PANEL.findall(chosen) == ["t9"]
    part = client.get("/projects/wide/panel/t100", headers=HTML).text
    assert PANEL.findall(part) == ["t100"] and [html.unescape(i) for i in re.findall(
        r"<li>(.*?)</li>", part)] == _why(text, "t100")


@pytest.mark.browser
def test_selecting_a_bar_fetches_its_panel_and_why_in_the_browser(request: pytest.FixtureRequest,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from playwright.sync_api import Error, expect, sync_playwright

    from pmfit.web import accounts
    from pmfit.web.server import LOCAL_ADMIN

    monkeypatch.setattr(views, "INLINE_PANELS", 0)  # the examples behave as large plans do
    views.forget_drawn_pages()
    server, base = request.getfixturevalue("live")
    server.clock.now = dt.datetime.now(dt.UTC)
    with server.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, LOCAL_ADMIN), server.clock(),
                                          server.settings.login_link_lifetime)
        db.commit()
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
        except Error as exc:
            pytest.skip(f"Chromium does not start here: {str(exc).splitlines()[0]}")
        errors: list[str] = []
        page: Any = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{base}/login?token={secret}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/projects/software-release")
        assert page.locator("#panel .task-panel").count() == 0
        page.locator('#gantt g.bar[data-task="pentest"]').click()
        panel = page.locator('#panel .task-panel[data-panel="pentest"]')
        expect(panel).to_be_visible()
        ws = Workspace(Store(engine=server.app.state.engine))
        expect(panel.locator("ol.why li")).to_have_text(_why(ws.text(ws.version("software-release")), "pentest"))
        first = page.locator("#gantt g.bar.task").first
        task = first.get_attribute("data-task")
        first.focus()
        page.keyboard.press("Enter")  # opens the panel with the cursor in its first field
        opened = page.locator(f'#panel .task-panel[data-panel="{task}"]')
        expect(opened).to_be_visible()
        expect(opened.locator('input[name="name"]')).to_be_focused()  # the form's first field
        expect(panel).to_be_hidden()
        browser.close()
    assert errors == []



def test_the_toggles_are_part_of_the_kept_page(server: Server) -> None:
    """Baselines and leveled are kept apart: a page kept with one choice is never served for another."""
    assert read_plan_text(head_text(server), "p").baselines  # the small plan has an approved baseline
    client = server.login("vi")
    shown = client.get("/projects/p", headers=HTML).text
    hidden = client.get("/projects/p", params={"baselines": "false"}, headers=HTML).text
    again = client.get("/projects/p", headers=HTML).text  # from the kept page
    assert 'class="baseline"' in shown and 'class="baseline"' not in hidden and again == shown
    assert 'class="baseline"' in client.get("/projects/p", params={"leveled": "true"}, headers=HTML).text
    assert 'class="baseline"' not in client.get("/projects/p", params={"baselines": "false"}, headers=HTML).text
