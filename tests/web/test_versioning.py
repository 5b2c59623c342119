"""If-Match / ETag / 409 pieces the plan routes will use, on a small app with a fake store conflict."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Response
from fastapi.testclient import TestClient

from pmfit.web.api.versioning import base_version, parse_if_match, register_conflict, version_etag
from pmfit.web.errors import ApiError, install_error_handlers


class FakeConflict(Exception):
    """Shaped like the store's: a message, the latest version and what changed since the base."""

    def __init__(self, base: str, latest: str) -> None:
        super().__init__(f"version {base} is not the latest ({latest} is)")
        self.latest = latest
        self.changes = [{"task": "build", "field": "duration", "from": "5d", "to": "8d", "by": "alice"}]


@pytest.fixture
def client() -> Any:
    app = FastAPI()
    install_error_handlers(app)
    register_conflict(app, FakeConflict, lambda exc: {"latest": exc.latest, "changes": exc.changes})
    store = {"latest": "v2"}

    @app.get("/plan")
    def read(response: Response) -> dict[str, str]:
        version_etag(response, store["latest"])
        return {"version": store["latest"]}

    @app.patch("/plan")
    def write(base: Annotated[str, Depends(base_version)]) -> dict[str, str]:
        if base != store["latest"]:
            raise FakeConflict(base, store["latest"])
        store["latest"] = "v3"
        return {"version": "v3"}

    with TestClient(app) as test_client:
        yield test_client


def test_read_etag_then_write_with_it(client: Any) -> None:
    etag = client.get("/plan").headers["etag"]
    assert etag == '"v2"'
    assert client.patch("/plan", headers={"If-Match": etag}).json() == {"version": "v3"}


def test_stale_base_gets_409_with_what_changed(client: Any) -> None:
    answer = client.patch("/plan", headers={"If-Match": '"v1"'})
    assert answer.status_code == 409
    body = answer.json()
    assert body["diagnostics"][0]["code"] == "stale_version"
    assert body["conflict"]["changes"][0]["task"] == "build"
    assert answer.headers["etag"] == '"v2"'


def test_write_without_base_version_is_428(client: Any) -> None:
    answer = client.patch("/plan")
    assert answer.status_code == 428 and answer.json()["diagnostics"][0]["code"] == "base_version_required"


@pytest.mark.parametrize("value", ["*", '"v1", "v2"', "v1", '"a b"', '"' + "x" * 65 + '"'])
def test_if_match_must_name_one_version(value: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_if_match(value)
    assert refused.value.status == 400


def test_weak_etags_are_accepted() -> None:
    assert parse_if_match('W/"v-1f3a"') == "v-1f3a"
