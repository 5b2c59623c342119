"""The earned-value S-curve: PV, EV and AC over time, with the forecast to completion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmfit.report.charts.style import ACCENT, BASELINE, PALETTE, pyplot

if TYPE_CHECKING:
    from pmfit.engine.track import EarnedValue


def s_curve_figure(result: EarnedValue) -> Any:
    """A matplotlib figure of cumulative PV, EV, AC and the cost forecast (EAC) by date."""
    plt = pyplot()
    rows = result.timephased
    fig, ax = plt.subplots(figsize=(8, 4.5))
    dates = [r.date for r in rows]
    ax.plot(dates, [r.pv for r in rows], color=PALETTE["blue"], lw=2, label="PV (planned value)")
    done = [r for r in rows if r.ev is not None]
    status = result.status_date
    if done:
        x = [r.date for r in done] + [status.date()]
        ax.plot(x, [r.ev for r in done] + [result.project.ev], color=PALETTE["green"], lw=2,
                label="EV (earned value)")
        ax.plot(x, [r.ac for r in done] + [result.project.ac], color=PALETTE["vermillion"], lw=2,
                label="AC (actual cost)")
    future = [r for r in rows if r.forecast is not None]
    if future:
        ax.plot([status.date()] + [r.date for r in future], [result.project.ac] + [r.forecast for r in future],
                color=PALETTE["vermillion"], lw=1.5, ls="--", label=f"forecast AC → EAC {result.project.eac:,.0f}")
    ax.axhline(result.project.bac, color=BASELINE, lw=1, ls=":", label=f"BAC {result.project.bac:,.0f}")
    ax.axvline(status.date(), color=PALETTE["black"], lw=0.8, alpha=0.6)
    ax.annotate(f"status {status:%d %b %Y}", (status.date(), 0), xytext=(3, 3),
                textcoords="offset points", fontsize=8)
    es = result.schedule
    if es.forecast_finish is not None:
        ax.axvline(es.forecast_finish.date(), color=ACCENT, lw=1, ls="--",
                   label=f"forecast finish (earned schedule) {es.forecast_finish:%d %b %Y}")
    ax.axvline(es.planned_finish.date(), color=BASELINE, lw=1, ls="-.",
               label=f"baseline finish {es.planned_finish:%d %b %Y}")
    ax.set_title(f"Earned value against baseline '{result.baseline}'")
    ax.set_ylabel(result.currency)
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    fig.autofmt_xdate()
    return fig


__all__ = ["s_curve_figure"]
