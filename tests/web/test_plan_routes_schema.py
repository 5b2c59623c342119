"""schemathesis over the plan routes on a real stored plan (the general walk in test_schemathesis.py
mostly draws project ids that do not exist, so it sees their 404s): generated queries and bodies on
an existing project, writes based on its head version. No server errors, every answer documented and
matching its schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from pmfit.store.connect import make_engine
from pmfit.web import accounts
from pmfit.web.app import OPENAPI_URL, create_app
from pmfit.web.security.sessions import COOKIE_NAME, csrf_token, start_session
from pmfit.web.settings import TEST_HASHING, WebSettings
from web.helpers import PASSWORD, SECRET, Clock
from web.plans import store_plan
from web.test_schemathesis import CHECKS

PROJECT = "p1"


@pytest.fixture
def plan_app(tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings_ = WebSettings(db_url=url, secret_key=SECRET, clock=Clock(), hashing=TEST_HASHING)
    engine = make_engine(url)
    app = create_app(settings_, engine=engine)
    store_plan(app, PROJECT)
    with Session(engine) as db:
        root = accounts.create_user(db, app.state.hasher, "root", PASSWORD, True, settings_.clock())
        accounts.set_member(db, PROJECT, root, "owner", settings_.clock())
        db.commit()
    yield app
    engine.dispose()


def _headers(app: Any) -> dict[str, str]:
    with Session(app.state.engine) as db:
        secret = start_session(db, app.state.settings, accounts.get_user(db, "root"), "127.0.0.1")
        db.commit()
    store = getattr(app.state, "plan_store", None)
    head = store.project(PROJECT, include_deleted=True).head if store is not None else None
    headers = {"Cookie": f"{COOKIE_NAME}={secret}", "X-CSRF-Token": csrf_token(app.state.settings, secret)}
    if head:
        headers["If-Match"] = f'"{head}"'
    return headers


def test_plan_routes_conform_on_a_real_plan(plan_app: Any) -> None:
    schema = schemathesis.openapi.from_asgi(OPENAPI_URL, plan_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    plan_ops = [op for op in operations if op.path.startswith("/api/v1/projects/{project_id}")
                and "/members" not in op.path]
    assert len(plan_ops) >= 40
    for operation in plan_ops:

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case: Any) -> None:
            case.path_parameters["project_id"] = PROJECT
            if "time_limit" in (case.query or {}):
                case.query["time_limit"] = 0.2  # bounded by the API at 10 s; kept short here
            case.call_and_validate(headers=_headers(plan_app), checks=CHECKS)
            if getattr(plan_app.state, "plan_store", None) is not None:  # a walk of DELETE /projects/{id}
                plan_app.state.plan_store.undelete_project(PROJECT)

        check()
