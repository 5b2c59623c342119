"""``pmfit db ...`` end to end (in-process), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.store.conftest import SMALL_PLAN
from typer.testing import CliRunner, Result


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    reset_consoles()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    reset_consoles()
    return result


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "release-plan.yaml"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


def test_the_db_commands_from_import_to_restore(store_url: str, plan_file: Path, tmp_path: Path) -> None:
    db = ["db", "--db", store_url]
    assert run(*db, "init").exit_code == 0
    imported = run(*db, "import", str(plan_file), "--author", "alice", "--json")
    assert imported.exit_code == 0, imported.output
    [first] = json.loads(imported.stdout)
    assert first["created"] and first["version"]["project"] == "release-plan"
    # a second version, then history, show, diff
    plan_file.write_text(SMALL_PLAN.replace("duration: 5d", "duration: 8d"), encoding="utf-8")
    assert run(*db, "import", str(plan_file), "-m", "longer build", "--author", "bob").exit_code == 0
    history = json.loads(run(*db, "history", "release-plan", "--json").stdout)
    assert [(v["number"], v["author"], v["message"]) for v in history] == [
        (2, "bob", "longer build"), (1, "alice", "import release-plan.yaml")]
    shown = json.loads(run(*db, "show", "release-plan@1", "--json").stdout)
    assert shown["number"] == 1 and shown["tasks"] == 5
    document = run(*db, "show", "release-plan@1", "--document")
    assert document.stdout == SMALL_PLAN
    diff = json.loads(run(*db, "diff", "release-plan", "1", "2", "--json").stdout)
    assert [(c["id"], c["field"], c["old"], c["new"]) for c in diff["changes"]] == [("b", "duration", "5d", "8d")]
    listed = json.loads(run("db", "list", "--json", "--db", store_url).stdout)  # --db after the command too
    assert [(p["id"], p["head_number"]) for p in listed] == [("release-plan", 2)]
    # export and import again: the same version
    out = tmp_path / "exported.yaml"
    assert run(*db, "export", "release-plan@1", "--to", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == SMALL_PLAN
    again = json.loads(run(*db, "import", str(out), "-p", "release-plan", "--json").stdout)
    assert again[0]["version"]["number"] == 3 and again[0]["version"]["content_hash"] == first["version"]["content_hash"]
    again = json.loads(run(*db, "import", str(out), "-p", "release-plan", "--json").stdout)
    assert not again[0]["created"] and again[0]["version"]["number"] == 3
    # backup, change, restore
    backup = tmp_path / "backup.db"
    assert run(*db, "backup", str(backup)).exit_code == 0
    assert run(*db, "delete", "release-plan").exit_code == 0
    assert json.loads(run(*db, "list", "--json").stdout) == []
    assert run(*db, "restore", str(backup), "--yes").exit_code == 0
    assert [p["id"] for p in json.loads(run(*db, "list", "--json").stdout)] == ["release-plan"]
    checked = run(*db, "check", "--json")
    assert checked.exit_code == 0 and json.loads(checked.stdout)["versions"] == 3


def test_bad_input_is_a_message_and_exit_1_never_a_traceback(store_url: str, tmp_path: Path, plan_file: Path) -> None:
    db = ["db", "--db", store_url]
    for args, code in ((["show", "nothing"], "unknown_project"), (["history", "nothing"], "unknown_project"),
                       (["import", str(tmp_path / "missing.yaml")], None)):
        result = run(*db, *args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        if code:
            assert code in result.stderr
    assert run(*db, "import", str(plan_file)).exit_code == 0
    missing_version = run(*db, "show", "release-plan@9")
    assert missing_version.exit_code == 1 and "unknown_version" in missing_version.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_PLAN.replace("after: [a]}", "after: [zz]}"), encoding="utf-8")
    invalid = run(*db, "import", str(bad), "-p", "release-plan")
    assert invalid.exit_code == 1 and "unknown_task" in invalid.stderr


def test_pmfit_db_comes_from_the_environment_and_a_missing_store_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    missing = run("db", "list", env={"PMFIT_DB": url})
    assert missing.exit_code == 1 and "store_not_initialised" in missing.stderr and "pmfit db init" in missing.stderr
    assert run("db", "init", env={"PMFIT_DB": url}).exit_code == 0
    assert run("db", "list", "--json", env={"PMFIT_DB": url}).stdout.strip() == "[]"


def test_check_fails_with_exit_1_on_a_damaged_store(tmp_path: Path, plan_file: Path) -> None:
    import sqlite3

    url = f"sqlite:///{tmp_path / 'damaged.db'}"
    assert run("db", "--db", url, "init").exit_code == 0
    assert run("db", "--db", url, "import", str(plan_file)).exit_code == 0
    with sqlite3.connect(tmp_path / "damaged.db") as conn:
        conn.execute("UPDATE versions SET message = 'rewritten history'")
    result = run("db", "--db", url, "check")
    assert result.exit_code == 1 and "altered" in result.stderr
