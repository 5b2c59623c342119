"""The Python API: what the CLI and the web call, and what a notebook uses.

Every function that shows or uses dates works from **the current schedule**: when
the plan records progress (a status date and actuals) that is the schedule that
respects it (finished work where it happened, work in progress from its actual
start, nothing unstarted before the status date); ``as_planned=True`` gives the
plan as if nothing had happened. Behind each function is one
:class:`~pmfit.project.Project` (compiled once, results cached); pass a
``Project`` instead of a ``Plan`` to share its cached results between calls.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

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
    from pmfit.model.diagnostics import Diagnostic
    from pmfit.model.plan import Baseline, Plan
    from pmfit.report.facts import StatusFacts

from pmfit.project import SIMULATION, Project


def project(plan: Plan | Project | str | os.PathLike[str], as_of: _dt.date | _dt.datetime | None = None,
            source: str | os.PathLike[str] | None = None) -> Project:
    """The :class:`Project` of a plan (or plan file): compiled once, results cached.

    A ``Project`` given with the same (or no) ``as_of`` is returned as it is. ``source``
    names the plan's file in messages. Raises :class:`pmfit.PlanError`
    (``bad_status_date``) for an ``as_of`` before the project start.
    """
    if isinstance(plan, Project):
        if as_of is None or as_of == plan.as_of:
            return plan
        return Project(plan.plan, as_of=as_of, source=plan.source)
    if isinstance(plan, (str, os.PathLike)):
        return Project(load(plan), as_of=as_of, source=plan)
    return Project(plan, as_of=as_of, source=source)


def _plan(plan: Plan | Project) -> Plan:
    return plan.plan if isinstance(plan, Project) else plan


def load(path: str | os.PathLike[str]) -> Plan:
    """Read a plan file of any supported format (detected by content) and validate it.

    The plan's baselines are found wherever ``pmfit baseline`` put them: in the
    plan file and in its sidecar ``<plan>.baselines.yaml`` (added after its own).
    Raises :class:`pmfit.PlanError` with located diagnostics on bad input.
    """
    from pmfit.project import load_plan

    return load_plan(path)


def plan_warnings(plan: Plan) -> list[Diagnostic]:
    """Warnings (not errors) about a loaded plan: unused resources, odd progress, ..."""
    from pmfit.io.yamlplan import plan_warnings as _warnings

    return _warnings(plan)


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


def working_minutes(plan: Plan | Project, duration: str) -> int:
    """A duration like ``"0.5d"`` or ``"2h"`` in working minutes on the plan's calendar (ValueError if bad)."""
    from pmfit.engine.workcal import WorkingTime
    from pmfit.model.duration import Duration

    p = _plan(plan)
    return WorkingTime(p.project.calendar, p.project.start).minutes(Duration.parse(duration))


def schedule(plan: Plan | Project, as_planned: bool = False,
             as_of: _dt.date | _dt.datetime | None = None) -> Schedule:
    """The current schedule by the critical path method (dates, floats, critical path).

    With progress, finished work is where it happened and the rest is scheduled
    from the status date (``as_of`` overrides the plan's); ``as_planned`` gives the
    plan as if nothing had happened.
    """
    return project(plan, as_of).schedule(as_planned)


def why(plan: Plan | Project, task_id: str, as_planned: bool = False,
        as_of: _dt.date | _dt.datetime | None = None) -> list:  # type: ignore[type-arg]
    """The driving chain that sets a task's current start (``Schedule.why``).

    Raises :class:`pmfit.PlanError` (``unknown_task``) for an id the plan lacks.
    """
    from pmfit.model.diagnostics import Diagnostic, PlanError, did_you_mean

    sched = schedule(plan, as_planned, as_of)
    if task_id not in sched.tasks:
        raise PlanError(Diagnostic("unknown_task", f"no task '{task_id}'{did_you_mean(task_id, sched.tasks)}"))
    return sched.why(task_id)


def validate(plan: Plan) -> list:  # type: ignore[type-arg]
    """Every diagnostic for a plan (empty when it is clean)."""
    from pmfit.model.validate import validate_plan

    return validate_plan(plan)


def status_schedule(plan: Plan | Project, as_of: _dt.date | _dt.datetime | None = None) -> StatusSchedule:
    """The plan rescheduled around its progress as of ``as_of`` (default: its status date).

    Finished work stays where it happened, in-progress work keeps its actual
    start with its remaining duration from the status date, and unstarted
    tasks that should have started move past it.
    """
    return project(plan).status_schedule(as_of)


def earned_value(
    plan: Plan | Project,
    baseline: str | Baseline | None = None,
    as_of: _dt.date | _dt.datetime | None = None,
    period: str | None = None,
) -> EarnedValue:
    """Earned value and earned schedule of ``plan`` against a baseline (the first one by default).

    ``as_of`` defaults to the plan's status date, else today. Raises
    :class:`pmfit.PlanError` (``no_baseline``, ``unknown_baseline``) when there is nothing to
    measure against, and ``bad_status_date`` for an ``as_of`` before the project starts.
    """
    return project(plan).earned_value(baseline, period, as_of)


def baseline(plan: Plan | Project, name: str = "baseline", replace: bool = False,
             ignore_progress: bool = False) -> Plan:
    """A new plan with the current schedule frozen as baseline ``name`` (the plan is not changed).

    The current schedule is the status-date schedule when the plan has a status
    date; ``ignore_progress`` freezes the plan as scheduled without its progress.
    Raises :class:`pmfit.PlanError` (``baseline_exists``) when the name is taken, unless ``replace``.
    """
    import datetime

    from pmfit.engine.baseline import freeze, with_baseline

    plan = _plan(plan)
    source = plan.model_copy(update={"progress": None}) if ignore_progress else plan
    frozen = freeze(source, name=name, created=datetime.datetime.now().replace(microsecond=0))
    return with_baseline(plan, frozen, replace=replace)


def save_baseline(path: str | os.PathLike[str], name: str = "baseline", *, sidecar: bool = False,
                  replace: bool = False, ignore_progress: bool = False) -> Baseline:
    """Freeze the current schedule of the plan file at ``path`` as baseline ``name`` and store it.

    It goes into the YAML plan file (only its ``baselines:`` section changes) or, with
    ``sidecar`` or for other formats, into ``<plan>.baselines.yaml`` next to it, where
    :func:`load` finds it. Raises :class:`pmfit.PlanError` (``baseline_exists``) when the
    name is taken, unless ``replace``. Returns the baseline stored.
    """
    import datetime

    from pmfit.engine.baseline import freeze
    from pmfit.io.baselines import write_baseline

    plan = load(path)
    source = plan.model_copy(update={"progress": None}) if ignore_progress else plan
    frozen = freeze(source, name=name, created=datetime.datetime.now().replace(microsecond=0))
    write_baseline(path, frozen, sidecar=sidecar, force=replace)
    return frozen


def baseline_file(path: str | os.PathLike[str], sidecar: bool = False) -> str:
    """Where :func:`save_baseline` writes for the plan at ``path`` (the plan file or its sidecar)."""
    from pmfit.io.baselines import is_yaml_plan, sidecar_path
    from pmfit.io.yamlplan import read_text_file

    if not sidecar and is_yaml_plan(read_text_file(path)):
        return str(path)
    return str(sidecar_path(path))


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


def level(plan: Plan | Project, time_limit: float = 5.0, method: str = "auto", schedules: int | None = None,
          seed: int = 0, workers: int = 2, *, as_planned: bool = False,
          as_of: _dt.date | _dt.datetime | None = None) -> LeveledSchedule:
    """Level the current schedule's resources: dates that respect capacities, delays with their causes.

    Work that has started stays at its actual dates; unstarted work moves no earlier than
    the status date (``as_planned``: level the plan as if nothing had happened).
    ``method``: ``"auto"`` (heuristic, then CP-SAT with the rest of ``time_limit`` seconds when
    OR-Tools is installed), ``"heuristic"`` or ``"cp"``. The plan is not changed.
    """
    return project(plan, as_of).level(time_limit, method, schedules, seed, workers, as_planned=as_planned)


def apply_leveling(plan: Plan | Project, time_limit: float = 5.0, method: str = "auto",
                   schedules: int | None = None, seed: int = 0, workers: int = 2, *,
                   as_planned: bool = False) -> Plan:
    """A new plan that keeps the leveled dates as leveling delays (MS Project's Leveling Delay).

    Any leveling delays the plan has are cleared first (as MS Project's "clear leveling values
    before leveling"), the current schedule is leveled (see :func:`level`) and each task that
    leveling moved gets ``leveling_delay``: the working time it waits after its earliest start.
    The current schedule of the result finishes when the leveled schedule does, so a baseline
    taken of it is a schedule the team can meet. :func:`clear_leveling` undoes it.
    """
    from pmfit.engine.level.apply import clear_leveling as _clear
    from pmfit.engine.level.apply import leveling_delays, with_leveling_delays

    base = _clear(_plan(plan))
    leveled = Project(base).level(time_limit, method, schedules, seed, workers, as_planned=as_planned)
    delays = leveling_delays(base, leveled, lambda p: Project(p).schedule(as_planned))
    return with_leveling_delays(base, delays)


def clear_leveling(plan: Plan | Project) -> Plan:
    """A new plan without leveling delays (MS Project's Clear Leveling)."""
    from pmfit.engine.level.apply import clear_leveling as _clear

    return _clear(_plan(plan))


def save_leveling(path: str | os.PathLike[str], *, clear: bool = False, time_limit: float = 5.0,
                  method: str = "auto", seed: int = 0, as_planned: bool = False) -> Plan:
    """Level the YAML plan file at ``path`` and write the leveling delays into it (``clear``:
    remove them), editing only those task fields, comments kept, atomically. Returns the new plan.

    Raises :class:`pmfit.PlanError` (``not_a_yaml_plan``) for other formats.
    """
    from pmfit.io.planedit import plan_lock, task_field_edits, write_edits

    with plan_lock(path):  # read, level and write as one step: another writer waits
        text, plan = _yaml_plan_file(path, "level --apply/--clear")
        new = clear_leveling(plan) if clear else apply_leveling(plan, time_limit, method, seed=seed,
                                                                as_planned=as_planned)
        changed = {t.id: {"leveling_delay": None if t.leveling_delay is None else str(t.leveling_delay)}
                   for old, t in zip(plan.tasks, new.tasks, strict=True) if old.leveling_delay != t.leveling_delay}
        if changed:
            write_edits(path, text, task_field_edits(text.replace("\r\n", "\n"), changed), new)
    return new


def record_progress(plan: Plan | Project, task: str, *, done: bool = False, percent: float | None = None,
                    actual_start: _dt.date | _dt.datetime | None = None,
                    actual_finish: _dt.date | _dt.datetime | None = None, remaining: str | None = None,
                    actual_cost: float | None = None, status_date: _dt.date | _dt.datetime | None = None,
                    source: str | os.PathLike[str] | None = None) -> Plan:
    """A new plan with progress recorded on ``task`` (MS Project's Update Tasks); the plan is not changed.

    ``done`` marks it 100% complete (actual start and finish filled in from the current schedule when
    not recorded, the finish no later than the status date); ``percent`` above 0 starts it; an
    ``actual_finish`` completes it; ``remaining`` (like ``"3d"``) is the work left; ``status_date``
    moves the plan's status date (default: the plan's, else the latest actual date recorded).
    Raises :class:`pmfit.PlanError`: ``unknown_task`` (with a did-you-mean), ``bad_progress``
    (percent out of range, finish before start, a date before the project start, ...),
    ``bad_status_date``.
    """
    from pmfit.engine.progress import record_progress as _record

    p = _plan(plan)
    where = os.fspath(source) if source is not None else (plan.source if isinstance(plan, Project) else None)
    scheduled = None
    if any(t.id == task for t in p.tasks):
        from pmfit.model.diagnostics import PlanError

        try:
            row = project(plan).current.tasks.get(task)
        except (PlanError, ValueError):  # an unschedulable plan still takes explicit dates
            row = None
        scheduled = (row.start, row.finish) if row is not None else None
    return _record(p, task, done=done, percent=percent, actual_start=actual_start, actual_finish=actual_finish,
                   remaining=remaining, actual_cost=actual_cost, status_date=status_date, scheduled=scheduled,
                   source=where)


def save_progress(path: str | os.PathLike[str], task: str, **progress: Any) -> Plan:
    """Record progress on ``task`` (keywords of :func:`record_progress`) in the YAML plan file at
    ``path``: only the progress section's status date and that task's entry change, comments kept,
    written atomically. Returns the new plan; raises :class:`pmfit.PlanError` on bad input
    (the file is then unchanged) and ``not_a_yaml_plan`` for other formats.
    """
    from pmfit.io.planedit import plan_lock

    with plan_lock(path):  # read, record and write as one step: another writer waits
        return _save_progress(path, task, **progress)


def _save_progress(path: str | os.PathLike[str], task: str, **progress: Any) -> Plan:
    from pmfit.io.planedit import progress_edits, write_edits

    text, plan = _yaml_plan_file(path, "progress")
    new = _located(lambda: record_progress(plan, task, source=path, **progress), text, path, plan)
    old_progress, new_progress = plan.progress, new.progress
    assert new_progress is not None
    old_status = old_progress.status_date if old_progress is not None else None
    status = _yaml_value(new_progress.status_date) if new_progress.status_date != old_status else None
    old_entry = old_progress.tasks.get(task) if old_progress is not None else None
    new_entry = new_progress.tasks[task]
    fields = {}
    for name in ("actual_start", "actual_finish", "percent_complete", "remaining", "actual_cost"):
        before = getattr(old_entry, name) if old_entry is not None else None
        after = getattr(new_entry, name)
        if before != after:
            fields[name] = None if after is None else _yaml_value(after)
    write_edits(path, text, progress_edits(text.replace("\r\n", "\n"), status, task, fields), new)
    return new


def _located(make: Callable[[], Plan], text: str, path: str | os.PathLike[str], plan: Plan) -> Plan:
    """``make()``, with an error about a task of the plan pointed at the task's line in the file."""
    from pmfit.model.diagnostics import PlanError

    try:
        return make()
    except PlanError as exc:
        import dataclasses

        from pmfit.io.yamlplan import parse_yaml

        index = {t.id: k for k, t in enumerate(plan.tasks)}
        entries = plan.progress.tasks if plan.progress is not None else {}
        try:
            _, source = parse_yaml(text, os.fspath(path))
        except PlanError:
            raise exc from None

        def where(task: str) -> tuple[str | int, ...]:  # its progress entry, else the task itself
            return ("progress", "tasks", task) if task in entries else ("tasks", index[task])

        raise PlanError([source.locate(dataclasses.replace(d, path=where(d.task)))
                         if d.line is None and d.task in index else d for d in exc.diagnostics]) from None


def _yaml_value(value: object) -> str:
    """A progress value as YAML text: dates ISO, numbers without exponents, durations as written."""
    import datetime

    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else repr(value)
    return str(value)


def _yaml_plan_file(path: str | os.PathLike[str], what: str) -> tuple[str, Plan]:
    """The text and plan of a YAML plan file that ``what`` may write into (else ``not_a_yaml_plan``)."""
    from pmfit.io.baselines import is_yaml_plan
    from pmfit.io.yamlplan import read_plan_text, read_text_file
    from pmfit.model.diagnostics import Diagnostic, PlanError

    text = read_text_file(path)
    if not is_yaml_plan(text):
        raise PlanError(Diagnostic(
            "not_a_yaml_plan", f"{what} writes into YAML plan files; convert this one first "
            f"(pmfit export {os.fspath(path)} --to plan.yaml)", file=os.fspath(path)))
    return text, read_plan_text(text, os.fspath(path))


def import_file(path: str | os.PathLike[str], check: bool = True) -> tuple[Plan, ImportReport]:
    """Read any supported file (MS Project, Primavera, ...) with the import report.

    The report says what was read, mapped approximately and dropped; with ``check``
    it also lists every task whose dates pmfit's CPM places differently from the file.
    """
    from pmfit.importing import import_file as _import_file

    return _import_file(path, check=check)


def export_file(plan: Plan | Project, path: str | os.PathLike[str], format: str | None = None, *,
                as_planned: bool = False) -> Format:
    """Write a plan in the format named by ``format`` or by the extension (.xml, .xer, ...).

    Formats that store dates (MS Project XML, XER, iCalendar, CSV, Excel) get the current
    schedule (``as_planned``: the plan as if nothing had happened), as MS Project writes them.
    """
    return export_plan(plan, path, format, as_planned=as_planned).format


def export_plan(plan: Plan | Project, path: str | os.PathLike[str], format: str | None = None, *,
                as_planned: bool = False) -> ExportResult:
    """Write a plan like :func:`export_file`, and return the export report too: what the target
    format keeps, approximates and drops of this plan (``result.report``, ``result.format``)."""
    from pmfit.io.current import CurrentSchedule
    from pmfit.io.formats import export_plan as _export_plan
    from pmfit.model.diagnostics import PlanError

    proj = project(plan)
    try:
        # the status-date schedule goes with its per-task worked and remaining time, which the MS
        # Project and P6 writers need for work in progress
        status = None if as_planned else proj.status
        dates = (CurrentSchedule.of(status.schedule, status) if status is not None
                 else CurrentSchedule.of(proj.schedule(as_planned)))
    except (PlanError, ValueError):  # an unschedulable plan is still written, without computed dates
        dates = None
    return _export_plan(proj.plan, path, format, schedule=dates)


def advise(plan: Plan | Project | str | os.PathLike[str], salaries: str | os.PathLike[str] | None = None,
           risk: bool = False) -> Advice:
    """Which kind of PM a plan needs (general, IT or technical), why, and what each costs.

    ``plan`` is a :class:`Plan` or a plan file; ``salaries`` a YAML/CSV salary table whose rows
    override the shipped OEWS May 2024 table (as does ``project.pm_salaries``). With ``risk``,
    the Monte Carlo finish spread (P90 vs P50) feeds technology uncertainty when the risk
    engine is available. Uses O*NET 29.3 data under CC BY 4.0 (see ``Advice.attribution``).
    """
    if isinstance(plan, (str, os.PathLike)):
        from pmfit.advising import advise_plan

        return advise_plan(plan, salaries=salaries, risk=risk)  # type: ignore[no-any-return]
    return project(plan).advice(salaries, risk)


def advise_portfolio(plans: list[Plan | str | os.PathLike[str]] | str | os.PathLike[str],
                     salaries: str | os.PathLike[str] | None = None) -> Portfolio:
    """Advice for several plans (or every plan file in a folder) with shared-PM staffing and totals."""
    from pmfit.advising import advise_plans

    return advise_plans(plans, salaries=salaries)


def advise_brief(text: str, salaries: str | os.PathLike[str] | None = None, name: str = "project brief",
                 file: str | None = None) -> Advice:
    """Advice from a free-text project description or job advert (lower confidence than a plan)."""
    from pmfit.advising import advise_text

    return advise_text(text, salaries=salaries, name=name, file=file)  # type: ignore[no-any-return]


def interview_questions() -> list:  # type: ignore[type-arg]
    """The questions of the advice interview (keys, prompts, choices, defaults)."""
    from pmfit.engine.advise.brief import QUESTIONS

    return list(QUESTIONS)


def parse_interview_answer(question: object, text: str) -> object:
    """One interview answer checked and parsed; ``AnswerError`` when it is not usable."""
    from pmfit.engine.advise.brief import parse_answer

    return parse_answer(question, text)  # type: ignore[arg-type]


def read_text(path: str | os.PathLike[str], max_bytes: int | None = None) -> str:
    """A text file read the guarded way (size limit, no pipes or devices; PlanError bad_file)."""
    from pmfit.io.yamlplan import read_text_file

    if max_bytes is None:
        return read_text_file(path)
    return read_text_file(path, max_bytes=max_bytes)


def plan_schema() -> dict:  # type: ignore[type-arg]
    """The JSON Schema of the YAML plan file."""
    from pmfit.io.schema import plan_json_schema

    return plan_json_schema()  # type: ignore[no-any-return]


def show_value(value: object) -> str:
    """A changed value as the diff tables show it."""
    from pmfit.engine.diff import show_value as _show

    return _show(value)


def advise_answers(answers: dict[str, object], salaries: str | os.PathLike[str] | None = None) -> Advice:
    """Advice from interview answers (keys of ``pmfit.engine.advise.brief.QUESTIONS``)."""
    from pmfit.advising import advise_interview

    return advise_interview(answers, salaries=salaries)


def simulate(plan: Plan | Project, iterations: int = SIMULATION.iterations,
             seed: int | np.random.Generator | None = SIMULATION.seed, *,
             correlation: float | None = None, precision: float | str | None = None, risk_impact: bool = True,
             progress: Callable[[int, int], None] | None = None, from_status: bool | None = None,
             as_planned: bool = False, as_of: _dt.date | _dt.datetime | None = None) -> RiskResult:
    """Monte Carlo schedule risk of the current schedule: P10/P50/P80/P90 finish, deadline odds,
    criticality, tornado, risk impact.

    A plan with progress is simulated from its status date: finished work is fixed and only
    the remaining work varies (as the reports do); ``as_planned`` (or ``from_status=False``)
    simulates the whole plan as if nothing had happened. ``iterations`` and ``seed`` default
    to :data:`pmfit.project.SIMULATION`, the policy ``pmfit risk`` and ``pmfit report`` share, so
    the same plan, iterations and seed give the same P80 everywhere; ``seed=None`` draws fresh
    entropy. ``correlation`` is the shared-factor correlation within a task ``group``
    (default: the plan's ``project.risk_correlation``, else 0.5); ``precision`` (working
    minutes, or a duration like ``"0.5d"``) stops early once P80's standard error is that small.
    """
    import numpy

    proj = project(plan, as_of)
    if isinstance(precision, str):
        from pmfit.engine.workcal import WorkingTime

        precision = WorkingTime(proj.plan.project.calendar, proj.plan.project.start).minutes(precision)
    if isinstance(seed, numpy.random.Generator):
        seed = int(seed.integers(2**63))
    elif seed is None:
        seed = int(numpy.random.SeedSequence().entropy % 2**63)  # type: ignore[operator]
    return proj.simulate(iterations, seed, correlation=correlation, precision=precision,
                         risk_impact=risk_impact, progress=progress,
                         as_planned=as_planned or from_status is False)


def report(plan: Plan | Project, audience: str | None = None, format: str = "md", *,
           for_stakeholder: str | None = None, as_of: _dt.date | _dt.datetime | None = None,
           previous: Plan | None = None, iterations: int | None = None, seed: int | None = None,
           facts: object = None) -> str | bytes:
    """A status report: ``audience`` "technical" or "executive", ``format`` "md", "html" or "pdf" (bytes).

    ``for_stakeholder`` (a stakeholder's name or role in the plan) picks the audience
    and puts first the sections that stakeholder cares about. Both reports come from
    one :func:`status_facts` gathering, so their numbers agree. Raises
    :class:`pmfit.PlanError` (``unknown_stakeholder``, ``bad_status_date``) on bad input.
    """
    from pmfit.report.build import build_report, check_report_options

    proj = project(plan, as_of)
    check_report_options(audience, format)
    if for_stakeholder is not None:
        find_stakeholder(proj, for_stakeholder)
    if facts is None:
        facts = status_facts(proj, previous=previous, iterations=iterations, seed=seed)
    return build_report(proj.plan, audience, format, for_stakeholder=for_stakeholder,  # type: ignore[arg-type]
                        facts=facts)  # type: ignore[arg-type]


def status_facts(plan: Plan | Project, *, as_of: _dt.date | _dt.datetime | None = None,
                 previous: Plan | None = None, iterations: int | None = None, seed: int | None = None,
                 level_time_limit: float = 2.0) -> StatusFacts:
    """Every fact a status report states (schedule, leveling, risk, earned value, changes, advice),
    gathered from one :class:`Project` (one compile); dates from the current schedule."""
    from pmfit.report.facts import project_facts

    return project_facts(project(plan, as_of), previous=previous, iterations=iterations, seed=seed,
                         level_time_limit=level_time_limit)


def render_report(facts: StatusFacts, audience: str | None = None, format: str = "md",
                  for_stakeholder: str | None = None, plan: Plan | None = None) -> str | bytes:
    """Render already-gathered facts as a report (both audiences share one gathering).

    ``audience`` defaults to the stakeholder's (``for_stakeholder``, which needs ``plan``), else executive.
    """
    from pmfit.report.build import build_report

    if for_stakeholder is not None:
        assert plan is not None, "for_stakeholder needs the plan"
        find_stakeholder(plan, for_stakeholder)
    return build_report(plan, audience, format, for_stakeholder=for_stakeholder,  # type: ignore[arg-type]
                        facts=facts)


def find_stakeholder(plan: Plan | Project, name: str, source: str | os.PathLike[str] | None = None) -> object:
    """A stakeholder of the plan by name or role; :class:`pmfit.PlanError` (``unknown_stakeholder``) if none."""
    from pmfit.model.diagnostics import Diagnostic, PlanError
    from pmfit.report.build import UnknownStakeholder
    from pmfit.report.build import find_stakeholder as _find

    try:
        return _find(_plan(plan), name)
    except UnknownStakeholder as exc:
        where = str(source) if source is not None else (plan.source if isinstance(plan, Project) else None)
        raise PlanError(Diagnostic("unknown_stakeholder", str(exc), file=where)) from None


def save_text(content: str | bytes, path: str | os.PathLike[str]) -> None:
    """Write a report or other output atomically (a crash leaves the old file or the new one)."""
    from pmfit.io.yamlplan import save_atomic

    save_atomic(content, path)  # type: ignore[arg-type]


def save_chart(result: object, path: str | os.PathLike[str], *, title: str | None = None, top: int = 10) -> str:
    """Draw an engine result as a chart file (.png, .svg or .pdf by extension); returns the path.

    A :class:`LeveledSchedule` gives resource histograms and a Gantt, a :class:`RiskResult` the
    finish distribution and tornado, an :class:`EarnedValue` the S-curve. Raises
    ``PlotUnavailable`` when matplotlib is missing, ``ValueError`` for an unknown extension.
    """
    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.risk.result import RiskResult
    from pmfit.engine.track import EarnedValue

    if isinstance(result, LeveledSchedule):
        from pmfit.report.charts.level import level_figure
        from pmfit.report.charts.style import save

        return str(save(level_figure(result), path))
    if isinstance(result, RiskResult):
        from pmfit.report.charts.risk import save_risk_chart

        return str(save_risk_chart(result, path, title=title, top=top))
    if isinstance(result, EarnedValue):
        from pmfit.report.charts.evm import s_curve

        return str(s_curve(result, path))
    raise TypeError(f"no chart for {type(result).__name__}")


def gantt_chart(plan: Plan | Project, format: str = "pdf", paper: str = "A4", page: int = 1) -> bytes:
    """The Gantt of the current schedule as ``svg``, ``pdf`` (A4/A3 landscape, split over pages with
    the timescale and column titles repeated) or ``png`` (sheet ``page`` at 150 dpi), as bytes.

    Raises ``PlanError`` (``export_unavailable``) naming the extra to install when WeasyPrint (PDF) or
    CairoSVG (PNG) is missing, and ``bad_request`` for another paper, format or page.
    """
    from pmfit.report.svg.export import gantt_export

    return gantt_export(project(plan), format, paper, page)


def __getattr__(name: str) -> Any:
    if name == "PlotUnavailable":  # lazily: importing the chart style module is not free
        from pmfit.report.charts.style import PlotUnavailable

        return PlotUnavailable
    if name == "AnswerError":
        from pmfit.engine.advise.brief import AnswerError

        return AnswerError
    raise AttributeError(f"module 'pmfit.api' has no attribute {name!r}")
