"""The plan: a project, its people, resources, tasks, risks and progress.

Models are pydantic v2 and frozen: once a plan is validated nothing mutates it.
Engines read a plan through :func:`pmfit.engine.network.compile_plan`; results
are separate objects, never written back into the plan.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from pmfit.model.calendar import CalendarSpec
from pmfit.model.duration import Duration, Lag


def _id_text(value: Any) -> Any:
    """Ids may be written as numbers (``id: 12``, as MS Project numbers tasks); they are text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# The constraints come before the validator so that pydantic checks them in its core
# (after it, every id went through a Python constraint function: 6x slower on big plans).
Id = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s,]+(?: [^\s,]+)*$"),
               BeforeValidator(_id_text)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)


class LinkType(str, Enum):  # noqa: UP042  (str() of members is relied on)
    """The four dependency types, with the relation each one enforces.

    - FS, finish-to-start: ``start(succ) >= finish(pred) + lag``
    - SS, start-to-start:  ``start(succ) >= start(pred) + lag``
    - FF, finish-to-finish: ``finish(succ) >= finish(pred) + lag``
    - SF, start-to-finish: ``finish(succ) >= start(pred) + lag``
    """

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class ConstraintType(str, Enum):  # noqa: UP042
    """Date constraints, as MS Project and Primavera name them."""

    ASAP = "ASAP"  # as soon as possible (default)
    ALAP = "ALAP"  # as late as possible
    SNET = "SNET"  # start no earlier than
    SNLT = "SNLT"  # start no later than
    FNET = "FNET"  # finish no earlier than
    FNLT = "FNLT"  # finish no later than
    MSO = "MSO"  # must start on
    MFO = "MFO"  # must finish on


_CONSTRAINT_KEYS = {
    "as_soon_as_possible": "ASAP", "as_late_as_possible": "ALAP",
    "start_no_earlier_than": "SNET", "start_no_later_than": "SNLT",
    "finish_no_earlier_than": "FNET", "finish_no_later_than": "FNLT",
    "must_start_on": "MSO", "must_finish_on": "MFO",
}
DATED_CONSTRAINTS = frozenset(
    {ConstraintType.SNET, ConstraintType.SNLT, ConstraintType.FNET,
     ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO}
)

_LINK_TEXT = re.compile(
    r"^\s*(?P<task>.+?)(?:\s+(?P<type>FS|SS|FF|SF)(?P<lag>\s*[+-]\s*[0-9.]+\s*[a-zA-Z]*)?)?\s*$",
    re.IGNORECASE,
)


class Link(Frozen):
    """A dependency on a predecessor ``task``: type and lag (negative lag = lead)."""

    task: Id
    type: LinkType = LinkType.FS
    lag: Lag = Field(default_factory=lambda: Lag(0, "d"))

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            words = value.split()
            if len(words) == 1:
                return {"task": words[0]}  # just an id (most links): what the pattern below would find
            match = _LINK_TEXT.match(value)
            if not match or not match["task"].strip():
                raise ValueError(f"{value!r} is not a dependency (write it like 'design' or 'design SS+2d')")
            out: dict[str, Any] = {"task": match["task"].strip()}
            if match["type"]:
                out["type"] = match["type"].upper()
            if match["lag"]:
                out["lag"] = match["lag"].replace(" ", "")
            return out
        if isinstance(value, int) and not isinstance(value, bool):
            return {"task": str(value)}
        if not isinstance(value, (dict, Link)):
            raise ValueError(f"{value!r} is not a dependency (write it like 'design' or 'design SS+2d')")
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    def __str__(self) -> str:
        if self.type is LinkType.FS and self.lag.amount == 0:
            return self.task
        lag = "" if self.lag.amount == 0 else f"{'+' if self.lag.amount > 0 else ''}{self.lag}"
        return f"{self.task} {self.type.value}{lag}"


class Constraint(Frozen):
    """A date constraint: ``{type: SNET, date: 2027-02-01}`` or ``{start_no_earlier_than: 2027-02-01}``."""

    type: ConstraintType
    date: dt.date | dt.datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        if isinstance(value, dict) and "type" not in value and len(value) == 1:
            (key, when), = value.items()
            name = _CONSTRAINT_KEYS.get(str(key).lower(), str(key).upper())
            return {"type": name, "date": when}
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _CONSTRAINT_KEYS.get(value.lower(), value.upper())
        return value

    @model_validator(mode="after")
    def _date_needed(self) -> Constraint:
        if self.type in DATED_CONSTRAINTS and self.date is None:
            raise ValueError(f"constraint {self.type.value} needs a date")
        return self


Distribution = Literal["triangular", "pert", "uniform"]


class Estimate(Frozen):
    """A three-point estimate of a task's duration."""

    optimistic: Duration
    likely: Duration
    pessimistic: Duration
    distribution: Distribution | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 3:
            return dict(zip(("optimistic", "likely", "pessimistic"), value, strict=True))
        if isinstance(value, dict):
            short = {"o": "optimistic", "m": "likely", "p": "pessimistic", "most_likely": "likely"}
            return {short.get(k, k): v for k, v in value.items()}
        return value


class Task(Frozen):
    """A task, milestone or summary task (a task that other tasks name as ``parent``)."""

    id: Id
    name: str = ""
    description: str | None = None
    parent: Id | None = None
    duration: Duration | None = None
    estimate: Estimate | None = None
    milestone: bool = False
    needs: dict[Id, Annotated[float, Field(gt=0, le=1_000_000)]] = Field(default_factory=dict)
    after: list[Link] = Field(default_factory=list)
    constraint: Constraint | None = None
    deadline: dt.date | dt.datetime | None = None
    tags: list[str] = Field(default_factory=list)
    domain: str | None = None
    priority: Annotated[int, Field(ge=0, le=1000)] = 500
    level: bool = True
    group: str | None = None
    cost: Annotated[float, Field(ge=0, le=1e15)] | None = None
    notes: str | None = None
    #: effort (person-time); without a duration or estimate it gives the duration (see planned_duration)
    work: Duration | None = None
    #: MS Project's Leveling Delay: working time the task waits after its earliest start so that no
    #: resource is overbooked; written by ``pmfit level --apply``, removed by ``pmfit level --clear``
    leveling_delay: Duration | None = Field(
        default=None, description="MS Project's Leveling Delay: working time the task waits after its earliest "
        "start so that no resource is overbooked, e.g. `2d`. `pmfit level --apply` writes it, "
        "`pmfit level --clear` removes it.")

    @field_validator("leveling_delay")
    @classmethod
    def _no_negative_delay(cls, value: Duration | None) -> Duration | None:
        if value is not None and value.is_negative:
            raise ValueError("a leveling delay cannot be negative (write it like 2d or 4h)")
        return value

    @field_validator("after", mode="before")
    @classmethod
    def _single_link(cls, value: Any) -> Any:
        if isinstance(value, (str, dict)):
            return [value]
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @model_validator(mode="after")
    def _default_name(self) -> Task:
        if not self.name:
            object.__setattr__(self, "name", self.id)
        return self

    def planned_duration(self) -> Duration:
        """The fixed duration, else the estimate's most likely value, else the work spread over the units
        it needs, else zero (a milestone; any other task without one gets a ``no_duration`` warning).

        Work with needs is MS Project's effort-driven task: ``work: 80h`` with ``needs: {dev: 2}`` takes
        40 working hours (5 days of 8 hours); work without needs is one person's.
        """
        if self.duration is not None:
            return self.duration
        if self.estimate is not None:
            return self.estimate.likely
        if self.work is not None:
            units = sum(self.needs.values()) or 1.0
            return Duration(self.work.amount / units, self.work.unit)
        return Duration(0, "d")


class Money(Frozen):
    """A cost rate: ``95/h``, ``760/d``, ``{amount: 95, per: h}``."""

    amount: Annotated[float, Field(ge=0, le=1e12)]
    per: Literal["h", "d", "w", "mo", "y", "use"] = "h"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a rate is a number like 95/h")
        if isinstance(value, (int, float)):
            return {"amount": value}
        if isinstance(value, str):
            text = value.strip().lstrip("$€£").replace(",", "")
            amount, _, per = text.partition("/")
            try:
                return {"amount": float(amount), "per": (per.strip().lower() or "h")}
            except ValueError:
                raise ValueError(f"{value!r} is not a rate (write it like 95/h or 760/d)") from None
        return value

    def per_hour(self, hours_per_day: float = 8.0) -> float:
        factor = {"h": 1.0, "d": hours_per_day, "w": hours_per_day * 5,
                  "mo": hours_per_day * 20, "y": hours_per_day * 260, "use": float("inf")}[self.per]
        return 0.0 if factor == float("inf") else self.amount / factor

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        return f"{amount}/{self.per}"


class Resource(Frozen):
    """A person, team or machine; ``units`` is how many are available at once."""

    id: Id
    name: str = ""
    units: Annotated[float, Field(gt=0, le=1_000_000)] = 1.0
    rate: Money | None = None
    skills: list[str] = Field(default_factory=list)
    calendar: CalendarSpec | None = None
    team: str | None = None
    kind: Literal["work", "material", "cost"] = "work"

    @model_validator(mode="after")
    def _default_name(self) -> Resource:
        if not self.name:
            object.__setattr__(self, "name", self.id)
        return self


class Stakeholder(Frozen):
    """Someone the plan reports to; ``audience`` picks the report they get."""

    name: str = Field(min_length=1)
    audience: Literal["technical", "business"] = "business"
    role: str | None = None
    cares_about: list[str] = Field(default_factory=list)
    approves: list[Id] = Field(default_factory=list)


class Risk(Frozen):
    """A discrete risk event: when it happens (``probability``), it delays tasks."""

    id: Id
    name: str = ""
    description: str | None = None
    probability: Annotated[float, Field(ge=0, le=1)]
    delays: dict[Id, Duration] = Field(default_factory=dict)
    cost: Annotated[float, Field(ge=0, le=1e15)] | None = None
    owner: str | None = None
    mitigation: str | None = None

    @model_validator(mode="after")
    def _default_name(self) -> Risk:
        if not self.name:
            object.__setattr__(self, "name", self.id)
        return self


class TaskProgress(Frozen):
    """What really happened to one task by the status date."""

    actual_start: dt.date | dt.datetime | None = None
    actual_finish: dt.date | dt.datetime | None = None
    percent_complete: Annotated[float, Field(ge=0, le=100)] | None = None
    remaining: Duration | None = None
    actual_cost: Annotated[float, Field(ge=0, le=1e15)] | None = None


class Progress(Frozen):
    """Actuals as of ``status_date``, keyed by task id."""

    status_date: dt.date | dt.datetime | None = None
    ev_method: Literal["percent", "0/100", "50/50"] = "percent"
    tasks: dict[Id, TaskProgress] = Field(default_factory=dict)


class BaselineTask(Frozen):
    """A task as it was when a baseline was frozen."""

    start: dt.datetime
    finish: dt.datetime
    duration: Duration
    work: Duration | None = None
    cost: float = 0.0
    name: str | None = None
    parent: Id | None = None
    milestone: bool = False


class PlannedValue(Frozen):
    """Cumulative planned value (BCWS) of a baseline by the end of ``date``."""

    date: dt.date
    pv: float


class Baseline(Frozen):
    """A frozen copy of the schedule (MS Project's Baseline, Baseline1..10).

    ``start`` and ``calendar`` are the project start and working calendar when
    the baseline was frozen, so that its planned value never changes when the
    plan does; ``timephased`` is the cumulative planned value per period.
    """

    name: str = "baseline"
    created: dt.datetime | dt.date | None = None
    finish: dt.datetime | None = None
    cost: float | None = None
    tasks: dict[Id, BaselineTask] = Field(default_factory=dict)
    start: dt.datetime | None = None
    calendar: CalendarSpec | None = None
    timephased: list[PlannedValue] = Field(default_factory=list)


class Project(Frozen):
    """The project's header: name, start date, calendar, money and goals."""

    name: str = Field(min_length=1)
    start: dt.date | dt.datetime
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    objectives: list[str] = Field(default_factory=list)
    budget: Annotated[float, Field(ge=0, le=1e15)] | None = None
    deadline: dt.date | dt.datetime | None = None
    description: str | None = None
    distribution: Distribution = "triangular"
    # risk simulation: correlation of estimates within a task group (one shared factor); None: 0.5
    risk_correlation: Annotated[float, Field(ge=0, le=1)] | None = None
    organisation: str | None = None
    location: str | None = None
    pm_salaries: str | None = None

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class Plan(Frozen):
    """A whole plan, as the YAML plan file (version 1) describes it."""

    version: Literal[1] = 1
    project: Project
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    progress: Progress | None = None
    baselines: list[Baseline] = Field(default_factory=list)

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def resource(self, resource_id: str) -> Resource:
        for resource in self.resources:
            if resource.id == resource_id:
                return resource
        raise KeyError(resource_id)

    def summary_ids(self) -> set[str]:
        """Ids of tasks that other tasks name as their parent."""
        return {t.parent for t in self.tasks if t.parent is not None}

    def baseline(self, name: str | None = None) -> Baseline:
        if not self.baselines:
            raise KeyError("the plan has no baseline")
        if name is None:
            return self.baselines[0]
        for baseline in self.baselines:
            if baseline.name == name:
                return baseline
        raise KeyError(name)
