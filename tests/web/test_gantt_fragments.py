"""The interactive Gantt's server side, through the app (FastAPI TestClient): the windowed fragment the
page's script fetches (rows first..last of a pinned version, the engine's numbers), accessible names,
the toggles, the panel fragment, and the page's forms and the JSON routes making the same change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from pmfit.project import Project
from pmfit.web.pages import views
from pmfit.web.server import LOCAL_ADMIN
from web.helpers import Server, make_server, server_with_examples
from web.test_pages import HTML, bars, csrf_and_base, link_login, workspace

PROJECT = "software-release"
ROW = re.compile(r'<g class="row" data-row="(\d+)" data-task="([^"]*)">')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with server_with_examples(tmp_path_factory.mktemp("gantt")) as server:
        yield server


@pytest.fixture(scope="module")
def admin(app: Server) -> Any:
    return link_login(app, LOCAL_ADMIN)


def _order(app: Server, project: str) -> list[str]:
    plan = workspace(app).get(project).plan
    return [t.id for t in plan.tasks]


def test_a_window_draws_only_its_rows_with_the_engines_numbers(app: Server, admin: Any) -> None:
    answer = admin.get(f"/projects/{PROJECT}/gantt", params={"first": 10, "last": 20, "zoom": "month"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    frag = answer.json()
    snap = workspace(app).get(PROJECT)
    schedule = Project(snap.plan).current
    order = _order(app, PROJECT)
    assert (frag["first"], frag["last"], frag["rows"]) == (10, 20, len(order))
    assert frag["version"] == snap.version.id and answer.headers["etag"] == f'"{snap.version.id}"'
    assert frag["finish"] == schedule.finish.isoformat(timespec="minutes")
    assert frag["critical_count"] == sum(1 for t in schedule.tasks.values() if t.critical and not t.summary)
    assert [(int(i), t) for i, t in ROW.findall(frag["svg"])] == [(i, order[i]) for i in range(10, 20)]
    drawn = bars(frag["svg"])
    assert drawn == {tid: (schedule.tasks[tid].start.isoformat(timespec="minutes"),
                           schedule.tasks[tid].finish.isoformat(timespec="minutes"),
                           bool(schedule.tasks[tid].critical), int(schedule.tasks[tid].total_float))
                     for tid in order[10:20]}
    # the drawing keeps the whole plan's height, so the page's scroll bar is the whole plan's
    height = float(re.search(r'<svg[^>]* height="([\d.]+)"', frag["svg"]).group(1))
    assert height >= 44 + 24 * len(order)
    # a window past the end is clamped; a huge one is capped
    past = admin.get(f"/projects/{PROJECT}/gantt", params={"first": 10_000, "last": 20_000}).json()
    assert past["first"] == past["last"] == len(order) and not ROW.findall(past["svg"])
    assert admin.get(f"/projects/{PROJECT}/gantt", params={"first": -1}).status_code == 422


def test_every_bar_is_a_named_control_and_the_drawing_is_not_an_image(admin: Any) -> None:
    frag = admin.get(f"/projects/{PROJECT}/gantt", params={"first": 0, "last": 200}).json()
    assert re.search(r'<svg[^>]*role="group"', frag["svg"])  # children of role=img are hidden from readers
    labelled = re.findall(r'<g class="bar[^"]*" data-task="([^"]*)"[^>]*role="button" aria-label="([^"]*)"',
                          frag["svg"])
    assert len(labelled) == frag["rows"]
    for _task, label in labelled:
        assert re.search(r"\d{4}", label) and ("critical" in label or "total float" in label), label
    assert "<style>" not in frag["svg"]  # the page's CSP refuses inline style


def test_a_pinned_version_stays_what_the_page_shows_after_someone_edits(app: Server, admin: Any) -> None:
    old = workspace(app).get("office-move")
    task = next(t for t in old.plan.tasks if t.duration is not None)
    longer = f"{int(task.duration.amount) + 15}{task.duration.unit}"
    answer = admin.patch(f"/api/v1/projects/office-move/tasks/{task.id}", json={"duration": longer},
                         headers={"If-Match": f'"{old.version.id}"', "X-CSRF-Token": _csrf(admin, "office-move")})
    assert answer.status_code == 200, answer.text
    pinned = admin.get("/projects/office-move/gantt", params={"version": old.version.id}).json()
    head = admin.get("/projects/office-move/gantt").json()
    assert pinned["version"] == old.version.id and head["version"] == answer.headers["etag"].strip('"')
    assert pinned["finish"] == Project(old.plan).current.finish.isoformat(timespec="minutes")
    assert head["finish"] == Project(workspace(app).get("office-move").plan).current.finish.isoformat(
        timespec="minutes")


def _csrf(client: Any, project: str) -> str:
    return csrf_and_base(client.get(f"/projects/{project}", headers=HTML).text)[0]


def test_toggles_baselines_and_leveled(app: Server, admin: Any) -> None:
    plan = workspace(app).get(PROJECT).plan
    assert plan.baselines  # the example has an approved baseline
    shown = admin.get(f"/projects/{PROJECT}/gantt", params={"last": 500}).json()["svg"]
    hidden = admin.get(f"/projects/{PROJECT}/gantt", params={"last": 500, "baselines": "false"}).json()["svg"]
    assert 'class="baseline"' in shown and 'class="baseline"' not in hidden
    leveled = admin.get(f"/projects/{PROJECT}/gantt", params={"last": 500, "leveled": "true"})
    assert leveled.status_code == 200
    moved = {tid for tid, t in Project(plan).level(time_limit=views.LEVEL_SECONDS).tasks.items()
             if t.start is not None and t.start != Project(plan).current.tasks[tid].start}
    drawn = set(re.findall(r'<g class="row" data-row="\d+" data-task="([^"]*)">(?:(?!<g class="row").)*'
                           r'class="leveled"', leveled.json()["svg"], flags=re.S))
    assert drawn <= moved  # every dashed box is a task leveling moved ...
    assert bool(drawn) == bool(moved)  # ... and there are some exactly when leveling moves any


def test_the_panel_fragment_and_its_form(app: Server, admin: Any) -> None:
    task = next(t for t in workspace(app).get(PROJECT).plan.tasks if t.needs and t.duration is not None)
    answer = admin.get(f"/projects/{PROJECT}/panel/{task.id}", headers=HTML)
    assert answer.status_code == 200
    html = answer.text
    assert f'data-panel="{task.id}"' in html and 'name="constraint_type"' in html and 'name="resources"' in html
    for resource in task.needs:
        assert resource in html
    assert admin.get(f"/projects/{PROJECT}/panel/no-such-task", headers=HTML).status_code in (404, 422)


def test_the_form_and_the_json_route_make_the_same_change(app: Server, admin: Any) -> None:
    """The side panel's form without script and the script's JSON call: the same merge patch, the same
    library function, the same saved task."""
    ws = workspace(app)
    ws.import_bytes(ws.text(ws.version(PROJECT)).encode(), "twin-a.yaml", project_id="twin-a")
    ws.import_bytes(ws.text(ws.version(PROJECT)).encode(), "twin-b.yaml", project_id="twin-b")
    with app.db() as db:
        from pmfit.web import accounts

        user = accounts.get_user(db, LOCAL_ADMIN)
        for project in ("twin-a", "twin-b"):
            accounts.set_member(db, project, user, "owner", app.clock())
        db.commit()
    plan = ws.get("twin-a").plan
    task = next(t for t in plan.tasks if len(t.needs) >= 2 and t.estimate is not None)
    first, *rest = list(task.needs)
    fields = {"name": "Renamed by the panel", "duration": "7d", "constraint_type": "FNLT",
              "constraint_date": "2027-09-01", "resources": ", ".join([f"{first}:0.5", "qa"])}
    csrf, base = csrf_and_base(admin.get("/projects/twin-a", headers=HTML).text)
    posted = admin.post(f"/projects/twin-a/tasks/{task.id}", data={"base": base, "csrf_token": csrf, **fields},
                        headers=HTML)
    assert posted.status_code == 200 and "saved as twin-a@2" in posted.text, posted.text[:500]
    patch = views.task_patch(task, **fields)
    assert patch == {"name": "Renamed by the panel", "duration": "7d", "estimate": None,
                     "constraint": {"type": "FNLT", "date": "2027-09-01"},
                     "needs": {**{r: None for r in rest}, first: 0.5, "qa": 1.0}}
    sent = admin.patch(f"/api/v1/projects/twin-b/tasks/{task.id}", json=patch,
                       headers={"If-Match": f'"{ws.version("twin-b").id}"', "X-CSRF-Token": csrf})
    assert sent.status_code == 200, sent.text
    a = next(t for t in ws.get("twin-a").plan.tasks if t.id == task.id)
    b = next(t for t in ws.get("twin-b").plan.tasks if t.id == task.id)
    assert a == b
    assert a.name == "Renamed by the panel" and str(a.duration) == "7d" and a.estimate is None
    assert a.constraint is not None and a.constraint.type.value == "FNLT"
    assert dict(a.needs) == {first: 0.5, "qa": 1.0}
    # the form's fields left as they were change nothing (so a stale form merges instead of conflicting)
    assert views.task_patch(a, name=a.name, duration=str(a.duration), constraint_type="FNLT",
                            constraint_date="2027-09-01", resources=f"{first}:0.5, qa") == {}
    bad = admin.post(f"/projects/twin-a/tasks/{task.id}",
                     data={"base": ws.version("twin-a").id, "csrf_token": csrf, "constraint_type": "SNET",
                           "constraint_date": "soon"}, headers=HTML)
    assert bad.status_code == 422 and "is not a date" in bad.text


def test_windows_of_every_golden_case_together_are_the_engines_schedule(tmp_path: Any) -> None:
    """Each golden case drawn in two windows (the page's script fetches such windows while scrolling):
    together the bars are every task, with the engine's dates, critical flags and floats."""
    import yaml

    from web.test_pages import CASES

    server = make_server(tmp_path)
    ws = workspace(server)
    checked = 0
    for case in sorted(CASES.glob("*.yaml")):
        spec = yaml.safe_load(case.read_text())
        if not isinstance(spec, dict) or not isinstance(spec.get("plan"), str):
            continue
        project_id = case.stem.replace("_", "-")
        try:
            ws.import_bytes(spec["plan"].encode(), f"{project_id}.yaml", project_id=project_id)
            schedule = Project(ws.get(project_id).plan).schedule()
        except Exception:  # a case made to be refused: nothing to draw
            continue
        rows = len(schedule.tasks)
        half = rows // 2
        drawn: dict[str, Any] = {}
        for first, last in ((0, half), (half, rows)):
            frag = views.gantt_fragment(ws, project_id, views.GanttOptions(zoom="fit"), first, last)
            part = bars(frag.svg)
            assert not set(part) & set(drawn), project_id  # a window draws its own rows only
            drawn.update(part)
        assert drawn == {tid: (t.start.isoformat(timespec="minutes"), t.finish.isoformat(timespec="minutes"),
                               bool(t.critical), int(t.total_float)) for tid, t in schedule.tasks.items()}, project_id
        checked += 1
    assert checked >= 25
    server.app.state.engine.dispose()
