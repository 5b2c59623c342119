"""Helpers the command tables share, each linear in the plan's size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


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


#: Past this many rows a table prints as plain aligned columns: Rich lays out every cell of every
#: row through its measuring and wrapping machinery (7 s of CPU for 10,000 rows), which a table
#: this long gains nothing from.
PLAIN_TABLE_ROWS = 2_000


def plain_table(table: Any) -> str:
    """A Rich ``Table`` as aligned text columns: title, header, one line per row (no styles, no wrapping)."""
    columns = [[str(column.header), *(str(cell) for cell in column.cells)] for column in table.columns]
    widths = [max((len(cell) for cell in cells), default=0) for cells in columns]
    justify = [column.justify for column in table.columns]

    def cell(text: str, width: int, how: str) -> str:
        if how == "right":
            return text.rjust(width)
        if how == "center":
            return text.center(width)
        return text.ljust(width)

    lines = [str(table.title)] if table.title else []
    for r in range(len(columns[0]) if columns else 0):
        lines.append("  ".join(cell(cells[r], w, j) for cells, w, j in zip(columns, widths, justify, strict=True))
                     .rstrip())
        if r == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def results_console(**options: Any) -> Any:
    """The console commands print results on: Rich's, with very long tables printed plain."""
    from rich.console import Console
    from rich.table import Table

    class ResultsConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            if len(objects) == 1 and isinstance(objects[0], Table) and objects[0].row_count > PLAIN_TABLE_ROWS:
                self.file.write(plain_table(objects[0]))
                return
            super().print(*objects, **kwargs)

    return ResultsConsole(**options)
