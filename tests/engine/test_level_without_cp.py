"""Issue 12: when CP-SAT cannot follow (OR-Tools missing, or a plan too big for it), ``auto`` is the
heuristic alone and gets the whole time budget, not the short warm-up it runs before CP-SAT."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pmfit.engine.level as engine
from pmfit.engine.network import Network


def _net(n: int = 6) -> Network:
    # n tasks of 480 minutes, each needing 2 of 3 units: at most one at a time.
    ptr = np.arange(n + 1, dtype=np.int64)
    empty = np.array([], dtype=np.int64)
    return Network.from_arrays(
        np.full(n, 480, dtype=np.int64), empty, empty, empty, empty,
        ids=[f"t{j}" for j in range(n)], resource_ids=["dev"], resource_names=["Developers"],
        capacity=np.array([3.0]), demand_ptr=ptr, demand_resource=np.zeros(n, dtype=np.int64),
        demand_units=np.full(n, 2.0), priority=np.full(n, 500, dtype=np.int64),
        levelable=np.ones(n, dtype=bool))


@pytest.fixture
def heuristic_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    real = engine.solve_heuristic

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "solve_heuristic", recording)
    return calls


def test_auto_without_ortools_gives_the_heuristic_the_whole_time_limit(
        monkeypatch: pytest.MonkeyPatch, heuristic_calls: list[dict[str, Any]]) -> None:
    monkeypatch.setattr(engine, "cp_available", lambda: False)
    result = engine.level_network(_net(), method="auto", time_limit=0.7)
    [call] = heuristic_calls
    assert call["time_limit"] == pytest.approx(0.7)
    assert call["schedules"] >= 1_000_000  # bounded by time, not by a short warm-up count
    assert result.method == "auto: heuristic" and result.cp_status is None
    assert sorted(result.start_minutes.tolist()) == [480 * k for k in range(6)]  # one at a time


def test_auto_on_a_plan_too_big_for_cp_sat_also_gets_the_whole_budget(
        heuristic_calls: list[dict[str, Any]]) -> None:
    engine.level_network(_net(), method="auto", time_limit=0.5, cp_max_tasks=3)
    assert heuristic_calls[0]["time_limit"] == pytest.approx(0.5)


def test_auto_with_cp_sat_keeps_the_short_warm_up(heuristic_calls: list[dict[str, Any]]) -> None:
    if not engine.cp_available():
        pytest.skip("OR-Tools is not installed")
    result = engine.level_network(_net(), method="auto", time_limit=2.0)
    assert heuristic_calls[0]["time_limit"] == pytest.approx(0.6)
    assert heuristic_calls[0]["schedules"] < 1000
    assert result.proven_optimal and result.start_minutes.max() == 5 * 480
