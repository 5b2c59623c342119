"""The Python API: what the CLI and the web call, and what a notebook uses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmfit.engine.schedule import Schedule
    from pmfit.model.plan import Plan


def load(path: str | os.PathLike[str]) -> Plan:
    """Read a plan file of any supported format (detected by content) and validate it.

    Raises :class:`pmfit.PlanError` with located diagnostics on bad input.
    """
    from pmfit.io.formats import load as _load

    return _load(path)


def loads(text: str, filename: str | None = None) -> Plan:
    """Parse YAML plan text."""
    from pmfit.io.yamlplan import read_plan_text

    return read_plan_text(text, filename)


def save(plan: Plan, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a plan; the format follows the extension (``.yaml``, ``.json``, ...)."""
    from pmfit.io.formats import export_file

    export_file(plan, path, format)


def dumps(plan: Plan) -> str:
    """The plan as YAML text."""
    from pmfit.io.yamlplan import write_plan_text

    return write_plan_text(plan)


def schedule(plan: Plan) -> Schedule:
    """Schedule a plan by the critical path method (dates, floats, critical path)."""
    from pmfit.engine.schedule import schedule as _schedule

    return _schedule(plan)


def validate(plan: Plan) -> list:  # type: ignore[type-arg]
    """Every diagnostic for a plan (empty when it is clean)."""
    from pmfit.model.validate import validate_plan

    return validate_plan(plan)
