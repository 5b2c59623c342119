"""Storing baselines: inside the YAML plan file, or in a sidecar ``<plan>.baselines.yaml``.

Writing into the plan file edits only its top-level ``baselines:`` section
(appended at the end when there is none); every other byte of the user's
file stays as it was, comments included. Before anything is written the new
text is read back and checked: it must be a valid plan, equal to the old
one apart from its baselines, with the new baseline in it. The file is then
replaced atomically (a crash leaves the old file or the new one, never half
of one) and keeps its permissions.

A plan that is not a YAML plan file (MS Project XML, XER, ...) keeps its
baselines in the sidecar, next to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Baseline, Plan

SIDECAR_SUFFIX = ".baselines.yaml"


def sidecar_path(plan_path: str | os.PathLike[str]) -> Path:
    """``plan.yaml`` -> ``plan.baselines.yaml`` (next to the plan)."""
    path = Path(plan_path)
    return path.with_name(path.stem + SIDECAR_SUFFIX) if path.suffix else path.with_name(
        path.name + SIDECAR_SUFFIX)


def baseline_to_data(baseline: Baseline) -> dict[str, Any]:
    """A baseline as plain data for YAML (defaults left out, dates as dates)."""
    from pmfit.io.yamlplan import _restore_dates

    data = baseline.model_dump(mode="json", exclude_defaults=True)
    data = {"name": baseline.name, **data}
    out: dict[str, Any] = _short_datetimes(_restore_dates(data))
    return out


def _short_datetimes(value: Any) -> Any:
    """Datetimes as ``2027-01-04 08:00`` (minutes are the schedule's precision; no YAML tags)."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: _short_datetimes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short_datetimes(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")  # strftime's %Y drops the zeros of year 1
    return value


def _dump(value: Any) -> str:
    from pmfit.io.yamlplan import _Dumper

    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _block_list(baselines: list[Baseline], indent: int = 2) -> str:
    """The baselines as a YAML block sequence, indented under a top-level key."""
    text = _dump([baseline_to_data(b) for b in baselines])
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def read_sidecar(plan_path: str | os.PathLike[str]) -> list[Baseline]:
    """The baselines kept next to a plan (an empty list when there is no sidecar)."""
    from pmfit.io.yamlplan import parse_yaml, read_text_file

    path = sidecar_path(plan_path)
    if not path.exists():
        return []
    data, source = parse_yaml(read_text_file(path), str(path))
    if not isinstance(data, dict) or not isinstance(data.get("baselines", []), list):
        raise PlanError(Diagnostic("bad_field", "a baselines file is a mapping with a list under "
                                   "'baselines:'", file=str(path), line=1))
    out: list[Baseline] = []
    for index, raw in enumerate(data.get("baselines") or []):
        try:
            out.append(Baseline.model_validate(raw))
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            loc = ("baselines", index, *(p for p in error["loc"] if isinstance(p, (str, int))))
            raise PlanError(source.locate(Diagnostic(
                "bad_field", f"{'.'.join(str(p) for p in loc)}: {error['msg']}", path=loc))) from None
    return out


def load_with_baselines(plan_path: str | os.PathLike[str], plan: Plan | None = None) -> Plan:
    """Load a plan (any format) with the baselines of its sidecar added after its own."""
    if plan is None:
        from pmfit.io.formats import load

        plan = load(plan_path)
    extra = read_sidecar(plan_path)
    if not extra:
        return plan
    own = {b.name for b in plan.baselines}
    return plan.model_copy(update={"baselines": [*plan.baselines, *(b for b in extra if b.name not in own)]})


def is_yaml_plan(text: str) -> bool:
    """A YAML plan file that baselines can be written into (JSON plans get a sidecar)."""
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return False
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and "project" in data


def write_atomic(text: str, path: str | os.PathLike[str]) -> None:
    """Replace a file atomically, keeping its permission bits when it exists (see :mod:`pmfit.io.atomic`)."""
    from pmfit.io.atomic import write_file

    write_file(text, path, newline="")


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _trim_back(text: str, end: int) -> int:
    """Move ``end`` back over blank and comment-only lines so they stay with what follows."""
    end = _line_start(text, end) if text[_line_start(text, end):end].strip() == "" else end
    while end > 0:
        prev_start = _line_start(text, end - 1)
        line = text[prev_start:end].strip()
        if line == "" or line.startswith("#"):
            end = prev_start
        else:
            break
    return end


def insert_baselines_text(text: str, baselines: list[Baseline]) -> str:
    """YAML plan text with its top-level ``baselines:`` section set to ``baselines``.

    Only that section changes; it is appended at the end when the file has none.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    plain = text.replace("\r\n", "\n")
    block = _block_list(baselines)
    root = yaml.compose(plain, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise PlanError(Diagnostic("bad_field", "a plan file is a mapping with project: and tasks:"))
    found = None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "baselines":
            found = (key, value)
    if found is None:
        if plain and not plain.endswith("\n"):
            plain += "\n"
        body, end_marker = plain, ""
        lines = plain.splitlines(keepends=True)
        while lines and not lines[-1].strip():
            end_marker = lines.pop() + end_marker
        if lines and lines[-1].strip() == "...":   # an explicit end of document stays last
            end_marker = lines.pop() + end_marker
            body = "".join(lines)
        else:
            body, end_marker = plain, ""
        out = body + "baselines:\n" + block + end_marker
    else:
        key, value = found
        if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            start = _line_start(plain, value.start_mark.index)
            end = _trim_back(plain, value.end_mark.index)
            if end < start:
                end = start
            out = plain[:start] + block + plain[end:]
        else:
            # `baselines:` with nothing, `baselines: []`, or a flow list: replace the value
            start, end = value.start_mark.index, value.end_mark.index
            rest = plain[end:]
            tail = rest.split("\n", 1)
            after = tail[1] if len(tail) > 1 else ""
            comment = tail[0].strip()
            out = (plain[:key.end_mark.index] + ":" + (f"  {comment}" if comment.startswith("#") else "")
                   + "\n" + block + after)
            del start
    return out.replace("\n", newline) if newline != "\n" else out


def write_baseline(
    plan_path: str | os.PathLike[str],
    baseline: Baseline,
    *,
    sidecar: bool = False,
    force: bool = False,
) -> Path:
    """Store ``baseline`` with the plan at ``plan_path``; returns the file written.

    Into the YAML plan file unless ``sidecar`` is set or the plan is not a
    YAML plan file. An existing baseline of the same name (in the plan or the
    sidecar) is refused with ``baseline_exists`` unless ``force``.
    """
    from pmfit.io.atomic import locked

    # one writer at a time from reading the plan to writing it: concurrent baselines queue, none is lost
    with locked(plan_path):
        return _write_baseline(Path(plan_path), baseline, sidecar=sidecar, force=force)


def _write_baseline(path: Path, baseline: Baseline, *, sidecar: bool, force: bool) -> Path:
    from pmfit.io.yamlplan import read_plan_text, read_text_file

    text = read_text_file(path)
    in_file = not sidecar and is_yaml_plan(text)
    side = sidecar_path(path)
    side_baselines = read_sidecar(path)
    if in_file:
        plan = read_plan_text(text, str(path))
        existing = list(plan.baselines)
    else:
        from pmfit.io.formats import load

        plan = load(path)
        existing = side_baselines
    names = {b.name for b in plan.baselines} | {b.name for b in side_baselines}
    if baseline.name in names and not force:
        raise PlanError(Diagnostic(
            "baseline_exists",
            f"a baseline named '{baseline.name}' exists already; pick another --name or pass --force "
            "to replace it", file=str(path)))
    replaced = [baseline if b.name == baseline.name else b for b in existing]
    if baseline.name not in {b.name for b in existing}:
        replaced.append(baseline)
    if not in_file:
        body = f"# pmfit baselines for {path.name}\nversion: 1\nbaselines:\n" + _block_list(replaced)
        check = yaml.safe_load(body)
        [Baseline.model_validate(b) for b in check["baselines"]]
        write_atomic(body, side)
        return side
    new_text = insert_baselines_text(text, replaced)
    try:
        again = read_plan_text(new_text, str(path))
    except PlanError as exc:  # pragma: no cover - a bug in the writer, never the user's fault
        raise PlanError(Diagnostic(
            "bad_file", "refusing to write: the plan with the new baseline would not read back "
            f"({exc.diagnostics[0].message}); the file was not changed", file=str(path))) from None
    if (again.model_copy(update={"baselines": []}) != plan.model_copy(update={"baselines": []})
            or [b.name for b in again.baselines] != [b.name for b in replaced]):
        raise PlanError(Diagnostic(
            "bad_file", "refusing to write: adding the baseline would change the rest of the plan; "
            "the file was not changed (try --sidecar)", file=str(path)))
    write_atomic(new_text, path)
    return path
