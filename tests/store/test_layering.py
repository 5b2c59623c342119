"""The store imports pmfit's model, SQLAlchemy and Alembic only: it stores, it computes nothing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "src" / "pmfit" / "store"
ALLOWED = ("pmfit.model", "pmfit.store", "sqlalchemy", "alembic")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_store_imports_only_the_model_sqlalchemy_alembic_and_the_standard_library() -> None:
    files = sorted(STORE.rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            assert name.startswith(ALLOWED), f"{path.relative_to(STORE.parent)} imports {name}"
