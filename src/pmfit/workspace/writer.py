"""The plan's YAML text, byte for byte what :func:`pmfit.io.yamlplan.write_plan_text` writes, fast on edits.

Writing a 2,000-task plan through PyYAML's emitter takes about a second, and an edit from the web
page changes one task. Plans are immutable and an edit (``model_copy``) keeps every unchanged part
as the same object, so the text of each part is kept by object identity and only the changed parts
are emitted again. Each part goes through the same dumper and options as the whole-plan writer; a
top-level key's text and a list item's text do not depend on their neighbours (block style, no
anchors: nothing in plan data is shared), which the tests hold byte-equal on every example plan.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

#: the plan's list fields, written as a key followed by one block item per element
LIST_FIELDS = ("stakeholders", "resources", "tasks", "risks", "baselines")
#: parts kept (tasks, resources, ... of recent versions); a 2,000-task plan is ~550 kB of text
MAX_PARTS = 40_000


class _Block(dict):  # type: ignore[type-arg]
    """A top-level mapping written in block style (the whole plan's root always is)."""


def _dumper() -> type[yaml.SafeDumper]:
    from pmfit.io.yamlplan import _Dumper

    class SectionDumper(_Dumper):
        pass

    SectionDumper.add_representer(_Block, lambda dumper, data: dumper.represent_mapping(
        "tag:yaml.org,2002:map", data, flow_style=False))
    return SectionDumper


def _dump(value: Any, dumper: type[yaml.SafeDumper]) -> str:
    # the options of write_plan_text
    return yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


class PlanTextWriter:
    """``write_plan_text(plan)`` reusing the text of every part (a task, the progress...) seen before."""

    def __init__(self, max_parts: int = MAX_PARTS) -> None:
        self._parts: OrderedDict[tuple[str, int], tuple[object, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_parts = max_parts
        self._dumper: type[yaml.SafeDumper] | None = None

    def write(self, plan: Plan) -> str:
        from pmfit.io.yamlplan import plan_to_data, write_plan_text

        if self._dumper is None:
            self._dumper = _dumper()
        empty: dict[str, Any] = {name: [] for name in LIST_FIELDS}
        # the fields that are not lists (version, project, progress), as plan_to_data writes them
        head = plan_to_data(plan.model_copy(update={**empty, "progress": None}))
        if set(head) - set(type(plan).model_fields) - {"version"}:  # a field this writer does not know
            return write_plan_text(plan)
        out: list[str] = []
        for name in type(plan).model_fields:
            value = getattr(plan, name)
            if name in LIST_FIELDS:
                if value:
                    out.append(f"{name}:\n")
                    out.extend(self._items(name, value, plan, empty))
            elif name == "progress":
                if value is not None:
                    out.append(self._progress(value, plan, empty))
            elif name in head:
                out.append(_dump(_Block({name: head[name]}), self._dumper))
        return "".join(out)

    def _known(self, name: str, value: object) -> str | None:
        with self._lock:
            found = self._parts.get((name, id(value)))
            if found is not None and found[0] is value:
                self._parts.move_to_end((name, id(value)))
                return found[1]
        return None

    def _keep(self, name: str, value: object, text: str) -> None:
        with self._lock:
            self._parts[(name, id(value))] = (value, text)  # the object is kept: its id cannot be reused meanwhile
            while len(self._parts) > self._max_parts:
                self._parts.popitem(last=False)

    def _progress(self, value: object, plan: Plan, empty: dict[str, Any]) -> str:
        from pmfit.io.yamlplan import plan_to_data

        text = self._known("progress", value)
        if text is None:
            assert self._dumper is not None
            data = plan_to_data(plan.model_copy(update={**empty, "progress": value}))
            text = _dump(_Block({"progress": data["progress"]}), self._dumper)
            self._keep("progress", value, text)
        return text

    def _items(self, name: str, items: list[Any], plan: Plan, empty: dict[str, Any]) -> list[str]:
        """Each element's text as one item of a block sequence; the new ones dumped together."""
        from pmfit.io.yamlplan import plan_to_data

        texts = [self._known(name, item) for item in items]
        missing = [item for item, text in zip(items, texts, strict=True) if text is None]
        if not missing:
            return texts  # type: ignore[return-value]
        assert self._dumper is not None
        data = plan_to_data(plan.model_copy(update={**empty, "progress": None, name: missing}))
        whole = _dump(data[name], self._dumper)
        # every item of a top-level block sequence starts a line with "- "; all else is indented
        pieces = ["- " + piece for piece in ("\n" + whole).split("\n- ")[1:]]
        pieces = [piece + "\n" for piece in pieces[:-1]] + pieces[-1:]
        if len(pieces) != len(missing) or not whole.startswith("- "):  # not one line-start per item
            pieces = [_dump(data[name][i:i + 1], self._dumper) for i in range(len(missing))]
        fresh = iter(pieces)
        out = []
        for item, text in zip(items, texts, strict=True):
            if text is None:
                text = next(fresh)
                self._keep(name, item, text)
            out.append(text)
        return out


def _key(part: object) -> object:
    return getattr(part, "id", None) or getattr(part, "name", None)


def with_parts_of(plan: Plan, base: Plan) -> Plan:
    """``plan`` with every part equal to one of ``base``'s (a task, a resource, the progress...) as
    ``base``'s own object, so :class:`PlanTextWriter` reuses its text. An edit made on plain data (the
    web's merge patches: :func:`pmfit.web.api.parts.commit_data_change`) validates the whole plan
    again, which builds every part anew: equal to the one it was read from, but not the same object."""
    update: dict[str, Any] = {}
    for name in LIST_FIELDS:
        items, old = getattr(plan, name), getattr(base, name)
        if items is old or not items or not old:
            continue
        by_key: dict[object, Any] | None = None
        kept = []
        for i, item in enumerate(items):
            same = old[i] if i < len(old) else None
            if same is None or _key(same) != _key(item):  # moved: found by its id (name for stakeholders)
                if by_key is None:
                    by_key = {_key(part): part for part in old}
                same = by_key.get(_key(item))
            kept.append(same if same is not None and same == item else item)
        if any(a is not b for a, b in zip(kept, items, strict=True)):
            update[name] = kept
    if plan.progress is not None and plan.progress is not base.progress and plan.progress == base.progress:
        update["progress"] = base.progress
    return plan.model_copy(update=update) if update else plan
