"""Fault injection: the Nth statement of a save fails (every N), or its commit does. Each time the
save raises a typed error with a diagnostic id, the store reopens and the previous version loads
unchanged, and the check passes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from tests.store.conftest import SMALL_PLAN

from pmfit.store import Store, StoreError
from pmfit.workspace import Workspace


class Faults:
    """Counts the statements sent to the database; raises a driver error at statement ``fail_at``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.fail_at: int | None = None
        self.fail_commit = False

    def _error(self) -> BaseException:
        return self.engine.dialect.loaded_dbapi.OperationalError("injected fault")  # type: ignore[no-any-return]

    def before_cursor_execute(self, *_args: Any) -> None:
        self.statements += 1
        if self.fail_at is not None and self.statements == self.fail_at:
            raise self._error()

    def commit(self, *_args: Any) -> None:
        if self.fail_commit:
            raise self._error()


@contextmanager
def faults(engine: Engine) -> Iterator[Faults]:
    injector = Faults(engine)
    event.listen(engine, "before_cursor_execute", injector.before_cursor_execute)
    event.listen(engine, "commit", injector.commit)
    try:
        yield injector
    finally:
        event.remove(engine, "before_cursor_execute", injector.before_cursor_execute)
        event.remove(engine, "commit", injector.commit)


def _changed(text: str, n: int) -> str:
    return text.replace("duration: 5d", f"duration: {n + 6}d")


def test_every_statement_of_a_save_failing_in_turn_leaves_the_previous_version(store_url: str) -> None:
    setup = Workspace.open(store_url)
    v1 = setup.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    before = setup.store.content(v1.id)
    setup.close()
    # how many statements one save sends (a dry run on the same store)
    ws = Workspace.open(store_url)
    with faults(ws.store.engine) as counter:
        probe = ws.commit("p", v1.id, text=_changed(before.decode(), 0), author="probe")
        total = counter.statements
    assert total >= 4  # begin/lock, parent, insert, swap at least
    ws.revert("p", 1, author="probe")  # back to the first document, as the new head
    head = ws.version("p")
    ws.close()
    for n in range(1, total + 1):
        ws = Workspace.open(store_url)
        with faults(ws.store.engine) as injector:
            injector.fail_at = n
            with pytest.raises(StoreError) as caught:
                ws.commit("p", head.id, text=_changed(before.decode(), n), author="faulty")
        assert caught.value.code == "store_failed", n
        assert "nothing was saved" in str(caught.value)
        ws.close()
        reopened = Store(store_url)
        try:
            assert reopened.version("p").id == head.id, f"statement {n} of {total}"
            assert reopened.content(head.id) == before
            assert reopened.check(["p"]).ok
        finally:
            reopened.close()
    assert probe.version.number == 2


def test_a_failing_commit_saves_nothing(store_url: str) -> None:
    ws = Workspace.open(store_url)
    v1 = ws.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    with faults(ws.store.engine) as injector:
        injector.fail_commit = True
        with pytest.raises(StoreError) as caught:
            ws.commit("p", v1.id, text=_changed(SMALL_PLAN, 1), author="faulty")
        assert caught.value.code == "store_failed"
        with pytest.raises(StoreError):
            ws.import_bytes(SMALL_PLAN.encode(), "other.yaml", author="faulty")
    ws.close()
    reopened = Workspace.open(store_url)
    try:
        assert [v.id for v in reopened.history("p")] == [v1.id]
        assert [p.id for p in reopened.list_projects()] == ["p"]
        assert reopened.text(v1) == SMALL_PLAN
        assert reopened.check().ok
        # and the store works again
        assert reopened.commit("p", v1.id, text=_changed(SMALL_PLAN, 1), author="ok").version.number == 2
    finally:
        reopened.close()


def test_every_statement_of_an_import_failing_in_turn_leaves_no_project(store_url: str) -> None:
    ws = Workspace.open(store_url)
    ws.import_bytes(SMALL_PLAN.encode(), "kept.yaml", author="alice")
    with faults(ws.store.engine) as counter:
        ws.import_bytes(SMALL_PLAN.encode(), "probe.yaml", author="probe")
        total = counter.statements
    ws.close()
    assert total >= 3
    for n in range(1, total + 1):
        ws = Workspace.open(store_url)
        with faults(ws.store.engine) as injector:
            injector.fail_at = n
            with pytest.raises(StoreError) as caught:
                ws.import_bytes(SMALL_PLAN.encode(), f"new{n}.yaml", author="faulty")
        assert caught.value.code in ("store_failed", "store_unavailable"), n
        ws.close()
        reopened = Store(store_url)
        try:
            assert [p.id for p in reopened.list_projects()] == ["kept", "probe"], f"statement {n} of {total}"
            assert reopened.check().ok
        finally:
            reopened.close()
