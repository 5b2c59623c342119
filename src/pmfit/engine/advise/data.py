"""The role advisor's reference data, as plain objects the engine receives as arguments.

The engine never reads files: :mod:`pmfit.io.roledata` loads ``pmfit/data/roles`` (and a
user's salary overrides) and calls :func:`role_data_from_dicts` here, which only checks and
reshapes parsed data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmfit.engine.advise.text import Bm25, DomainIndex, PhraseMatcher

if TYPE_CHECKING:
    from pmfit.engine.advise.learn import Model
    from pmfit.engine.advise.reading import Cues

ROLES = ("general", "it", "technical")
ROLE_LABELS = {"general": "general PM", "it": "IT PM", "technical": "technical PM"}
#: capability level of each role: a role covers every need at or below its level
CAPABILITY = {"general": 1, "it": 2, "technical": 3}


class RoleDataError(ValueError):
    """Reference or override data that cannot be used (the loader turns it into a diagnostic)."""


@dataclass(frozen=True)
class Statement:
    """One O*NET task statement."""

    id: str
    soc: str
    occupation: str
    text: str
    role: str

    def cite(self) -> str:
        return f"O*NET {self.soc} task {self.id}"


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


@dataclass
class Vocabulary:
    """Domain lexicons (curated + O*NET-derived), marker lists and the O*NET statements."""

    domains: dict[str, dict[str, Any]]
    groups: dict[str, str]
    aliases: dict[str, str]
    markers: dict[str, PhraseMatcher]
    index: DomainIndex
    statements: tuple[Statement, ...]
    statement_index: Bm25
    titles: tuple[tuple[str, str], ...]
    attribution: str

    def group_of(self, domain: str) -> str:
        return str(self.domains.get(domain, {}).get("group", "management"))


@dataclass
class RoleData:
    """Everything the advisor needs besides the plan.

    ``cues`` and ``model`` are the reading's cue lexicon and the fitted model
    (``cues.yaml``, ``model.json``); without them the advisor falls back to the signal
    thresholds of :mod:`.decision` alone.
    """

    vocabulary: Vocabulary
    salaries: SalaryTable
    cues: Cues | None = None
    model: Model | None = None


def _weights(terms: Any, where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    if not isinstance(terms, Mapping):
        raise RoleDataError(f"{where}: terms must map a weight to a list of phrases")
    for weight, phrases in terms.items():
        try:
            w = float(weight)
        except (TypeError, ValueError):
            raise RoleDataError(f"{where}: weight {weight!r} is not a number") from None
        if not isinstance(phrases, Sequence) or isinstance(phrases, str):
            raise RoleDataError(f"{where}: weight {weight} needs a list of phrases")
        for phrase in phrases:
            out[str(phrase)] = max(out.get(str(phrase), 0.0), w)
    return out


def vocabulary_from_dicts(domains: Mapping[str, Any], onet: Mapping[str, Any]) -> Vocabulary:
    """Merge the curated domain file with the O*NET-derived terms and statements."""
    raw = domains.get("domains")
    if not isinstance(raw, Mapping) or not raw:
        raise RoleDataError("domains: no domains")
    lexicons: dict[str, dict[str, float]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for name, spec in raw.items():
        if not isinstance(spec, Mapping):
            raise RoleDataError(f"domain {name}: not a mapping")
        lexicons[name] = _weights(spec.get("terms", {}), f"domain {name}")
        meta[name] = {k: v for k, v in spec.items() if k != "terms"}
    for name, extra in (onet.get("technology_terms") or {}).items():
        if name in lexicons:
            for tok in extra:
                lexicons[name].setdefault(str(tok), 1.0)
    if "management" in lexicons:
        for tok in onet.get("management_terms") or []:
            lexicons["management"].setdefault(str(tok), 1.0)
    aliases: dict[str, str] = {}
    for name, values in (domains.get("aliases") or {}).items():
        for value in values:
            aliases[" ".join(str(value).lower().replace("_", " ").split())] = name
        aliases[name.replace("_", " ")] = name
    markers = {k: PhraseMatcher.of(str(p) for p in v) for k, v in (domains.get("markers") or {}).items()}
    statements = tuple(Statement(str(s["id"]), str(s["soc"]), str(s["occupation"]), str(s["text"]),
                                 str(s["role"])) for s in onet.get("statements") or [])
    titles = tuple((str(t["soc"]), str(t["title"])) for t in onet.get("titles") or [])
    return Vocabulary(
        domains=meta,
        groups=dict(domains.get("groups") or {}),
        aliases=aliases,
        markers=markers,
        index=DomainIndex.build(lexicons),
        statements=statements,
        statement_index=Bm25.build([s.text for s in statements]),
        titles=titles,
        attribution=str(onet.get("attribution", "")),
    )


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


def role_data_from_dicts(domains: Mapping[str, Any], onet: Mapping[str, Any],
                         salaries: Mapping[str, Any], cues: Mapping[str, Any] | None = None,
                         model: Mapping[str, Any] | None = None) -> RoleData:
    """Build :class:`RoleData` from the parsed data files (cue lexicon and model optional)."""
    from pmfit.engine.advise.learn import model_from_dict
    from pmfit.engine.advise.reading import cues_from_dict

    try:
        parsed_cues = cues_from_dict(cues) if cues is not None else None
        parsed_model = model_from_dict(model) if model is not None else None
    except (KeyError, TypeError, ValueError) as exc:
        raise RoleDataError(f"advisor model data: {exc}") from None
    return RoleData(vocabulary_from_dicts(domains, onet), salary_table_from_dict(salaries, "pmfit salary table"),
                    parsed_cues, parsed_model)
