"""JSON for ``--json``: the text ``json.dumps(data, indent=2)`` gives, in a fraction of the time.

With ``indent``, the standard library encodes in pure Python (its C encoder only
writes compact JSON), which made a 100,000-task ``schedule --json`` spend seconds
in the encoder. Here each mapping whose values are all plain scalars (a table row:
the bulk of every output) is written by the C encoder, with the newline and the
indent put into its item separator; everything else is indented as ``json`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def dumps_indented(data: Any, default: Callable[[Any], Any] | None = None, indent: int = 2) -> str:
    """``json.dumps(data, indent=indent, default=default, ensure_ascii=False)``, the same text."""
    return _encode(data, 0, default, " " * indent)


def _encode(value: Any, level: int, default: Callable[[Any], Any] | None, step: str) -> str:
    kind = type(value)
    if kind in _SCALARS:
        return json.dumps(value, ensure_ascii=False)
    inner = step * (level + 1)
    if kind is dict:
        if not value:
            return "{}"
        if all(type(k) is str for k in value):
            if all(type(v) in _SCALARS for v in value.values()):
                flat = json.dumps(value, ensure_ascii=False, separators=(",\n" + inner, ": "))
                return "{\n" + inner + flat[1:-1] + "\n" + step * level + "}"
            items = [inner + json.dumps(k, ensure_ascii=False) + ": " + _encode(v, level + 1, default, step)
                     for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + step * level + "}"
        return _indented_by_json(value, level, default, step)  # number or None keys: let json name them
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        items = [inner + _encode(v, level + 1, default, step) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + step * level + "]"
    if isinstance(value, (dict, list, tuple, *_SCALARS)):  # subclasses (str enums, ...): json's own rules
        return _indented_by_json(value, level, default, step)
    if default is None:
        raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")
    return _encode(default(value), level, default, step)


def _indented_by_json(value: Any, level: int, default: Callable[[Any], Any] | None, step: str) -> str:
    text = json.dumps(value, indent=len(step), default=default, ensure_ascii=False)
    return text.replace("\n", "\n" + step * level) if level else text
