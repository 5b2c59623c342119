"""The web app's pages, through the app (FastAPI TestClient): log in, portfolio, the Gantt's data,
editing with conflicts, the executive's view, and an XSS corpus rendered on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from pmfit.project import Project
from pmfit.store import Store
from pmfit.web import accounts
from pmfit.web.server import LOCAL_ADMIN, load_examples
from pmfit.workspace import Workspace
from web.helpers import Server, make_server

CASES = Path(__file__).parent.parent / "cases"
EXAMPLES = ("it-infrastructure-rollout", "office-move", "software-release")
HTML = {"accept": "text/html"}
BAR = re.compile(r'<g class="bar[^"]*" data-task="([^"]*)" data-start="([^"]*)" data-finish="([^"]*)"'
                 r' data-critical="(true|false)" data-total-float="(-?\d+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server with the examples loaded as ``make run`` loads them (owned by the local admin)."""
    server = make_server(tmp_path_factory.mktemp("pages"))
    assert sorted(load_examples(server.app.state.engine, server.clock())) == list(EXAMPLES)
    assert load_examples(server.app.state.engine, server.clock()) == []  # once only
    yield server
    for client in server.clients:
        client.close()
    server.app.state.engine.dispose()


def workspace(server: Server) -> Workspace:
    return Workspace(Store(engine=server.app.state.engine))


def link_login(server: Server, name: str) -> Any:
    with server.db() as db:
        secret = accounts.make_login_link(db, accounts.get_user(db, name), server.clock(),
                                          server.settings.login_link_lifetime)
        db.commit()
    client = server.client()
    landing = client.get("/login", params={"token": secret}, headers=HTML)
    assert landing.status_code == 200 and 'action="/api/v1/auth/link"' in landing.text
    used = client.post("/api/v1/auth/link", data={"token": secret}, follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"] == "/"
    return client


def csrf_and_base(page: str) -> tuple[str, str]:
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    base = re.search(r'name="base" value="([0-9a-f]+)"', page)
    assert csrf and base
    return csrf.group(1), base.group(1)


def bars(page: str) -> dict[str, tuple[str, str, bool, int]]:
    return {m[0]: (m[1], m[2], m[3] == "true", int(m[4])) for m in BAR.findall(page)}


# ---- log in, portfolio ----------------------------------------------------------------------
def test_link_login_then_the_portfolio_shows_the_three_examples(app: Server) -> None:
    client = link_login(app, LOCAL_ADMIN)
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    shown = re.findall(r'<tr data-project="([^"]+)">', page.text)
    assert sorted(shown) == list(EXAMPLES)
    # the figures are the engines': the current finish of each project is on its row
    for project_id in EXAMPLES:
        snap = workspace(app).get(project_id)
        finish = Project(snap.plan).finish
        row = page.text.split(f'<tr data-project="{project_id}">')[1].split("</tr>")[0]
        assert f"{finish:%Y-%m-%d}" in row and "rag-" in row and "P" in row
        # the reason names what decided the status, not the whole rule: a red project says what is red
        rag = re.search(r'class="rag rag-(\w+)"', row)
        reason = re.search(r'<div class="sub reason">([^<]*)</div>', row)
        assert rag and reason and "Overall status is the worse" not in reason.group(1)
        assert all(f"is {rag.group(1)}" in part for part in reason.group(1).split("; "))
    by_name = client.get("/?sort=name", headers=HTML).text
    names = re.findall(r'<tr data-project="([^"]+)">', by_name)
    assert names == sorted(names, key=lambda i: workspace(app).project(i).name.lower())
    assert re.findall(r'<tr data-project="([^"]+)">', client.get("/?sort=name&desc=true").text) == names[::-1]


def test_password_login_page_and_anonymous_redirect(app: Server) -> None:
    app.add_user("pat")
    client = app.client()
    assert client.get("/", headers=HTML, follow_redirects=False).headers["location"] == "/login"
    assert client.get("/").status_code == 401  # not a browser: the API's JSON answer
    wrong = client.post("/login", data={"name": "pat", "password": "nope"}, headers=HTML)
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    from web.helpers import PASSWORD

    right = client.post("/login", data={"name": "pat", "password": PASSWORD}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/"
    assert "No projects yet" in client.get("/", headers=HTML).text  # a member of nothing sees nothing


# ---- the Gantt is the engine's ------------------------------------------------------------------
def _golden_cases() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def test_gantt_bars_carry_the_engines_dates_and_floats_for_every_golden_case(tmp_path: Path) -> None:
    """Each golden case's plan stored and drawn: every bar's data attributes are the schedule's, and the
    critical tasks are the ones the case lists (worked out by hand in the case file)."""
    server = make_server(tmp_path)
    ws = workspace(server)
    server.add_user("gina")
    expected_critical: dict[str, list[str]] = {}
    for case in _golden_cases():
        spec = yaml.safe_load(case.read_text())
        if not isinstance(spec, dict) or not isinstance(spec.get("plan"), str):
            continue
        project_id = case.stem.replace("_", "-")
        try:
            ws.import_bytes(spec["plan"].encode(), f"{project_id}.yaml", project_id=project_id)
            Project(ws.get(project_id).plan).schedule()
        except Exception:  # a case made to be refused (an impossible constraint): no page to check
            continue
        server.add_member(project_id, "gina", "viewer")
        expected_critical[project_id] = (spec.get("expect") or {}).get("critical") or []
    client = server.login("gina")
    for project_id, critical in expected_critical.items():
        schedule = Project(ws.get(project_id).plan).schedule()
        page = client.get(f"/projects/{project_id}", params={"zoom": "fit"}, headers=HTML)
        assert page.status_code == 200, (project_id, page.text[:300])
        drawn = bars(page.text)
        want = {tid: (t.start.isoformat(timespec="minutes"), t.finish.isoformat(timespec="minutes"),
                      bool(t.critical), int(t.total_float)) for tid, t in schedule.tasks.items()}
        assert drawn == want, project_id
        for task_id in critical:
            assert drawn[str(task_id)][2] is True, (project_id, task_id)
    assert len(expected_critical) >= 25
    server.app.state.engine.dispose()


# ---- editing --------------------------------------------------------------------------------
def _critical_task(server: Server, project_id: str) -> Any:
    schedule = Project(workspace(server).get(project_id).plan).schedule()
    plan = workspace(server).get(project_id).plan
    return next(t for t in plan.tasks if t.duration is not None and schedule.tasks[t.id].critical
                and not schedule.tasks[t.id].summary)


def test_editing_a_critical_task_moves_the_finish_and_a_stale_edit_shows_the_conflict(app: Server) -> None:
    project_id = "software-release"
    with app.db() as db:
        accounts.get_user(db, LOCAL_ADMIN)
    mine = link_login(app, LOCAL_ADMIN)
    page = mine.get(f"/projects/{project_id}", headers=HTML).text
    csrf, base = csrf_and_base(page)
    task = _critical_task(app, project_id)
    before = Project(workspace(app).get(project_id).plan).finish
    longer = f"{int(task.duration.amount) + 10}{task.duration.unit}"
    no_token = mine.post(f"/projects/{project_id}/tasks/{task.id}", data={"base": base, "duration": longer})
    assert no_token.status_code == 403  # the CSRF token is required
    saved = mine.post(f"/projects/{project_id}/tasks/{task.id}",
                      data={"base": base, "duration": longer, "csrf_token": csrf}, headers=HTML)
    assert saved.status_code == 200 and "saved as software-release@2" in saved.text
    after = Project(workspace(app).get(project_id).plan).finish
    assert after > before
    assert re.search(r'id="finish" data-finish="([^"]+)"', saved.text).group(1) == after.isoformat(timespec="minutes")
    assert bars(saved.text)[task.id][2] is True  # still critical, redrawn from the new schedule
    changes = mine.get(f"/projects/{project_id}/diff", params={"old": "1", "new": "2"}, headers=HTML)
    assert changes.status_code == 200 and task.id in changes.text and "duration" in changes.text
    assert "working days later" in changes.text
    # a second person edits the same field on the old version: refused, with who changed what
    stale = mine.post(f"/projects/{project_id}/tasks/{task.id}",
                      data={"base": base, "duration": f"{int(task.duration.amount) + 1}{task.duration.unit}",
                            "csrf_token": csrf}, headers=HTML)
    assert stale.status_code == 409
    assert "Not saved: someone changed the plan" in stale.text and LOCAL_ADMIN in stale.text
    assert Project(workspace(app).get(project_id).plan).finish == after  # nothing lost, nothing overwritten
    # a stale edit of another field merges
    other = next(t for t in workspace(app).get(project_id).plan.tasks if t.duration is not None and t.id != task.id)
    merged = mine.post(f"/projects/{project_id}/tasks/{other.id}",
                       data={"base": base, "not_before": "2027-02-03", "csrf_token": csrf}, headers=HTML)
    assert merged.status_code == 200 and "saved as software-release@3" in merged.text
    # progress
    progress = mine.post(f"/projects/{project_id}/progress",
                         data={"base": workspace(app).version(project_id).id, "task": task.id, "percent": "40",
                               "status_date": "2027-03-01", "csrf_token": csrf}, headers=HTML)
    assert progress.status_code == 200 and "progress saved" in progress.text
    assert workspace(app).get(project_id).plan.progress.tasks[task.id].percent_complete == 40
    bad = mine.post(f"/projects/{project_id}/tasks/{task.id}",
                    data={"base": workspace(app).version(project_id).id, "duration": "soon", "csrf_token": csrf},
                    headers=HTML)
    assert bad.status_code == 422 and "duration" in bad.text


# ---- roles ----------------------------------------------------------------------------------
def test_the_executive_sees_the_portfolio_and_the_executive_report_only(app: Server) -> None:
    app.add_user("exec")
    app.add_member("office-move", "exec", "executive")
    client = app.login("exec")
    page = client.get("/", headers=HTML).text
    assert re.findall(r'<tr data-project="([^"]+)">', page) == ["office-move"]
    assert 'href="/projects/office-move"' not in page and "/reports/technical" not in page
    assert client.get("/projects/office-move", headers=HTML).status_code == 403
    assert client.get("/projects/office-move/reports/technical").status_code == 403
    report = client.get("/projects/office-move/reports/executive")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    md = client.get("/projects/office-move/reports/executive", params={"format": "md", "download": "true"})
    assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
    assert client.get("/projects/software-release", headers=HTML).status_code == 404  # not a member


# ---- XSS ------------------------------------------------------------------------------------
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "' onmouseover='alert(1)",
    "[click](javascript:alert(1))",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
    "{{ 7*7 }}",
)


class ActiveContent(HTMLParser):
    """Finds what a browser would run: script elements with content, on* attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "xlink:href") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            src = dict(attrs).get("src")
            if not src or not src.startswith("/static/"):
                self.found.append("<script> not of pmfit's own")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data[:40]!r}")


def active_content(page: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(page)
    return parser.found


def test_an_xss_corpus_in_every_free_text_field_never_becomes_markup(app: Server) -> None:
    tasks = []
    for i, payload in enumerate(PAYLOADS):
        tasks.append({"id": f"t{i}", "name": payload, "duration": "2d", "notes": payload, "description": payload,
                      **({"after": f"t{i - 1}"} if i else {})})
    plan = {"version": 1, "project": {"name": PAYLOADS[1], "description": PAYLOADS[0], "start": "2027-01-04",
                                      "budget": 1000, "objectives": list(PAYLOADS[:3])},
            "tasks": tasks}
    saved = workspace(app).import_bytes(yaml.safe_dump(plan).encode(), "xss.yaml", project_id="xss")
    assert saved.created
    app.add_user("xavier")
    app.add_member("xss", "xavier", "editor")
    client = app.login("xavier")
    pages = {
        "portfolio": client.get("/", headers=HTML),
        "project": client.get("/projects/xss", params={"task": "t1"}, headers=HTML),
        "folded": client.get("/projects/xss", params={"zoom": "fit", "fold": PAYLOADS[0]}, headers=HTML),
        "executive": client.get("/projects/xss/reports/executive"),
        "analysis": client.get("/projects/xss/analysis", headers=HTML),
        "diff": client.get("/projects/xss/diff", params={"old": "1"}, headers=HTML),
        "technical": client.get("/projects/xss/reports/technical"),
        "import": client.post("/import", files={"plan": (PAYLOADS[1] + ".yaml", yaml.safe_dump(plan).encode())},
                              headers=HTML),
        "login": app.client().get("/login", params={"token": PAYLOADS[1]}, headers=HTML),
    }
    for name, answer in pages.items():
        assert answer.status_code == 200, (name, answer.text[:300])
        assert active_content(answer.text) == [], name
        assert "<script>alert" not in answer.text and "<img src=x" not in answer.text, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["project"].text  # shown, as text
    assert "{{ 7*7 }}" in pages["project"].text and ">49<" not in pages["project"].text
    # every answer carries the CSP that forbids inline scripts
    assert "script-src 'self'" in pages["project"].headers["content-security-policy"]
