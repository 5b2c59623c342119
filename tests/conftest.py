"""Shared fixtures: paths to ../shared/data (skipped cleanly when absent) and plan builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PMFIT_SHARED_DATA", ROOT.parent / "shared" / "data"))
EXAMPLES = ROOT / "src" / "pmfit" / "examples"

os.environ.setdefault("MPLBACKEND", "Agg")


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared/data is not available")
    return SHARED


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
