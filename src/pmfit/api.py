"""The Python API: what the CLI and the web call, and what a notebook uses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable

    import numpy as np

    from pmfit.engine.advise.advisor import Advice
    from pmfit.engine.advise.portfolio import Portfolio
    from pmfit.engine.diff import PlanDiff
    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.risk.result import RiskResult
    from pmfit.engine.schedule import Schedule
    from pmfit.engine.status import StatusSchedule
    from pmfit.engine.track import EarnedValue
    from pmfit.io.formats import ExportResult, Format, ImportReport
    from pmfit.model.plan import Baseline, Plan
    from pmfit.report.facts import StatusFacts


def load(path: str | os.PathLike[str]) -> Plan:
    """Read a plan file of any supported format (detected by content) and validate it.

    Raises :class:`pmfit.PlanError` with located diagnostics on bad input.
    """
    from pmfit.io.formats import load as _load

    return _load(path)


def loads(text: str, filename: str | None = None) -> Plan:
    """Parse YAML plan text."""
    from pmfit.io.yamlplan import read_plan_text

    return read_plan_text(text, filename)


def save(plan: Plan, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a plan; the format follows the extension (``.yaml``, ``.json``, ...)."""
    from pmfit.io.formats import export_file

    export_file(plan, path, format)


def dumps(plan: Plan) -> str:
    """The plan as YAML text."""
    from pmfit.io.yamlplan import write_plan_text

    return write_plan_text(plan)


def schedule(plan: Plan) -> Schedule:
    """Schedule a plan by the critical path method (dates, floats, critical path)."""
    from pmfit.engine.schedule import schedule as _schedule

    return _schedule(plan)


def validate(plan: Plan) -> list:  # type: ignore[type-arg]
    """Every diagnostic for a plan (empty when it is clean)."""
    from pmfit.model.validate import validate_plan

    return validate_plan(plan)


def status_schedule(plan: Plan, as_of: _dt.date | _dt.datetime | None = None) -> StatusSchedule:
    """The plan rescheduled around its progress as of ``as_of`` (default: its status date).

    Finished work stays where it happened, in-progress work keeps its actual
    start with its remaining duration from the status date, and unstarted
    tasks that should have started move past it.
    """
    from pmfit.engine.status import status_schedule as _status

    return _status(plan, as_of)


def earned_value(
    plan: Plan,
    baseline: str | Baseline | None = None,
    as_of: _dt.date | _dt.datetime | None = None,
    period: str | None = None,
) -> EarnedValue:
    """Earned value and earned schedule of ``plan`` against a baseline (the first one by default).

    ``as_of`` defaults to the plan's status date, else today. Raises
    :class:`pmfit.PlanError` (``no_baseline``, ``unknown_baseline``) when there is nothing to
    measure against.
    """
    import datetime

    from pmfit.engine.track import earned_value as _ev

    if as_of is None and (plan.progress is None or plan.progress.status_date is None):
        as_of = datetime.date.today()
    return _ev(plan, baseline, as_of, period)


def baseline(plan: Plan, name: str = "baseline", replace: bool = False, ignore_progress: bool = False) -> Plan:
    """A new plan with the current schedule frozen as baseline ``name`` (the plan is not changed).

    The current schedule is the status-date schedule when the plan has a status
    date; ``ignore_progress`` freezes the plan as scheduled without its progress.
    Raises :class:`pmfit.PlanError` (``baseline_exists``) when the name is taken, unless ``replace``.
    """
    import datetime

    from pmfit.engine.baseline import freeze, with_baseline

    source = plan.model_copy(update={"progress": None}) if ignore_progress else plan
    frozen = freeze(source, name=name, created=datetime.datetime.now().replace(microsecond=0))
    return with_baseline(plan, frozen, replace=replace)


def diff(old: Plan, new: Plan | None = None, *, baseline: str | Baseline | None = None) -> PlanDiff:
    """What changed between two plans and what it did to the finish date.

    With ``new`` omitted, compares ``old`` with one of its own baselines
    (``baseline``: a name or a Baseline; the first one by default).
    """
    if new is not None:
        from pmfit.engine.diff import diff_plans

        return diff_plans(old, new, old_label=old.project.name, new_label=new.project.name)
    from pmfit.engine.diff import diff_baseline
    from pmfit.engine.track import pick_baseline

    base = baseline if baseline is not None and not isinstance(baseline, str) else pick_baseline(old, baseline)
    return diff_baseline(old, base)


def level(plan: Plan, time_limit: float = 5.0, method: str = "auto", schedules: int | None = None,
          seed: int = 0, workers: int = 2) -> LeveledSchedule:
    """Level the plan's resources: dates that respect capacities, delays with their causes.

    ``method``: ``"auto"`` (heuristic, then CP-SAT with the rest of ``time_limit`` seconds when
    OR-Tools is installed), ``"heuristic"`` or ``"cp"``. The plan is not changed.
    """
    from pmfit.engine.level import level as _level

    return _level(plan, time_limit=time_limit, method=method, schedules=schedules,  # type: ignore[arg-type]
                  seed=seed, workers=workers)


def import_file(path: str | os.PathLike[str], check: bool = True) -> tuple[Plan, ImportReport]:
    """Read any supported file (MS Project, Primavera, ...) with the import report.

    The report says what was read, mapped approximately and dropped; with ``check``
    it also lists every task whose dates pmfit's CPM places differently from the file.
    """
    from pmfit.io.formats import import_file as _import_file

    return _import_file(path, check=check)


def export_file(plan: Plan, path: str | os.PathLike[str], format: str | None = None) -> Format:
    """Write a plan in the format named by ``format`` or by the extension (.xml, .xer, ...)."""
    from pmfit.io.formats import export_file as _export_file

    return _export_file(plan, path, format)


def export_plan(plan: Plan, path: str | os.PathLike[str], format: str | None = None) -> ExportResult:
    """Write a plan like :func:`export_file`, and return the export report too: what the target
    format keeps, approximates and drops of this plan (``result.report``, ``result.format``)."""
    from pmfit.io.formats import export_plan as _export_plan

    return _export_plan(plan, path, format)


def advise(plan: Plan | str | os.PathLike[str], salaries: str | os.PathLike[str] | None = None,
           risk: bool = False) -> Advice:
    """Which kind of PM a plan needs (general, IT or technical), why, and what each costs.

    ``plan`` is a :class:`Plan` or a plan file; ``salaries`` a YAML/CSV salary table whose rows
    override the shipped OEWS May 2024 table (as does ``project.pm_salaries``). With ``risk``,
    the Monte Carlo finish spread (P90 vs P50) feeds technology uncertainty when the risk
    engine is available. Uses O*NET 29.3 data under CC BY 4.0 (see ``Advice.attribution``).
    """
    from pmfit.io.roledata import advise_plan

    return advise_plan(plan, salaries=salaries, risk=risk)


def advise_portfolio(plans: list[Plan | str | os.PathLike[str]] | str | os.PathLike[str],
                     salaries: str | os.PathLike[str] | None = None) -> Portfolio:
    """Advice for several plans (or every plan file in a folder) with shared-PM staffing and totals."""
    from pmfit.io.roledata import advise_plans

    return advise_plans(plans, salaries=salaries)


def advise_brief(text: str, salaries: str | os.PathLike[str] | None = None, name: str = "project brief") -> Advice:
    """Advice from a free-text project description or job advert (lower confidence than a plan)."""
    from pmfit.io.roledata import advise_text

    return advise_text(text, salaries=salaries, name=name)


def advise_answers(answers: dict[str, object], salaries: str | os.PathLike[str] | None = None) -> Advice:
    """Advice from interview answers (keys of ``pmfit.engine.advise.brief.QUESTIONS``)."""
    from pmfit.io.roledata import advise_interview

    return advise_interview(answers, salaries=salaries)


def simulate(plan: Plan, iterations: int = 10_000, seed: int | np.random.Generator | None = None, *,
             correlation: float | None = None, precision: float | str | None = None, risk_impact: bool = True,
             progress: Callable[[int, int], None] | None = None, from_status: bool = False) -> RiskResult:
    """Monte Carlo schedule risk: P10/P50/P80/P90 finish, deadline odds, criticality, tornado, risk impact.

    ``seed`` makes runs repeatable (an int or a ``numpy.random.Generator``);
    ``correlation`` is the shared-factor correlation within a task ``group``
    (default: the plan's ``project.risk_correlation``, else 0.5);
    ``precision`` (working minutes, or a duration like ``"0.5d"``) stops
    early once P80's standard error is that small. With ``from_status``, a plan
    with progress is simulated from its status date: finished work is fixed and
    only the remaining work varies (what the status reports use).
    """
    from pmfit.engine.risk import simulate as _simulate

    if isinstance(precision, str):
        from pmfit.engine.workcal import WorkingTime

        precision = WorkingTime(plan.project.calendar, plan.project.start).minutes(precision)
    if from_status and plan.progress is not None and plan.progress.status_date is not None:
        from pmfit.engine.forecast import simulate_remaining

        return simulate_remaining(plan, iterations, seed, correlation=correlation, precision=precision,
                                  risk_impact=risk_impact, progress=progress)
    return _simulate(plan, iterations, seed, correlation=correlation, precision=precision,
                     risk_impact=risk_impact, progress=progress)


def report(plan: Plan, audience: str | None = None, format: str = "md", *, for_stakeholder: str | None = None,
           as_of: _dt.date | _dt.datetime | None = None, previous: Plan | None = None, iterations: int = 2000,
           seed: int = 20270104, facts: object = None) -> str | bytes:
    """A status report: ``audience`` "technical" or "executive", ``format`` "md", "html" or "pdf" (bytes).

    ``for_stakeholder`` (a stakeholder's name or role in the plan) picks the audience
    and puts first the sections that stakeholder cares about. Both reports come from
    one :func:`status_facts` gathering, so their numbers agree.
    """
    from pmfit.report.build import build_report

    return build_report(plan, audience, format, for_stakeholder=for_stakeholder,  # type: ignore[arg-type]
                        facts=facts, as_of=as_of, previous=previous,  # type: ignore[arg-type]
                        iterations=iterations, seed=seed)


def status_facts(plan: Plan, *, as_of: _dt.date | _dt.datetime | None = None, previous: Plan | None = None,
                 iterations: int = 2000, seed: int = 20270104) -> StatusFacts:
    """Every fact a status report states (schedule, leveling, risk, earned value, changes, advice)."""
    from pmfit.report.facts import gather_facts

    return gather_facts(plan, as_of=as_of, previous=previous, iterations=iterations, seed=seed)
