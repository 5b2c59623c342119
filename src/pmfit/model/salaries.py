"""The role advisor's salary tables: rows of annual base salary per role and place, as plain data.

Pure checks and reshaping of parsed YAML/CSV records (no I/O): the reader
(:mod:`pmfit.io.roledata`) parses the files and the advise engine receives the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class RoleDataError(ValueError):
    """Reference or override data that cannot be used (the loader turns it into a diagnostic)."""


@dataclass(frozen=True)
class SalaryRow:
    """Annual base salary of one role in one place; ``basis`` is ``statistic`` or ``estimate``."""

    role: str
    median: float
    low: float
    high: float
    currency: str = "USD"
    location: str | None = None
    organisation: str | None = None
    source: str = ""
    year: int | None = None
    basis: str = "statistic"
    percentiles: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "median": self.median, "low": self.low, "high": self.high,
                "currency": self.currency, "location": self.location, "organisation": self.organisation,
                "source": self.source, "year": self.year, "basis": self.basis,
                "percentiles": dict(self.percentiles)}


@dataclass(frozen=True)
class SalaryTable:
    """Salary rows plus the loaded-cost multiplier and the technical-PM market ratios."""

    rows: tuple[SalaryRow, ...]
    loaded_multiplier: float = 1.42
    loaded_source: str = ""
    loaded_year: int | None = None
    ratio_over_general: float = 0.40
    ratio_over_it: float = 0.20
    ratio_source: str = ""
    sources: tuple[str, ...] = ()


def _num(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise RoleDataError(f"{where}: {value!r} is not a number")
    try:
        number = float(str(value).replace(",", "").replace("$", "").strip())
    except (TypeError, ValueError):
        raise RoleDataError(f"{where}: {value!r} is not a number") from None
    if number != number or number < 0 or number > 1e9:
        raise RoleDataError(f"{where}: {value!r} is not a usable amount")
    return number


_ROLE_NAMES = {"general": "general", "general pm": "general", "pm": "general", "project manager": "general",
               "it": "it", "it pm": "it", "it project manager": "it",
               "technical": "technical", "technical pm": "technical", "tpm": "technical",
               "technical project manager": "technical"}


def salary_rows_from_records(records: Sequence[Mapping[str, Any]], where: str = "salaries") -> list[SalaryRow]:
    """Salary rows from parsed YAML/CSV records; every row must name its source and year."""
    rows: list[SalaryRow] = []
    for i, rec in enumerate(records, start=1):
        at = f"{where}: row {i}"
        if not isinstance(rec, Mapping):
            raise RoleDataError(f"{at}: not a mapping")
        role = _ROLE_NAMES.get(str(rec.get("role", "")).strip().lower())
        if role is None:
            raise RoleDataError(f"{at}: role {rec.get('role')!r} is not general, it or technical")
        if not rec.get("source") or not rec.get("year"):
            raise RoleDataError(f"{at}: every salary row needs a source and a year")
        pct = {k: _num(rec[k], f"{at} {k}") for k in ("p10", "p25", "p75", "p90", "mean")
               if rec.get(k) not in (None, "", "#")}
        if rec.get("median") in (None, ""):
            raise RoleDataError(f"{at}: median salary missing")
        median = _num(rec["median"], f"{at} median")
        if median <= 0:
            raise RoleDataError(f"{at}: median salary must be above zero")
        low = _num(rec["low"], f"{at} low") if rec.get("low") not in (None, "") else pct.get("p25", median)
        high = _num(rec["high"], f"{at} high") if rec.get("high") not in (None, "") else pct.get("p75", median)
        if not low <= median <= high:
            raise RoleDataError(f"{at}: expected low <= median <= high, got {low:g}, {median:g}, {high:g}")
        try:
            year = int(str(rec["year"]).strip()[:4])
        except ValueError:
            raise RoleDataError(f"{at}: year {rec['year']!r} is not a year") from None
        currency = str(rec.get("currency") or "USD").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise RoleDataError(f"{at}: currency {currency!r} is not a 3-letter code")
        rows.append(SalaryRow(
            role=role, median=median, low=low, high=high, currency=currency,
            location=(str(rec["location"]).strip() or None) if rec.get("location") else None,
            organisation=(str(rec["organisation"]).strip() or None) if rec.get("organisation") else None,
            source=str(rec["source"]).strip(), year=year,
            basis=str(rec.get("basis") or "statistic").strip(), percentiles=pct))
    return rows


def salary_table_from_dict(data: Mapping[str, Any], where: str = "salaries",
                           base: SalaryTable | None = None) -> SalaryTable:
    """A salary table from parsed YAML; with ``base``, rows and settings override the base's."""
    if not isinstance(data, Mapping):
        raise RoleDataError(f"{where}: expected a mapping with 'rows'")
    records = data.get("rows", [])
    if not isinstance(records, Sequence) or isinstance(records, str):
        raise RoleDataError(f"{where}: 'rows' must be a list")
    rows = salary_rows_from_records(records, where)
    loaded = data.get("loaded_cost") or {}
    ratio = data.get("technical_ratio") or {}
    if not isinstance(loaded, Mapping) or not isinstance(ratio, Mapping):
        raise RoleDataError(f"{where}: loaded_cost and technical_ratio must be mappings")
    b = base or SalaryTable(rows=())
    multiplier = _num(loaded["multiplier"], f"{where}: loaded_cost.multiplier") if "multiplier" in loaded \
        else b.loaded_multiplier
    if not 1.0 <= multiplier <= 3.0:
        raise RoleDataError(f"{where}: loaded_cost.multiplier {multiplier:g} is outside 1..3")
    over_general = _num(ratio["over_general"], f"{where}: technical_ratio.over_general") \
        if "over_general" in ratio else b.ratio_over_general
    over_it = _num(ratio["over_it"], f"{where}: technical_ratio.over_it") if "over_it" in ratio else b.ratio_over_it
    if over_general > 3 or over_it > 3:
        raise RoleDataError(f"{where}: technical_ratio values are fractions (0.40 for +40%)")
    return SalaryTable(
        rows=tuple(rows) + b.rows,  # override rows first: they win ties in matching
        loaded_multiplier=multiplier,
        loaded_source=str(loaded.get("source", b.loaded_source if "multiplier" not in loaded else where)),
        loaded_year=int(loaded["year"]) if loaded.get("year") else (b.loaded_year if "multiplier" not in loaded
                                                                    else None),
        ratio_over_general=over_general,
        ratio_over_it=over_it,
        ratio_source=str(ratio.get("source", b.ratio_source if not ratio else where)),
        sources=(*b.sources, where) if base else (where,),
    )
