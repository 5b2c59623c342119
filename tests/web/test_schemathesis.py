"""schemathesis against the app's own OpenAPI schema, on SQLite and on PostgreSQL:
no server errors, every status documented, every answer matching its declared schema.

Each generated request is sent as an administrator who is also the owner of one project, with a
fresh browser session and its CSRF token, so that the routes run their real code, not just the
401 branch. PostgreSQL runs in a schema of its own that is dropped afterwards; it is skipped, with
the reason, when no server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from pmfit.store.connect import make_engine
from pmfit.web import accounts
from pmfit.web.app import OPENAPI_URL, create_app
from pmfit.web.security.sessions import COOKIE_NAME, csrf_token, start_session
from pmfit.web.settings import TEST_HASHING, WebSettings
from web.helpers import PASSWORD, SECRET, Clock, add_project, postgres_schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(params=["sqlite", "postgresql"])
def api_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'store.db'}"])
    else:
        urls = postgres_schema()
    url = next(urls)
    settings_ = WebSettings(db_url=url, secret_key=SECRET, clock=Clock(), hashing=TEST_HASHING)
    engine = make_engine(url)
    app = create_app(settings_, engine=engine)
    add_project(app, "p1")
    with Session(engine) as db:
        root = accounts.create_user(db, app.state.hasher, "root", PASSWORD, True, settings_.clock())
        accounts.create_user(db, app.state.hasher, "tess", PASSWORD, False, settings_.clock())
        accounts.set_member(db, "p1", root, "owner", settings_.clock())
        db.commit()
    yield app
    engine.dispose()
    for _ in urls:  # the PostgreSQL generator's clean-up
        pass


def _fresh_session(app: Any) -> dict[str, str]:
    with Session(app.state.engine) as db:
        secret = start_session(db, app.state.settings, accounts.get_user(db, "root"), "127.0.0.1")
        db.commit()
    return {"Cookie": f"{COOKIE_NAME}={secret}", "X-CSRF-Token": csrf_token(app.state.settings, secret)}


def test_api_conforms_to_its_schema(api_app: Any) -> None:
    """Every operation of the schema, a dozen generated requests each (schemathesis' pytest plugin
    does not run on this pytest, so the operations are walked here with hypothesis directly)."""
    schema = schemathesis.openapi.from_asgi(OPENAPI_URL, api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=_fresh_session(api_app), checks=CHECKS)

        check()
