"""What a simulation returns: the finish distribution and what drives it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.network import Network

if TYPE_CHECKING:
    import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PERCENTILES = (10, 50, 80, 90)


@dataclass(frozen=True)
class DeadlineOdds:
    """The chance of meeting one date: a deadline, a finish/start-no-later-than, the project deadline."""

    task: str | None
    kind: str
    limit: int  # working minutes
    probability: float
    on_start: bool = False

    def standard_error(self, iterations: int) -> float:
        p = self.probability
        return math.sqrt(max(p * (1 - p), 0.0) / max(iterations, 1))


@dataclass(frozen=True)
class RiskImpact:
    """One risk event: how often it occurred and what it does to P80 (working minutes)."""

    id: str
    name: str
    probability: float
    occurred: float
    cost: float
    p80_with: float
    p80_without: float | None

    @property
    def delta(self) -> float | None:
        """Working minutes of P80 this risk costs (mitigate the largest first)."""
        return None if self.p80_without is None else self.p80_with - self.p80_without


@dataclass(frozen=True, eq=False)
class RiskResult:
    """A Monte Carlo schedule-risk result over one network; never changes the plan.

    Times are working minutes from the project start; the ``*_date`` helpers
    turn them into calendar dates with the network's calendar.
    """

    network: Network
    iterations: int
    seed: int
    correlation: float
    finish: IntArray
    deterministic_finish: int
    criticality: FloatArray
    sensitivity: FloatArray
    tracked: IntArray
    tracked_start: IntArray
    tracked_finish: IntArray
    cost: FloatArray | None
    risks: list[RiskImpact]
    deadlines: list[DeadlineOdds]
    stopped_early: bool
    precision: float | None
    durations: IntArray | None
    uncertain: IntArray
    distribution_names: tuple[str, ...]

    # ---- finish distribution ------------------------------------------------
    @cached_property
    def sorted_finish(self) -> IntArray:
        return np.sort(self.finish)

    def percentile(self, p: float) -> int:
        """The ``p``-th percentile of the finish (an observed value, working minutes)."""
        return int(np.quantile(self.finish, p / 100.0, method="inverted_cdf"))

    @property
    def percentiles(self) -> dict[int, int]:
        return {p: self.percentile(p) for p in PERCENTILES}

    @property
    def p50(self) -> int:
        return self.percentile(50)

    @property
    def p80(self) -> int:
        return self.percentile(80)

    @property
    def mean(self) -> float:
        return float(self.finish.mean())

    @property
    def std(self) -> float:
        return float(self.finish.std(ddof=1)) if self.iterations > 1 else 0.0

    @property
    def p80_standard_error(self) -> float:
        """Distribution-free standard error of P80, in working minutes."""
        from pmfit.engine.risk.montecarlo import quantile_standard_error

        return quantile_standard_error(self.sorted_finish, 0.8)

    @property
    def merge_bias(self) -> int:
        """P50 minus the deterministic (CPM) finish: what merging paths hides."""
        return self.p50 - self.deterministic_finish

    def probability_by(self, minutes: int) -> float:
        """Share of iterations finishing by ``minutes``."""
        return float(np.searchsorted(self.sorted_finish, minutes, side="right")) / self.iterations

    @property
    def minutes_per_day(self) -> int:
        cal = self.network.calendar
        return cal.minutes_per_day if cal is not None else 480

    # ---- dates --------------------------------------------------------------
    def date(self, minutes: int | float) -> dt.datetime | None:
        """Calendar date of a finish in working minutes (None without a calendar)."""
        cal = self.network.calendar
        return None if cal is None else cal.finish_at(int(minutes))

    def start_date(self, minutes: int | float) -> dt.datetime | None:
        """Calendar date of a start in working minutes (None without a calendar)."""
        cal = self.network.calendar
        return None if cal is None else cal.start_at(int(minutes))

    def finish_dates(self) -> npt.NDArray[np.datetime64] | None:
        cal = self.network.calendar
        return None if cal is None else cal.finishes(self.finish)

    # ---- drivers -------------------------------------------------------------
    def drivers(self, top: int = 10) -> list[dict[str, Any]]:
        """Tasks ranked by |sensitivity| (the tornado), with criticality."""
        order = np.argsort(-np.abs(self.sensitivity), kind="stable")
        out = []
        for i in order[:top].tolist():
            if self.sensitivity[i] == 0 and self.criticality[i] == 0:
                break
            out.append({"id": self.network.ids[i], "name": self.network.names[i] if self.network.names else
                        self.network.ids[i], "sensitivity": round(float(self.sensitivity[i]), 4),
                        "criticality": round(float(self.criticality[i]), 4)})
        return out

    def milestones(self) -> dict[str, IntArray]:
        """Per-iteration finish (working minutes) of each tracked milestone/deadline task."""
        return {self.network.ids[i]: self.tracked_finish[:, j] for j, i in enumerate(self.tracked.tolist())}

    # ---- export ---------------------------------------------------------------
    def deterministic_finishes(self) -> dict[str, int]:
        """The CPM (deterministic) finish of each tracked task, in working minutes."""
        from pmfit.engine.cpm import critical_path_method

        cpm = critical_path_method(self.network)
        return {self.network.ids[i]: int(cpm.start[i] + self.network.duration[i]) for i in self.tracked.tolist()}

    def summary(self) -> dict[str, Any]:
        """JSON-ready headline numbers."""
        mpd = self.minutes_per_day

        def when(minutes: float) -> str | None:
            d = self.date(minutes)
            return None if d is None else d.isoformat(timespec="minutes")

        out: dict[str, Any] = {
            "iterations": self.iterations,
            "seed": self.seed,
            "correlation": self.correlation,
            "stopped_early": self.stopped_early,
            "deterministic": {"minutes": self.deterministic_finish, "days": self.deterministic_finish / mpd,
                              "date": when(self.deterministic_finish)},
            "percentiles": {f"P{p}": {"minutes": v, "days": v / mpd, "date": when(v)}
                            for p, v in self.percentiles.items()},
            "mean_days": self.mean / mpd,
            "std_days": self.std / mpd,
            "p80_standard_error_days": self.p80_standard_error / mpd,
            "merge_bias_days": self.merge_bias / mpd,
            "probability_deterministic": self.probability_by(self.deterministic_finish),
            "deadlines": [{"task": d.task, "kind": d.kind, "date": when(d.limit) if not d.on_start else
                           _start_iso(self, d.limit), "probability": d.probability,
                           "standard_error": d.standard_error(self.iterations)} for d in self.deadlines],
            "drivers": self.drivers(),
            "risks": [{"id": r.id, "name": r.name, "probability": r.probability, "occurred": r.occurred,
                       "cost": r.cost,
                       "p80_with_days": r.p80_with / mpd,
                       "p80_without_days": None if r.p80_without is None else r.p80_without / mpd,
                       "p80_delta_days": None if r.delta is None else r.delta / mpd} for r in self.risks],
        }
        if self.cost is not None:
            out["cost"] = {f"P{p}": float(np.quantile(self.cost, p / 100.0)) for p in PERCENTILES}
            out["cost"]["mean"] = float(self.cost.mean())
        out["milestones"] = {
            tid: {f"P{p}": when(float(np.quantile(v, p / 100.0, method="inverted_cdf"))) for p in (50, 80)}
            for tid, v in self.milestones().items()
        }
        return out

    def to_dict(self) -> dict[str, Any]:
        return self.summary()

    def to_pandas(self) -> pd.DataFrame:
        """One row per task: criticality index, sensitivity (Spearman), whether it is uncertain."""
        import pandas as pd

        uncertain = np.zeros(self.network.n, dtype=bool)
        uncertain[self.uncertain] = True
        return pd.DataFrame({
            "id": self.network.ids,
            "name": self.network.names or self.network.ids,
            "criticality": self.criticality,
            "sensitivity": self.sensitivity,
            "uncertain": uncertain,
        }).set_index("id")

    def iterations_frame(self) -> pd.DataFrame:
        """One row per iteration: finish (working minutes and date), cost, milestone finishes."""
        import pandas as pd

        data: dict[str, Any] = {"finish_minutes": self.finish}
        dates = self.finish_dates()
        if dates is not None:
            data["finish"] = dates
        if self.cost is not None:
            data["cost"] = self.cost
        for tid, values in self.milestones().items():
            data[f"finish_{tid}"] = values
        return pd.DataFrame(data)


def _start_iso(result: RiskResult, minutes: int) -> str | None:
    cal = result.network.calendar
    return None if cal is None else cal.start_at(minutes).isoformat(timespec="minutes")
