"""Concurrent writers (separate processes) on stale versions: no update is ever lost, every loser
gets the conflict naming what changed, and changes to different tasks merge."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.store.conftest import SMALL_PLAN, wide_plan
from tests.store.forking import run_forked

from pmfit.store import HeadMoved, Store
from pmfit.workspace import EditConflict, Workspace


def _setup(url: str, text: str, name: str = "p.yaml") -> str:
    with Workspace.open(url) as ws:
        return ws.import_bytes(text.encode(), name, author="setup").version.id


def _write_field(url: str, base: str, writer: int) -> tuple[str, Any]:
    with Workspace.open(url) as ws:
        text = ws.text(ws.store.version("p", base))
        try:
            saved = ws.commit("p", base, text=text.replace("duration: 5d", f"duration: {10 + writer}d"),
                              author=f"writer{writer}")
            return "saved", saved.version.id
        except EditConflict as conflict:
            return "conflict", conflict.to_dict()


@pytest.mark.parametrize("writers", [2, 16])
def test_writers_of_the_same_field_one_wins_every_other_gets_the_conflict(store_url: str, writers: int) -> None:
    base = _setup(store_url, SMALL_PLAN)
    results = run_forked(_write_field, [(store_url, base, i) for i in range(writers)])
    winners = [i for i, (status, _) in enumerate(results) if status == "saved"]
    assert len(winners) == 1
    winner = winners[0]
    for i, (status, conflict) in enumerate(results):
        if i == winner:
            continue
        assert status == "conflict"
        [field] = conflict["conflicts"]
        assert (field["entity"], field["id"], field["field"]) == ("task", "b", "duration")
        assert (field["base"], field["theirs"], field["yours"]) == ("5d", f"{10 + winner}d", f"{10 + i}d")
        assert field["changed_by"] == f"writer{winner}" and field["changed_in"] == "p@2"
        assert conflict["changes_since"][0]["author"] == f"writer{winner}"
    with Workspace.open(store_url) as ws:
        assert len(ws.history("p")) == 2
        assert str(ws.get("p").plan.task("b").duration) == f"{10 + winner}d"
        assert ws.check().ok


def _write_own_task(url: str, base: str, writer: int) -> tuple[bool, str]:
    with Workspace.open(url) as ws:
        text = ws.text(ws.store.version("p", base))
        task = f"{{id: t{writer}, name: Task {writer}, duration: {1 + writer % 5}d"
        saved = ws.commit("p", base, text=text.replace(task, task.replace("Task", "Edited")), author=f"w{writer}")
        return saved.merged, saved.version.id


@pytest.mark.parametrize("writers", [2, 16])
def test_writers_of_different_tasks_all_merge_and_nothing_is_lost(store_url: str, writers: int) -> None:
    base = _setup(store_url, wide_plan(16))
    results = run_forked(_write_own_task, [(store_url, base, i) for i in range(writers)])
    assert sum(1 for merged, _ in results if not merged) >= 1
    with Workspace.open(store_url) as ws:
        plan = ws.get("p").plan
        edited = sorted(int(t.id[1:]) for t in plan.tasks if t.name.startswith("Edited"))
        assert edited == list(range(writers))  # 0 lost updates
        assert len(ws.history("p")) == 1 + writers
        assert ws.check().ok


def _increment(url: str, writer: int, times: int) -> int:
    conflicts = 0
    with Workspace.open(url) as ws:
        done = 0
        while done < times:
            snap = ws.get("p")
            days = int(re.search(r"id: b, name: Build, duration: (\d+)d", snap.text)[1])  # type: ignore[index]
            text = snap.text.replace(f"id: b, name: Build, duration: {days}d",
                                     f"id: b, name: Build, duration: {days + 1}d")
            try:
                saved = ws.commit("p", snap.version.id, text=text, author=f"w{writer}")
                # someone else set the same value meanwhile: the change is in, but it is not an increment
                done += saved.created
            except EditConflict as conflict:
                assert [(c.id, c.field) for c in conflict.conflicts] == [("b", "duration")]
                conflicts += 1
    return conflicts


def test_read_modify_write_from_many_processes_loses_no_increment(store_url: str) -> None:
    _setup(store_url, SMALL_PLAN)
    writers, times = 4, 3
    conflicts = run_forked(_increment, [(store_url, i, times) for i in range(writers)], timeout=120)
    with Workspace.open(store_url) as ws:
        assert str(ws.get("p").plan.task("b").duration) == f"{5 + writers * times}d"
        assert len(ws.history("p")) == 1 + writers * times
    assert sum(conflicts) >= 0  # how often writers collided depends on timing; none of them lost work


def _raw_commit(url: str, base: str, writer: int) -> str:
    store = Store(url)
    try:
        store.commit("p", base, f"bulk change {writer}\n".encode() * 100, author=f"w{writer}")
        return "saved"
    except HeadMoved:
        return "refused"
    finally:
        store.close()


def test_the_head_compare_and_swap_lets_exactly_one_stale_writer_through(store_url: str) -> None:
    store = Store(store_url)
    _, v1 = store.create_project("p", "P", b"start\n", author="setup")
    store.close()
    results = run_forked(_raw_commit, [(store_url, v1.id, i) for i in range(12)])
    assert sorted(results) == ["refused"] * 11 + ["saved"]
    store = Store(store_url)
    try:
        assert len(store.history("p")) == 2 and store.check().ok
    finally:
        store.close()
