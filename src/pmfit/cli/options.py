"""Option names shared by every command, and the old spellings kept as hidden aliases for one release.

The rules (issue 12): ``--out/-o FILE`` is the file a command writes (its result), the format follows
the extension and ``--format/-f`` overrides it; ``--plot FILE`` is a chart; ``-n`` is a count
(``--iterations``); an on/off flag shows no type in the help.
"""

from __future__ import annotations

import typer


def old_spelling(old: str, new: str) -> typer.models.OptionInfo:
    """A hidden option that still accepts an old spelling (e.g. ``--to`` for ``--out``)."""
    return typer.Option(None, old, hidden=True, help=f"Old spelling of {new} (kept for one release).")


def either(new_value: str | None, old_value: str | None, new: str, old: str, required: bool = False) -> str | None:
    """The value given with the new or the old spelling; both with different values is a usage error."""
    if new_value is not None and old_value is not None and new_value != old_value:
        raise typer.BadParameter(f"{old} is the old spelling of {new}: give one of them", param_hint=new)
    value = new_value if new_value is not None else old_value
    if value is None and required:
        raise typer.BadParameter("missing: give the file to write, like plan.xml", param_hint=new)
    return value
