"""Earned value and earned schedule against a baseline (pure; no I/O).

The quantities (PMI, *Practice Standard for Earned Value Management*; ANSI/EIA-748):

- PV (BCWS): the baseline budget of the work scheduled by the status date;
  each task's budget accrues linearly over its baseline working time.
- EV (BCWP): the baseline budget of the work done, by the plan's rule
  (``progress.ev_method``): ``percent`` (BAC x % complete), ``0/100``
  (all at finish) or ``50/50`` (half at start, half at finish).
- AC (ACWP): recorded ``actual_cost``; when missing for a started task it is
  derived as rate x working time spent + fixed cost x % complete
  (``derived_actual_cost``).
- ``SV = EV - PV``, ``CV = EV - AC``, ``SPI = EV / PV``, ``CPI = EV / AC``.
- EAC by the three standard formulas: ``AC + (BAC - EV)`` (remaining work at
  budget rate), ``BAC / CPI`` (current cost efficiency continues) and
  ``AC + (BAC - EV) / (CPI x SPI)`` (both indices); ``ETC = EAC - AC`` and
  ``VAC = BAC - EAC`` use ``BAC / CPI``; ``TCPI = (BAC - EV) / (BAC - AC)``.
- Earned schedule (Lipke 2003): ES is the time at which the baseline
  planned to have earned today's EV, found by inverting the cumulative PV
  curve (``ES = C + (EV - PV_C) / (PV_C+1 - PV_C)`` on periods);
  ``SPI(t) = ES / AT``, ``SV(t) = ES - AT`` and the forecast duration
  ``IEAC(t) = PD / SPI(t)``, which, unlike SPI, does not drift back to 1
  at the end of a late project.

A ratio with a zero denominator is ``None``, never NaN or infinity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pmfit.engine.baseline import (
    Accrual,
    auto_period,
    baseline_calendar,
    cost_rates,
    leaf_arrays,
    period_ends,
    planned_value_at,
)
from pmfit.engine.status import StatusSchedule, TaskStatus, status_schedule, status_time
from pmfit.model.diagnostics import Diagnostic, PlanError, did_you_mean

if TYPE_CHECKING:
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.plan import Baseline, Plan

FloatArray = npt.NDArray[np.float64]


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Figures:
    """The earned-value figures of one task, WBS branch or project."""

    bac: float
    pv: float
    ev: float
    ac: float

    @property
    def sv(self) -> float:
        return self.ev - self.pv

    @property
    def cv(self) -> float:
        return self.ev - self.ac

    @property
    def spi(self) -> float | None:
        return _ratio(self.ev, self.pv)

    @property
    def cpi(self) -> float | None:
        return _ratio(self.ev, self.ac)

    @property
    def percent_complete(self) -> float | None:
        """Earned share of the budget, EV / BAC, in percent."""
        ratio = _ratio(self.ev, self.bac)
        return None if ratio is None else 100.0 * ratio

    @property
    def percent_spent(self) -> float | None:
        ratio = _ratio(self.ac, self.bac)
        return None if ratio is None else 100.0 * ratio

    @property
    def eac_atypical(self) -> float:
        """``AC + (BAC - EV)``: the rest of the work costs what was budgeted."""
        return self.ac + (self.bac - self.ev)

    @property
    def eac_cpi(self) -> float | None:
        """``BAC / CPI``: the cost efficiency so far continues."""
        cpi = self.cpi
        return None if not cpi else self.bac / cpi

    @property
    def eac_cpi_spi(self) -> float | None:
        """``AC + (BAC - EV) / (CPI x SPI)``: cost and schedule pressure both continue."""
        cpi, spi = self.cpi, self.spi
        if not cpi or not spi:
            return None
        return self.ac + (self.bac - self.ev) / (cpi * spi)

    @property
    def eac(self) -> float:
        """The headline EAC: ``BAC / CPI`` when CPI is defined, else ``AC + (BAC - EV)``."""
        value = self.eac_cpi
        return self.eac_atypical if value is None else value

    @property
    def etc(self) -> float:
        return self.eac - self.ac

    @property
    def vac(self) -> float:
        return self.bac - self.eac

    @property
    def tcpi(self) -> float | None:
        """``(BAC - EV) / (BAC - AC)``: the efficiency needed on the rest to finish on budget."""
        return _ratio(self.bac - self.ev, self.bac - self.ac)

    @property
    def tcpi_eac(self) -> float | None:
        """``(BAC - EV) / (EAC - AC)``: the efficiency needed to finish at the EAC."""
        return _ratio(self.bac - self.ev, self.eac - self.ac)

    def __post_init__(self) -> None:
        for name in ("bac", "pv", "ev", "ac"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.bac + other.bac, self.pv + other.pv, self.ev + other.ev, self.ac + other.ac)

    def to_dict(self, digits: int = 2) -> dict[str, Any]:
        return {
            "bac": round(self.bac, digits), "pv": round(self.pv, digits), "ev": round(self.ev, digits),
            "ac": round(self.ac, digits), "sv": round(self.sv, digits), "cv": round(self.cv, digits),
            "spi": _r(self.spi), "cpi": _r(self.cpi),
            "eac": round(self.eac, digits),
            "eac_atypical": round(self.eac_atypical, digits),
            "eac_cpi": _r(self.eac_cpi, digits), "eac_cpi_spi": _r(self.eac_cpi_spi, digits),
            "etc": round(self.etc, digits), "vac": round(self.vac, digits),
            "tcpi": _r(self.tcpi), "tcpi_eac": _r(self.tcpi_eac),
            "percent_complete": _r(self.percent_complete, 2),
            "percent_spent": _r(self.percent_spent, 2),
        }


def earned_schedule_periods(pv: Sequence[float], ev: float) -> float:
    """Earned schedule in periods from a cumulative PV table (Lipke 2003).

    ``pv[k]`` is the cumulative planned value at the end of period ``k + 1``.
    ``ES = C + (EV - PV_C) / (PV_C+1 - PV_C)`` where ``C`` is the number of
    whole periods whose cumulative PV the EV has reached. EV at or above the
    last PV gives the planned duration.
    """
    cumulative = [0.0, *(float(v) for v in pv)]
    if ev <= 0:
        return 0.0
    for c in range(len(cumulative) - 1):
        low, high = cumulative[c], cumulative[c + 1]
        if ev < high:
            return c + (ev - low) / (high - low) if high > low else float(c)
    return float(len(cumulative) - 1)


def earned_schedule_time(starts: npt.NDArray[np.int64], finishes: npt.NDArray[np.int64],
                         costs: FloatArray, ev: float) -> float:
    """The earliest time (working minutes) at which the linear-accrual PV curve reaches ``ev``.

    The PV curve is piecewise linear with breaks at task starts and finishes,
    so inverting it exactly is a search over the breakpoints and one
    interpolation: Lipke's formula with the breakpoints as periods.
    """
    if len(starts) == 0:
        return 0.0
    if ev <= 0:
        return float(np.min(starts))
    return Accrual(starts, finishes, costs).first_reaching(ev)


@dataclass(frozen=True)
class EarnedSchedule:
    """Earned schedule figures in working days (and the forecast finish date)."""

    es: float
    at: float
    pd: float
    planned_finish: dt.datetime
    forecast_finish: dt.datetime | None

    @property
    def spi_t(self) -> float | None:
        return _ratio(self.es, self.at)

    @property
    def sv_t(self) -> float:
        return self.es - self.at

    @property
    def ieac_t(self) -> float | None:
        """Forecast duration ``PD / SPI(t)`` in working days."""
        spi = self.spi_t
        return None if not spi else self.pd / spi

    def to_dict(self) -> dict[str, Any]:
        return {
            "es_days": round(self.es, 3), "at_days": round(self.at, 3), "pd_days": round(self.pd, 3),
            "spi_t": _r(self.spi_t), "sv_t_days": round(self.sv_t, 3),
            "ieac_t_days": _r(self.ieac_t, 3),
            "planned_finish": self.planned_finish.isoformat(timespec="minutes"),
            "forecast_finish": self.forecast_finish.isoformat(timespec="minutes")
            if self.forecast_finish else None,
        }


@dataclass(frozen=True)
class TaskEarnedValue:
    """One task's (or WBS branch's) figures, state and dates against its baseline."""

    id: str
    name: str
    figures: Figures
    state: str
    summary: bool = False
    parent: str | None = None
    baseline_start: dt.datetime | None = None
    baseline_finish: dt.datetime | None = None
    start: dt.datetime | None = None
    finish: dt.datetime | None = None
    finish_variance_days: float | None = None
    percent: float = 0.0
    ac_derived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "summary": self.summary, "parent": self.parent,
            "state": self.state, "percent_complete": round(self.percent, 2),
            **self.figures.to_dict(),
            "baseline_start": _iso(self.baseline_start), "baseline_finish": _iso(self.baseline_finish),
            "start": _iso(self.start), "finish": _iso(self.finish),
            "finish_variance_days": _r(self.finish_variance_days, 3),
            "ac_derived": self.ac_derived,
        }


@dataclass(frozen=True)
class PeriodRow:
    """One row of the time-phased table: cumulative values at the end of ``date``."""

    date: dt.date
    pv: float
    ev: float | None
    ac: float | None
    forecast: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "pv": round(self.pv, 2),
                "ev": _r(self.ev, 2), "ac": _r(self.ac, 2), "forecast": _r(self.forecast, 2)}


@dataclass(frozen=True, eq=False)
class EarnedValue:
    """Earned value of a plan against one baseline as of a status date."""

    baseline: str
    status_date: dt.datetime
    method: str
    currency: str
    project: Figures
    schedule: EarnedSchedule
    tasks: dict[str, TaskEarnedValue]
    timephased: list[PeriodRow]
    status: StatusSchedule
    behind: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def forecast_finish(self) -> dt.datetime:
        """The finish of the status-date schedule (remaining work from the status date)."""
        return self.status.finish

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "status_date": self.status_date.isoformat(timespec="minutes"),
            "ev_method": self.method,
            "currency": self.currency,
            "project": self.project.to_dict(),
            "earned_schedule": self.schedule.to_dict(),
            "forecast_finish": self.forecast_finish.isoformat(timespec="minutes"),
            "behind": self.behind,
            "tasks": [t.to_dict() for t in self.tasks.values()],
            "timephased": [p.to_dict() for p in self.timephased],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def to_pandas(self) -> Any:
        """The per-task table as a DataFrame indexed by task id (needs pandas)."""
        import pandas as pd

        return pd.DataFrame([t.to_dict() for t in self.tasks.values()]).set_index("id")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _earned(method: str, st: TaskStatus, bac: float) -> float:
    if st.state == "done":
        return bac
    if not st.started:
        return 0.0
    if method == "0/100":
        return 0.0
    if method == "50/50":
        return 0.5 * bac
    return bac * min(max(st.percent, 0.0), 100.0) / 100.0


#: beyond this (about a century of 8-hour working days) an earned-schedule forecast says nothing
_FORECAST_HORIZON_MINUTES = 100 * 260 * 480


def pick_baseline(plan: Plan, name: str | None) -> Baseline:
    """The named baseline (the first when ``name`` is None), or a :class:`PlanError`."""
    if not plan.baselines:
        raise PlanError(Diagnostic(
            "no_baseline", "the plan has no baseline to measure against; freeze one first "
            "with `pmfit baseline PLAN` (add --ignore-progress to freeze the original plan)",
            path=("baselines",)))
    try:
        return plan.baseline(name)
    except KeyError:
        names = [b.name for b in plan.baselines]
        raise PlanError(Diagnostic(
            "unknown_baseline",
            f"the plan has no baseline named '{name}'{did_you_mean(str(name), names)} "
            f"(it has: {', '.join(names)})", path=("baselines",))) from None


def earned_value(
    plan: Plan,
    baseline: Baseline | str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    period: str | None = None,
    *,
    current: StatusSchedule | None = None,
) -> EarnedValue:
    """Earned value of ``plan`` against ``baseline`` (a Baseline, a name, or the first one).

    ``as_of`` defaults to the plan's status date (the project start when it has none).
    Returns per-task, per-WBS-branch and project figures, earned schedule, the
    time-phased table (``period``: day, week, month; automatic when omitted)
    and the status-date schedule (``current``: one already computed for this plan and ``as_of``).
    """
    base = baseline if baseline is not None and not isinstance(baseline, str) else pick_baseline(plan, baseline)
    st = current if current is not None else status_schedule(plan, as_of)
    net = st.schedule.network
    cal = net.calendar
    assert cal is not None
    bcal = baseline_calendar(base, plan)
    when = as_of if as_of is not None else (plan.progress.status_date if plan.progress else None)
    now = max(status_time(bcal, when), 0) if when is not None else 0
    method = plan.progress.ev_method if plan.progress else "percent"
    diagnostics = list(st.diagnostics)

    summaries = plan.summary_ids()
    leaf_ids, b_start, b_finish, b_cost = leaf_arrays(base, bcal, summaries)
    per_minute, fixed = cost_rates(plan, net)
    b_index = {tid: k for k, tid in enumerate(leaf_ids)}
    span = np.maximum(b_finish - b_start, 0)

    rows: dict[str, TaskEarnedValue] = {}
    leaf_figures: dict[str, Figures] = {}
    derived: list[str] = []
    unbudgeted: list[str] = []
    mpd = cal.minutes_per_day
    sched_tasks = st.schedule.tasks
    # leaves of the current plan
    for i, tid in enumerate(net.ids):
        status = st.tasks[tid]
        k = b_index.get(tid)
        bac = float(b_cost[k]) if k is not None else 0.0
        if k is None:
            unbudgeted.append(tid)
            pv = 0.0
        elif span[k] > 0:
            pv = bac * min(max(float(now - b_start[k]) / float(span[k]), 0.0), 1.0)
        else:
            pv = bac if now >= b_finish[k] else 0.0
        ev = _earned(method, status, bac)
        ac_derived = False
        if status.actual_cost is not None:
            ac = float(status.actual_cost)
        elif status.started:
            ac = float(per_minute[i] * status.elapsed + fixed[i] * status.percent / 100.0)
            ac_derived = True
            derived.append(tid)
        else:
            ac = 0.0
        figures = Figures(bac, pv, ev, ac)
        leaf_figures[tid] = figures
        bt = base.tasks.get(tid)
        row = sched_tasks[tid]
        variance = None
        if bt is not None:
            variance = (cal.offset(row.finish) - cal.offset(bt.finish)) / mpd
        rows[tid] = TaskEarnedValue(
            id=tid, name=row.name, figures=figures, state=status.state, parent=row.parent,
            baseline_start=bt.start if bt else None, baseline_finish=bt.finish if bt else None,
            start=row.start, finish=row.finish, finish_variance_days=variance,
            percent=status.percent, ac_derived=ac_derived)
    # baseline leaves the plan no longer has: their budget stays planned, nothing is earned
    removed = [tid for tid in leaf_ids if tid not in rows]
    removed_figures = Figures(0.0, 0.0, 0.0, 0.0)
    removed_rows: dict[str, TaskEarnedValue] = {}
    for tid in removed:
        k = b_index[tid]
        bac = float(b_cost[k])
        pv = bac * min(max(float(now - b_start[k]) / float(span[k]), 0.0), 1.0) if span[k] > 0 else (
            bac if now >= b_finish[k] else 0.0)
        removed_figures = removed_figures + Figures(bac, pv, 0.0, 0.0)
        bt = base.tasks[tid]
        removed_rows[tid] = TaskEarnedValue(
            id=tid, name=bt.name or tid, figures=Figures(bac, pv, 0.0, 0.0), state="removed",
            parent=bt.parent, baseline_start=bt.start, baseline_finish=bt.finish)

    # WBS branches: sums over their leaves
    for s, sid in enumerate(net.summary_ids):
        members = net.summary_leaf[net.summary_ptr[s]:net.summary_ptr[s + 1]]
        total = Figures(0.0, 0.0, 0.0, 0.0)
        for m in members:
            total = total + leaf_figures[net.ids[int(m)]]
        summary_row = sched_tasks.get(sid)
        if summary_row is None:
            continue
        bt = base.tasks.get(sid)
        states = {st.tasks[net.ids[int(m)]].state for m in members}
        state = ("done" if states == {"done"} else "not_started" if states <= {"not_started"}
                 else "overdue" if states <= {"not_started", "overdue"} else "in_progress")
        variance = (cal.offset(summary_row.finish) - cal.offset(bt.finish)) / mpd if bt else None
        rows[sid] = TaskEarnedValue(
            id=sid, name=summary_row.name, figures=total, state=state, summary=True,
            parent=summary_row.parent,
            baseline_start=bt.start if bt else None, baseline_finish=bt.finish if bt else None,
            start=summary_row.start, finish=summary_row.finish, finish_variance_days=variance,
            percent=total.percent_complete or 0.0)
    # plan order; tasks the plan no longer has (their budget stays planned) come last
    ordered = {t.id: rows[t.id] for t in plan.tasks if t.id in rows} | removed_rows

    project = removed_figures
    for figures in leaf_figures.values():
        project = project + figures

    # earned schedule, in working days from the baseline start
    origin = float(b_start.min()) if len(b_start) else 0.0
    planned_end = float(b_finish.max()) if len(b_finish) else 0.0
    es_t = earned_schedule_time(b_start, b_finish, b_cost, project.ev)
    pd_days = (planned_end - origin) / bcal.minutes_per_day
    at_days = max(now - origin, 0.0) / bcal.minutes_per_day
    es_days = max(es_t - origin, 0.0) / bcal.minutes_per_day
    if project.bac > 0 and project.ev >= project.bac - 1e-9:
        es_days = pd_days  # everything earned: ES is the whole planned duration
        # ... and AT stops at the actual finish (Lipke): a finished project does not fall behind
        at_days = max(min(now, float(bcal.offset(st.finish))) - origin, 0.0) / bcal.minutes_per_day
    sched_es = EarnedSchedule(
        es=es_days, at=at_days, pd=pd_days,
        planned_finish=base.finish or bcal.finish_at(int(planned_end)),
        forecast_finish=None)
    ieac = sched_es.ieac_t
    if project.bac > 0 and project.ev >= project.bac - 1e-9:
        forecast = st.finish
    elif ieac is not None and ieac * bcal.minutes_per_day < _FORECAST_HORIZON_MINUTES:
        forecast = bcal.finish_at(round(origin + ieac * bcal.minutes_per_day))
    else:
        # Almost nothing earned yet: the earned-schedule forecast is centuries away, i.e. meaningless.
        forecast = None
    sched_es = EarnedSchedule(es_days, at_days, pd_days, sched_es.planned_finish, forecast)

    if unbudgeted:
        names = ", ".join(f"'{t}'" for t in unbudgeted[:8])
        diagnostics.append(Diagnostic(
            "not_in_baseline",
            f"{len(unbudgeted)} task(s) are not in baseline '{base.name}' ({names}"
            f"{' …' if len(unbudgeted) > 8 else ''}): they have no budget, so no planned or earned value",
            severity="warning", task=unbudgeted[0]))
    if derived:
        names = ", ".join(f"'{t}'" for t in derived[:8])
        diagnostics.append(Diagnostic(
            "derived_actual_cost",
            f"{len(derived)} started task(s) have no actual_cost ({names}"
            f"{' …' if len(derived) > 8 else ''}); their actual cost was derived from rates and time spent",
            severity="info", task=derived[0]))

    # Behind schedule: work that is due and not done — overdue tasks, and tasks in
    # progress that earn less than planned or will finish after their baseline finish.
    # (Unstarted tasks that are merely pushed later show in their finish variance.)
    behind = sorted(
        (t.id for t in ordered.values()
         if not t.summary and (t.state == "overdue" or (t.state == "in_progress" and (
             (t.finish_variance_days or 0) > 1e-9 or t.figures.sv < -1e-6)))),
        key=lambda tid: -(ordered[tid].finish_variance_days or 0))

    table = _timephased(base, bcal, plan, st, leaf_figures, rows, now, project, forecast, period,
                        summaries)
    return EarnedValue(
        baseline=base.name, status_date=bcal.finish_at(now) if when is not None else st.status_date,
        method=method, currency=plan.project.currency, project=project, schedule=sched_es,
        tasks=ordered, timephased=table, status=st, behind=behind, diagnostics=diagnostics)


def _timephased(
    base: Baseline, bcal: WorkingTime, plan: Plan, st: StatusSchedule, leaf_figures: dict[str, Figures],
    rows: dict[str, TaskEarnedValue], now: int, project: Figures, forecast: dt.datetime | None,
    period: str | None, summaries: set[str],
) -> list[PeriodRow]:
    """Cumulative PV per period; EV and AC up to the status date; the AC forecast to the EAC.

    There is one progress record per task, not a history, so EV and AC over
    time are reconstructed by spreading each task's EV and AC evenly over the
    working time it was worked (actual start to actual finish or status date).
    """
    first = (base.start or bcal.finish_at(0)).date()
    ends_at = [bcal.finish_at(now).date(), (base.finish or bcal.finish_at(0)).date(), st.finish.date()]
    if forecast is not None:
        ends_at.append(forecast.date())
    last = max(ends_at)
    dates = period_ends(first, last, period or auto_period(first, last))
    times = np.array([bcal.day_end(d) for d in dates], dtype=np.int64)
    pv = planned_value_at(base, bcal, times, summaries)

    a_list: list[int] = []
    e_list: list[int] = []
    ev_list: list[float] = []
    ac_list: list[float] = []
    scal = st.calendar
    for tid, figures in leaf_figures.items():
        status = st.tasks[tid]
        if not status.started or status.actual_start is None:
            continue
        a_dt = scal.start_at(status.actual_start)
        e_dt = scal.finish_at(status.actual_finish if status.actual_finish is not None else st.status_time)
        a_list.append(bcal.offset(a_dt))
        e_list.append(max(bcal.offset(e_dt), a_list[-1]))
        ev_list.append(figures.ev)
        ac_list.append(figures.ac)
    earned = Accrual(a_list, e_list, ev_list)
    spent = Accrual(a_list, e_list, ac_list)

    out: list[PeriodRow] = []
    forecast_t = bcal.offset(forecast) if forecast is not None else None
    eac = project.eac
    status_day = bcal.finish_at(now).date()
    for d, t, p in zip(dates, times.tolist(), pv.tolist(), strict=True):
        if d <= status_day:
            out.append(PeriodRow(d, float(p), float(earned.at(np.array([t]))[0]),
                                 float(spent.at(np.array([t]))[0]), None))
        else:
            fc = None
            if forecast_t is not None and forecast_t > now:
                frac = min((t - now) / (forecast_t - now), 1.0)
                fc = project.ac + (eac - project.ac) * frac
            elif forecast_t is not None:
                fc = eac
            out.append(PeriodRow(d, float(p), None, None, fc))
    return out


__all__ = ["EarnedSchedule", "EarnedValue", "Figures", "PeriodRow", "TaskEarnedValue",
           "earned_schedule_periods", "earned_schedule_time", "earned_value", "pick_baseline"]
