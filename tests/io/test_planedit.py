"""In-place edits of a YAML plan file: only the values that change are touched."""

from __future__ import annotations

from pathlib import Path

import pmfit
from pmfit.io.planedit import edit_text, progress_edits, task_field_edits


def test_flow_and_block_tasks_insert_replace_remove() -> None:
    text = ("tasks:\n  - {id: a, duration: 1d}  # flow\n  - id: b\n    duration: 2d\n    after: [a]\n"
            "  # next\n  - id: c\n    needs:\n      dev: 1\n\n# end\n")
    added = edit_text(text, task_field_edits(text, {"a": {"x": "1d"}, "b": {"x": "2d"}, "c": {"x": "3d"}}))
    assert added == ("tasks:\n  - {id: a, duration: 1d, x: 1d}  # flow\n  - id: b\n    duration: 2d\n"
                     "    after: [a]\n    x: 2d\n  # next\n  - id: c\n    needs:\n      dev: 1\n    x: 3d\n\n# end\n")
    changed = edit_text(added, task_field_edits(added, {"a": {"x": "5d"}, "b": {"x": "6d"}}))
    assert "x: 5d}" in changed and "    x: 6d\n" in changed
    removed = edit_text(added, task_field_edits(added, {t: {"x": None} for t in "abc"}))
    assert removed == text


def test_progress_section_added_or_filled() -> None:
    base = "project: {name: P, start: 2027-01-04}\ntasks:\n  - {id: a, duration: 1d}\n"
    new = edit_text(base, progress_edits(base, "2027-01-05", "a", {"percent_complete": "50"}))
    assert new == base + "progress:\n  status_date: 2027-01-05\n  tasks:\n    a: {percent_complete: 50}\n"
    empty = base + "progress:   # to come\n"
    filled = edit_text(empty, progress_edits(empty, "2027-01-05", "a", {"percent_complete": "50"}))
    assert filled.startswith(base + "progress:  # to come\n  status_date: 2027-01-05\n")
    flow = base + "progress: {status_date: 2027-01-04, tasks: {}}\n"
    out = edit_text(flow, progress_edits(flow, "2027-01-05", "a", {"percent_complete": "50"}))
    assert out == base + "progress: {status_date: 2027-01-05, tasks: {a: {percent_complete: 50}}}\n"


def test_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    text = "project: {name: P, start: 2027-01-04}\r\ntasks:\r\n  - {id: a, duration: 1d}\r\n"
    path.write_bytes(text.encode())
    pmfit.save_progress(path, "a", percent=50, status_date=pmfit.load(path).project.start)
    data = path.read_bytes().decode()
    assert data.startswith(text) and "\r\nprogress:\r\n" in data and "\n" not in data.replace("\r\n", "")
