"""The workspace on both backends: imports, merges, conflicts, baselines, progress, results."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.store.conftest import SMALL_PLAN

from pmfit.workspace import EditConflict, Workspace


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_an_imported_yaml_file_is_kept_byte_for_byte_and_reimport_is_the_same_version(
        workspace: Workspace, tmp_path: Path) -> None:
    saved = workspace.import_bytes(SMALL_PLAN.encode(), "Small Plan.yaml", author="alice")
    assert saved.created and saved.version.label == "small-plan@1" and saved.report is not None
    assert workspace.text(saved.version) == SMALL_PLAN  # comments included
    out = tmp_path / "out.yaml"
    workspace.export("small-plan", None, out)
    assert out.read_text(encoding="utf-8") == SMALL_PLAN
    again = workspace.import_file(out, project_id="small-plan", author="bob")
    assert not again.created and again.version.id == saved.version.id
    with pytest.raises(Exception) as exists:
        workspace.import_bytes(SMALL_PLAN.encode(), "small-plan.yaml")
    assert getattr(exists.value, "code", None) == "project_exists"


def test_a_non_yaml_import_is_stored_as_yaml_and_round_trips_to_the_same_hash(
        workspace: Workspace, tmp_path: Path) -> None:
    import json

    from pmfit.io.yamlplan import parse_yaml

    data, _ = parse_yaml(SMALL_PLAN)
    saved = workspace.import_bytes(json.dumps(data, default=str).encode(), "plan.json", author="a")
    assert workspace.get("plan").plan.task("b").after[0].task == "a"
    out = tmp_path / "plan.yaml"
    workspace.export("plan", "1", out)
    again = workspace.import_file(out, project_id="plan")
    assert not again.created and again.version.content_hash == saved.version.content_hash


def test_stale_changes_to_different_tasks_merge_and_record_their_base(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    text = workspace.text(v1)
    bob = workspace.commit("p", v1.id, text=_edit(text, "duration: 3d", "duration: 4d"), author="bob")
    carol = workspace.commit("p", v1.id, text=_edit(text, "name: Docs", "name: Documentation"), author="carol")
    assert not bob.merged and carol.merged and carol.version.number == 3
    assert carol.version.base_id == v1.id and carol.version.parent_id == bob.version.id
    plan = workspace.get("p").plan
    assert str(plan.task("a").duration) == "4d" and plan.task("c").name == "Documentation"


def test_the_same_field_from_a_stale_version_is_a_conflict_naming_who_when_and_what(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    text = workspace.text(v1)
    bob = workspace.commit("p", v1.id, text=_edit(text, "duration: 5d", "duration: 8d"), author="bob",
                           message="more build time")
    with pytest.raises(EditConflict) as caught:
        workspace.commit("p", v1.id, text=_edit(text, "duration: 5d", "duration: 6d"), author="dave")
    conflict = caught.value
    assert conflict.codes == ["edit_conflict"] and conflict.head.id == bob.version.id
    [field] = conflict.conflicts
    assert (field.entity, field.id, field.field) == ("task", "b", "duration")
    assert (field.base, field.theirs, field.yours) == ("5d", "8d", "6d")
    assert field.changed_by == "bob" and field.changed_in == "p@2"
    assert field.changed_at == bob.version.created_at
    assert [c.change.describe() for c in conflict.changes_since] == ["task 'b': duration 5d → 8d"]
    assert conflict.to_dict()["conflicts"][0]["changed_by"] == "bob"
    assert workspace.version("p").id == bob.version.id  # nothing was saved


def test_a_merge_that_would_make_the_plan_invalid_is_a_conflict(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    text = workspace.text(v1)
    # they remove task c (and the link to it); you make a new link to c
    removed = _edit(_edit(text, "  - {id: c, name: Docs, duration: 2d, after: [a]}\n", ""), "after: [b, c]",
                    "after: [b]")
    workspace.commit("p", v1.id, text=removed, author="bob")
    with pytest.raises(EditConflict) as caught:
        workspace.commit("p", v1.id, text=_edit(text, "duration: 5d, after: [a]", "duration: 5d, after: [a, c]"),
                         author="dave")
    assert caught.value.conflicts == []
    [problem] = caught.value.diagnostics
    assert problem.code == "edit_conflict" and "merged, the plan would be invalid" in problem.message
    assert "'c'" in problem.message and problem.task == "b"
    assert len(workspace.history("p")) == 2


def test_an_invalid_document_is_refused_before_it_reaches_the_store(workspace: Workspace) -> None:
    from pmfit.model.diagnostics import PlanError

    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    with pytest.raises(PlanError) as caught:
        workspace.commit("p", v1.id, text=_edit(workspace.text(v1), "after: [a]}", "after: [zz]}"), author="x")
    assert "unknown_task" in caught.value.codes
    assert len(workspace.history("p")) == 1


def test_baselines_and_progress_are_versions_too(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    base = workspace.save_baseline("p", v1.id, "approved", author="pm")
    assert base.version.kind == "baseline" and base.version.number == 2
    snapshot = workspace.get("p")
    assert [b.name for b in snapshot.plan.baselines] == ["approved"]
    assert snapshot.text.startswith(SMALL_PLAN)  # the user's text stays, the baseline is appended
    progress = workspace.record_progress("p", base.version.id, {"status_date": "2027-01-08",
                                                                "tasks": {"a": {"percent_complete": 100, "actual_start": "2027-01-04",
                                                                                  "actual_finish": "2027-01-06"}}},
                                         author="pm")
    assert progress.version.kind == "progress" and "2027-01-08" in progress.version.message
    plan = workspace.get("p").plan
    assert plan.progress is not None and plan.progress.tasks["a"].percent_complete == 100
    assert [b.name for b in plan.baselines] == ["approved"]
    assert [v.kind for v in workspace.history("p")] == ["progress", "baseline", "import"]
    from pmfit.model.diagnostics import PlanError

    with pytest.raises(PlanError) as invalid:  # progress that contradicts itself is never saved
        workspace.record_progress("p", progress.version.id, {"tasks": {"b": {"percent_complete": 100}}})
    assert "bad_progress" in invalid.value.codes and len(workspace.history("p")) == 3


def test_diff_and_revert(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    workspace.commit("p", v1.id, text=_edit(workspace.text(v1), "duration: 5d", "duration: 7d"), author="bob")
    diff = workspace.diff("p", 1, 2)
    assert [(c.id, c.field) for c in diff.changes] == [("b", "duration")]
    assert diff.new_finish > diff.old_finish
    assert [c.describe() for c in workspace.changes("p", 1, 2)] == ["task 'b': duration 5d → 7d"]
    back = workspace.revert("p", 1, author="alice")
    assert back.version.number == 3 and back.version.content_hash == v1.content_hash


def test_results_are_computed_once_per_document_and_params(workspace: Workspace) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    calls: list[int] = []

    def compute(plan: object) -> bytes:
        calls.append(1)
        return f"{len(plan.tasks)} tasks".encode()  # type: ignore[attr-defined]

    assert workspace.result("p", None, "count", {"n": 1}, compute) == b"5 tasks"
    assert workspace.result("p", "1", "count", {"n": 1}, compute) == b"5 tasks"
    assert len(calls) == 1
    workspace.result("p", None, "count", {"n": 2}, compute)
    assert len(calls) == 2
    assert workspace.cached_result(v1, "count", {"n": 2}) == b"5 tasks"
    workspace.drop_results()
    workspace.result("p", None, "count", {"n": 1}, compute)
    assert len(calls) == 3


def test_an_uploaded_file_name_is_only_a_hint(workspace: Workspace) -> None:
    saved = workspace.import_bytes(SMALL_PLAN.encode(), "../../etc/Release Plan.yaml", author="web")
    assert saved.version.project_id == "release-plan" and saved.version.source == "Release Plan.yaml"
    for name in ("..", "", "con\x00.yaml"):
        other = workspace.import_bytes(SMALL_PLAN.replace("Store test", "Other").encode(), name,
                                       project_id=f"p{len(name)}")
        assert other.created


def test_a_plan_object_is_saved_and_merged_like_text(workspace: Workspace) -> None:
    from pmfit.model.diagnostics import PlanError
    from pmfit.model.duration import Duration
    from pmfit.model.plan import Link

    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    plan = workspace.get("p").plan
    longer = plan.model_copy(update={"tasks": [t.model_copy(update={"duration": Duration(9, "d")})
                                               if t.id == "d" else t for t in plan.tasks]})
    workspace.commit("p", v1.id, text=workspace.text(v1).replace("name: Docs", "name: Manual"), author="bob")
    merged = workspace.commit("p", v1.id, plan=longer, author="carol")
    assert merged.merged and merged.version.number == 3
    now = workspace.get("p").plan
    assert str(now.task("d").duration) == "9d" and now.task("c").name == "Manual"
    broken = now.model_copy(update={"tasks": [t.model_copy(update={"after": [Link(task="ghost")]})
                                              if t.id == "d" else t for t in now.tasks]})
    with pytest.raises(PlanError) as caught:
        workspace.commit("p", merged.version.id, plan=broken, author="x")
    assert "unknown_task" in caught.value.codes and len(workspace.history("p")) == 3


@pytest.mark.parametrize(("body", "name", "code"), [
    (b"project: {name: X, start: 2027-01-04}\ntasks:\n  - {id: a, duration: -3d}\n", "bad.yaml", "negative_duration"),
    (b"<Project><Tasks><Task>", "plan.xml", "bad_xml"),
])
def test_an_upload_is_named_as_sent_never_by_the_servers_scratch_folder(
        workspace: Workspace, body: bytes, name: str, code: str) -> None:
    from pmfit.model.diagnostics import PlanError

    with pytest.raises(PlanError) as refused:
        workspace.import_bytes(body, name)
    problem = refused.value.diagnostics[0]
    assert problem.code == code and problem.file == name
    assert "pmfit-import-" not in str(refused.value)
    saved = workspace.import_bytes(SMALL_PLAN.encode(), "Small Plan.yaml")
    assert saved.report is not None and saved.report.source == "Small Plan.yaml"
    assert all("pmfit-import-" not in str(w) for w in saved.report.warnings)


def test_a_stale_edit_is_merged_before_the_store_is_locked_and_again_inside_only_if_overtaken(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    v1 = workspace.import_bytes(SMALL_PLAN.encode(), "p.yaml", author="alice").version
    text = workspace.text(v1)
    workspace.commit("p", v1.id, text=_edit(text, "duration: 3d", "duration: 4d"), author="bob")
    # the store is asked to save onto the head it already merged onto: no merge with the lock held
    calls: list[tuple[str, bool]] = []
    commit = workspace.store.commit

    def spy(project_id: str, base: str, document: bytes, **kw: object) -> object:
        rebase = kw.get("rebase")

        def watched(head: str) -> bytes:
            calls.append((head, True))
            return rebase(head)  # type: ignore[operator, no-any-return]

        calls.append((base, False))
        return commit(project_id, base, document, **{**kw, "rebase": watched})  # type: ignore[arg-type]

    monkeypatch.setattr(workspace.store, "commit", spy)
    carol = workspace.commit("p", v1.id, text=_edit(text, "name: Docs", "name: Documentation"), author="carol")
    assert carol.merged and calls == [(workspace.history("p")[1].id, False)]
    # overtaken between that merge and the save: the store merges again, from carol's base, and keeps all three
    merged = workspace._merged

    def someone_saves_meanwhile(project_id: str, base_id: str, head_id: str, yours: dict) -> str:
        out = merged(project_id, base_id, head_id, yours)
        if not calls[1:]:
            calls.append(("erin", False))
            commit("p", head_id, _edit(workspace.text(workspace.version("p")), "name: Test", "name: QA").encode(),
                   author="erin")
        return out

    monkeypatch.setattr(workspace, "_merged", someone_saves_meanwhile)
    dave = workspace.commit("p", v1.id, text=_edit(text, "duration: 2d, after: [b, c]",
                                                   "duration: 1d, after: [b, c]"), author="dave")
    assert dave.merged and any(inside for _, inside in calls[2:])  # merged again with the lock held
    plan = workspace.get("p").plan
    assert (str(plan.task("a").duration), plan.task("c").name, plan.task("d").name) == ("4d", "Documentation", "QA")
    assert str(plan.task("d").duration) == "1d" and dave.version.base_id == v1.id
