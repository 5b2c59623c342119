"""pmfit: a project-management engine for technical and IT projects.

>>> import pmfit
>>> plan = pmfit.load("examples/software-release.yaml")
>>> sched = pmfit.schedule(plan)
>>> sched.finish, sched.critical_path[:3]

Public names are imported lazily so that ``pmfit --help`` starts fast.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "load": "pmfit.api",
    "report": "pmfit.api",
    "status_facts": "pmfit.api",
    "loads": "pmfit.api",
    "save": "pmfit.api",
    "dumps": "pmfit.api",
    "schedule": "pmfit.api",
    "import_file": "pmfit.api",
    "export_file": "pmfit.api",
    "export_dates": "pmfit.api",
    "validate": "pmfit.api",
    "simulate": "pmfit.api",
    "RiskResult": "pmfit.engine.risk.result",
    "level": "pmfit.api",
    "apply_leveling": "pmfit.api",
    "clear_leveling": "pmfit.api",
    "save_leveling": "pmfit.api",
    "record_progress": "pmfit.api",
    "save_progress": "pmfit.api",
    "LeveledSchedule": "pmfit.engine.level.result",
    "EarnedValue": "pmfit.engine.track",
    "StatusSchedule": "pmfit.engine.status",
    "CostModel": "pmfit.engine.cost",
    "working_minutes": "pmfit.api",
    "save_chart": "pmfit.api",
    "why": "pmfit.api",
    "earned_value": "pmfit.api",
    "baseline": "pmfit.api",
    "diff": "pmfit.api",
    "status_schedule": "pmfit.api",
    "Project": "pmfit.project",
    "save_baseline": "pmfit.api",
    "plan_warnings": "pmfit.api",
    "render_report": "pmfit.api",
    "SIMULATION": "pmfit.project",
    "StatusFacts": "pmfit.report.facts",
    "did_you_mean": "pmfit.model.diagnostics",
    "advise": "pmfit.api",
    "advise_portfolio": "pmfit.api",
    "advise_brief": "pmfit.api",
    "advise_answers": "pmfit.api",
    "Advice": "pmfit.engine.advise.advisor",
    "Portfolio": "pmfit.engine.advise.portfolio",
    "PlanDiff": "pmfit.engine.diff",
    "Plan": "pmfit.model.plan",
    "Task": "pmfit.model.plan",
    "Resource": "pmfit.model.plan",
    "Schedule": "pmfit.engine.schedule",
    "Network": "pmfit.engine.network",
    "compile_plan": "pmfit.engine.network",
    "Diagnostic": "pmfit.model.diagnostics",
    "PlanError": "pmfit.model.diagnostics",
    "Duration": "pmfit.model.duration",
}

__all__ = sorted([*_EXPORTS, "__version__"])


class _ReportPackage(types.ModuleType):
    """``pmfit.report`` is both the report package and the function :func:`pmfit.api.report`:
    calling the package calls the function (resolved by name, like every public name here, so the
    report layer itself never imports the API above it)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return import_module("pmfit.api").report(*args, **kwargs)


class _PublicPackage(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # the import system binds a loaded subpackage to its parent's attribute: the report package
        # becomes callable right there, however and whenever it is first imported
        if name == "report" and isinstance(value, types.ModuleType) and value.__name__ == "pmfit.report":
            value.__class__ = _ReportPackage
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _PublicPackage


def __getattr__(name: str) -> Any:
    if name == "report":  # one object whichever way it is reached: the callable package
        return import_module("pmfit.report")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pmfit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
