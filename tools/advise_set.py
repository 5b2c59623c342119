"""The role advisor's labelled evaluation set (tests/data/advise) and how the advisor reads it.

Shared by tools/train_advisor.py, bench/advise.py and the tests, so that all three read the
texts exactly as `pmfit advise --brief` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "tests" / "data" / "advise"
FILES = {"description": "descriptions.jsonl", "advert": "adverts.jsonl"}


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # "description" or "advert"
    label: str  # general, it, technical
    text: str
    source: str
    why: str


def load_cases(folder: Path = SET_DIR) -> list[Case]:
    cases: list[Case] = []
    for kind, name in FILES.items():
        with open(folder / name, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    cases.append(Case(row["id"], kind, row["label"], row["text"], row["source"], row["why"]))
    return cases


def read_cases(cases: list[Case]) -> list:  # list[Reading]
    """Each case's reading, as the advisor reads a brief (titles and boilerplate removed)."""
    from pmfit.advising import shipped_role_data
    from pmfit.engine.advise.brief import reading_text
    from pmfit.engine.advise.reading import read

    data = shipped_role_data()
    assert data.cues is not None
    return [read(reading_text(data.vocabulary, c.text), data.vocabulary, data.cues) for c in cases]
