"""Server test fixtures (the helpers are in :mod:`web.helpers`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from web.helpers import BACKENDS, Server, backend_urls, make_server


def _serve(backend: str, tmp_path: Path) -> Iterator[Server]:
    urls = backend_urls(backend, tmp_path)
    made = make_server(tmp_path, next(urls))
    yield made
    for client in made.clients:
        client.close()
    made.app.state.engine.dispose()
    for _ in urls:
        pass


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server on SQLite, then on PostgreSQL (skipped with the reason when no server answers)."""
    yield from _serve(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def backend_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The same as ``server``, for modules whose ``server`` is SQLite only."""
    yield from _serve(request.param, tmp_path)


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    """A server on SQLite only (tests of the HTTP layer that the database cannot change)."""
    made = make_server(tmp_path)
    yield made
    for client in made.clients:
        client.close()
    made.app.state.engine.dispose()
