"""Registers the pmfit YAML plan (and the same data as JSON) as formats."""

from __future__ import annotations

import json

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.yamlplan import (
    SourceMap,
    parse_yaml,
    plan_from_data,
    plan_to_data,
    plan_warnings,
    read_plan,
    read_text_file,
    save_atomic,
    write_plan,
)
from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.plan import Plan


def _sniff_yaml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith((b"project:", b"version:", b"# pmfit", b"---")) or b"\nproject:" in text[:4096]


def _read_yaml(path: str) -> tuple[Plan, ImportReport]:
    plan = read_plan(path)
    report = ImportReport("yaml", path, read=[f"{len(plan.tasks)} tasks", f"{len(plan.resources)} resources"],
                          warnings=plan_warnings(plan))
    return plan, report


def _sniff_json(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and b'"project"' in text[:4096] and b'"tasks"' in text


def _read_json(path: str) -> tuple[Plan, ImportReport]:
    text = read_text_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(Diagnostic("bad_field", f"not valid JSON: {exc.msg}", file=path, line=exc.lineno)) from None
    except RecursionError:
        raise PlanError(Diagnostic("bad_field", "JSON nested too deep", file=path)) from None
    plan = plan_from_data(data, SourceMap(path))
    return plan, ImportReport("json", path, read=[f"{len(plan.tasks)} tasks"], warnings=plan_warnings(plan))


def _write_json(plan: Plan, path: str) -> None:
    save_atomic(json.dumps(plan_to_data(plan), indent=2, default=str) + "\n", path)


register(Format("yaml", (".yaml", ".yml"), _sniff_yaml, _read_yaml, write_plan,
                "pmfit plan file (YAML, version 1)"))
register(Format("json", (".json",), _sniff_json, _read_json, _write_json,
                "pmfit plan as JSON (same fields as the YAML file)"))

__all__ = ["parse_yaml"]
