"""The remaining journeys of issue 15 in Debian's Chromium: import an MS Project file and see its
critical path; record progress for the status date and see the current finish change; read the
executive report as an executive, who is refused every page with task detail. Screenshots go to
tests/web/artifacts/ (not committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pmfit.api import import_file, record_progress
from pmfit.project import Project
from pmfit.store import Store
from pmfit.web.server import LOCAL_ADMIN
from pmfit.workspace import Workspace
from web.browser import ARTIFACTS, Live, live_app
from web.test_pages import PAYLOADS

pytestmark = pytest.mark.browser
SHARED = Path(__file__).parents[3] / "shared" / "data" / "projects"
MSPDI = SHARED / "mspdi" / "mpxj-legacy-sample.xml"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from live_app(tmp_path_factory, "journeys")


def space(live: Live) -> Workspace:
    return Workspace(Store(engine=live.server.app.state.engine))


def test_import_an_ms_project_file_and_see_its_critical_path(live: Live) -> None:
    if not MSPDI.exists():
        pytest.skip(f"shared data not here: {MSPDI} (a checkout beside ../shared has it)")
    plan, _ = import_file(MSPDI)
    expected = Project(plan).current
    page = live.signed_in()
    page.set_input_files('input[name="plan"]', str(MSPDI))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "Imported as project" in page.content()
    assert page.locator("h2", has_text="Import report").count() == 1
    page.screenshot(path=str(ARTIFACTS / "journey-import-report.png"), full_page=True)
    page.locator("p.ok a").click()
    page.wait_for_load_state()
    shown = page.locator("#gantt g.bar.critical:not(.summary)").evaluate_all(
        "bars => bars.map(b => b.getAttribute('data-task'))")
    assert sorted(shown) == sorted(t for t, row in expected.tasks.items() if row.critical and not row.summary)
    assert page.locator("#finish").get_attribute("data-finish") == expected.finish.isoformat(timespec="minutes")
    page.screenshot(path=str(ARTIFACTS / "journey-imported-gantt.png"), full_page=True)
    page.context.close()


def _task_that_moves_the_finish(plan: object) -> str:
    """A critical task not yet done whose completion at the status date changes the current finish."""
    current = Project(plan).current  # type: ignore[arg-type]
    for task_id, row in current.tasks.items():
        if row.critical and not row.summary and not row.milestone:
            after = Project(record_progress(plan, task_id, percent=100)).current.finish  # type: ignore[arg-type]
            if after != current.finish:
                return task_id
    raise AssertionError("no critical task changes the finish when done")


def test_record_progress_for_the_status_date_and_see_the_finish_change(live: Live) -> None:
    snap = space(live).get("software-release")
    task_id = _task_that_moves_the_finish(snap.plan)
    page = live.signed_in()
    page.goto(f"{live.base}/projects/software-release?task={task_id}")
    before = page.locator("#finish").get_attribute("data-finish")
    panel = page.locator(f'#panel .task-panel[data-panel="{task_id}"]')
    assert panel.is_visible()
    status_date = panel.locator('input[name="status_date"]').input_value()
    assert status_date == str(Project(snap.plan).status_date)[:10]  # the plan's status date, offered
    panel.locator('input[name="percent"]').fill("100")
    panel.get_by_role("button", name="Record progress").click()  # one JSON call; the Gantt is redrawn in place
    page.wait_for_function("() => document.getElementById('gantt-status').textContent.indexOf('Saved') === 0")
    after = page.locator("#finish").get_attribute("data-finish")
    head = space(live).get("software-release")
    assert head.version.number == snap.version.number + 1
    assert head.plan.progress is not None and head.plan.progress.tasks[task_id].percent_complete == 100
    assert after == Project(head.plan).current.finish.isoformat(timespec="minutes") != before
    page.screenshot(path=str(ARTIFACTS / "journey-progress.png"), full_page=True)
    page.context.close()


def test_an_executive_reads_the_executive_report_and_nothing_with_task_detail(live: Live) -> None:
    live.server.add_user("erin")
    live.server.add_member("office-move", "erin", "executive")
    page = live.signed_in("erin")
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    rows = page.locator("tr[data-project]")
    assert rows.count() == 1 and rows.first.get_attribute("data-project") == "office-move"
    assert page.locator('a[href="/projects/office-move"]').count() == 0  # no way into the Gantt
    page.screenshot(path=str(ARTIFACTS / "journey-executive-portfolio.png"), full_page=True)
    page.get_by_role("link", name="executive").click()
    page.wait_for_load_state()
    assert page.url.endswith("/projects/office-move/reports/executive")
    name = space(live).get("office-move").project.name
    assert page.locator("h1").first.inner_text() == f"{name}: executive status"
    # the report's own style sheet is allowed by its hash under the CSP (no inline style otherwise)
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "960px"
    assert refused == []
    page.screenshot(path=str(ARTIFACTS / "journey-executive-report.png"), full_page=True)
    for path in ("/projects/office-move", "/projects/office-move/analysis", "/projects/office-move/analysis/risk",
                 "/projects/office-move/reports/technical", "/projects/office-move/diff?old=1",
                 "/api/v1/projects/office-move/gantt.pdf", "/api/v1/projects/office-move/schedule"):
        answer = page.goto(live.base + path)
        assert answer is not None and answer.status == 403, path
    page.context.close()


def test_a_hostile_plan_runs_nothing_in_the_browser(live: Live, tmp_path: Path) -> None:
    """The XSS corpus in every free-text field, on every page, in the Gantt's tooltips (hovered), its
    exported SVG opened on its own, the reports and the import report: 0 dialogs, 0 page errors."""
    import yaml

    from web.test_analysis_pages import xss_plan

    text = yaml.safe_dump(xss_plan())
    first = space(live).import_bytes(text.encode(), "xss.yaml", project_id="xss-browser", author=PAYLOADS[0])
    space(live).save_baseline("xss-browser", first.version.id, PAYLOADS[2], author=PAYLOADS[1])
    live.server.add_member("xss-browser", LOCAL_ADMIN, "owner")
    page = live.signed_in()
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: ran.append(f"page error: {exc}"))
    base = f"{live.base}/projects/xss-browser"
    for url in (f"{live.base}/", base, f"{base}?task=t1", f"{base}?zoom=day", f"{base}/analysis",
                *(f"{base}/analysis/{s}" for s in ("leveling", "risk", "earned-value", "advice")),
                f"{base}/diff?old=1", f"{base}/reports/executive", f"{base}/reports/technical",
                f"{live.base}/api/v1/projects/xss-browser/gantt.svg"):
        page.goto(url)
        page.wait_for_load_state()
        for bar in page.locator("g.bar[data-task]").all()[:8]:  # the tooltips and the side panel
            bar.focus()
            for event in ("mouseover", "mouseenter", "click"):
                bar.dispatch_event(event)
    plan_file = tmp_path / "hostile.yaml"
    plan_file.write_text(text, encoding="utf-8")
    page.goto(f"{live.base}/")
    page.set_input_files('input[name="plan"]', str(plan_file))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state("networkidle")
    assert "Imported as project" in page.content()
    page.screenshot(path=str(ARTIFACTS / "journey-hostile-plan.png"), full_page=True)
    assert ran == []
    page.evaluate("setTimeout(() => alert('control'), 0)")  # the listener does see a dialog that runs
    page.wait_for_timeout(200)
    assert ran == ["control"]
    page.context.close()
