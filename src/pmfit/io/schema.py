"""The JSON Schema of the YAML plan file, for editors (``pmfit schema``)."""

from __future__ import annotations

from typing import Any

from pmfit.model.duration import DURATION_PATTERN

_LINK_PATTERN = r"^\s*\S.*?(\s+(FS|SS|FF|SF|fs|ss|ff|sf)(\s*[+-]\s*[0-9.]+\s*[a-zA-Z]*)?)?\s*$"

_SHORT_FORMS: dict[str, list[dict[str, Any]]] = {
    "Link": [{"type": "string", "pattern": _LINK_PATTERN,
              "description": "A predecessor id, optionally with type and lag: 'design', 'spec SS+2d', 'test FF-1d'"}],
    "Constraint": [
        {"type": "string", "enum": ["ASAP", "ALAP", "asap", "alap", "as_soon_as_possible", "as_late_as_possible"]},
        {"type": "object", "minProperties": 1, "maxProperties": 1,
         "propertyNames": {"enum": ["start_no_earlier_than", "start_no_later_than", "finish_no_earlier_than",
                                    "finish_no_later_than", "must_start_on", "must_finish_on",
                                    "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO",
                                    "snet", "snlt", "fnet", "fnlt", "mso", "mfo"]},
         "description": "{finish_no_later_than: 2027-04-30}"},
    ],
    "Estimate": [{"type": "array", "minItems": 3, "maxItems": 3,
                  "items": {"anyOf": [{"type": "string", "pattern": DURATION_PATTERN}, {"type": "number"}]},
                  "description": "[optimistic, likely, pessimistic]"}],
    "Money": [{"type": "string", "pattern": r"^\s*[$€£]?[0-9.,]+\s*(/\s*(h|d|w|mo|y|use))?\s*$"},
              {"type": "number", "minimum": 0}],
    "Shift": [{"type": "string", "pattern": r"^\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}$"}],
    "Holiday": [{"type": "string", "format": "date"}],
}


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for plan files, short forms included."""
    from pmfit.model.plan import Plan

    schema = Plan.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    for name, alternatives in _SHORT_FORMS.items():
        if name in defs:
            original = defs[name]
            defs[name] = {"anyOf": [*alternatives, original],
                          "description": original.get("description", "")}
    # Time-of-day fields also accept YAML's sexagesimal integers (08:00 -> 480).
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://pmfit.dev/schema/plan-v1.json"
    schema["title"] = "pmfit plan (version 1)"
    _relax_time(schema)
    _allow_numeric_ids(schema)
    defs["Link"]["anyOf"].insert(1, {"type": "integer", "description": "A predecessor id written as a number"})
    return schema


def _is_id(value: Any) -> bool:
    return (isinstance(value, dict) and value.get("type") == "string"
            and value.get("maxLength") == 200 and value.get("minLength") == 1)


def _allow_numeric_ids(node: Any) -> None:
    """Ids may be written as numbers (``id: 12``); pmfit reads them as text."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key != "propertyNames" and _is_id(value):
                node[key] = {"anyOf": [{**value, "pattern": _ID_PATTERN}, {"type": "integer"}]}
            else:
                _allow_numeric_ids(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if _is_id(value):
                node[index] = {"anyOf": [{**value, "pattern": _ID_PATTERN}, {"type": "integer"}]}
            else:
                _allow_numeric_ids(value)


_ID_PATTERN = r"^[^\s,]+( [^\s,]+)*$"


def _relax_time(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node.pop("type")
            node.pop("format")
            node["anyOf"] = [{"type": "string"}, {"type": "integer"}]
        for value in node.values():
            _relax_time(value)
    elif isinstance(node, list):
        for value in node:
            _relax_time(value)
