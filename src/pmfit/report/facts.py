"""Gather the facts of a status report once, from every engine, into :class:`StatusFacts`.

Both reports (technical and executive) are rendered from this object only,
so their numbers can never disagree. Gathering is pure: it runs engines on
the plan and returns data; rendering and writing files happen elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pmfit.engine.advise.advisor import Advice
    from pmfit.engine.level.result import LeveledSchedule
    from pmfit.engine.risk.result import RiskResult
    from pmfit.engine.schedule import Schedule
    from pmfit.engine.track import EarnedValue
    from pmfit.model.plan import Plan
    from pmfit.project import Project

Rag = Literal["green", "amber", "red"]
NEAR_CRITICAL_DAYS = 5.0


@dataclass(frozen=True)
class TaskFact:
    id: str
    name: str
    start: dt.datetime
    finish: dt.datetime
    total_float_days: float
    critical: bool
    driver: str | None = None  # what sets its start ("design FS", "project start", ...)


@dataclass(frozen=True)
class ScheduleFacts:
    start: dt.datetime
    finish: dt.datetime
    duration_days: float
    critical_path: list[TaskFact]
    near_critical: list[TaskFact]
    deadline: dt.datetime | None
    days_to_deadline: float | None  # working days of room before the deadline (negative = late)
    baseline_finish: dt.datetime | None = None
    finish_variance_days: float | None = None  # working days later than the baseline (negative = earlier)
    float_erosion_days: float | None = None  # room to the deadline lost since the baseline
    milestones: list[TaskFact] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    #: the critical path in words, arrows only where links join the tasks (Schedule.critical_path_text)
    critical_path_text: str = ""


@dataclass(frozen=True)
class DelayFact:
    id: str
    name: str
    days: float
    cause: str


@dataclass(frozen=True)
class OverallocationFact:
    resource: str
    name: str
    peak: float
    capacity: float
    first: dt.datetime | None = None


@dataclass(frozen=True)
class LevelingFacts:
    finish_before: dt.datetime
    finish_after: dt.datetime
    delay_days: float
    delays: list[DelayFact]
    overallocated: list[OverallocationFact]
    method: str = ""


@dataclass(frozen=True)
class DriverFact:
    id: str
    name: str
    criticality: float
    sensitivity: float


@dataclass(frozen=True)
class RiskEventFact:
    id: str
    name: str
    probability: float
    p80_impact_days: float
    cost: float | None
    owner: str | None
    mitigation: str | None
    tasks: list[str]


@dataclass(frozen=True)
class RiskFacts:
    iterations: int
    seed: int
    p10: dt.datetime
    p50: dt.datetime
    p80: dt.datetime
    p90: dt.datetime
    deterministic_finish: dt.datetime
    merge_bias_days: float
    probability_on_time: float | None
    drivers: list[DriverFact]
    risks: list[RiskEventFact]
    cost_p50: float | None = None
    cost_p80: float | None = None


@dataclass(frozen=True)
class BehindFact:
    id: str
    name: str
    days_late: float
    percent_complete: float
    expected_percent: float
    driving_predecessor: str | None


@dataclass(frozen=True)
class EvmFacts:
    status_date: dt.datetime
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None
    spi_t: float | None
    forecast_finish: dt.datetime | None
    behind: list[BehindFact]


@dataclass(frozen=True)
class ChangeFacts:
    against: str
    added: list[str]
    removed: list[str]
    changed: list[str]
    link_changes: list[str]
    finish_moved_days: float
    drivers: list[str]


@dataclass(frozen=True)
class AdviceFacts:
    role: str
    role_label: str
    confidence: float
    reasons: list[str]
    annual_cost: float
    alternatives: dict[str, float]  # role label -> annual cost difference vs the recommendation
    currency: str
    note: str = ""
    attribution: str = ""  # O*NET (CC BY 4.0) credit: shown wherever the advice is


@dataclass(frozen=True)
class DecisionFact:
    what: str
    by: dt.date | None
    why: str
    owner: str | None = None


@dataclass(frozen=True)
class ObjectiveFact:
    objective: str
    status: Rag
    why: str


@dataclass(frozen=True)
class FinishFact:
    """One finish date with what it is (current schedule, leveled, P50/P80, baseline)."""

    key: str
    label: str
    finish: dt.datetime


@dataclass(frozen=True, eq=False)
class EngineResults:
    """The typed engine results the facts were read from; the charts draw these same objects."""

    schedule: Schedule
    leveled: LeveledSchedule | None = None
    risk: RiskResult | None = None
    evm: EarnedValue | None = None
    advice: Advice | None = None


@dataclass(frozen=True)
class StatusFacts:
    """Everything a status report says, gathered once."""

    project: str
    currency: str
    as_of: dt.datetime
    budget: float | None
    forecast_cost: float | None
    baseline_cost: float | None
    schedule: ScheduleFacts
    leveling: LevelingFacts | None
    risk: RiskFacts | None
    evm: EvmFacts | None
    changes: ChangeFacts | None
    advice: AdviceFacts | None
    decisions: list[DecisionFact]
    objectives: list[ObjectiveFact]
    schedule_status: Rag
    cost_status: Rag
    status: Rag
    status_rule: str
    #: the part of the rule that decided the overall status (the dimension or dimensions at its level)
    status_reason: str = ""
    stakeholders: list[dict[str, Any]] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # section -> why it is missing
    #: data behind the charts (gantt bars, finish histogram, S-curve, tornado), same numbers as above
    chart_data: dict[str, Any] = field(default_factory=dict)
    #: every finish the report states, labelled (current schedule, leveled, P50/P80, baseline)
    finishes: list[FinishFact] = field(default_factory=list)
    #: the engine results behind the facts (not serialised)
    results: EngineResults | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "results"}
        return _jsonable(data)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# ---- gathering --------------------------------------------------------------
def _task_fact(sched: Schedule, task_id: str, started: frozenset[str] = frozenset()) -> TaskFact:
    row = sched[task_id]
    steps = sched.why(task_id, depth=1) if not row.summary else []
    driver = steps[0].link or steps[0].kind.replace("_", " ") if steps else None
    if task_id in started:
        driver = "actual start"
    return TaskFact(row.id, row.name, row.start, row.finish,
                    round(row.total_float / sched.minutes_per_day, 2), row.critical, driver)


def gather_schedule(plan: Plan, sched: Schedule, done: frozenset[str] = frozenset(),
                    started: frozenset[str] = frozenset()) -> ScheduleFacts:
    """Schedule facts; ``done`` tasks (finished work) are history, not critical or near-critical."""
    mpd = sched.minutes_per_day
    critical = [_task_fact(sched, tid, started) for tid in sched.critical_path if tid not in done]
    near = [
        _task_fact(sched, t.id, started) for t in sched.tasks.values()
        if not t.summary and not t.critical and t.total_float / mpd <= NEAR_CRITICAL_DAYS and t.id not in done
    ]
    near.sort(key=lambda t: (t.total_float_days, t.start))
    deadline = _deadline(plan)
    days_to_deadline = None
    deadline_dt = None
    if deadline is not None:
        cal = sched.calendar
        limit = cal.day_end(deadline)
        deadline_dt = cal.finish_at(limit)
        days_to_deadline = round((limit - sched.cpm.project_finish) / mpd, 2)
    baseline_finish = variance = erosion = None
    if plan.baselines:
        base = plan.baselines[0]
        finishes = [b.finish for b in base.tasks.values()]
        baseline_finish = base.finish or (max(finishes) if finishes else None)
        if baseline_finish is not None:
            cal = sched.calendar
            variance = round((sched.cpm.project_finish - cal.offset(baseline_finish)) / mpd, 2)
            if deadline is not None:
                erosion = variance
    milestones = [_task_fact(sched, t.id, started) for t in sched.tasks.values() if t.milestone]
    return ScheduleFacts(
        start=sched.start, finish=sched.finish, duration_days=round(sched.duration_days, 2),
        critical_path=critical, near_critical=near[:15], deadline=deadline_dt,
        days_to_deadline=days_to_deadline, baseline_finish=baseline_finish,
        finish_variance_days=variance, float_erosion_days=erosion, milestones=milestones,
        diagnostics=[d.message for d in sched.diagnostics], critical_path_text=sched.critical_path_text(),
    )


def _deadline(plan: Plan) -> dt.date | dt.datetime | None:
    """The project deadline, else the latest finish-type constraint or deadline of a milestone."""
    if plan.project.deadline is not None:
        return plan.project.deadline
    dates: list[dt.date | dt.datetime] = []
    for task in plan.tasks:
        if task.deadline is not None and task.milestone:
            dates.append(task.deadline)
        if task.constraint is not None and task.constraint.date is not None and task.milestone \
                and task.constraint.type.value in ("FNLT", "MFO", "SNLT", "MSO"):
            dates.append(task.constraint.date)
    if not dates:
        return None
    return max(dates, key=lambda d: d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time()))


def gather_facts(
    plan: Plan,
    *,
    as_of: dt.date | dt.datetime | None = None,
    previous: Plan | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    level_time_limit: float = 2.0,
    include: frozenset[str] = frozenset({"leveling", "risk", "evm", "changes", "advice"}),
) -> StatusFacts:
    """Run every engine once on ``plan`` and collect what both reports need (see :func:`project_facts`)."""
    from pmfit.project import Project

    return project_facts(Project(plan, as_of=as_of), previous=previous, iterations=iterations, seed=seed,
                         level_time_limit=level_time_limit, include=include)


def project_facts(
    project: Project,
    *,
    previous: Plan | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    level_time_limit: float = 2.0,
    include: frozenset[str] = frozenset({"leveling", "risk", "evm", "changes", "advice"}),
) -> StatusFacts:
    """Collect what both reports need from one :class:`~pmfit.project.Project` (one compile).

    Dates come from the project's current schedule (progress respected). ``previous`` is
    the plan of the last report (for "what changed"); without it, changes are measured
    against the plan's first baseline. The simulation is the project's, with ``iterations``
    and ``seed`` defaulting to :data:`pmfit.project.SIMULATION` (as ``pmfit risk``). Engines
    that cannot run on this plan leave their section ``None`` with the reason in ``unavailable``.
    """
    from pmfit.project import SIMULATION
    from pmfit.report import gather
    from pmfit.report.status_rules import (
        cost_status,
        decisions_needed,
        objectives_status,
        schedule_status,
        worst,
    )

    plan = project.plan
    iterations = SIMULATION.iterations if iterations is None else iterations
    seed = SIMULATION.seed if seed is None else seed
    status_date = project.status_date
    status = project.status
    sched = project.current
    as_of_dt = (dt.datetime.combine(status_date, dt.time(17)) if isinstance(status_date, dt.date)
                and not isinstance(status_date, dt.datetime) else status_date) or sched.start
    unavailable: dict[str, str] = {}
    done: frozenset[str] = frozenset()
    started: frozenset[str] = frozenset()
    if status is not None:
        done = frozenset(k for k, v in status.tasks.items() if v.state == "done")
        started = frozenset(k for k, v in status.tasks.items() if v.state == "in_progress")
    schedule_facts = gather_schedule(plan, sched, done, started)
    leveling = gather.leveling(project, level_time_limit, unavailable) if "leveling" in include else None
    risk = gather.risk(project, iterations, seed, schedule_facts, unavailable) if "risk" in include else None
    evm = gather.evm(project, unavailable) if "evm" in include else None
    changes = gather.changes(project, previous, unavailable) if "changes" in include else None
    advice = gather.advice(project, unavailable) if "advice" in include else None
    planned_cost = gather.planned_cost(project)
    forecast_cost = evm.eac if evm is not None and evm.eac is not None else (
        risk.cost_p50 if risk is not None and risk.cost_p50 else planned_cost)
    baseline_cost = plan.baselines[0].cost if plan.baselines and plan.baselines[0].cost else None

    schedule_rag, schedule_rule = schedule_status(schedule_facts, risk, evm)
    cost_rag, cost_rule = cost_status(plan.project.budget, forecast_cost, evm)
    overall = worst(schedule_rag, cost_rag)
    rule = f"Overall status is the worse of schedule and cost; {schedule_rule}; {cost_rule}"
    finish_phrase = (f"the date we can promise (P80 of the simulation) is {risk.p80:%d %B %Y}" if risk is not None
                     else f"the current schedule finishes on {schedule_facts.finish:%d %B %Y}")
    objectives = objectives_status(plan.project.objectives, schedule_rag, cost_rag, finish_phrase)
    approvals = []
    for stakeholder in plan.stakeholders:
        for task_id in stakeholder.approves:
            if task_id in sched.tasks:
                row = sched[task_id]
                approvals.append((stakeholder.name, row.name, row.start))
    decisions = decisions_needed(schedule_facts, risk, leveling, approvals, as_of_dt, schedule_rag, cost_rag,
                                 plan.project.budget, forecast_cost, plan.project.currency)
    chart_data = gather.chart_data(plan, sched, as_of_dt)
    results = EngineResults(
        schedule=sched,
        leveled=project.level(time_limit=level_time_limit, method="auto") if leveling is not None else None,
        risk=project.simulate(iterations, seed) if risk is not None else None,
        evm=project.earned_value() if evm is not None else None,
        advice=project.advice() if advice is not None else None,
    )
    finishes = [FinishFact(f.key, f.label, f.finish) for f in project.finishes()]
    return StatusFacts(
        chart_data=chart_data, finishes=finishes, results=results,
        project=plan.project.name, currency=plan.project.currency, as_of=as_of_dt,
        budget=plan.project.budget, forecast_cost=forecast_cost, baseline_cost=baseline_cost,
        schedule=schedule_facts, leveling=leveling, risk=risk, evm=evm, changes=changes, advice=advice,
        decisions=decisions, objectives=objectives, schedule_status=schedule_rag, cost_status=cost_rag,
        status=overall, status_rule=rule,
        status_reason="; ".join(r for rag, r in ((schedule_rag, schedule_rule), (cost_rag, cost_rule)) if rag == overall),
        stakeholders=[{"name": s.name, "audience": s.audience, "cares_about": list(s.cares_about)}
                      for s in plan.stakeholders],
        unavailable=unavailable,
    )
