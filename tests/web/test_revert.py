"""Revert: an earlier version's plan restored as a new version, history kept, the base named by If-Match.

Checked against the store's own record: the restored document is byte-equal to the old version's, every
earlier version keeps its content hash, and a refused revert adds no version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pmfit.workspace import EditConflict, Workspace
from web.helpers import Server
from web.plans import store_plan

P = "/api/v1/projects/p1"


@pytest.fixture
def editor(server: Server) -> TestClient:
    server.add_user("edith")
    store_plan(server.app, "p1")  # version 1 (import) and 2 (baseline)
    server.add_member("p1", "edith", "editor")
    return server.login("edith")


def _etag(client: TestClient, ref: str = "head") -> str:
    return client.get(f"{P}/versions/{ref}").headers["ETag"]


def _history(client: TestClient) -> list[dict[str, object]]:
    return list(reversed(client.get(f"{P}/versions", params={"limit": 50}).json()["items"]))


def test_revert_restores_the_old_document_as_a_new_version(editor: TestClient) -> None:
    first = editor.get(f"{P}/versions/1").json()
    changed = editor.patch(f"{P}/tasks/build", json={"duration": "9d"}, headers={"If-Match": _etag(editor)})
    assert changed.status_code == 200, changed.text
    before = _history(editor)
    assert [v["number"] for v in before] == [1, 2, 3]

    answer = editor.post(f"{P}/versions/1/revert", headers={"If-Match": changed.headers["ETag"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["created"] is True and body["merged"] is False
    new = body["version"]
    assert new["number"] == 4 and new["kind"] == "revert" and new["parent"] == before[-1]["id"]
    assert new["author"] == "edith" and new["message"] == "revert to p1@1"
    assert answer.headers["ETag"] == f'"{new["id"]}"'
    assert new["content_hash"] == first["version"]["content_hash"]
    assert editor.get(f"{P}/versions/4").json()["document"] == first["document"]  # byte for byte
    after = _history(editor)
    assert after[:3] == before  # nothing of the history was rewritten
    build = editor.get(f"{P}/tasks/build").json()["task"]
    assert build["duration"] == "5d"


def test_a_stale_base_gets_409_with_what_changed_and_saves_nothing(editor: TestClient) -> None:
    seen = _etag(editor)
    changed = editor.patch(f"{P}/tasks/test", json={"duration": "4d"}, headers={"If-Match": seen})
    assert changed.status_code == 200
    stale = editor.post(f"{P}/versions/1/revert", headers={"If-Match": seen})
    assert stale.status_code == 409, stale.text
    conflict = stale.json()["conflict"]
    assert conflict["code"] == "edit_conflict" and conflict["head"]["number"] == 3
    assert [(c["version"], c["author"]) for c in conflict["changes_since"]] == [("p1@3", "edith")]
    assert stale.headers["ETag"] == changed.headers["ETag"]
    unknown = editor.post(f"{P}/versions/1/revert", headers={"If-Match": '"' + "ab" * 32 + '"'})
    assert unknown.status_code == 409 and unknown.json()["conflict"]["code"] == "stale_version"
    assert [v["number"] for v in _history(editor)] == [1, 2, 3]


def test_bad_requests_are_refused_before_anything_is_saved(editor: TestClient) -> None:
    head = _etag(editor)
    assert editor.post(f"{P}/versions/1/revert").status_code == 428
    assert editor.post(f"{P}/versions/1/revert", headers={"If-Match": '"head"'}).status_code == 400
    assert editor.post(f"{P}/versions/1/revert", headers={"If-Match": "*"}).status_code == 400
    assert editor.post(f"{P}/versions/9/revert", headers={"If-Match": head}).status_code == 404
    assert editor.post(f"{P}/versions/nope!/revert", headers={"If-Match": head}).status_code == 422
    assert editor.get(f"{P}/versions/1/revert").status_code == 405
    same = editor.post(f"{P}/versions/2/revert", headers={"If-Match": head})  # the head's own plan
    assert same.status_code == 200 and same.json()["created"] is False
    assert [v["number"] for v in _history(editor)] == [1, 2]


def test_workspace_and_cli_revert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.store.conftest import SMALL_PLAN

    from pmfit.cli.app import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    space = Workspace.open(url, create=True)
    one = space.import_bytes(SMALL_PLAN.encode(), "plan.yaml", project_id="p")
    two = space.commit("p", one.version.id, text=SMALL_PLAN.replace("Store test", "Renamed"), author="bob")
    with pytest.raises(EditConflict) as refused:
        space.revert("p", 1, base=one.version.id)
    assert [c.version for c in refused.value.changes_since] == ["p@2"]
    space.close()
    run = CliRunner().invoke(app, ["db", "--db", url, "revert", "p@1", "--base", two.version.id[:12],
                                   "--author", "carol", "--json"])
    assert run.exit_code == 0, run.output
    saved = json.loads(run.stdout)
    assert saved["version"]["number"] == 3 and saved["version"]["kind"] == "revert"
    assert saved["version"]["content_hash"] == one.version.content_hash
    stale = CliRunner().invoke(app, ["db", "--db", url, "revert", "p@2", "--base", "1"])
    assert stale.exit_code == 1 and "edit_conflict" in stale.stderr and "Traceback" not in stale.output
    bare = CliRunner().invoke(app, ["db", "--db", url, "revert", "p"])
    assert bare.exit_code == 2
