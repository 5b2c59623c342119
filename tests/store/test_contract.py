"""The store's contract, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from pmfit.store import HeadMoved, NotFound, ProjectExists, Store, StoreError

DOC1 = b"project: {name: P, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d}\n"
DOC2 = DOC1.replace(b"1d", b"2d")
DOC3 = DOC2 + b"  - {id: b, duration: 3d}\n"


def test_versions_are_immutable_commits_with_author_time_message_parent_and_hash(store: Store) -> None:
    project, v1 = store.create_project("p1", "P one", DOC1, author="alice", message="first")
    assert (project.id, project.head, project.head_number) == ("p1", v1.id, 1)
    v2, created = store.commit("p1", v1.id, DOC2, author="bob", message="longer")
    assert created and v2.number == 2 and v2.parent_id == v1.id and v2.author == "bob"
    assert v2.message == "longer" and v2.created_at.tzinfo is not None
    import hashlib

    assert v2.content_hash == hashlib.sha256(DOC2).hexdigest()
    assert store.content(v1.id) == DOC1 and store.content(v2.id) == DOC2
    assert [v.number for v in store.history("p1")] == [2, 1]
    assert [v.number for v in store.history("p1", limit=1)] == [2]
    assert [v.number for v in store.history("p1", limit=1, before=2)] == [1]
    assert store.project("p1").head == v2.id
    # a fresh connection (no cache) rebuilds the same bytes
    other = Store(store.url)
    try:
        assert other.content(v1.id) == DOC1 and other.content(v2.id) == DOC2
    finally:
        other.close()


def test_saving_the_same_document_again_is_not_a_new_version(store: Store) -> None:
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    again, created = store.commit("p1", v1.id, DOC1, author="b")
    assert not created and again.id == v1.id and len(store.history("p1")) == 1


def test_a_change_on_a_stale_version_is_refused_and_writes_nothing(store: Store) -> None:
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    v2, _ = store.commit("p1", v1.id, DOC2, author="b")
    with pytest.raises(HeadMoved) as caught:
        store.commit("p1", v1.id, DOC3, author="c")
    assert caught.value.code == "stale_version" and caught.value.head == v2.id
    assert [v.id for v in store.history("p1")] == [v2.id, v1.id]


def test_versions_are_found_by_number_id_prefix_and_head(store: Store) -> None:
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    v2, _ = store.commit("p1", v1.id, DOC2, author="b")
    assert store.version("p1").id == v2.id
    assert store.version("p1", "head").id == v2.id
    assert store.version("p1", 1).id == v1.id
    assert store.version("p1", "-1").id == v1.id
    assert store.version("p1", v1.id[:10]).id == v1.id
    assert store.version("p1", "000002").id == v2.id  # six digits or more: a number still counts


def test_an_id_prefix_of_digits_only_is_an_id(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """About one id in a hundred starts with ten digits; such a prefix must not be read as a number."""
    import pmfit.store.repository as repository

    real = repository.version_id
    monkeypatch.setattr(repository, "version_id", lambda *a, **k: "1234567890" + real(*a, **k)[10:])
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    assert v1.id.startswith("1234567890")
    assert store.version("p1", v1.id[:10]).id == v1.id
    for bad in ("7", "zzz", "abcdef0"):
        with pytest.raises(NotFound) as caught:
            store.version("p1", bad)
        assert caught.value.code == "unknown_version"
    with pytest.raises(NotFound) as missing:
        store.version("nope")
    assert missing.value.code == "unknown_project"


def test_project_ids_are_checked_and_unique(store: Store) -> None:
    store.create_project("p1", "P", DOC1, author="a")
    with pytest.raises(ProjectExists):
        store.create_project("p1", "P again", DOC2, author="a")
    for bad in ("", "has space", "../etc", "x" * 65, "-lead"):
        with pytest.raises(StoreError) as caught:
            store.create_project(bad, "P", DOC1, author="a")
        assert caught.value.code == "bad_project_id"


def test_delete_is_undoable_for_30_days_then_purged(store: Store) -> None:
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    store.create_project("p2", "Q", DOC2, author="a")
    store.delete_project("p1", author="boss")
    assert [p.id for p in store.list_projects()] == ["p2"]
    assert [p.id for p in store.list_projects(include_deleted=True)] == ["p1", "p2"]
    with pytest.raises(NotFound):
        store.history("p1")
    with pytest.raises(NotFound):
        store.commit("p1", v1.id, DOC2, author="x")
    store.undelete_project("p1")
    assert store.content(store.version("p1").id) == DOC1
    store.delete_project("p1", author="boss")
    store.put_result(v1.content_hash, "schedule", {}, b"cached")
    assert store.purge_deleted() == []  # deleted just now: still undoable
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert store.purge_deleted(now=later) == ["p1"]
    assert [p.id for p in store.list_projects(include_deleted=True)] == ["p2"]
    assert store.get_result(v1.content_hash, "schedule", {}) is None  # its results went with it
    assert store.check().ok


def test_results_are_cached_by_content_hash_kind_and_params_and_droppable(store: Store) -> None:
    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    key = v1.content_hash
    assert store.get_result(key, "simulation", {"seed": 1, "iterations": 1000}) is None
    store.put_result(key, "simulation", {"seed": 1, "iterations": 1000}, b"\x00result-1")
    store.put_result(key, "simulation", {"iterations": 1000, "seed": 1}, b"other")  # same key: kept
    store.put_result(key, "simulation", {"seed": 2, "iterations": 1000}, b"result-2")
    assert store.get_result(key, "simulation", {"iterations": 1000, "seed": 1}) == b"\x00result-1"
    assert store.get_result(key, "simulation", {"seed": 2, "iterations": 1000}) == b"result-2"
    assert store.get_result(key, "schedule", {"seed": 1, "iterations": 1000}) is None
    assert store.drop_results() == 2
    assert store.get_result(key, "simulation", {"seed": 2, "iterations": 1000}) is None
    assert store.content(v1.id) == DOC1  # dropping the cache loses nothing


def test_many_versions_rebuild_exactly_through_delta_chains(store: Store) -> None:
    from pmfit.store import content as codec

    lines = [f"  - {{id: t{i}, duration: 1d}}\n" for i in range(300)]
    docs = []
    _, head = store.create_project("p1", "P", ("tasks:\n" + "".join(lines)).encode(), author="a")
    docs.append(("tasks:\n" + "".join(lines)).encode())
    for n in range(codec.MAX_CHAIN + 12):
        lines[(n * 37) % 300] = f"  - {{id: t{(n * 37) % 300}, duration: {n + 2}d}}\n"
        doc = ("tasks:\n" + "".join(lines)).encode()
        head, _ = store.commit("p1", head.id, doc, author="a")
        docs.append(doc)
    fresh = Store(store.url)
    try:
        for version, doc in zip(reversed(fresh.history("p1")), docs, strict=True):
            assert fresh.content(version.id) == doc
    finally:
        fresh.close()
    report = store.check()
    assert report.ok, report.problems
    assert report.versions == len(docs)


def _tamper(store: Store, version_id: str, **values: object) -> None:
    from pmfit.store.repository import versions

    with store.write() as conn:
        conn.execute(update(versions).where(versions.c.id == version_id).values(**values))
    store._rebuilt.clear()


def test_check_finds_a_version_whose_bytes_or_metadata_were_altered(store: Store) -> None:
    import zlib

    _, v1 = store.create_project("p1", "P", DOC1, author="a")
    v2, _ = store.commit("p1", v1.id, DOC2, author="b")
    assert store.check().ok
    _tamper(store, v1.id, payload=zlib.compress(DOC1.replace(b"a", b"z")))
    report = store.check()
    assert not report.ok and any("p1@1" in p and "hash" in p for p in report.problems)
    with pytest.raises(StoreError) as caught:
        store.content(v1.id)
    assert caught.value.code == "store_corrupt"
    _tamper(store, v1.id, payload=zlib.compress(DOC1))
    assert store.check().ok
    _tamper(store, v2.id, author="mallory")
    assert any("p1@2" in p and "altered" in p for p in store.check().problems)


def test_backup_while_writing_and_restore_give_the_same_full_export(store: Store, tmp_path: Path) -> None:
    _, head = store.create_project("p1", "P", DOC1, author="a")
    head, _ = store.commit("p1", head.id, DOC2, author="b")
    store.create_project("p2", "Q", DOC3, author="c")
    store.put_result(head.content_hash, "schedule", None, b"s")
    before = store.dump()
    store.backup(str(tmp_path / "backup.db"))
    with pytest.raises(StoreError):  # never overwrites
        store.backup(str(tmp_path / "backup.db"))
    copy = Store(f"sqlite:///{tmp_path / 'backup.db'}")
    try:
        assert copy.check().ok and copy.dump() == before
    finally:
        copy.close()
    # the store moves on, then goes back to the backup
    store.commit("p1", head.id, DOC3, author="d")
    store.delete_project("p2", author="d")
    store.restore(str(tmp_path / "backup.db"))
    assert store.dump() == before
    assert store.content(store.version("p1").id) == DOC2
    assert store.check().ok


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    store.create_project("p1", "P", DOC1, author="a")
    before = store.dump()
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    for path in (junk, tmp_path / "missing.db"):
        with pytest.raises(StoreError) as caught:
            store.restore(str(path))
        assert caught.value.code == "bad_backup"
    assert store.dump() == before


def test_an_unreachable_or_uninitialised_store_is_a_clear_error(tmp_path: Path) -> None:
    from pmfit.store import open_store

    with pytest.raises(StoreError) as caught:
        open_store(str(tmp_path / "none.db"))
    assert caught.value.code == "store_not_initialised"
    assert not (tmp_path / "none.db").exists()  # looking did not create it
    with pytest.raises(StoreError) as bad:
        open_store("mysql://x/y")
    assert bad.value.code == "bad_store_url"
    with pytest.raises(StoreError) as down:
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert down.value.code == "store_unavailable"


def test_the_url_comes_from_the_argument_then_pmfit_db_then_pmfit_db_file(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    from pmfit.store import resolve_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PMFIT_DB", raising=False)
    assert resolve_url() == f"sqlite:///{tmp_path / 'pmfit.db'}"
    monkeypatch.setenv("PMFIT_DB", "postgres://u@h/db")
    assert resolve_url() == "postgresql+psycopg://u@h/db"
    assert resolve_url("team.db") == f"sqlite:///{tmp_path / 'team.db'}"


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    from pmfit.store import open_store

    store = open_store(str(tmp_path / "s.db"), create=True)
    try:
        with store.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def _keep_writing(url: str, project: str, ack_fd: int, seconds: float) -> None:
    import os
    import time

    store = Store(url)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        head = store.version(project)
        version, _ = store.commit(project, head.id, DOC1 + f"# {n}\n".encode() * (1 + n % 7), author="writer")
        os.write(ack_fd, f"{version.id}\n".encode())
    store.close()


def test_a_backup_taken_while_someone_writes_is_consistent_and_restores(store: Store, tmp_path: Path) -> None:
    import os
    import time

    store.create_project("busy", "Busy", DOC1, author="a")
    url = store.url
    store.close()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_fd)
            _keep_writing(url, "busy", write_fd, 1.5)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        time.sleep(0.4)
        acked_before = set(os.read(read_fd, 1 << 20).decode().split())
        store.backup(str(tmp_path / "busy.db"))
    finally:
        # keep the pipe drained until the writer exits: a full pipe would block it, and waitpid with it
        while os.read(read_fd, 1 << 16):
            pass
        _, status = os.waitpid(pid, 0)
        os.close(read_fd)
    assert os.WEXITSTATUS(status) == 0 and acked_before
    backup = Store(f"sqlite:///{tmp_path / 'busy.db'}")
    try:
        report = backup.check()
        assert report.ok, report.problems
        in_backup = {v.id for v in backup.history("busy")}
        assert acked_before <= in_backup  # everything saved before the backup began is in it
        snapshot = backup.dump()
    finally:
        backup.close()
    assert len(store.history("busy")) >= len(in_backup)
    store.restore(str(tmp_path / "busy.db"))
    assert store.dump() == snapshot
