"""The engines' pages (web/pages/analysis.py) and the Gantt export route, through the app: every figure
equals the engine's own for the same plan, executives are refused, the corpus never becomes markup."""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
import yaml

from pmfit.project import Project
from pmfit.web.pages.analysis import LEVEL_SECONDS, RISK_ITERATIONS
from pmfit.web.server import LOCAL_ADMIN
from web.browser import needs_cairosvg, needs_weasyprint
from web.helpers import Server, server_with_examples
from web.test_pages import HTML, PAYLOADS, active_content, link_login, workspace

SECTIONS = ("leveling", "risk", "earned-value", "advice")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with server_with_examples(tmp_path_factory.mktemp("analysis")) as server:
        yield server


@pytest.fixture(scope="module")
def admin(app: Server) -> Any:
    return link_login(app, LOCAL_ADMIN)


def project(app: Server, project_id: str) -> Project:
    return Project(workspace(app).get(project_id).plan)


def cells(page: str, table: str) -> list[list[str]]:
    body = page.split(f'<table id="{table}">')[1].split("</table>")[0].split("<tbody>")[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows]


def facts(page: str, dl: str) -> dict[str, str]:
    body = page.split(f'<dl class="facts" id="{dl}">')[1].split("</dl>")[0]
    return {unescape(k): unescape(v) for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body)}


def test_leveling_shows_every_move_with_the_engines_reason(app: Server, admin: Any) -> None:
    page = admin.get("/projects/software-release/analysis/leveling", headers=HTML)
    assert page.status_code == 200
    result = project(app, "software-release").level(time_limit=LEVEL_SECONDS)
    moved = result.delays()
    assert moved  # the example overloads its developers: leveling moves tasks
    rows = cells(page.text, "moves")
    assert [r[0].rsplit(" ", 1)[-1] for r in rows] == [t.id for t in moved]
    assert [r[4] for r in rows] == [t.cause for t in moved]
    assert [r[1] for r in rows] == [t.unleveled_start.date().isoformat() for t in moved if t.unleveled_start]
    assert [float(r[3]) for r in rows] == [round(t.delay / result.minutes_per_day, 1) for t in moved]
    assert 'class="before"' in page.text and 'class="after"' in page.text  # the usage chart, both profiles


def test_risk_shows_the_simulations_dates_and_deadline_odds(app: Server, admin: Any) -> None:
    page = admin.get("/projects/software-release/analysis/risk", headers=HTML).text
    summary = project(app, "software-release").simulate(RISK_ITERATIONS).summary()  # same seed, same answer
    shown = {r[0]: r[1] for r in cells(page, "percentiles")}
    assert {k: shown[k] for k in summary["percentiles"]} == {k: v["date"][:10] for k, v in
                                                            summary["percentiles"].items()}
    odds = [r[2] for r in cells(page, "deadlines")]
    assert odds == [f"{100 * d['probability']:.0f}%" for d in summary["deadlines"]]
    top = max(summary["risks"], key=lambda r: r["p80_delta_days"])
    assert cells(page, "risks")[0][0] == top["name"]


def test_earned_value_shows_spi_cpi_and_earned_schedule(app: Server, admin: Any) -> None:
    page = admin.get("/projects/software-release/analysis/earned-value", headers=HTML).text
    ev = project(app, "software-release").earned_value().to_dict()
    shown = facts(page, "ev")
    assert shown["SPI (schedule performance)"] == f"{ev['project']['spi']:.2f}"
    assert shown["CPI (cost performance)"] == f"{ev['project']['cpi']:.2f}"
    es = facts(page, "es")
    assert es["SPI(t)"] == f"{ev['earned_schedule']['spi_t']:.2f}"
    assert es["Finish forecast by earned schedule"] == ev["earned_schedule"]["forecast_finish"][:10]
    # a plan without a baseline says what is missing rather than showing zeros
    office = admin.get("/projects/office-move/analysis/earned-value", headers=HTML).text
    if not project(app, "office-move").plan.baselines:
        assert 'id="missing"' in office


def test_advice_shows_the_reasons_and_each_roles_cost(app: Server, admin: Any) -> None:
    page = admin.get("/projects/software-release/analysis/advice", headers=HTML).text
    advice = project(app, "software-release").advice().to_dict()
    reasons = re.findall(r"<li>(.*?)</li>", page.split('<ul id="reasons">')[1].split("</ul>")[0])
    assert [unescape(r) for r in reasons] == [r["text"] for r in advice["reasons"]][:12]
    costs = {r[0]: r[1] for r in cells(page, "costs")}
    assert costs == {r["label"]: f"{r['yearly_loaded']:,.0f}" for r in advice["cost"]["roles"].values()}
    assert unescape(page.split('<p id="decision">')[1].split("</p>")[0]) == advice["decision"]


def test_an_unknown_section_is_404_and_executives_are_refused(app: Server, admin: Any) -> None:
    assert admin.get("/projects/software-release/analysis/nope", headers=HTML).status_code == 404
    app.add_user("eve")
    app.add_member("office-move", "eve", "executive")
    eve = app.login("eve")
    for name in SECTIONS:
        assert eve.get(f"/projects/office-move/analysis/{name}", headers=HTML).status_code == 403
    assert eve.get("/api/v1/projects/office-move/gantt.pdf").status_code == 403


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_gantt_downloads_from_the_project_page(app: Server, admin: Any) -> None:
    needs_weasyprint()
    needs_cairosvg()
    page = admin.get("/projects/office-move", headers=HTML).text
    links = re.findall(r'href="(/api/v1/projects/office-move/gantt\.[a-z]+\?[^"]*)"', page)
    assert len(links) == 6  # PDF, PNG and SVG on A4 and A3
    for link in links:
        answer = admin.get(unescape(link))
        assert answer.status_code == 200, (link, answer.text[:200])
        assert "attachment" in answer.headers["content-disposition"]
    pdf = admin.get("/api/v1/projects/office-move/gantt.pdf", params={"paper": "A3"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    png = admin.get("/api/v1/projects/office-move/gantt.png")
    assert png.headers["content-type"] == "image/png" and png_size(png.content) == (1754, 1240)
    svg = admin.get("/api/v1/projects/office-move/gantt.svg").text
    sched = project(app, "office-move").current
    assert set(re.findall(r'<g class="bar[^"]*" data-task="([^"]+)"', svg)) == set(sched.tasks)
    assert admin.get("/api/v1/projects/office-move/gantt.pdf", params={"paper": "Letter"}).status_code == 422
    assert admin.get("/api/v1/projects/office-move/gantt.png", params={"page": 999}).status_code == 422


def test_a_missing_png_library_is_a_501_naming_the_extra(app: Server, admin: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    answer = admin.get("/api/v1/projects/it-infrastructure-rollout/gantt.png", params={"paper": "A3"})
    assert answer.status_code == 501
    assert "pmfit[png]" in answer.json()["diagnostics"][0]["message"]


def xss_plan() -> dict[str, Any]:
    tasks = [{"id": f"t{i}", "name": p, "duration": "3d", "needs": {"r0": 1},
              **({"after": f"t{i - 1}"} if i % 3 else {})} for i, p in enumerate(PAYLOADS)]
    return {"version": 1, "project": {"name": PAYLOADS[1], "description": PAYLOADS[0], "start": "2027-01-04",
                                      "deadline": "2027-02-01", "budget": 1000},
            "resources": [{"id": "r0", "name": PAYLOADS[2], "rate": "50/h"}],
            "risks": [{"id": f"k{i}", "name": p, "probability": 0.3, "delays": {"t0": "2d"}}
                      for i, p in enumerate(PAYLOADS)],
            "tasks": tasks}


def test_the_xss_corpus_never_becomes_markup_on_the_engine_pages_or_the_export(app: Server, admin: Any) -> None:
    space = workspace(app)
    first = space.import_bytes(yaml.safe_dump(xss_plan()).encode(), "xss.yaml", project_id="xss-engines",
                               author=PAYLOADS[0])
    space.save_baseline("xss-engines", first.version.id, PAYLOADS[3], author=PAYLOADS[0])
    from pmfit.web import accounts

    with app.db() as db:
        accounts.set_member(db, "xss-engines", accounts.get_user(db, LOCAL_ADMIN), "owner", app.clock())
        db.commit()
    for name in SECTIONS:
        answer = admin.get(f"/projects/xss-engines/analysis/{name}", headers=HTML)
        assert answer.status_code == 200, (name, answer.text[:300])
        assert active_content(answer.text) == [], name
        assert "<script>alert" not in answer.text and "<img src=x" not in answer.text, name
    svg = admin.get("/api/v1/projects/xss-engines/gantt.svg").text
    assert active_content(svg) == [] and "<script" not in svg and "onload=" not in svg.replace("onload=alert", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # the names are there, as text


def test_any_two_versions_can_be_compared_from_the_history(app: Server, admin: Any) -> None:
    from pmfit.web.pages import views

    ws = workspace(app)
    v1 = ws.get("it-infrastructure-rollout").version
    task = next(t for t in ws.get("it-infrastructure-rollout").plan.tasks if t.duration is not None)
    v2 = views.edit_task(ws, "it-infrastructure-rollout", v1.id, task.id, duration="17d", not_before=None,
                         author="test")
    v3 = views.edit_task(ws, "it-infrastructure-rollout", v2.id, task.id, duration="19d", not_before=None,
                         author="test")
    page = admin.get("/projects/it-infrastructure-rollout", headers=HTML).text
    form = page.split('<form method="get" action="/projects/it-infrastructure-rollout/diff"')[1].split("</form>")[0]
    olds, news = (re.findall(r'<option value="([0-9a-f]+)"', part) for part in form.split('name="new"'))
    assert olds == news and olds[:3] == [v3.id, v2.id, v1.id]  # every version, newest first
    assert re.search(rf'<option value="{v2.id}" selected', form.split('name="new"')[0])  # the one before
    answer = admin.get("/projects/it-infrastructure-rollout/diff", params={"old": v1.id, "new": v3.id},
                       headers=HTML)
    assert answer.status_code == 200
    changed = [cells for cells in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>"
                                              r"<td>(.*?)</td></tr>", answer.text) if cells[1] == task.id]
    assert [(c[2], c[4]) for c in changed] == [("duration", "19d")]  # v1 to v3 at once, not step by step
