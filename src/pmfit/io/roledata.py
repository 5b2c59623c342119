"""Load the role advisor's shipped data (``pmfit/data/roles``) and a user's salary overrides.

The advise engine is pure and receives :class:`~pmfit.engine.advise.data.RoleData`; this
adapter is where the files are read (with :mod:`importlib.resources`, so it works from a
wheel or a zip). Salary overrides are YAML (the layout of ``salaries.yaml``) or CSV (one row
per role with ``role, median[, low, high, p10..p90], currency, location, organisation,
source, year``). Bad override files raise :class:`PlanError` with the id ``bad_salaries``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pmfit.engine.advise.data import (
    RoleData,
    RoleDataError,
    SalaryTable,
    role_data_from_dicts,
    salary_rows_from_records,
    salary_table_from_dict,
)
from pmfit.model.diagnostics import Diagnostic, PlanError


def _read_resource(name: str) -> str:
    # through the regular package `pmfit`, so it works from a wheel, a zip or a source tree
    return resources.files("pmfit").joinpath("data", "roles", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_role_data() -> RoleData:
    """The vocabulary, O*NET statements and salary table shipped with pmfit (cached)."""
    domains = yaml.safe_load(_read_resource("domains.yaml"))
    onet = json.loads(_read_resource("onet.json"))
    salaries = yaml.safe_load(_read_resource("salaries.yaml"))
    cues = yaml.safe_load(_read_resource("cues.yaml"))
    try:
        model = json.loads(_read_resource("model.json"))
    except FileNotFoundError:  # before tools/train_advisor.py has been run
        model = None
    return role_data_from_dicts(domains, onet, salaries, cues, model)


def attribution() -> str:
    """The O*NET CC BY 4.0 attribution that goes with every use of the data."""
    return str(json.loads(_read_resource("onet.json"))["attribution"])


def _bad(path: str, message: str, line: int | None = None) -> PlanError:
    return PlanError(Diagnostic("bad_salaries", message, file=path, line=line))


def read_salary_file(path: str | os.PathLike[str], base: SalaryTable) -> SalaryTable:
    """A salary table with the rows and settings of ``path`` in front of ``base``."""
    from pmfit.io.yamlplan import read_text_file

    name = str(path)
    text = read_text_file(path, max_bytes=5_000_000)
    try:
        if name.lower().endswith(".csv"):
            records = list(csv.DictReader(io.StringIO(text)))
            if not records:
                raise _bad(name, "the CSV has no rows (expected a header with role, median, source, year)")
            rows = salary_rows_from_records(records, name)
            return SalaryTable(rows=tuple(rows) + base.rows, loaded_multiplier=base.loaded_multiplier,
                               loaded_source=base.loaded_source, loaded_year=base.loaded_year,
                               ratio_over_general=base.ratio_over_general, ratio_over_it=base.ratio_over_it,
                               ratio_source=base.ratio_source, sources=(*base.sources, name))
        try:
            data: Any = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise _bad(name, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                       mark.line + 1 if mark is not None else None) from None
        if isinstance(data, list):
            data = {"rows": data}
        return salary_table_from_dict(data, name, base)
    except RoleDataError as exc:
        raise _bad(name, str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(name, f"cannot use this salary file: {exc}") from None


def role_data(salaries: str | os.PathLike[str] | None = None, plan_file: str | os.PathLike[str] | None = None,
              plan_salaries: str | None = None) -> RoleData:
    """Shipped data, with ``project.pm_salaries`` (relative to the plan file) and then ``salaries`` on top."""
    data = shipped_role_data()
    table = data.salaries
    if plan_salaries:
        where = Path(plan_salaries)
        if not where.is_absolute() and plan_file is not None:
            where = Path(plan_file).resolve().parent / where
        table = read_salary_file(where, table)
    if salaries is not None:
        table = read_salary_file(salaries, table)
    if table is data.salaries:
        return data
    return RoleData(data.vocabulary, table, data.cues, data.model)


# ---- orchestration for the API and the CLI ------------------------------------------------
PLAN_SUFFIXES = (".yaml", ".yml", ".json", ".xml", ".xer", ".gan", ".csv", ".mpp", ".mpx", ".pmxml", ".planner",
                 ".tjp", ".xlsx")


def _risk_spread(plan: Any) -> tuple[float | None, str | None]:
    """(P90 - P50) / P50 of the finish from the risk engine, when it is there (optional)."""
    try:
        from pmfit.engine.network import compile_plan
        from pmfit.engine.risk.montecarlo import simulate_network

        result = simulate_network(compile_plan(plan), iterations=2000, seed=0)
        p50 = float(result.p50)
        if p50 <= 0:
            return None, None
        return (float(result.percentile(90)) - p50) / p50, None
    except ImportError:
        return None, "the risk engine is not available; technology uncertainty uses the three-point estimates"
    except Exception as exc:  # the risk engine is optional: never let it break the advice
        return None, f"the risk simulation failed ({type(exc).__name__}); using the three-point estimates"


def advise_plan(plan: Any, salaries: str | os.PathLike[str] | None = None, risk: bool = False) -> Any:
    """Load a plan if given a path, load the role data (with overrides), and advise."""
    from pmfit.engine.advise.advisor import advise_profile
    from pmfit.engine.advise.profile import profile_from_plan
    from pmfit.io.formats import load

    plan_file = None
    if isinstance(plan, (str, os.PathLike)):
        plan_file = plan
        plan = load(plan)
    data = role_data(salaries, plan_file=plan_file, plan_salaries=plan.project.pm_salaries)
    spread, note = _risk_spread(plan) if risk else (None, None)
    profile = profile_from_plan(plan, risk_spread=spread)
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
