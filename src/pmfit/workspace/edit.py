"""A plan as plain data and back, for callers that change one part of a stored plan (the REST API).

The web layer reaches the readers and writers only through the workspace; these are the two it needs
to edit a task, a resource or the progress of a version and validate the result as a whole plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmfit.model.plan import Plan


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as the plain data a plan file holds (defaults left out; links as text)."""
    from pmfit.io.yamlplan import plan_to_data

    return plan_to_data(plan)


def plan_from_data(data: Any) -> Plan:
    """Validate plain data as a whole plan; raises :class:`pmfit.PlanError` with every diagnostic
    (the scheduler's checks included: a change that closes a dependency cycle is refused here)."""
    from pmfit.importing import checked
    from pmfit.io.yamlplan import plan_from_data as validate

    return checked(validate(data))
