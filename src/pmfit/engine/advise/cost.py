"""What each kind of PM costs: salary rows, loaded cost, allocation and the project's duration.

Rules (each stated in the advice):

- **Salary**: the best-matching row of the salary table for the role — same currency, then
  the same organisation, then the same location; the national OEWS row otherwise. The
  technical PM, absent a row of its own, is estimated from the market ratios (+40% over the
  general PM, +20% over the IT PM by default): both estimates are computed and shown as a
  range, their mean as the point value, labelled an estimate.
- **Loaded cost** = salary x multiplier (default 1.42: BLS ECEC December 2024, private
  industry, total compensation / wages and salaries).
- **Allocation** (the PM's share of a full-time year): ``clip(team / 8, 0.25, ...)`` where
  ``team`` is the average number of people at work (effort in person-days divided by the
  critical-path duration in working days): one full-time PM per eight people, a common
  span-of-control rule of thumb, never less than a quarter of a PM. Above 1.0 FTE the
  project needs more than one PM.
- **Project cost** = loaded yearly cost x allocation x duration in years (working days /
  working days per year).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmfit.engine.advise.data import ROLE_LABELS, ROLES, SalaryRow, SalaryTable

SPAN_OF_CONTROL = 8.0
MIN_ALLOCATION = 0.25


def allocation_for(team_size: float, span: float = SPAN_OF_CONTROL) -> float:
    """A PM's share of a full-time year for a team of ``team_size`` people (see the module doc)."""
    return round(max(MIN_ALLOCATION, team_size / span), 2)


def _matches(value: str | None, wanted: str | None) -> bool:
    if not value or not wanted:
        return False
    a, b = value.strip().lower(), wanted.strip().lower()
    return a == b or a in b or b in a


def pick_row(table: SalaryTable, role: str, currency: str, location: str | None,
             organisation: str | None) -> SalaryRow | None:
    """The best row for a role: currency first, then organisation, then location."""
    rows = [r for r in table.rows if r.role == role]
    if not rows:
        return None
    same = [r for r in rows if r.currency == currency]
    pool = same or rows

    def rank(r: SalaryRow) -> tuple[int, int, int]:
        return (4 * _matches(r.organisation, organisation) - 8 * bool(r.organisation and not
                                                                       _matches(r.organisation, organisation)),
                2 * _matches(r.location, location), -pool.index(r))

    return max(pool, key=rank)


def technical_estimate(general: SalaryRow, it: SalaryRow, table: SalaryTable) -> SalaryRow:
    """The technical PM from the market ratios: a range between the two ratio estimates."""
    a = general.median * (1 + table.ratio_over_general)
    b = it.median * (1 + table.ratio_over_it)
    low, high = min(a, b), max(a, b)
    source = (f"estimate: general PM median x {1 + table.ratio_over_general:.2f} and IT PM median x "
              f"{1 + table.ratio_over_it:.2f} ({table.ratio_source or 'market ratio'}), applied to "
              f"{general.source} / {it.source}")
    return SalaryRow("technical", median=round((a + b) / 2), low=round(low), high=round(high),
                     currency=general.currency, location=general.location, organisation=general.organisation,
                     source=source, year=max(general.year or 0, it.year or 0) or None, basis="estimate")


@dataclass(frozen=True)
class RoleCost:
    """The cost of one kind of PM for this project."""

    role: str
    salary: SalaryRow
    loaded_multiplier: float
    allocation: float
    years: float

    @property
    def yearly(self) -> float:
        """Loaded cost of one full-time PM for a year."""
        return self.salary.median * self.loaded_multiplier

    @property
    def yearly_range(self) -> tuple[float, float]:
        return (self.salary.low * self.loaded_multiplier, self.salary.high * self.loaded_multiplier)

    @property
    def project(self) -> float:
        """Loaded cost of this PM's share of time for the project's duration."""
        return self.yearly * self.allocation * self.years

    @property
    def project_range(self) -> tuple[float, float]:
        low, high = self.yearly_range
        return (low * self.allocation * self.years, high * self.allocation * self.years)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role, "label": ROLE_LABELS[self.role], "salary": self.salary.to_dict(),
            "loaded_multiplier": self.loaded_multiplier, "allocation_fte": self.allocation,
            "years": round(self.years, 3), "yearly_loaded": round(self.yearly),
            "yearly_loaded_range": [round(x) for x in self.yearly_range],
            "project_cost": round(self.project), "project_cost_range": [round(x) for x in self.project_range],
            "estimate": self.salary.basis != "statistic",
        }


@dataclass(frozen=True)
class CostTable:
    costs: dict[str, RoleCost]
    currency: str
    notes: tuple[str, ...]
    allocation_rule: str
    loaded_source: str
    plan_currency: str = ""  # the plan's (or brief's) currency, when it differs from the costs'

    @property
    def currency_note(self) -> str:
        """'' when the costs are in the plan's currency; otherwise what was done about it."""
        if not self.plan_currency or self.plan_currency == self.currency:
            return ""
        return (f"PM costs are in {self.currency}, the salary data's currency, not converted from the plan's "
                f"{self.plan_currency}: pmfit applies no exchange rate; add {self.plan_currency} salary rows with "
                f"--salaries or project.pm_salaries to get costs in {self.plan_currency}")

    def to_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "plan_currency": self.plan_currency or self.currency,
                "converted": False, "currency_note": self.currency_note,
                "roles": {r: c.to_dict() for r, c in self.costs.items()},
                "notes": list(self.notes), "allocation_rule": self.allocation_rule,
                "loaded_cost_source": self.loaded_source}


def cost_table(table: SalaryTable, *, currency: str, location: str | None, organisation: str | None,
               team_size: float, duration_days: float, days_per_year: float,
               allocation: float | None = None) -> CostTable:
    """Cost of every role for a project of this size and length."""
    notes: list[str] = []
    rows: dict[str, SalaryRow] = {}
    used_currency = currency
    if not any(r.currency == currency for r in table.rows):
        fallback = sorted({r.currency for r in table.rows})
        used_currency = "USD" if "USD" in fallback else (fallback[0] if fallback else currency)
        notes.append(f"the salary table has no {currency} rows: PM costs are in {used_currency}, not converted "
                     f"(no exchange rate is applied; add {currency} rows with --salaries or project.pm_salaries)")
    for role in ROLES:
        row = pick_row(table, role, used_currency, location, organisation)
        if row is not None and row.currency != used_currency:
            row = None
        if row is not None:
            rows[role] = row
    if "technical" not in rows and "general" in rows and "it" in rows:
        rows["technical"] = technical_estimate(rows["general"], rows["it"], table)
    missing = [r for r in ROLES if r not in rows]
    if missing:
        raise ValueError(f"the salary table has no {used_currency} row for {', '.join(missing)}")
    alloc = allocation if allocation is not None else allocation_for(team_size)
    years = duration_days / days_per_year if days_per_year > 0 else 0.0
    rule = (f"PM allocation = max({MIN_ALLOCATION}, team / {SPAN_OF_CONTROL:g}) FTE: one full-time PM per "
            f"{SPAN_OF_CONTROL:g} people at work (average team here {team_size:.1f} = effort / duration)")
    costs = {role: RoleCost(role, rows[role], table.loaded_multiplier, alloc, years) for role in ROLES}
    return CostTable(costs, used_currency, tuple(notes), rule,
                     f"x{table.loaded_multiplier:.2f} loaded cost: {table.loaded_source}"
                     + (f" ({table.loaded_year})" if table.loaded_year else ""), currency)
