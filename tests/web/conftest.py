"""Server test fixtures (the helpers are in :mod:`web.helpers`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from web.helpers import Server, make_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    made = make_server(tmp_path)
    yield made
    for client in made.clients:
        client.close()
    made.app.state.engine.dispose()
