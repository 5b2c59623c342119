"""Diff and 3-way merge of plan documents, at the level of tasks and their fields.

Both work on a plan's canonical data (``pmfit.io.yamlplan.plan_to_data``), flattened into
*entities* — the project header, each task, resource, risk and stakeholder by id, progress per
task, each baseline by name — and their *fields*. A task's links (``after``) and resource needs
(``needs``) are one field per predecessor or resource, and a risk's ``delays`` one per task, so
that two people adding different links to the same task both keep theirs.

Merging ``yours`` (a change made on ``base``) into ``theirs`` (what was saved since):
a field changed on one side only takes that side's value; changed on both sides to the same value
is fine; changed on both sides to different values is a :class:`FieldConflict` — never a silent
winner. An entity deleted on one side and changed on the other is a conflict too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: field name standing for the entity itself (added or removed)
EXISTS = "(exists)"
_KEYED_LISTS = {"tasks": ("task", "id"), "resources": ("resource", "id"), "risks": ("risk", "id"),
                "stakeholders": ("stakeholder", "name"), "baselines": ("baseline", "name")}
#: sub-mappings split into one field per key (links are a list, keyed by predecessor)
_SPLIT = {"task": ("after", "needs"), "risk": ("delays",)}
_WHOLE = "(value)"


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()
Key = tuple[str, str]  # (entity kind, id)
Fields = dict[str, Any]


def _link_target(link: Any) -> str:
    if isinstance(link, dict):
        return str(link.get("task", ""))
    text = str(link).strip()
    parts = text.split()
    # "design SS+2d": the last word is the type and lag when it looks like one
    if len(parts) > 1 and parts[-1][:2].upper() in ("FS", "SS", "FF", "SF"):
        return " ".join(parts[:-1])
    return text


def _fields(kind: str, item: dict[str, Any]) -> Fields:
    out: Fields = {}
    split = _SPLIT.get(kind, ())
    for name, value in item.items():
        if name in split and name == "after" and isinstance(value, (list, str, dict)):
            links = value if isinstance(value, list) else [value]
            for link in links:
                out[f"after:{_link_target(link)}"] = link
        elif name in split and isinstance(value, dict):
            for sub, sub_value in value.items():
                out[f"{name}:{sub}"] = sub_value
        else:
            out[str(name)] = value
    return out


def flatten(data: dict[str, Any]) -> dict[Key, Fields]:
    """Plan data -> {(kind, id): {field: value}}, in document order."""
    out: dict[Key, Fields] = {}
    for top, value in data.items():
        if top in _KEYED_LISTS and isinstance(value, list) and all(
                isinstance(item, dict) and _KEYED_LISTS[top][1] in item for item in value):
            kind, key = _KEYED_LISTS[top]
            for item in value:
                out[(kind, str(item[key]))] = {_WHOLE: item} if kind == "baseline" else _fields(kind, item)
        elif top == "project" and isinstance(value, dict):
            out[("project", "")] = dict(value)
        elif top == "progress" and isinstance(value, dict):
            head = {k: v for k, v in value.items() if k != "tasks"}
            out[("progress", "")] = head
            for task_id, entry in (value.get("tasks") or {}).items():
                out[("progress-task", str(task_id))] = dict(entry) if isinstance(entry, dict) else {_WHOLE: entry}
        else:
            out[("document", str(top))] = {_WHOLE: value}
    return out


def unflatten(entities: dict[Key, Fields]) -> dict[str, Any]:
    """The inverse of :func:`flatten` (entity and field order as given)."""
    data: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {}
    for (kind, ident), fields in entities.items():
        if kind == "document":
            data[ident] = fields[_WHOLE]
        elif kind == "project":
            data["project"] = dict(fields)
        elif kind == "progress":
            data.setdefault("progress", {}).update(fields)
        elif kind == "progress-task":
            progress = data.setdefault("progress", {})
            progress.setdefault("tasks", {})[ident] = fields.get(_WHOLE, fields) if _WHOLE in fields else dict(fields)
        else:
            top = next(t for t, (k, _) in _KEYED_LISTS.items() if k == kind)
            if top not in data:
                data[top] = lists.setdefault(top, [])
            lists[top].append(fields[_WHOLE] if kind == "baseline" else _item(fields))
    return data


def _item(fields: Fields) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for name, value in fields.items():
        group, sep, sub = name.partition(":")
        if sep and group == "after":
            item.setdefault("after", []).append(value)
        elif sep and group in ("needs", "delays"):
            item.setdefault(group, {})[sub] = value
        else:
            item[name] = value
    return item


@dataclass(frozen=True)
class FieldChange:
    """One field of one entity that differs: ``field`` is ``(exists)`` for an added or removed entity."""

    entity: str
    id: str
    field: str
    old: Any
    new: Any

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.entity, self.id, self.field)

    def describe(self) -> str:
        what = f"{self.entity} '{self.id}'" if self.id else self.entity
        if self.field == EXISTS:
            return f"{what} {'added' if self.old is MISSING else 'removed'}"
        return f"{what}: {self.field} {_show(self.old)} → {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field,
                "old": _jsonable(self.old), "new": _jsonable(self.new)}


@dataclass(frozen=True)
class FieldConflict:
    """The same field changed differently by you and by someone since your base version."""

    entity: str
    id: str
    field: str
    base: Any
    theirs: Any
    yours: Any
    changed_by: str | None = None
    changed_at: dt.datetime | None = None
    changed_in: str | None = None

    def describe(self) -> str:
        what = f"{self.entity} '{self.id}'" if self.id else self.entity
        who = ""
        if self.changed_by:
            when = f" at {self.changed_at:%Y-%m-%d %H:%M} UTC" if self.changed_at else ""
            where = f" in {self.changed_in}" if self.changed_in else ""
            who = f" by {self.changed_by}{when}{where}"
        if self.field == EXISTS:
            gone = "removed" if self.theirs is MISSING else "changed"
            return (f"{what} was {gone}{who}, and your change "
                    f"{'removes' if self.yours is MISSING else 'edits'} it")
        return (f"{what}: {self.field} was {_show(self.base)}; changed to {_show(self.theirs)}{who}; "
                f"your change sets {_show(self.yours)}")

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "field": self.field, "base": _jsonable(self.base),
                "theirs": _jsonable(self.theirs), "yours": _jsonable(self.yours), "changed_by": self.changed_by,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None,
                "changed_in": self.changed_in}


@dataclass
class MergeResult:
    data: dict[str, Any]
    conflicts: list[FieldConflict] = field(default_factory=list)


def _show(value: Any) -> str:
    if value is MISSING:
        return "(none)"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    # as the plan file writes it (a constraint, a list of links), never Python's repr
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return str(value)


def _jsonable(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every field that differs between two plans' data."""
    a, b = flatten(old), flatten(new)
    out: list[FieldChange] = []
    for key in _union(a, b):
        kind, ident = key
        if key not in a:
            out.append(FieldChange(kind, ident, EXISTS, MISSING, True))
        elif key not in b:
            out.append(FieldChange(kind, ident, EXISTS, True, MISSING))
        else:
            fa, fb = a[key], b[key]
            for name in _union(fa, fb):
                va, vb = fa.get(name, MISSING), fb.get(name, MISSING)
                if not _same(va, vb):
                    out.append(FieldChange(kind, ident, name, va, vb))
    return out


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and bool(a == b)


def _union(*maps: Iterable[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for mapping in maps:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def merge3(base: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]) -> MergeResult:
    """Merge ``yours`` (made on ``base``) into ``theirs`` (saved since): field by field."""
    fb, ft, fy = flatten(base), flatten(theirs), flatten(yours)
    merged: dict[Key, Fields] = {}
    conflicts: list[FieldConflict] = []
    for key in _ordered(ft, fy):
        b, t, y = fb.get(key), ft.get(key), fy.get(key)
        kind, ident = key
        if t is not None and y is not None and t == y:
            merged[key] = t
        elif b is None:  # added on one side, or on both
            if t is None or y is None:
                merged[key] = t if t is not None else y  # type: ignore[assignment]
            else:
                merged[key] = _merge_fields(kind, ident, {}, t, y, conflicts)
        elif t is None and y is None:
            continue  # removed on both sides
        elif t is None:  # they removed it
            if y != b:
                conflicts.append(FieldConflict(kind, ident, EXISTS, True, MISSING, True))
        elif y is None:  # you removed it
            if t != b:
                conflicts.append(FieldConflict(kind, ident, EXISTS, True, True, MISSING))
        else:
            merged[key] = _merge_fields(kind, ident, b, t, y, conflicts)
    return MergeResult(unflatten(merged), conflicts)


def _ordered(theirs: dict[Key, Fields], yours: dict[Key, Fields]) -> list[Key]:
    """Their order, with each of your new entities placed after the one it followed in yours."""
    order = list(theirs)
    placed = set(order)
    previous: Key | None = None
    for key in yours:
        if key not in placed:
            at = order.index(previous) + 1 if previous is not None and previous in placed else (
                _first_of_kind(order, key[0]))
            order.insert(at, key)
            placed.add(key)
        previous = key
    return order


def _first_of_kind(order: list[Key], kind: str) -> int:
    positions = [i for i, key in enumerate(order) if key[0] == kind]
    return positions[-1] + 1 if positions else len(order)


def _merge_fields(kind: str, ident: str, base: Fields, theirs: Fields, yours: Fields,
                  conflicts: list[FieldConflict]) -> Fields:
    out: Fields = {}
    for name in _union(theirs, yours):
        b, t, y = base.get(name, MISSING), theirs.get(name, MISSING), yours.get(name, MISSING)
        if _same(t, y) or _same(y, b):
            value = t
        elif _same(t, b):
            value = y
        else:
            conflicts.append(FieldConflict(kind, ident, name, b, t, y))
            value = t
        if value is not MISSING:
            out[name] = value
    return out
