"""Helpers the command tables share, each linear in the plan's size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class _Outlined(Protocol):
    id: str
    parent: str | None


def outline_depths(tasks: Iterable[_Outlined]) -> dict[str, int]:
    """How deep each task sits in the WBS (0 for a top-level task), for indenting table rows.

    Each summary's depth is worked out once and remembered, so a whole plan costs time
    linear in its tasks (asking every row's ancestors anew was quadratic on deep plans).
    A parent cycle (refused by validation) stops where it repeats.
    """
    parent = {t.id: t.parent for t in tasks}
    depth: dict[str, int] = {}
    for task_id in parent:
        if task_id in depth:
            continue
        walk: list[str] = []
        on_walk: set[str] = set()
        node: str | None = task_id
        while node is not None and node not in depth and node not in on_walk:
            walk.append(node)
            on_walk.add(node)
            node = parent.get(node) if node in parent else None
        above = depth[node] + 1 if node is not None and node in depth else 0
        for offset, name in enumerate(reversed(walk)):
            depth[name] = above + offset
    return depth


_last_outline: list[tuple[object, dict[str, int]]] = []


def outline_depths_of(plan: object) -> dict[str, int]:
    """:func:`outline_depths` of ``plan.tasks``, worked out once for the plan a command is printing."""
    if _last_outline and _last_outline[0][0] is plan:
        return _last_outline[0][1]
    depths = outline_depths(plan.tasks)  # type: ignore[attr-defined]
    _last_outline[:] = [(plan, depths)]
    return depths
