"""Child processes forked from the pre-warmed test process (imports done once, not per child).

Each child opens its own engine after the fork (never a connection of the parent's) and leaves
with ``os._exit`` so that nothing of pytest's runs twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import Any


def run_forked(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], timeout: float = 60.0) -> list[Any]:
    """Run ``fn(*args)`` for each args in its own forked process, all at once; their return values.

    The children wait at a barrier (a pipe the parent closes once all are forked) so they start together.
    A child's exception comes back as a ``RuntimeError`` with its traceback.
    """
    import select
    import time

    go_read, go_write = os.pipe()
    children: list[tuple[int, int]] = []
    for args in calls:
        out_read, out_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                os.close(out_read)
                os.close(go_write)
                os.read(go_read, 1)  # returns b"" when the parent closes its end: go
                try:
                    payload = pickle.dumps(("ok", fn(*args)))
                except BaseException as exc:  # report it to the parent
                    payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
                with os.fdopen(out_write, "wb") as out:
                    out.write(payload)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(out_write)
        children.append((pid, out_read))
    os.close(go_read)
    os.close(go_write)  # all forked: release them
    results: list[Any] = []
    deadline = time.monotonic() + timeout
    for pid, fd in children:
        chunks = []
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                for other, _ in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(other, 9)
                raise TimeoutError("a forked writer did not finish in time")
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(fd)
        os.waitpid(pid, 0)
        status, value = pickle.loads(b"".join(chunks)) if chunks else ("error", "the child died")
        if status != "ok":
            raise RuntimeError(f"child failed: {value}")
        results.append(value)
    return results
