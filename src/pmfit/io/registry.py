"""Imports every format module so that each registers itself with :mod:`pmfit.io.formats`.

A module that is not there yet (or whose optional dependency is missing) is skipped.
"""

from __future__ import annotations

import importlib

FORMAT_MODULES = (
    "pmfit.io.mspdi",
    "pmfit.io.xer",
    "pmfit.io.p6xml",
    "pmfit.io.mpx",
    "pmfit.io.mpp",
    "pmfit.io.pod",
    "pmfit.io.gan",
    "pmfit.io.planner",
    "pmfit.io.jira",
    "pmfit.io.clickup",
    "pmfit.io.csvplan",
    "pmfit.io.ical",
    "pmfit.io.psplib",
    "pmfit.io.tjp",
)

for _name in FORMAT_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _name:
            raise
