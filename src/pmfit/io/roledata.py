"""Read the role advisor's shipped data (``pmfit/data/roles``) and a user's salary overrides.

The advise engine is pure and receives :class:`~pmfit.engine.advise.data.RoleData`, which
:mod:`pmfit.advising` builds from the parsed files this reader hands back
(:class:`RoleFiles`; readers import no engine); this reader is where the files are read (with :mod:`importlib.resources`, so it works from a
wheel or a zip). Salary overrides are YAML (the layout of ``salaries.yaml``) or CSV (one row
per role with ``role, median[, low, high, p10..p90], currency, location, organisation,
source, year``). Bad override files raise :class:`PlanError` with the id ``bad_salaries``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.model.salaries import RoleDataError, SalaryTable, salary_rows_from_records, salary_table_from_dict


def _read_resource(name: str) -> str:
    # through the regular package `pmfit`, so it works from a wheel, a zip or a source tree
    return resources.files("pmfit").joinpath("data", "roles", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class RoleFiles:
    """The shipped data files, parsed and not yet checked (``model`` is None before it is trained)."""

    domains: Any
    onet: Any
    salaries: Any
    cues: Any
    model: Any


@lru_cache(maxsize=1)
def shipped_role_files() -> RoleFiles:
    """The vocabulary, O*NET statements, salary table, cue lexicon and model shipped with pmfit (cached)."""
    domains = yaml.safe_load(_read_resource("domains.yaml"))
    onet = json.loads(_read_resource("onet.json"))
    salaries = yaml.safe_load(_read_resource("salaries.yaml"))
    cues = yaml.safe_load(_read_resource("cues.yaml"))
    try:
        model = json.loads(_read_resource("model.json"))
    except FileNotFoundError:  # before tools/train_advisor.py has been run
        model = None
    return RoleFiles(domains, onet, salaries, cues, model)


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


def salary_overrides(base: SalaryTable, salaries: str | os.PathLike[str] | None = None,
                     plan_file: str | os.PathLike[str] | None = None,
                     plan_salaries: str | None = None) -> SalaryTable:
    """``base`` with ``project.pm_salaries`` (relative to the plan file) and then ``salaries`` on top."""
    table = base
    if plan_salaries:
        where = Path(plan_salaries)
        if not where.is_absolute() and plan_file is not None:
            where = Path(plan_file).resolve().parent / where
        table = read_salary_file(where, table)
    if salaries is not None:
        table = read_salary_file(salaries, table)
    return table
