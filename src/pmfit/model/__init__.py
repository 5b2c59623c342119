"""The plan model: validated, immutable data (no I/O)."""

from pmfit.model.calendar import CalendarSpec
from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.duration import Duration, Lag
from pmfit.model.plan import (
    Baseline,
    Constraint,
    ConstraintType,
    Estimate,
    Link,
    LinkType,
    Plan,
    Progress,
    Project,
    Resource,
    Risk,
    Stakeholder,
    Task,
    TaskProgress,
)

__all__ = [
    "Baseline", "CalendarSpec", "Constraint", "ConstraintType", "Diagnostic", "Duration", "Lag",
    "Estimate", "Link", "LinkType", "Plan", "PlanError", "Progress", "Project", "Resource",
    "Risk", "Stakeholder", "Task", "TaskProgress",
]
