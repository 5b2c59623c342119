"""The leveler's kernels compiled by numba, as one importable module.

The source of :mod:`pmfit.engine.level.kernels` is executed here and every
loop is compiled in place, so compiled loops call compiled loops (numba
resolves a function's globals in its own module) and numba's on-disk cache
can find this module again. Import it only when numba is installed.
"""

from __future__ import annotations

import inspect
from typing import Any

import numba

from pmfit.engine.level import kernels as _source

NAMES = ("reach_bits", "seed_rng", "_heap_push", "_heap_pop", "earliest_fit", "_place", "clear_usage", "remove_all",
         "serial_sgs", "parallel_sgs", "sample_keys", "justify", "crossover", "schedule_hash", "evolve")

exec(compile(inspect.getsource(_source), str(_source.__file__), "exec"), globals())

_compiled: dict[str, Any] = {name: numba.njit(cache=True, nogil=True)(globals()[name]) for name in NAMES}
globals().update(_compiled)
