"""A resource-constrained project scheduling problem (RCPSP) as a compiled network.

Benchmark sets such as PSPLIB describe a problem as plain lists: durations in periods, successors,
per-resource demands and capacities. The reader (:mod:`pmfit.io.psplib`) returns those lists and
imports no engine; this turns them into a :class:`~pmfit.engine.network.Network` in periods (no
calendar, every link finish-to-start) for the leveling engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from pmfit.engine.network import Network


class RcpspProblem(Protocol):
    """What :func:`rcpsp_network` reads (a :class:`pmfit.io.psplib.PsplibInstance` is one)."""

    @property
    def durations(self) -> Sequence[int]: ...
    @property
    def successors(self) -> Sequence[Sequence[int]]: ...  # 0-based job indices
    @property
    def demands(self) -> Sequence[Sequence[int]]: ...  # demands[job][resource]
    @property
    def capacities(self) -> Sequence[int]: ...
    def task_id(self, job: int) -> str: ...


def rcpsp_network(problem: RcpspProblem) -> Network:
    """The problem as a compiled network with times in periods: tasks ``task_id(j)``, resources ``R1..Rk``."""
    jobs = len(problem.durations)
    src = [a for a, succ in enumerate(problem.successors) for _ in succ]
    dst = [b for succ in problem.successors for b in succ]
    dptr = np.zeros(jobs + 1, dtype=np.int64)
    dres: list[int] = []
    dun: list[float] = []
    for j, row in enumerate(problem.demands):
        for r, u in enumerate(row):
            if u > 0:
                dres.append(r)
                dun.append(float(u))
        dptr[j + 1] = len(dres)
    resources = len(problem.capacities)
    return Network.from_arrays(
        np.array(problem.durations, dtype=np.int64), np.array(src, dtype=np.int64),
        np.array(dst, dtype=np.int64),
        ids=[problem.task_id(j) for j in range(jobs)],
        names=[f"Job {j + 1}" for j in range(jobs)],
        resource_ids=[f"R{r + 1}" for r in range(resources)],
        resource_names=[f"Resource {r + 1}" for r in range(resources)],
        capacity=np.array(problem.capacities, dtype=float),
        demand_ptr=dptr, demand_resource=np.array(dres, dtype=np.int64),
        demand_units=np.array(dun, dtype=float),
        priority=np.full(jobs, 500, dtype=np.int64),
        levelable=np.ones(jobs, dtype=bool),
    )
