"""3-way merge of plan data at task and field level (no database)."""

from __future__ import annotations

import copy
from typing import Any

from pmfit.workspace.merge import EXISTS, MISSING, changes, flatten, merge3, unflatten

BASE: dict[str, Any] = {
    "version": 1,
    "project": {"name": "P", "start": "2027-01-04"},
    "resources": [{"id": "dev", "units": 2.0}, {"id": "qa", "units": 1.0}],
    "tasks": [
        {"id": "a", "duration": "3d", "needs": {"dev": 1.0}},
        {"id": "b", "duration": "5d", "after": ["a"]},
        {"id": "c", "duration": "2d", "after": ["a"], "tags": ["x"]},
    ],
    "risks": [{"id": "r", "probability": 0.3, "delays": {"b": "2d"}}],
}


def edit(**changes_: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for task_id, fields in changes_.items():
        task = next(t for t in data["tasks"] if t["id"] == task_id)
        task.update(fields)
    return data


def test_flatten_and_unflatten_are_inverse() -> None:
    assert unflatten(flatten(BASE)) == BASE


def test_changes_to_different_tasks_merge() -> None:
    result = merge3(BASE, edit(a={"duration": "4d"}), edit(c={"name": "Docs"}))
    assert not result.conflicts
    tasks = {t["id"]: t for t in result.data["tasks"]}
    assert tasks["a"]["duration"] == "4d" and tasks["c"]["name"] == "Docs"


def test_changes_to_different_fields_of_one_task_merge() -> None:
    result = merge3(BASE, edit(b={"duration": "6d"}), edit(b={"name": "Build it"}))
    assert not result.conflicts
    assert result.data["tasks"][1] == {"id": "b", "duration": "6d", "after": ["a"], "name": "Build it"}


def test_the_same_field_changed_differently_is_a_conflict_never_a_silent_win() -> None:
    result = merge3(BASE, edit(a={"duration": "4d"}), edit(a={"duration": "6d"}))
    [conflict] = result.conflicts
    assert (conflict.entity, conflict.id, conflict.field) == ("task", "a", "duration")
    assert (conflict.base, conflict.theirs, conflict.yours) == ("3d", "4d", "6d")


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    result = merge3(BASE, edit(a={"duration": "4d"}), edit(a={"duration": "4d"}))
    assert not result.conflicts and result.data["tasks"][0]["duration"] == "4d"


def test_links_and_needs_merge_per_predecessor_and_resource() -> None:
    theirs = edit(b={"after": ["a", "c"]})
    yours = edit(b={"after": ["a", "x SS+1d"]}, a={"needs": {"dev": 1.0, "qa": 0.5}})
    result = merge3(BASE, theirs, yours)
    assert not result.conflicts
    tasks = {t["id"]: t for t in result.data["tasks"]}
    assert tasks["b"]["after"] == ["a", "c", "x SS+1d"]
    assert tasks["a"]["needs"] == {"dev": 1.0, "qa": 0.5}
    # the same link changed differently (its lag) conflicts
    clash = merge3(BASE, edit(b={"after": ["a FS+1d"]}), edit(b={"after": ["a FS+2d"]}))
    assert [(c.id, c.field) for c in clash.conflicts] == [("b", "after:a")]


def test_added_tasks_on_both_sides_are_kept_in_a_sensible_order() -> None:
    theirs = copy.deepcopy(BASE)
    theirs["tasks"].append({"id": "t1", "duration": "1d"})
    yours = copy.deepcopy(BASE)
    yours["tasks"].insert(1, {"id": "y1", "duration": "1d"})
    result = merge3(BASE, theirs, yours)
    assert [t["id"] for t in result.data["tasks"]] == ["a", "y1", "b", "c", "t1"]


def test_removed_on_one_side_and_changed_on_the_other_conflicts() -> None:
    theirs = copy.deepcopy(BASE)
    theirs["tasks"] = [t for t in theirs["tasks"] if t["id"] != "c"]
    result = merge3(BASE, theirs, edit(c={"duration": "9d"}))
    assert [(c.id, c.field, c.theirs) for c in result.conflicts] == [("c", EXISTS, MISSING)]
    # removed there and untouched here: removed
    clean = merge3(BASE, theirs, edit(a={"duration": "9d"}))
    assert not clean.conflicts and [t["id"] for t in clean.data["tasks"]] == ["a", "b"]


def test_project_resources_and_risks_merge_by_field() -> None:
    theirs = copy.deepcopy(BASE)
    theirs["project"]["name"] = "New name"
    theirs["risks"][0]["probability"] = 0.5
    yours = copy.deepcopy(BASE)
    yours["resources"][1]["units"] = 3.0
    yours["risks"][0]["delays"] = {"b": "2d", "c": "1d"}
    result = merge3(BASE, theirs, yours)
    assert not result.conflicts
    assert result.data["project"]["name"] == "New name"
    assert result.data["resources"][1] == {"id": "qa", "units": 3.0}
    assert result.data["risks"][0] == {"id": "r", "probability": 0.5, "delays": {"b": "2d", "c": "1d"}}


def test_changes_lists_every_field_that_differs() -> None:
    new = edit(a={"duration": "4d"})
    new["tasks"].append({"id": "z"})
    found = {(c.entity, c.id, c.field, str(c.old), str(c.new)) for c in changes(BASE, new)}
    assert found == {("task", "a", "duration", "3d", "4d"), ("task", "z", EXISTS, "(none)", "True")}


def test_a_conflict_reads_as_the_plan_file_writes_values_never_as_python_reprs() -> None:
    import datetime as dt

    theirs = edit(a={"constraint": {"type": "snet", "date": dt.date(2027, 3, 26)}, "milestone": True})
    yours = edit(a={"constraint": {"type": "mso", "date": dt.datetime(2027, 3, 29, 9, 0)}, "milestone": False})
    text = "; ".join(c.describe() for c in merge3(BASE, theirs, yours).conflicts)
    assert "constraint (none); changed to {type: snet, date: 2027-03-26}" in text.replace(" was ", " ")
    assert "your change sets {type: mso, date: 2027-03-29 09:00}" in text
    assert "milestone (none); changed to true" in text.replace(" was ", " ")
    assert "datetime" not in text and "True" not in text and "'" not in text.replace("task 'a'", "")
