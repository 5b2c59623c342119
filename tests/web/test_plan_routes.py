"""The plan routes against independently computed answers: what the API says equals what
:class:`pmfit.Project` says of the same file, writes merge or conflict as the workspace does, and
foreign or unknown ids answer 404 without changing anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import pmfit
from pmfit.store.repository import results, versions
from pmfit.web import accounts
from pmfit.web.security.tokens import issue_token
from web.helpers import Server
from web.plans import SMALL_PLAN, store_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "software-release.yaml"
P = "/api/v1/projects/p1"


@pytest.fixture
def owner(sqlite_server: Server) -> TestClient:
    sqlite_server.add_user("olga")
    store_plan(sqlite_server.app, "p1")
    sqlite_server.add_member("p1", "olga", "owner")
    return sqlite_server.login("olga")


def _head(client: TestClient) -> str:
    etag = client.get(f"{P}/versions/head").headers["ETag"]
    return etag


def _version_count(server: Server) -> int:
    with server.db() as db:
        return int(db.execute(select(func.count()).select_from(versions)).scalar_one())


def test_upload_makes_an_owned_project_whose_schedule_is_the_libraries(sqlite_server: Server) -> None:
    sqlite_server.add_user("olga")
    client = sqlite_server.login("olga")
    answer = client.post("/api/v1/projects", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["project"]["id"] == "software-release" and body["project"]["role"] == "owner"
    assert body["report"]["format"] == "yaml"
    assert answer.headers["ETag"] == f'"{body["version"]["id"]}"'
    listed = client.get("/api/v1/projects").json()
    assert [(p["id"], p["role"]) for p in listed["items"]] == [("software-release", "owner")]

    expected = pmfit.Project(pmfit.load(EXAMPLE))
    for as_planned in (False, True):
        got = client.get("/api/v1/projects/software-release/schedule", params={"as_planned": as_planned}).json()
        assert got["tasks"] == jsonable_encoder(expected.schedule(as_planned).to_records())
        assert got["summary"]["finish"] == jsonable_encoder(expected.schedule(as_planned).summary())["finish"]
    last = got["tasks"][-1]["id"]
    why = client.get(f"/api/v1/projects/software-release/why/{last}").json()
    assert why["steps"] == [step.to_dict() for step in expected.schedule().why(last)] != []
    # the same id again is refused, and a file pmfit cannot read is a 422 with its diagnostic
    again = client.post("/api/v1/projects", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())})
    assert again.status_code == 409 and again.json()["diagnostics"][0]["code"] == "project_exists"
    bad = client.post("/api/v1/projects", files={"file": ("x.yaml", b"project: [unclosed")},
                      data={"project_id": "broken"})
    assert bad.status_code == 422 and bad.json()["diagnostics"][0]["code"]
    assert "Traceback" not in bad.text


def test_an_mspdi_upload_round_trips_through_export(owner: TestClient) -> None:
    xml = owner.get(f"{P}/export.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "dropped" in json.loads(xml.headers["X-Pmfit-Export-Report"])
    made = owner.post("/api/v1/projects", files={"file": ("copy.xml", xml.content)})
    assert made.status_code == 201, made.text
    assert made.json()["report"]["format"] == "mspdi"
    ids = [t["id"] for t in owner.get("/api/v1/projects/copy/schedule").json()["tasks"]]
    assert {"design", "build", "test", "release"} <= set(ids)
    report = owner.get(f"{P}/export.csv", params={"report": True}).json()
    assert report["format"] == "csv" and "/tmp" not in json.dumps(report)


def test_stale_if_match_is_409_naming_the_field_and_edits_on_different_tasks_merge(
        sqlite_server: Server, owner: TestClient) -> None:
    base = _head(owner)
    first = owner.patch(f"{P}/tasks/build", json={"duration": "7d"}, headers={"If-Match": base})
    assert first.status_code == 200, first.text
    second = owner.patch(f"{P}/tasks/test", json={"duration": "4d"}, headers={"If-Match": base})
    assert second.status_code == 200 and second.json()["merged"] is True
    tasks = {t["id"]: t for t in owner.get(f"{P}/tasks").json()["items"]}
    assert (tasks["build"]["duration"], tasks["test"]["duration"]) == ("7d", "4d")  # both kept
    before = _version_count(sqlite_server)
    stale = owner.patch(f"{P}/tasks/build", json={"duration": "9d"}, headers={"If-Match": base})
    assert stale.status_code == 409
    conflict = stale.json()["conflict"]
    assert [(c["entity"], c["id"], c["field"]) for c in conflict["conflicts"]] == [("task", "build", "duration")]
    assert stale.headers["ETag"] == second.headers["ETag"]  # the version to rebase on
    assert _version_count(sqlite_server) == before
    assert owner.patch(f"{P}/tasks/build", json={"duration": "9d"}).status_code == 428
    for blind in ('"head"', '"-1"', '"2"', "*"):  # a base must be named by id: no blind overwrite
        assert owner.patch(f"{P}/tasks/build", json={"duration": "9d"}, headers={"If-Match": blind}).status_code == 400
    # the schedule follows the new head: build 7d + test 4d after design 3d
    assert owner.get(f"{P}/schedule").json()["tasks"] == jsonable_encoder(
        pmfit.Project(pmfit.loads(owner.get(f"{P}/versions/head").json()["document"])).schedule().to_records())


def test_links_move_the_schedule_and_bad_changes_are_422(owner: TestClient) -> None:
    base = _head(owner)
    before = {t["id"]: t for t in owner.get(f"{P}/schedule").json()["tasks"]}
    linked = owner.post(f"{P}/tasks/test/links", json={"task": "build", "lag": "2d"}, headers={"If-Match": base})
    assert linked.status_code == 201, linked.text
    assert linked.json()["link"] == {"task": "build", "type": "FS", "lag": "2d", "text": "build FS+2d"}
    after = {t["id"]: t for t in owner.get(f"{P}/schedule").json()["tasks"]}
    assert after["test"]["start"] > before["test"]["start"]
    links = owner.get(f"{P}/tasks/test/links").json()["links"]
    assert [link["task"] for link in links] == ["build"]  # replaced, not doubled
    head = linked.headers["ETag"]
    cycle = owner.post(f"{P}/tasks/design/links", json={"task": "release"}, headers={"If-Match": head})
    assert cycle.status_code == 422 and cycle.json()["diagnostics"][0]["code"]
    orphaning = owner.delete(f"{P}/tasks/build", headers={"If-Match": head})
    assert orphaning.status_code == 422
    assert {d["code"] for d in orphaning.json()["diagnostics"]} == {"unknown_task"}
    assert owner.get(f"{P}/tasks/nope").json()["diagnostics"][0]["code"] == "unknown_task"
    assert owner.get(f"{P}/why/nope").status_code == 404
    assert owner.patch(f"{P}/tasks/nope", json={"duration": "1d"}, headers={"If-Match": head}).status_code == 404


def test_moving_a_task_by_its_constraint(owner: TestClient) -> None:
    """What the Gantt does when a bar is dragged: PATCH the task's constraint; the engine places it."""
    moved = owner.patch(f"{P}/tasks/test", json={"constraint": {"type": "SNET", "date": "2027-04-05"}},
                        headers={"If-Match": _head(owner)})
    assert moved.status_code == 200, moved.text
    assert moved.json()["task"]["constraint"] == {"type": "SNET", "date": "2027-04-05"}
    tasks = {t["id"]: t for t in owner.get(f"{P}/schedule").json()["tasks"]}
    assert tasks["test"]["start"].startswith("2027-04-05")
    assert tasks["release"]["start"] >= tasks["test"]["finish"]
    back = owner.patch(f"{P}/tasks/test", json={"constraint": None}, headers={"If-Match": moved.headers["ETag"]})
    assert "constraint" not in back.json()["task"]


def test_a_percent_without_actual_dates_gets_them_from_the_schedule_as_ms_project_does(owner: TestClient) -> None:
    # the plan starts Mon 1 March: design Mon-Wed, build from Thu 4 March; the status date is Mon 8 March
    patch = {"status_date": "2027-03-08", "tasks": {"design": {"percent_complete": 100},
                                                    "build": {"percent_complete": 40}}}
    answer = owner.patch(f"{P}/progress", json=patch, headers={"If-Match": _head(owner)})
    assert answer.status_code == 200, answer.text
    tasks = answer.json()["progress"]["tasks"]
    assert (tasks["design"]["actual_start"], tasks["design"]["actual_finish"]) == ("2027-03-01", "2027-03-03")
    assert tasks["build"]["actual_start"] == "2027-03-04" and tasks["build"].get("actual_finish") is None
    # dates given are kept; test, planned from Thu 11 March, is held at the status date
    again = owner.patch(f"{P}/progress", json={"tasks": {
        "test": {"percent_complete": 10}, "design": {"percent_complete": 100, "actual_finish": "2027-03-02"}}},
        headers={"If-Match": answer.headers["ETag"]})
    assert again.status_code == 200, again.text
    tasks = again.json()["progress"]["tasks"]
    assert tasks["test"]["actual_start"] == "2027-03-08" and tasks["design"]["actual_finish"] == "2027-03-02"


def test_progress_changes_the_current_schedule(owner: TestClient) -> None:
    base = _head(owner)
    patch = {"status_date": "2027-03-08",
             "tasks": {"design": {"actual_start": "2027-03-01", "actual_finish": "2027-03-05",
                                  "percent_complete": 100}}}
    answer = owner.patch(f"{P}/progress", json=patch, headers={"If-Match": base})
    assert answer.status_code == 200, answer.text
    assert answer.json()["progress"]["status_date"] == "2027-03-08"
    document = owner.get(f"{P}/versions/head").json()["document"]
    expected = pmfit.Project(pmfit.loads(document))
    assert expected.has_progress
    got = owner.get(f"{P}/schedule").json()
    assert got["kind"] == "current" and got["tasks"] == jsonable_encoder(expected.schedule().to_records())
    cleared = owner.delete(f"{P}/progress", headers={"If-Match": answer.headers["ETag"]})
    assert cleared.json()["progress"] == {}


def test_a_baseline_is_a_new_version_that_earned_value_reads(owner: TestClient) -> None:
    listed = owner.get(f"{P}/baselines").json()["baselines"]
    assert [b["name"] for b in listed] == ["approved"] and listed[0]["tasks"] == 4
    head = _head(owner)
    made = owner.post(f"{P}/baselines", json={"name": "rebaselined"}, headers={"If-Match": head})
    assert made.status_code == 201, made.text
    assert made.json()["version"]["kind"] == "baseline" and made.headers["ETag"] != head
    again = owner.post(f"{P}/baselines", json={"name": "rebaselined"}, headers={"If-Match": made.headers["ETag"]})
    assert again.status_code == 422
    status = owner.get(f"{P}/status", params={"baseline": "rebaselined"}).json()["status"]
    assert status["baseline"] == "rebaselined"


def test_foreign_and_unknown_versions_are_404(sqlite_server: Server, owner: TestClient) -> None:
    foreign = store_plan(sqlite_server.app, "p2")  # a project olga is not in
    assert owner.get(f"{P}/versions/{foreign}").status_code == 404
    assert owner.get(f"{P}/schedule", params={"version": foreign}).status_code == 404
    before = _version_count(sqlite_server)
    write = owner.patch(f"{P}/tasks/build", json={"duration": "2d"}, headers={"If-Match": f'"{foreign}"'})
    assert write.status_code == 404 and _version_count(sqlite_server) == before
    assert owner.get("/api/v1/projects/p2/tasks").status_code == 404
    assert owner.get(f"{P}/versions/999").json()["diagnostics"][0]["code"] == "unknown_version"


def test_executives_read_only_the_executive_report_and_summary(sqlite_server: Server, owner: TestClient) -> None:
    sqlite_server.add_user("erin")
    sqlite_server.add_member("p1", "erin", "executive")
    erin = sqlite_server.login("erin")
    assert erin.get(f"{P}/reports/technical.md").status_code == 403
    assert erin.get(f"{P}/schedule").status_code == 403
    assert erin.get(f"{P}/tasks").status_code == 403
    summary = erin.get(f"{P}/summary").json()
    assert summary["schedule"]["tasks"] == 4  # a count, no task detail
    assert not any(isinstance(value, (list, dict)) for value in summary["schedule"].values())
    report = erin.get(f"{P}/reports/executive.md")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/markdown")
    assert report.text == owner.get(f"{P}/reports/executive.md").text


def test_risk_is_cached_by_version(sqlite_server: Server, owner: TestClient) -> None:
    first = owner.get(f"{P}/risk", params={"iterations": 300, "seed": 7}).json()
    second = owner.get(f"{P}/risk", params={"iterations": 300, "seed": 7}).json()
    assert first == second
    expected = pmfit.Project(pmfit.loads(SMALL_PLAN))  # the baseline does not change the finish odds
    assert first["risk"]["percentiles"] == jsonable_encoder(expected.simulate(300, 7).summary()["percentiles"])
    with sqlite_server.db() as db:
        kinds = db.execute(select(results.c.kind)).scalars().all()
    assert kinds.count("risk") == 1
    assert owner.get(f"{P}/risk", params={"iterations": 10**6}).status_code == 422


def test_delete_and_undelete(owner: TestClient) -> None:
    assert owner.delete(P).status_code == 200
    assert owner.get(P).status_code == 404
    assert owner.get("/api/v1/projects").json()["total"] == 0  # in the bin: listed again once undeleted
    back = owner.post(f"{P}/undelete")
    assert back.status_code == 200 and back.json()["deleted_at"] is None
    assert owner.get(f"{P}/schedule").status_code == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["3d", "2027-03-04", "design", "FS", "SNET", "-1d", "100/h"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
FIELDS = st.sampled_from(["id", "name", "duration", "after", "needs", "constraint", "parent", "milestone",
                          "estimate", "status_date", "tasks", "probability", "delays", "rate", "audience", "x"])


def test_no_body_makes_a_server_error(sqlite_server: Server, owner: TestClient) -> None:
    """Arbitrary JSON objects on every kind of change: a 2xx or a 4xx with diagnostics, never a 500."""
    head = _head(owner)
    targets = [("PATCH", f"{P}/tasks/build"), ("POST", f"{P}/tasks"), ("POST", f"{P}/tasks/test/links"),
               ("PATCH", f"{P}/progress"), ("POST", f"{P}/progress"), ("PATCH", f"{P}/resources/dev"),
               ("POST", f"{P}/risks"), ("PATCH", f"{P}/stakeholders/Ada")]

    @given(target=st.sampled_from(targets), body=st.dictionaries(FIELDS, JSON_VALUES, max_size=4))
    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(target: tuple[str, str], body: dict[str, object]) -> None:
        method, url = target
        answer = owner.request(method, url, json=body, headers={"If-Match": head})
        assert answer.status_code < 500, f"{method} {url} {body}: {answer.text[:300]}"
        if answer.status_code >= 400:
            assert answer.json()["diagnostics"], answer.text

    check()


def _token_client(server: Server, user: str, role: str, projects: list[str]) -> TestClient:
    with server.db() as db:
        new = issue_token(db, accounts.get_user(db, user), "script", role, projects, server.clock(),
                          server.settings.session_absolute)
        db.commit()
    client = server.client()
    client.headers["Authorization"] = f"Bearer {new.secret}"
    return client


def test_tokens_read_and_change_plans_within_their_role(sqlite_server: Server, owner: TestClient) -> None:
    reader = _token_client(sqlite_server, "olga", "viewer", ["p1"])
    assert reader.get(f"{P}/schedule").status_code == 200
    head = _head(owner)
    assert reader.patch(f"{P}/tasks/build", json={"duration": "6d"}, headers={"If-Match": head}).status_code == 403
    plan = {"file": ("script.yaml", SMALL_PLAN.encode())}
    assert reader.post("/api/v1/projects", files=plan).status_code == 403
    writer = _token_client(sqlite_server, "olga", "editor", ["p1"])  # no CSRF token needed: not a cookie
    assert writer.patch(f"{P}/tasks/build", json={"duration": "6d"}, headers={"If-Match": head}).status_code == 200
    assert writer.post("/api/v1/projects", files=plan).status_code == 201
    assert owner.get("/api/v1/projects/script").json()["role"] == "owner"


def test_merge_and_conflict_on_both_backends(backend_server: Server) -> None:
    """The 3-way merge runs inside the store's locked transaction: the same answers on PostgreSQL."""
    backend_server.add_user("olga")
    base = f'"{store_plan(backend_server.app, "p1")}"'
    backend_server.add_member("p1", "olga", "owner")
    client = backend_server.login("olga")
    assert client.patch(f"{P}/tasks/build", json={"duration": "7d"}, headers={"If-Match": base}).status_code == 200
    merged = client.post(f"{P}/tasks/release/links", json={"task": "design"}, headers={"If-Match": base})
    assert merged.status_code == 201 and merged.json()["merged"] is True
    tasks = {t["id"]: t for t in client.get(f"{P}/tasks").json()["items"]}
    assert tasks["build"]["duration"] == "7d" and tasks["release"]["after"] == ["test", "design"]
    stale = client.patch(f"{P}/tasks/build", json={"duration": "8d"}, headers={"If-Match": base})
    assert stale.status_code == 409 and stale.json()["conflict"]["conflicts"][0]["field"] == "duration"
    assert client.get(f"{P}/versions").json()["total"] == 4
