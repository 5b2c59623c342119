"""Schedule risk: Monte Carlo over the compiled network (see :mod:`.montecarlo`)."""

from __future__ import annotations

from pmfit.engine.risk.montecarlo import RiskEvent, simulate_network
from pmfit.engine.risk.plan import simulate
from pmfit.engine.risk.result import DeadlineOdds, RiskImpact, RiskResult

__all__ = ["DeadlineOdds", "RiskEvent", "RiskImpact", "RiskResult", "simulate", "simulate_network"]
