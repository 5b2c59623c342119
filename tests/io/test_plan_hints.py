"""Issue 12, defect 4: hints for misspelt or foreign field names and for MS Project's link notation."""

from __future__ import annotations

import pytest

from pmfit.io.yamlplan import read_plan_text
from pmfit.model.diagnostics import PlanError, did_you_mean

HEAD = "project: {name: Hints, start: 2027-01-04}\n"


def _messages(text: str) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as err:
        read_plan_text(text, "plan.yaml")
    return [(d.code, d.message) for d in err.value.diagnostics]


def test_did_you_mean_never_suggests_the_word_itself() -> None:
    assert did_you_mean("resources", ["resources", "resource"]) == " — did you mean 'resource'?"
    assert did_you_mean("x", ["x"]) == ""


def test_a_top_level_section_inside_project_is_placed_not_echoed() -> None:
    text = "project: {name: P, start: 2027-01-04, resources: []}\ntasks: [{id: a, duration: 1d}]\n"
    [(code, message)] = _messages(text)
    assert code == "unknown_field"
    assert "did you mean 'resources'" not in message
    assert "'resources' is a top-level section of the plan, not part of 'project'" in message


def test_estimate_synonyms_point_to_the_estimate_fields() -> None:
    text = HEAD + "tasks:\n  - {id: a, estimate: {min: 1d, likely: 2d, max: 4d}}\n"
    hints = {m.split(":")[1].strip(): m for c, m in _messages(text) if c == "unknown_field"}
    assert "did you mean 'optimistic'?" in hints["estimate.min"]
    assert "did you mean 'pessimistic'?" in hints["estimate.max"]
    assert "domain" not in " ".join(hints.values())


def test_predecessors_points_to_after() -> None:
    text = HEAD + "tasks:\n  - {id: a, duration: 1d}\n  - {id: b, duration: 1d, predecessors: [a]}\n"
    [(code, message)] = _messages(text)
    assert code == "unknown_field" and "did you mean 'after'?" in message and "after: [" in message


def test_a_misspelt_field_still_gets_its_near_miss_from_its_own_model() -> None:
    text = HEAD + "tasks:\n  - {id: a, duraton: 1d}\n"
    [(code, message)] = _messages(text)
    assert code == "unknown_field" and message.endswith("did you mean 'duration'?")


@pytest.mark.parametrize(("link", "advice"), [
    ("a FS+50%", "50% of 'a' (4d) is 'a FS+2d'"),
    ("a SS-25%", "25% of 'a' (4d) is 'a SS-1d'"),
    ("aFS+2d", "write 'a FS+2d'"),
])
def test_ms_project_link_notation_is_explained_not_an_unknown_task(link: str, advice: str) -> None:
    text = HEAD + f"tasks:\n  - {{id: a, duration: 4d}}\n  - {{id: b, duration: 1d, after: [\"{link}\"]}}\n"
    problems = _messages(text)
    assert [code for code, _ in problems] == ["bad_link"], problems
    assert advice in problems[0][1]


def test_an_unknown_task_that_only_looks_like_a_link_is_still_unknown() -> None:
    text = HEAD + "tasks:\n  - {id: a, duration: 4d}\n  - {id: b, duration: 1d, after: [\"zz FS+50%\"]}\n"
    assert [code for code, _ in _messages(text)] == ["unknown_task"]
