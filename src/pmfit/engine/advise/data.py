"""The role advisor's reference data, as plain objects the engine receives as arguments.

The engine never reads files: :mod:`pmfit.io.roledata` parses ``pmfit/data/roles`` (and a
user's salary overrides) and :mod:`pmfit.advising` calls :func:`role_data_from_dicts` here, which
only checks and reshapes parsed data. The salary types live in :mod:`pmfit.model.salaries`
(re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmfit.engine.advise.text import Bm25, DomainIndex, PhraseMatcher
from pmfit.model.salaries import (
    RoleDataError,
    SalaryRow,
    SalaryTable,
    salary_rows_from_records,
    salary_table_from_dict,
)

if TYPE_CHECKING:
    from pmfit.engine.advise.learn import Model
    from pmfit.engine.advise.reading import Cues

ROLES = ("general", "it", "technical")
ROLE_LABELS = {"general": "general PM", "it": "IT PM", "technical": "technical PM"}
#: capability level of each role: a role covers every need at or below its level
CAPABILITY = {"general": 1, "it": 2, "technical": 3}


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


__all__ = ["CAPABILITY", "ROLES", "ROLE_LABELS", "RoleData", "RoleDataError", "SalaryRow", "SalaryTable",
           "Statement", "Vocabulary", "role_data_from_dicts", "salary_rows_from_records", "salary_table_from_dict",
           "vocabulary_from_dicts"]
