"""The layering holds: arrows point down only.

    web, cli -> api -> project -> engine -> model
    io and store sit beside the project layer and use model only
    report uses project and engine

Every ``import`` of a pmfit module in ``src/pmfit`` is read from the source (runtime and
``TYPE_CHECKING`` imports alike) and checked against :data:`MAY_IMPORT`. Packages that do
not exist yet (``store/``, ``web/``) are covered as soon as they appear; a new top-level
module must be given a layer in :data:`TOP_LEVEL` (the test says so).

:data:`KNOWN_DEBT` lists the imports that still break a rule, each with why it is there and
where it should go. The list may only shrink: a new crossing fails the test, and an entry
that no longer happens fails it too (so the list cannot rot).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pmfit"

#: top-level modules of the package and their layer
TOP_LEVEL = {
    "__init__": "pmfit",       # the public names, imported lazily by name (strings, no imports)
    "__main__": "main",
    "api": "api",
    "project": "project",
    "advising": "project",     # advice orchestration: role data (io) + the advise engine
    "importing": "project",    # reading a file (io) + the import report's schedule check (engine)
}

#: what each layer may import (besides itself); "pmfit" is the package's public names
MAY_IMPORT: dict[str, set[str]] = {
    "model": set(),
    "engine": {"model"},
    "io": {"model"},
    "store": {"model"},
    "project": {"engine", "model", "io", "store"},
    "report": {"project", "engine", "model"},
    "api": {"project", "report", "engine", "model", "io", "store", "workspace"},
    # the team's place for plans: the store with the readers, the merge and the API's baseline beside it;
    # a peer of the api layer that the CLI's `pmfit db` and the web call
    "workspace": {"api", "project", "report", "engine", "model", "io", "store", "pmfit"},
    # `pmfit serve` and `pmfit user` start and administer the web server: the CLI may reach the web layer
    "cli": {"api", "workspace", "web", "pmfit"},
    "web": {"api", "workspace", "project", "report", "model", "store", "pmfit"},
    "main": {"cli"},
    "pmfit": set(),
}

#: third-party packages a layer may use, where the design limits them (the standard library is always allowed)
THIRD_PARTY: dict[str, set[str]] = {
    "store": {"sqlalchemy", "alembic", "psycopg", "pydantic"},
}

#: imports that still cross a rule: (importing module, imported module) -> why, and the way out
KNOWN_DEBT: dict[tuple[str, str], str] = {
    ("pmfit.model.validate", "pmfit.engine.cpm"): "cycle and dates-fit checks at load time need the CPM; "
    "they should move to the load step above io (the line numbers come from the YAML source map)",
    ("pmfit.model.validate", "pmfit.engine.network"): "as above",
    ("pmfit.model.validate", "pmfit.engine.schedule"): "as above",
    ("pmfit.model.validate", "pmfit.engine.workcal"): "as above (calendar reach)",
    ("pmfit.io.current", "pmfit.engine.schedule"): "the TaskJuggler reader turns `complete` without actual "
    "dates into actual dates from the plan's CPM schedule (io.current.planned_dates_for_reader); that step "
    "should move to the load step above the readers (writers no longer compute dates)",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """``pmfit.engine.cpm`` -> ``engine``; ``pmfit.api`` -> ``api``; None for an unknown top-level module."""
    parts = module.split(".")
    if parts[0] != "pmfit":
        raise ValueError(module)
    if len(parts) == 1:
        return "pmfit"
    head = parts[1]
    if (SRC / head).is_dir() or head in MAY_IMPORT:
        return head
    return TOP_LEVEL.get(head)


def pmfit_imports(text: str, module: str, is_package: bool = False) -> list[tuple[str, int]]:
    """Every pmfit module the source of ``module`` imports (absolute or relative), with its line."""
    tree = ast.parse(text)
    here = module.split(".")
    package = here if is_package else here[:-1]
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "pmfit")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "pmfit":
                continue
            # ``from pmfit.engine import cpm`` imports the submodule pmfit.engine.cpm
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                sub = SRC.parent.joinpath(*candidate.split("."))
                out.append((candidate if sub.is_dir() or sub.with_suffix(".py").exists() else target,
                            node.lineno))
    return sorted(out, key=lambda item: item[1])


def crossings(sources: list[tuple[str, str, bool]] | None = None
              ) -> tuple[list[str], set[tuple[str, str]], list[str]]:
    """(rule violations not in the debt list, debt entries seen, modules without a layer).

    ``sources``: (module name, source text, is a package) to check; default every module in src/pmfit.
    """
    if sources is None:
        sources = [(_module_name(p), p.read_text(encoding="utf-8"), p.name == "__init__.py")
                   for p in sorted(SRC.rglob("*.py"))]
    bad: list[str] = []
    seen: set[tuple[str, str]] = set()
    unplaced: list[str] = []
    for source, text, is_package in sources:
        src_layer = layer_of(source)
        if src_layer is None:
            unplaced.append(source)
            continue
        for target, line in pmfit_imports(text, source, is_package):
            dst_layer = layer_of(target)
            if dst_layer is None or dst_layer == src_layer:
                continue
            if dst_layer in MAY_IMPORT.get(src_layer, set()):
                continue
            key = (source, target)
            if key in KNOWN_DEBT:
                seen.add(key)
                continue
            bad.append(f"{source}:{line}: {src_layer} imports {target} ({dst_layer})")
    return bad, seen, unplaced


def third_party_crossings(sources: list[tuple[str, str]] | None = None) -> list[str]:
    """Imports of third-party packages a layer may not use (see :data:`THIRD_PARTY`)."""
    import sys

    if sources is None:
        sources = [(_module_name(p), p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))]
    bad = []
    for source, text in sources:
        allowed = THIRD_PARTY.get(layer_of(source) or "")
        if allowed is None:
            continue
        for node in ast.walk(ast.parse(text)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top == "pmfit" or top in sys.stdlib_module_names or top == "__future__" or top in allowed:
                    continue
                bad.append(f"{source}:{node.lineno}: {layer_of(source)} imports {name}")
    return bad


def test_the_store_uses_only_its_database_packages() -> None:
    assert not third_party_crossings(), third_party_crossings()
    assert third_party_crossings([("pmfit.store.tables", "import sqlalchemy as sa\nimport numpy\nimport json\n"),
                                  ("pmfit.engine.cpm", "import numpy\n")]) == [
        "pmfit.store.tables:2: store imports numpy"]


def test_every_module_has_a_layer() -> None:
    _, _, unplaced = crossings()
    assert not unplaced, f"give these modules a layer in TOP_LEVEL: {unplaced}"


def test_arrows_point_down_only() -> None:
    bad, _, _ = crossings()
    assert not bad, "imports that break the layering:\n" + "\n".join(bad)


def test_the_debt_list_only_shrinks() -> None:
    _, seen, _ = crossings()
    gone = sorted(set(KNOWN_DEBT) - seen)
    assert not gone, f"these imports are gone: remove them from KNOWN_DEBT: {gone}"


@pytest.mark.parametrize(("source", "target", "allowed"), [
    ("model", "engine", False), ("engine", "model", True), ("io", "engine", False), ("io", "model", True),
    ("store", "engine", False), ("store", "model", True), ("report", "io", False), ("report", "project", True),
    ("cli", "engine", False), ("cli", "io", False), ("cli", "api", True), ("web", "engine", False),
    ("web", "api", True), ("project", "api", False), ("engine", "project", False),
])
def test_the_rules_say_what_the_design_says(source: str, target: str, allowed: bool) -> None:
    assert (target in MAY_IMPORT[source]) is allowed


def test_the_checker_sees_relative_type_only_and_future_imports() -> None:
    probe = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pmfit.api import load\n"
             "from ..io import formats\nimport pmfit.engine.cpm\n")
    bad, _, unplaced = crossings([
        ("pmfit.engine.probe", probe, False),
        ("pmfit.store.repository", "from pmfit.engine.schedule import schedule\nfrom pmfit.model import plan\n",
         False),
        ("pmfit.web.routes", "from pmfit.engine.cpm import critical_path_method\nfrom pmfit import api\n", False),
        ("pmfit.newthing", "", False),
    ])
    assert bad == [
        "pmfit.engine.probe:3: engine imports pmfit.api (api)",
        "pmfit.engine.probe:4: engine imports pmfit.io.formats (io)",
        "pmfit.store.repository:1: store imports pmfit.engine.schedule (engine)",
        "pmfit.web.routes:1: web imports pmfit.engine.cpm (engine)",
    ]
    assert unplaced == ["pmfit.newthing"]
