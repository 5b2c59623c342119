"""CLI test helpers: a runner with separate stdout/stderr and a small plan with hand-computed answers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

# The demo's report step renders a dozen charts (seconds); tests/report checks that step once,
# the demo tests here run the demo many times without it. Set at import so module-scoped
# fixtures see it too.
os.environ["PMFIT_DEMO_NO_REPORTS"] = "1"

# A plan small enough to schedule by hand (see the expected values below).
# Working days: Mon 4, Tue 5, Wed 6, Thu 7, Fri 8 Jan 2027, then Mon 11 is a holiday,
# so day 5 is Tue 12, day 6 Wed 13, day 7 Thu 14.
TINY_PLAN = """\
project:
  name: Tiny
  start: 2027-01-04
  calendar:
    workweek: [mon, tue, wed, thu, fri]
    hours: 8
    holidays:
      - {date: 2027-01-11, name: Plant shutdown}
resources:
  - {id: dev, name: Developers, units: 2, rate: 100/h, skills: [python], team: Core}
tasks:
  - {id: build, name: Build}
  - {id: a, name: Design, duration: 3d, parent: build, needs: {dev: 1}}
  - {id: b, name: Code, duration: 2d, parent: build, after: [a]}
  - {id: c, name: Docs, duration: 3d, after: ["a SS+1d"]}
  - {id: d, name: Test, duration: 2d, after: [b, c]}
  - {id: e, name: Review, duration: 1d, after: ["c FF+1d"]}
  - {id: m, name: Release, milestone: true, after: [d, e]}
"""

# Hand-computed (working days from the start, 8 h a day, 08:00-12:00 and 13:00-17:00):
#   a: ES 0 EF 3            -> Mon 4 08:00 .. Wed 6 17:00, float 0
#   b: ES 3 EF 5 (FS a)     -> Thu 7 .. Fri 8, float 0
#   c: ES 1 EF 4 (SS+1d a)  -> Tue 5 .. Thu 7; LF = min(LS d = 5, LF e - 1 = 6) = 5 -> float 1, free 0
#   d: ES 5 EF 7 (FS b)     -> Tue 12 (Mon 11 is the holiday) .. Wed 13, float 0
#   e: EF >= EF c + 1 = 5   -> Fri 8 .. Fri 8; LF 7 -> float 2, free 2
#   m: 7                    -> Wed 13 17:00, float 0
#   build (a, b): Mon 4 08:00 .. Fri 8 17:00
EXPECTED = {
    "build": ("2027-01-04T08:00", "2027-01-08T17:00", 0.0, True),
    "a": ("2027-01-04T08:00", "2027-01-06T17:00", 0.0, True),
    "b": ("2027-01-07T08:00", "2027-01-08T17:00", 0.0, True),
    "c": ("2027-01-05T08:00", "2027-01-07T17:00", 1.0, False),
    "d": ("2027-01-12T08:00", "2027-01-13T17:00", 0.0, True),
    "e": ("2027-01-08T08:00", "2027-01-08T17:00", 2.0, False),
    "m": ("2027-01-13T17:00", "2027-01-13T17:00", 0.0, True),
}
EXPECTED_FREE_FLOAT = {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0, "e": 2.0, "m": 0.0}
EXPECTED_FINISH = "2027-01-13T17:00"
EXPECTED_CRITICAL = ["a", "b", "d", "m"]


@pytest.fixture
def tiny_plan(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``pmfit ARGS...`` in-process; stdout and stderr are kept apart."""
    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        reset_consoles()
        result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
        reset_consoles()
        return result

    return invoke
