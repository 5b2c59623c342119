"""Compile the engines' inner loops with numba when it is installed and worth it.

Each kernel is written once, as plain Python over numpy arrays. Small plans
run it as Python (no compile wait: a 100-task plan stays instant); large
plans run the same source compiled by numba (``pip install pmfit[fast]``).
Without numba the Python version runs at every size, only slower.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: Below this many tasks + links the Python version is faster than loading compiled code.
JIT_THRESHOLD = int(os.environ.get("PMFIT_JIT_THRESHOLD", "20000"))


@cache
def numba_available() -> bool:
    if os.environ.get("PMFIT_NO_JIT"):
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _compile(fn: Callable[..., Any], parallel: bool) -> Callable[..., Any]:
    import numba

    return numba.njit(cache=True, nogil=True, parallel=parallel)(fn)  # type: ignore[no-any-return]


def kernel(fn: F, size: int, parallel: bool = False) -> F:
    """``fn`` compiled when ``size`` is large and numba is installed, else ``fn`` itself."""
    if size >= JIT_THRESHOLD and numba_available():
        return _compile(fn, parallel)  # type: ignore[return-value]
    return fn
