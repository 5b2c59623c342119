"""Advice orchestration: read the role data (io), profile the plan and advise (engine).

This sits beside :mod:`pmfit.project`, above the engines and the readers, so that
readers never run an engine (the import rules in ``tests/test_import_rules.py``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmfit.io.roledata import salary_overrides, shipped_role_files
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.engine.advise.data import RoleData
    from pmfit.engine.network import Network

PLAN_SUFFIXES = (".yaml", ".yml", ".json", ".xml", ".xer", ".gan", ".csv", ".mpp", ".mpx", ".pmxml", ".planner",
                 ".tjp", ".xlsx")


@lru_cache(maxsize=1)
def shipped_role_data() -> RoleData:
    """The advisor's shipped data, read (io) and checked into :class:`RoleData` (engine); cached."""
    from pmfit.engine.advise.data import role_data_from_dicts

    files = shipped_role_files()
    return role_data_from_dicts(files.domains, files.onet, files.salaries, files.cues, files.model)


def role_data(salaries: str | os.PathLike[str] | None = None, plan_file: str | os.PathLike[str] | None = None,
              plan_salaries: str | None = None) -> RoleData:
    """Shipped data, with ``project.pm_salaries`` (relative to the plan file) and then ``salaries`` on top."""
    from pmfit.engine.advise.data import RoleData

    data = shipped_role_data()
    table = salary_overrides(data.salaries, salaries, plan_file, plan_salaries)
    if table is data.salaries:
        return data
    return RoleData(data.vocabulary, table, data.cues, data.model)


def _risk_spread(plan: Any, network: Network | None = None) -> tuple[float | None, str | None]:
    """(P90 - P50) / P50 of the finish from the risk engine, when it is there (optional)."""
    try:
        from pmfit.engine.network import compile_plan
        from pmfit.engine.risk.montecarlo import simulate_network

        result = simulate_network(network if network is not None else compile_plan(plan), iterations=2000, seed=0)
        p50 = float(result.p50)
        if p50 <= 0:
            return None, None
        return (float(result.percentile(90)) - p50) / p50, None
    except ImportError:
        return None, "the risk engine is not available; technology uncertainty uses the three-point estimates"
    except Exception as exc:  # the risk engine is optional: never let it break the advice
        return None, f"the risk simulation failed ({type(exc).__name__}); using the three-point estimates"


def advise_plan(plan: Any, salaries: str | os.PathLike[str] | None = None, risk: bool = False, *,
                network: Network | None = None, plan_file: str | os.PathLike[str] | None = None) -> Any:
    """Load a plan if given a path, load the role data (with overrides), and advise.

    ``network``: the plan already compiled (a :class:`~pmfit.project.Project` passes its own).
    """
    from pmfit.engine.advise.advisor import advise_profile
    from pmfit.engine.advise.profile import profile_from_plan

    if isinstance(plan, (str, os.PathLike)):
        from pmfit.io.formats import load

        plan_file = plan
        plan = load(plan)
    data = role_data(salaries, plan_file=plan_file, plan_salaries=plan.project.pm_salaries)
    spread, note = _risk_spread(plan, network) if risk else (None, None)
    profile = profile_from_plan(plan, risk_spread=spread, network=network)
    if note:
        profile.notes.append(note)
    try:
        return advise_profile(profile, data)
    except ValueError as exc:  # a salary table without the rows the advice needs
        raise PlanError(Diagnostic("bad_salaries", str(exc), file=str(salaries) if salaries else None)) from None


def plan_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The plan files directly inside a folder, sorted by name."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES)


def advise_plans(plans: Any, salaries: str | os.PathLike[str] | None = None) -> Any:
    """Portfolio advice for a list of plans/paths or a folder of plan files."""
    from pmfit.engine.advise.portfolio import advise_portfolio

    items: list[Any] = []
    if isinstance(plans, (str, os.PathLike)):
        plans = [plans]
    for entry in plans:
        if isinstance(entry, (str, os.PathLike)) and Path(entry).is_dir():
            items.extend(plan_files(entry))
        else:
            items.append(entry)
    if not items:
        raise PlanError(Diagnostic("no_plans", "no plan files to advise on (give plan files or a folder of them)"))
    return advise_portfolio([advise_plan(p, salaries=salaries) for p in items])


def advise_text(text: str, salaries: str | os.PathLike[str] | None = None, name: str = "project brief",
                file: str | None = None) -> Any:
    """Advice from a free-text brief."""
    from pmfit.engine.advise.advisor import advise_profile
    from pmfit.engine.advise.brief import profile_from_brief

    data = role_data(salaries)
    profile = profile_from_brief(data.vocabulary, text, name=name)
    if not profile.items:
        raise PlanError(Diagnostic("bad_brief", "the brief has no sentences of three words or more to read",
                                   file=file))
    return advise_profile(profile, data)


def advise_interview(answers: dict[str, Any], salaries: str | os.PathLike[str] | None = None) -> Any:
    """Advice from interview answers (see :data:`pmfit.engine.advise.brief.QUESTIONS`)."""
    from pmfit.engine.advise.advisor import advise_profile
    from pmfit.engine.advise.brief import AnswerError, features_from_answers

    data = role_data(salaries)
    try:
        features, profile = features_from_answers(answers)
    except AnswerError as exc:
        raise PlanError(Diagnostic("bad_field", f"interview answer: {exc}")) from None
    return advise_profile(profile, data, features=features)


__all__ = ["PLAN_SUFFIXES", "advise_interview", "advise_plan", "advise_plans", "advise_text", "plan_files"]
