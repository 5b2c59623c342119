"""One journey in a real browser (Playwright driving Debian's Chromium): log in with the link, open
the portfolio, open a project, see the critical path, lengthen a critical task in the side panel and
see the finish move. Screenshots go to tests/web/artifacts/ (not committed)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmfit.web import accounts
from pmfit.web.server import LOCAL_ADMIN, load_examples
from web.helpers import Server, make_server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """The app served by uvicorn on loopback, with the examples loaded as ``make run`` does."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (make test installs it with apt-get when run as root)")
    try:
        import uvicorn
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"playwright or uvicorn missing: {exc}")
    server = make_server(tmp_path_factory.mktemp("journey"))
    load_examples(server.app.state.engine, server.clock())
    port = _free_port()
    config = uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.skip("the server did not start on loopback")
        time.sleep(0.05)
    yield server, f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(timeout=10)
    server.app.state.engine.dispose()


def test_log_in_open_a_project_and_lengthen_a_critical_task(live: tuple[Server, str]) -> None:
    from playwright.sync_api import Error, sync_playwright

    server, base = live
    # the clock of the test server is fixed in 2027; the browser's is today: the cookie must outlive both
    server.clock.now = dt.datetime.now(dt.UTC)
    with server.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, LOCAL_ADMIN), server.clock(),
                                          server.settings.login_link_lifetime)
        db.commit()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which(
                "chromium"), args=["--no-sandbox", "--headless"])
        except Error as exc:
            pytest.skip(f"Chromium does not start here: {str(exc).splitlines()[0]}")
        errors: list[str] = []
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{base}/login?token={secret}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert page.url == f"{base}/", (page.url, page.content()[:500])
        assert page.locator("tr[data-project]").count() == 3
        page.screenshot(path=str(ARTIFACTS / "1-portfolio.png"), full_page=True)

        page.get_by_role("link", name="Northwind Billing 3.0 release").click()
        page.wait_for_url(f"{base}/projects/software-release")
        critical = page.locator("#gantt g.bar.critical.task")
        assert critical.count() > 0
        page.screenshot(path=str(ARTIFACTS / "2-project.png"), full_page=True)
        finish_before = page.locator("#finish").get_attribute("data-finish")

        # keyboard: select a bar, arrows move the selection, Enter opens the side panel
        page.locator("#gantt g.bar").first.focus()
        page.keyboard.press("ArrowDown")
        selected = page.evaluate("document.activeElement.getAttribute('data-task')")
        page.keyboard.press("Enter")
        assert page.locator(f'#panel .task-panel[data-panel="{selected}"]').is_visible()

        bar = page.locator('#gantt g.bar.critical.task[data-task="pentest"]')
        bar.click()
        panel = page.locator('#panel .task-panel[data-panel="pentest"]')
        assert panel.is_visible()
        panel.locator('input[name="duration"]').fill("25d")
        panel.get_by_role("button", name="Save").click()  # one JSON call; the Gantt is redrawn in place
        page.wait_for_function("() => document.getElementById('gantt-status').textContent.indexOf('Saved') === 0")
        finish_after = page.locator("#finish").get_attribute("data-finish")
        assert finish_before and finish_after and finish_after > finish_before
        assert page.locator('#gantt g.bar[data-task="pentest"]').get_attribute("data-critical") == "true"
        page.screenshot(path=str(ARTIFACTS / "3-after-edit.png"), full_page=True)

        page.keyboard.press("f")  # F fits the whole plan in the window
        page.wait_for_url("**zoom=fit*")
        assert page.locator("#gantt g.gantt").get_attribute("data-zoom") is not None
        browser.close()
    assert errors == []  # no script error and no CSP refusal (no inline script or style anywhere)
