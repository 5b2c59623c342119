"""Small edits of a YAML plan file in place: a task's field, the progress section.

Only the bytes of the values that change are touched, so every comment, blank line and
the user's layout stay as they were (the way :mod:`pmfit.io.baselines` edits only its
section). Before anything is written the new text is read back: it must be a valid plan
equal to the plan intended, else nothing is written. The file is replaced atomically
(a crash leaves the old file or the new one) and keeps its permissions.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Plan

#: a value's YAML text, or None to remove the key
Value = str | None


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_value(text: str, node: yaml.Node) -> int:
    """Where the line after a block value starts (comments and blank lines after it excluded)."""
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        newline = text.find("\n", end)
        return len(text) if newline < 0 else newline + 1
    # a block collection ends at the next token: step back over blank and comment-only lines
    end = _line_start(text, end) if text[_line_start(text, end):end].strip() == "" else end
    while end > 0:
        prev = _line_start(text, end - 1)
        line = text[prev:end].strip()
        if line == "" or line.startswith("#"):
            end = prev
        else:
            break
    return end


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def find_key(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def set_key(text: str, node: yaml.Node, key: str, value: Value) -> list[Edit]:
    """Edits that set ``key`` of the mapping ``node`` to the YAML text ``value`` (None removes it)."""
    if not isinstance(node, yaml.MappingNode):
        raise ValueError("not a mapping")
    found = find_key(node, key)
    pairs = node.value
    if found is not None:
        k, v = found
        if value is not None:
            if not isinstance(v, yaml.ScalarNode):
                raise ValueError(f"'{key}' is not a single value")
            if _is_null(v) and v.start_mark.index == v.end_mark.index:
                return [Edit(v.start_mark.index, v.end_mark.index, " " + value)]
            return [Edit(v.start_mark.index, v.end_mark.index, value)]
        at = next(i for i, (kk, _) in enumerate(pairs) if kk is k)
        if node.flow_style:
            if at > 0:
                return [Edit(pairs[at - 1][1].end_mark.index, v.end_mark.index, "")]
            nxt = pairs[1][0].start_mark.index if len(pairs) > 1 else v.end_mark.index
            return [Edit(k.start_mark.index, nxt, "")]
        start = _line_start(text, k.start_mark.index)
        if text[start:k.start_mark.index].strip():  # "- key: v": the key shares its line with the item
            nxt = pairs[at + 1][0].start_mark.index if at + 1 < len(pairs) else None
            if nxt is None:
                raise ValueError(f"cannot remove the only key '{key}' of an item")
            return [Edit(k.start_mark.index, nxt, "")]
        return [Edit(start, _after_value(text, v), "")]
    if value is None:
        return []
    if node.flow_style:
        if pairs:
            return [Edit(pairs[-1][1].end_mark.index, pairs[-1][1].end_mark.index, f", {key}: {value}")]
        close = text.rfind("}", 0, node.end_mark.index)
        return [Edit(close, close, f"{key}: {value}")]
    indent = pairs[0][0].start_mark.column
    where = _after_value(text, pairs[-1][1])
    prefix = "" if where == 0 or text[where - 1] == "\n" else "\n"
    return [Edit(where, where, f"{prefix}{' ' * indent}{key}: {value}\n")]


def _flow(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}"


def _root(text: str) -> yaml.MappingNode:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("a plan file is a mapping with project: and tasks:")
    return root


def task_field_edits(text: str, fields: dict[str, dict[str, Value]]) -> list[Edit]:
    """Edits that set fields of tasks (by id) in the top-level ``tasks:`` list."""
    found = find_key(_root(text), "tasks")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        raise ValueError("the plan has no tasks: list")
    edits: list[Edit] = []
    for item in found[1].value:
        tid = find_key(item, "id")
        if tid is None or not isinstance(tid[1], yaml.ScalarNode) or tid[1].value not in fields:
            continue
        for key, value in fields[tid[1].value].items():
            edits += set_key(text, item, key, value)
    return edits


def progress_edits(text: str, status_date: Value, task: str | None, fields: dict[str, Value]) -> list[Edit]:
    """Edits that set the progress section's status date and one task's entry (fields of it)."""
    root = _root(text)
    present = {k: v for k, v in fields.items() if v is not None}
    found = find_key(root, "progress")
    if found is None or _is_null(found[1]):
        lines = []
        if status_date is not None:
            lines.append(f"  status_date: {status_date}\n")
        if task is not None and present:
            lines.append(f"  tasks:\n    {task}: {_flow(present)}\n")
        block = "".join(lines)
        if found is None:
            prefix = "" if not text or text.endswith("\n") else "\n"
            return [Edit(len(text), len(text), f"{prefix}progress:\n{block}")]
        key, value = found
        end = text.find("\n", key.end_mark.index)
        end = len(text) if end < 0 else end + 1
        tail = text[key.end_mark.index:end]
        keep = tail[tail.index("#"):].rstrip("\n") if "#" in tail else ""
        return [Edit(key.end_mark.index, end, ":" + (f"  {keep}" if keep else "") + "\n" + block)]
    section = found[1]
    if not isinstance(section, yaml.MappingNode):
        raise ValueError("progress: is not a mapping")
    edits: list[Edit] = []
    if status_date is not None:
        edits += set_key(text, section, "status_date", status_date)
    if task is None or not fields:
        return edits
    tasks = find_key(section, "tasks")
    if tasks is None or _is_null(tasks[1]):
        if not present:
            return edits
        return edits + set_key(text, section, "tasks", "{" + f"{task}: {_flow(present)}" + "}")
    entries = tasks[1]
    if not isinstance(entries, yaml.MappingNode):
        raise ValueError("progress.tasks is not a mapping")
    current = find_key(entries, task)
    if current is None or _is_null(current[1]):
        if present:
            edits += set_key(text, entries, task, _flow(present))
        return edits
    entry_node = current[1]
    if not isinstance(entry_node, yaml.MappingNode):
        raise ValueError(f"progress.tasks.{task} is not a mapping")
    for key, value in fields.items():
        edits += set_key(text, entry_node, key, value)
    return edits


def plan_lock(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[None]:
    """The write lock pmfit's writers share for ``path`` (``pmfit.io.atomic.locked``), held around a
    read-modify-write so that two writers queue instead of losing each other's work; nothing to hold
    in a pmfit without that module."""
    try:
        atomic = importlib.import_module("pmfit.io.atomic")
    except ImportError:
        return contextlib.nullcontext()
    lock: contextlib.AbstractContextManager[None] = atomic.locked(path)
    return lock


def write_edits(path: str | os.PathLike[str], text: str, edits: list[Edit], expected: Plan) -> None:
    """Apply ``edits`` to the plan file's ``text`` and write it atomically, only when the result reads
    back as ``expected`` (else a ``bad_file`` error and the file unchanged)."""
    from pmfit.io.baselines import write_atomic
    from pmfit.io.yamlplan import read_plan_text

    newline = "\r\n" if "\r\n" in text else "\n"
    new_text = _apply(text.replace("\r\n", "\n"), edits) if edits else text.replace("\r\n", "\n")
    try:
        again = read_plan_text(new_text, str(path))
    except PlanError as exc:  # a bug in the editor, never the user's fault
        raise PlanError(Diagnostic(
            "bad_file", f"refusing to write: the edited plan would not read back ({exc.diagnostics[0].message}); "
            "the file was not changed", file=str(path))) from None
    if again != expected:
        raise PlanError(Diagnostic(
            "bad_file", "refusing to write: the edit would change more of the plan than intended; the file "
            "was not changed", file=str(path)))
    write_atomic(new_text.replace("\n", newline) if newline != "\n" else new_text, Path(path))


def edit_text(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` applied (for tests and previews)."""
    return _apply(text, edits)
