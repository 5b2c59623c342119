"""Shared set-up of the browser tests that came after the first journey (test_journey.py): the app
served by uvicorn on loopback with the examples loaded, Chromium launched by Playwright, a session
from a one-time login link. Each test module makes its own server (module scope)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pmfit.web import accounts
from pmfit.web.server import LOCAL_ADMIN, load_examples
from web.helpers import Server, make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class Live:
    server: Server
    base: str
    browser: Any  # playwright.sync_api.Browser

    def login_url(self, name: str = LOCAL_ADMIN) -> str:
        """A fresh one-time login link for ``name``."""
        with self.server.db() as db:
            secret = accounts.make_login_link(db, accounts.get_user(db, name), self.server.clock(),
                                              self.server.settings.login_link_lifetime)
            db.commit()
        return f"{self.base}/login?token={secret}"

    def signed_in(self, name: str = LOCAL_ADMIN, **context: Any) -> Any:
        """A new page in a new browser context (``context``: Playwright's options), logged in as ``name``."""
        ctx = self.browser.new_context(viewport={"width": 1400, "height": 1000}, **context)
        page = ctx.new_page()
        page.goto(self.login_url(name))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{self.base}/")
        return page


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def live_app(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Live]:
    """Serve the app with the examples, launch Chromium; skip with the reason where either cannot run."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium is not installed (make test installs it with apt-get when run as root)")
    try:
        import uvicorn
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        pytest.skip(f"playwright or uvicorn missing: {exc}")
    server = make_server(tmp_path_factory.mktemp(name))
    load_examples(server.app.state.engine, server.clock())
    # the test server's clock is fixed in 2027, the browser's is today: the cookies must outlive both
    server.clock.now = dt.datetime.now(dt.UTC)
    port = _free_port()
    web = uvicorn.Server(uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.skip("the server did not start on loopback")
        time.sleep(0.05)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox", "--headless"])
            except Error as exc:
                pytest.skip(f"Chromium does not start here: {str(exc).splitlines()[0]}")
            yield Live(server, f"http://127.0.0.1:{port}", browser)
            browser.close()
    finally:
        web.should_exit = True
        thread.join(timeout=10)
        server.app.state.engine.dispose()


def needs(module: str, extra: str) -> None:
    """Skip, saying why, when a library (or the system library it loads) is missing."""
    try:
        __import__(module)
    except (ImportError, OSError) as exc:  # OSError: installed, but Cairo or Pango cannot be loaded
        pytest.skip(f"{module} is not usable ({exc}); pip install 'pmfit[{extra}]'")


def needs_cairosvg() -> None:
    needs("cairosvg", "png")


def needs_weasyprint() -> None:
    needs("weasyprint", "pdf")
