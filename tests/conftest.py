"""Shared fixtures: paths to ../shared/data (skipped cleanly when absent) and plan builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# CI (and `CI=true make test`) draws the same examples every run, so a red build is reproducible and a
# green one is not luck; a local run keeps exploring new examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
SHARED = Path(os.environ.get("PMFIT_SHARED_DATA", ROOT.parent / "shared" / "data"))
EXAMPLES = ROOT / "src" / "pmfit" / "examples"

os.environ.setdefault("MPLBACKEND", "Agg")


def require_mpxj() -> None:
    """Skip the calling test module, with the reason, where MPXJ (Java and its jar) cannot run."""
    try:
        from pmfit.io.mpp import mpxj_missing

        missing = mpxj_missing()
    except Exception as exc:  # pragma: no cover - depends on the machine
        missing = str(exc)
    if missing:
        pytest.skip(f"MPXJ cannot run here: {missing}", allow_module_level=True)


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


README = ROOT / "README.md"


def readme_section(title_prefix: str) -> str:
    """The README's ``## <title>`` section (up to the next ``##`` heading outside code blocks)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = fence = False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            if inside:
                break
            inside = line[3:].startswith(title_prefix)
        if inside:
            out.append(line)
    if not out:
        raise AssertionError(f"README.md has no section '## {title_prefix}…'")
    return "\n".join(out) + "\n"
