"""The YAML plan file (version 1): read with line numbers, write for humans.

Reading is safe by construction: ``yaml.SafeLoader`` only (no tags that run
code), a size limit, a depth limit and a node budget against alias bombs.
Every error names the file, the line and the task, with a stable code.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Plan
from pmfit.model.validate import validate_plan

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 5_000_000

Path_ = tuple[str | int, ...]


class SourceMap:
    """Where each part of the data came from: a path like ``("tasks", 3, "after")`` -> line.

    With ``later``, the lines are found on first use: a clean plan (the common case) never
    needs them, and recording a line per value was a quarter of reading a large file (and
    a million map entries at 100,000 tasks).
    """

    def __init__(self, filename: str | None, later: Callable[[], dict[Path_, int]] | None = None) -> None:
        self.filename = filename
        self._lines: dict[Path_, int] | None = None if later is not None else {}
        self._later = later

    @property
    def lines(self) -> dict[Path_, int]:
        if self._lines is None:
            assert self._later is not None
            self._lines, self._later = self._later(), None
        return self._lines

    def line(self, path: Path_) -> int | None:
        """The line of the longest prefix of ``path`` that was recorded."""
        lines = self.lines
        for end in range(len(path), -1, -1):
            line = lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def locate(self, diagnostic: Diagnostic) -> Diagnostic:
        return diagnostic.located(self.filename, self.line(diagnostic.path))


class _Builder:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.nodes = 0
        self.loader = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise PlanError(Diagnostic("file_too_large", "the YAML expands to too many values "
                                       "(an alias bomb?)", line=node.start_mark.line + 1))
        if depth > MAX_DEPTH:
            raise PlanError(Diagnostic("bad_yaml", f"nesting deeper than {MAX_DEPTH} levels",
                                       line=node.start_mark.line + 1))
        self.source.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            # Keys written in this mapping; merged ones (<<: *anchor) may be overridden by them.
            explicit = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            written: set[Any] = set()
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1)
                if isinstance(key, (list, dict)):
                    raise PlanError(Diagnostic("bad_yaml", "a mapping key must be a plain value",
                                               line=key_node.start_mark.line + 1))
                if id(key_node) in explicit:
                    if key in written:
                        raise PlanError(Diagnostic("bad_yaml", f"duplicate key {key!r}",
                                                   line=key_node.start_mark.line + 1))
                    written.add(key)
                elif key in written:
                    continue
                child = (*path, key if isinstance(key, (str, int)) else str(key))
                self.source.lines[child] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:str":
            return node.value  # most scalars are text; skip the constructor's dispatch
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # 2027-02-30: day is out of range for month
            raise PlanError(Diagnostic("bad_yaml", f"not valid YAML: {node.value!r}: {exc}",
                                       line=node.start_mark.line + 1)) from None


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, by libyaml when PyYAML has it (20x faster), else by pure Python."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)  # type: ignore[no-any-return]
        except yaml.YAMLError:
            pass  # the pure-Python loader words its errors better (and with lines): ask it
        except Exception:  # e.g. lone surrogates libyaml cannot encode
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)  # type: ignore[no-any-return]


def parse_yaml(text: str, filename: str | None = None) -> tuple[Any, SourceMap]:
    """YAML text -> plain data and a :class:`SourceMap` (raises :class:`PlanError`).

    Plain files (no anchors, aliases, merge keys or explicit tags; almost every
    plan) are built straight from libyaml's event stream: one Python object per
    value, with its line recorded on the way. Anything else, and every file
    libyaml refuses, takes the node-tree path below, which words its errors best.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        builder = _EventBuilder(text, SourceMap(filename), fast, record=False)
        try:
            data = builder.build()
            tape = builder.tape
            return data, SourceMap(filename, later=lambda: _lines_of(data, tape, text, fast))
        except PlanError as exc:
            raise PlanError([d.located(filename) for d in exc.diagnostics]) from None
        except (_NeedsNodeTree, yaml.YAMLError):
            pass  # anchors, tags, several documents or bad YAML: the node tree handles (and words) them
        except Exception:  # e.g. lone surrogates libyaml cannot encode
            pass
    return _parse_yaml_nodes(text, filename)


def _lines_of(data: Any, tape: array[int], text: str, loader_class: type) -> dict[Path_, int]:
    """The source map of a plain file, asked for after a fast read: the data in the order libyaml gave it
    (dicts keep their order) against the line of each value on the tape, recorded as the event builder
    records them. Should the data have changed shape since, the file is read again with lines."""
    lines: dict[Path_, int] = {}
    position = 0

    def walk(value: Any, path: Path_) -> None:
        nonlocal position
        if value.__class__ is dict:
            for key, item in value.items():
                child = (*path, key if isinstance(key, (str, int)) else str(key))
                lines[child] = tape[position] + 1
                position += 2  # the key, then its value (a value's line is its key's)
                if item.__class__ is dict or item.__class__ is list:
                    walk(item, child)
        elif value.__class__ is list:
            for index, item in enumerate(value):
                lines.setdefault((*path, index), tape[position] + 1)
                position += 1
                if item.__class__ is dict or item.__class__ is list:
                    walk(item, (*path, index))

    if tape:
        lines[()] = tape[0] + 1
        position = 1
        try:
            walk(data, ())
        except IndexError:
            position = -1
    if position != len(tape):
        source = SourceMap(None)
        _EventBuilder(text, source, loader_class).build()
        return source.lines
    return lines


class _NeedsNodeTree(Exception):
    """The file uses a YAML feature the event builder leaves to the node tree."""


_STR_TAG = "tag:yaml.org,2002:str"
_NO_KEY = object()


class _EventBuilder:
    """Plain data from libyaml events in one pass, lines recorded as :class:`_Builder` records them."""

    def __init__(self, text: str, source: SourceMap, loader_class: type, record: bool = True) -> None:
        self.loader = loader_class(text)
        self.source = source
        self.record = record  # record each value's line in the source map (else on the tape, see _lines_of)
        self.tape = array("i")  # without record: the line (from 0) of each value, in the order of the events
        self.resolvers = yaml.SafeLoader.yaml_implicit_resolvers
        self.wildcard = self.resolvers.get(None, [])  # type: ignore[call-overload]
        self.constructor = yaml.SafeLoader("")
        self.constructed: dict[tuple[str, str], Any] = {}

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        value: str = event.value
        if tag is not None and tag != "!":
            raise _NeedsNodeTree
        if event.implicit[0]:
            tag = _STR_TAG
            for candidate, regexp in (*self.resolvers.get(value[:1], ()), *self.wildcard):
                if regexp.match(value):
                    tag = candidate
                    break
            if tag == _STR_TAG:
                return value
        else:
            return value  # quoted or block text is text
        key = (tag, value)
        if key in self.constructed:
            return self.constructed[key]
        constructor = self.constructor.yaml_constructors.get(tag)
        if constructor is None or tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
            raise _NeedsNodeTree
        try:
            result = constructor(self.constructor, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
        except (ValueError, OverflowError) as exc:  # 2027-02-30: day is out of range for month
            raise PlanError(Diagnostic("bad_yaml", f"not valid YAML: {value!r}: {exc}",
                                       line=event.start_mark.line + 1)) from None
        self.constructed[key] = result
        return result

    def build(self) -> Any:
        get = self.loader.get_event
        record = self.record
        lines = self.source.lines if record else {}
        tape = self.tape.append
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        try:
            get()  # stream start
            event = get()
            if isinstance(event, yaml.StreamEndEvent):
                raise PlanError(Diagnostic("bad_yaml", "the file is empty"))
            # Open containers: the container, its path, and for a mapping the key waiting for its value.
            containers: list[Any] = []
            paths: list[Path_] = []
            keys: list[Any] = []
            child_paths: list[Path_] = []
            root: Any = None
            nodes = 0
            plain: dict[str, Any] = {}
            while True:
                event = get()
                cls = event.__class__
                if cls is mapping_end or cls is sequence_end:
                    containers.pop()
                    paths.pop()
                    keys.pop()
                    child_paths.pop()
                    if not containers:
                        break
                    continue
                nodes += 1
                if nodes > MAX_NODES:
                    raise PlanError(Diagnostic("file_too_large", "the YAML expands to too many values "
                                               "(an alias bomb?)", line=event.start_mark.line + 1))
                if record:
                    line = event.start_mark.line + 1
                else:
                    tape(event.start_mark.line)
                if len(containers) > MAX_DEPTH:
                    raise PlanError(Diagnostic("bad_yaml", f"nesting deeper than {MAX_DEPTH} levels",
                                               line=event.start_mark.line + 1))
                if cls is scalar_event:
                    if event.anchor is not None:
                        raise _NeedsNodeTree
                    if event.tag is None and event.implicit[0]:
                        # A plain scalar's value depends on its text alone, and keys and short values
                        # repeat ("id", "1d", "FS"): resolve each text once (the values are immutable).
                        written = event.value
                        value = plain.get(written, _NO_KEY)
                        if value is _NO_KEY:
                            value = plain[written] = self._scalar(event)
                    else:
                        value = self._scalar(event)
                    opened = False
                elif cls is mapping_start or cls is sequence_start:
                    if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                        raise _NeedsNodeTree
                    value = {} if cls is mapping_start else []
                    opened = True
                else:  # an alias, or something no plain plan has
                    raise _NeedsNodeTree
                # Attach the value to its parent and find its path.
                if not containers:
                    path: Path_ = ()
                    if record:
                        lines.setdefault(path, line)
                    root = value
                else:
                    parent = containers[-1]
                    if parent.__class__ is list:
                        if record:
                            path = (*paths[-1], len(parent))
                            lines.setdefault(path, line)
                        parent.append(value)
                    elif keys[-1] is _NO_KEY:  # this value is a key
                        if opened:
                            raise PlanError(Diagnostic("bad_yaml", "a mapping key must be a plain value",
                                                       line=event.start_mark.line + 1))
                        if value in parent:
                            raise PlanError(Diagnostic("bad_yaml", f"duplicate key {value!r}",
                                                       line=event.start_mark.line + 1))
                        keys[-1] = value
                        if record:
                            child = (*paths[-1], value if isinstance(value, (str, int)) else str(value))
                            lines[child] = line
                            child_paths[-1] = child
                        continue
                    else:
                        path = child_paths[-1]
                        parent[keys[-1]] = value
                        keys[-1] = _NO_KEY
                if opened:
                    containers.append(value)
                    paths.append(path)
                    keys.append(_NO_KEY)
                    child_paths.append(())
                elif not containers:
                    break  # the document is one scalar
            event = get()
            if not isinstance(event, yaml.DocumentEndEvent) or not isinstance(get(), yaml.StreamEndEvent):
                raise _NeedsNodeTree  # several documents: the node tree says so
            return root
        finally:
            self.loader.dispose()


def _parse_yaml_nodes(text: str, filename: str | None = None) -> tuple[Any, SourceMap]:
    """YAML text -> plain data through PyYAML's node tree (anchors, merges, tags, error wording)."""
    source = SourceMap(filename)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        raise PlanError(Diagnostic("bad_yaml", f"not valid YAML: {problem}", file=filename, line=line)) from None
    except yaml.YAMLError as exc:
        raise PlanError(Diagnostic("bad_yaml", f"not valid YAML: {exc}", file=filename)) from None
    except RecursionError:
        raise PlanError(Diagnostic("bad_yaml", "nesting too deep", file=filename)) from None
    if node is None:
        raise PlanError(Diagnostic("bad_yaml", "the file is empty", file=filename))
    if "&" in text:  # without an anchor there is no alias, so nothing can expand
        _check_expanded_size(node, filename)
    try:
        data = _Builder(source).build(node, ())
    except PlanError as exc:
        raise PlanError([d.located(filename) for d in exc.diagnostics]) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise PlanError(Diagnostic("bad_yaml", f"not valid YAML: {exc}", file=filename)) from None
    except RecursionError:
        raise PlanError(Diagnostic("bad_yaml", "nesting too deep", file=filename)) from None
    return data, source


def _check_expanded_size(root: yaml.Node, filename: str | None) -> None:
    """Refuse alias bombs and recursive aliases before expanding anything.

    Aliases share nodes, so a few lines can stand for billions of values
    ("billion laughs"). The expanded size of each node is computed once
    (memoised by identity), so this costs time in the file's size, not in
    its expanded size.
    """
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                raise PlanError(Diagnostic("file_too_large", "the YAML expands to too many values "
                                           "(an alias bomb?)", file=filename, line=node.start_mark.line + 1))
            continue
        if key in size:
            continue
        if key in active:
            raise PlanError(Diagnostic("bad_yaml", "an alias refers to itself (a recursive structure)",
                                       file=filename, line=node.start_mark.line + 1))
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_CODE_BY_FIELD = {
    "duration": "bad_duration",
    "lag": "bad_duration",
    "optimistic": "bad_duration",
    "likely": "bad_duration",
    "pessimistic": "bad_duration",
    "remaining": "bad_duration",
    "after": "bad_link",
    "constraint": "invalid_constraint",
    "probability": "bad_probability",
    "delays": "bad_duration",
}


def _code_for(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = [p for p in error["loc"] if isinstance(p, str)]
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind == "missing":
        return "missing_field"
    for part in reversed(loc):
        if part in _CODE_BY_FIELD:
            return _CODE_BY_FIELD[part]
    if "progress" in loc:
        return "bad_progress"
    if "calendar" in loc:
        return "bad_calendar"
    return "bad_field"


def _task_for(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
        try:
            task = data["tasks"][loc[1]]
            return str(task.get("id")) if isinstance(task, dict) and task.get("id") is not None else None
        except (KeyError, IndexError, TypeError):
            return None
    return None


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds pseudo-steps for unions and validators ("function-plain[...]", "str").
    return tuple(p for p in loc if isinstance(p, int) or (isinstance(p, str) and "[" not in p))


def _describe(error: dict[str, Any], task: str | None = None) -> str:
    parts = _clean_loc(error["loc"])
    prefix = ""
    if task is not None and len(parts) >= 2 and parts[0] == "tasks":
        # "task 'build': after.0.lag: ..." reads better than "tasks.3.after.0.lag: ..."
        prefix, parts = f"task '{task}': ", parts[2:]
    loc = ".".join(str(p) for p in parts)
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if error["type"] == "extra_forbidden":
        return f"{prefix}{loc}: unknown field" + _field_hint(error)
    return f"{prefix}{loc}: {message}" if loc else f"{prefix}{message}"


# Names people bring from other tools, and the pmfit field each one means (used only where that field exists).
_FIELD_SYNONYMS = {
    "min": "optimistic", "minimum": "optimistic", "best": "optimistic", "best_case": "optimistic",
    "low": "optimistic", "o": "optimistic",
    "most_likely": "likely", "mostlikely": "likely", "ml": "likely", "mode": "likely", "m": "likely",
    "expected": "likely", "nominal": "likely",
    "max": "pessimistic", "maximum": "pessimistic", "worst": "pessimistic", "worst_case": "pessimistic",
    "high": "pessimistic", "p": "pessimistic",
    "predecessors": "after", "predecessor": "after", "depends_on": "after", "dependencies": "after",
    "depends": "after", "deps": "after", "requires": "after", "blocked_by": "after", "links": "after",
    "resources": "needs", "resource": "needs", "assignments": "needs", "assigned": "needs", "assignee": "needs",
    "start_date": "start", "begin": "start", "dur": "duration", "length": "duration", "effort": "work",
    "desc": "description", "title": "name", "max_units": "units", "capacity": "units",
}
_FIELD_NOTES = {
    "after": " (pmfit lists a task's predecessors: after: [design, 'spec SS+2d'])",
    "needs": " (a task's resources with units: needs: {dev: 2})",
}


def _model_at(loc: tuple[Any, ...]) -> type[Any] | None:
    """The plan model class that holds the field at the end of ``loc`` (None when unknown)."""
    import typing

    from pydantic import BaseModel

    from pmfit.model.plan import Plan

    def models_in(annotation: Any) -> tuple[list[type[BaseModel]], bool]:
        """(model classes inside an annotation, whether it is a mapping whose keys come next in loc)."""
        found: list[type[BaseModel]] = []
        keyed = False
        pending = [annotation]
        while pending:
            current = pending.pop()
            if isinstance(current, type) and issubclass(current, BaseModel):
                found.append(current)
                continue
            if typing.get_origin(current) is dict:
                keyed = True
                pending.append(typing.get_args(current)[1])
                continue
            pending.extend(typing.get_args(current))
        return found, keyed

    model: type[BaseModel] = Plan
    skip_key = False
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if skip_key:
            skip_key = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        found, skip_key = models_in(field.annotation)
        if not found:
            return None
        model = found[0]
    return None if skip_key else model


def _field_hint(error: dict[str, Any]) -> str:
    """`` — did you mean 'duration'?`` for a misspelt field name, from the fields allowed where it is."""
    from pmfit.model import plan as model
    from pmfit.model.diagnostics import did_you_mean

    loc = _clean_loc(error["loc"])
    name = str(loc[-1]) if loc else ""
    holder = _model_at(loc)
    allowed = set(holder.model_fields) if holder is not None else set()
    wanted = _FIELD_SYNONYMS.get(name.lower().replace("-", "_").replace(" ", "_"))
    if wanted in allowed:
        return f" — did you mean {wanted!r}?{_FIELD_NOTES.get(wanted, '')}"
    if name == "successors" and holder is model.Task:
        return (" — pmfit links point backwards: put this task's id in the after: of each successor")
    where = ".".join(str(p) for p in loc[:-1] if isinstance(p, str))
    if name in model.Plan.model_fields and len(loc) > 1:
        return f" — {name!r} is a top-level section of the plan, not part of {where!r}"
    hint = did_you_mean(name, allowed - {name}) if allowed else ""
    if not hint and holder is not None and len(allowed) <= 8:
        hint = f" (fields here: {', '.join(sorted(allowed))})"
    return hint


def plan_from_data(data: Any, source: SourceMap | None = None) -> Plan:
    """Validate plain data as a plan (fields, then meaning); raises :class:`PlanError`.

    The meaning that needs scheduling (cycles, dates that fit a calendar) is checked above io,
    by :func:`pmfit.importing.checked`, which every loader for users runs.
    """
    source = source or SourceMap(None)
    if not isinstance(data, dict):
        raise PlanError(Diagnostic("bad_field", "a plan file is a mapping with project: and tasks:",
                                   file=source.filename, line=1))
    version = data.get("version", 1)
    if version != 1:
        raise PlanError(source.locate(Diagnostic(
            "bad_field", f"plan version {version!r} is not supported (this pmfit reads version 1)",
            path=("version",))))
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        diagnostics = []
        for error in exc.errors(include_url=False)[:50]:
            loc = _clean_loc(error["loc"])
            task = _task_for(data, loc)
            diagnostics.append(source.locate(Diagnostic(
                _code_for(error), _describe(error, task), task=task, path=loc)))
        raise PlanError(diagnostics) from None
    problems = [source.locate(d) for d in validate_plan(plan)]
    if any(d.severity == "error" for d in problems):
        raise PlanError(problems)
    object.__setattr__(plan, "__pmfit_warnings__", problems)
    # The checks that need the scheduler run in the load step above io (pmfit.importing); it
    # locates their diagnostics with this map and then lets it go.
    object.__setattr__(plan, "__pmfit_source__", source)
    return plan


def take_source_map(plan: Plan) -> SourceMap | None:
    """The source map the plan was read with, handed over once (the load step's; then it is dropped)."""
    source: SourceMap | None = plan.__dict__.pop("__pmfit_source__", None)
    return source


def plan_warnings(plan: Plan) -> list[Diagnostic]:
    """Warnings found when the plan was read (over-capacity needs, ignored fields, ...)."""
    return list(getattr(plan, "__pmfit_warnings__", []))


def read_plan_text(text: str, filename: str | None = None) -> Plan:
    """Parse and validate YAML plan text."""
    data, source = parse_yaml(text, filename)
    return plan_from_data(data, source)


def read_text_file(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> str:
    """A user's text file, with size limit and clear errors for every way it can fail."""
    from pmfit.io.safexml import read_bytes

    name = str(path)
    raw = read_bytes(path, max_bytes)
    if b"\x00" in raw[:8192]:
        raise PlanError(Diagnostic("bad_file", "this is a binary file, not a text plan", file=name))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanError(Diagnostic("bad_file", "the file is not UTF-8 text", file=name, line=line)) from None


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read and validate a YAML plan file."""
    return read_plan_text(read_text_file(path), str(path))


# ---- writing ---------------------------------------------------------------
_DATE_KEYS = {"start", "date", "until", "deadline", "status_date", "actual_start",
              "actual_finish", "created", "finish"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def _restore_dates(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _restore_dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_dates(v, key) for v in value]
    if isinstance(value, str) and key in _DATE_KEYS:
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
        if _ISO_DATETIME.match(value):
            return dt.datetime.fromisoformat(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _flow_small(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    simple = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and len(v) <= 4 and all(
        not isinstance(x, (dict, list)) for x in v)) for v in data.values())
    flow = simple and len(data) <= 6 and sum(len(str(v)) for v in data.values()) < 70
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(dict, _flow_small)


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, defaults left out (what the YAML file holds)."""
    data = plan.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data = {"version": 1, **data}
    for task, raw in zip(plan.tasks, data.get("tasks", []), strict=True):
        if task.after:
            raw["after"] = [str(link) for link in task.after]
        if raw.get("name") == task.id:
            raw.pop("name")
    for resource, raw in zip(plan.resources, data.get("resources", []), strict=True):
        if resource.rate is not None:
            raw["rate"] = str(resource.rate)
        if raw.get("name") == resource.id:
            raw.pop("name")
    return _restore_dates(data)  # type: ignore[no-any-return]


def write_plan_text(plan: Plan) -> str:
    """The plan as YAML text (version 1); reading it back gives an equal plan."""
    return yaml.dump(plan_to_data(plan), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


def cannot_write(exc: OSError, target: Path) -> PlanError:
    """A write that failed, named by the path the user gave (not the temporary file beside it)."""
    from pmfit.io.atomic import cannot_write as located

    return located(exc, target)


def save_atomic(text: str | bytes, path: str | os.PathLike[str]) -> None:
    """Write a file so that a crash leaves either the old or the new file, never half of one.

    Locked against other pmfit writers, pipes and devices opened rather than replaced, ``-`` is
    standard output: see :mod:`pmfit.io.atomic`.
    """
    from pmfit.io.atomic import write_file

    write_file(text, path)


def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan as a YAML file, atomically."""
    save_atomic(write_plan_text(plan), path)
