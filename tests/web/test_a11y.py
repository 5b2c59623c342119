"""axe-core (vendored from the npm registry: tests/web/vendor/README.md) on every page of the web app
in Debian's Chromium: no serious or critical accessibility violation anywhere."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.browser import ARTIFACTS, Live, live_app

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
EXAMPLE = Path(__file__).parents[2] / "examples" / "office-move.yaml"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from live_app(tmp_path_factory, "a11y")


def test_the_vendored_axe_is_the_published_one() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the DevTools protocol: no inline script, no CSP gap
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_every_page_has_no_serious_or_critical_violation(live: Live) -> None:
    base = live.base
    login = live.browser.new_page()
    login.goto(f"{base}/login")
    pages: dict[str, list[dict[str, Any]]] = {"login": violations(login)}
    login.goto(live.login_url())  # the one-time link's landing
    pages["login link"] = violations(login)
    login.close()
    page = live.signed_in()
    pages["portfolio"] = violations(page)
    visits = {
        "project": "/projects/software-release",
        "project, task panel": "/projects/software-release?task=pentest#panel",
        "analysis": "/projects/software-release/analysis",
        **{f"analysis: {s}": f"/projects/software-release/analysis/{s}"
           for s in ("leveling", "risk", "earned-value", "advice")},
        "diff": "/projects/software-release/diff?old=1",
        "executive report": "/projects/software-release/reports/executive",
        "technical report": "/projects/software-release/reports/technical",
    }
    for name, url in visits.items():
        page.goto(base + url)
        pages[name] = violations(page)
    page.goto(base + "/")
    page.set_input_files('input[name="plan"]', str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "Import of" in page.content()
    pages["import report"] = violations(page)
    page.screenshot(path=str(ARTIFACTS / "a11y-import-report.png"), full_page=True)
    bad = {name: found for name, found in pages.items() if found}
    assert bad == {}, json.dumps(bad, indent=1)
