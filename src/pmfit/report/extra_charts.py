"""Charts beyond the Gantt: finish distribution, tornado, S-curve, resource usage (from the facts)."""

from __future__ import annotations

from pmfit.report.document import Chart
from pmfit.report.facts import StatusFacts


def charts(facts: StatusFacts) -> dict[str, Chart]:
    return {}
