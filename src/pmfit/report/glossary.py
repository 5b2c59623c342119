"""Plain words for engine terms: what the executive report says instead of jargon.

The executive report must not use a technical term without explaining it.
:data:`GLOSSARY` maps each term to the plain phrase the report uses, and
:func:`unexplained_jargon` finds terms that slipped through (a test runs it
on every executive report).
"""

from __future__ import annotations

import re

#: engine term -> plain phrase used for business readers
GLOSSARY: dict[str, str] = {
    "critical path": "the chain of tasks that sets the finish date",
    "critical": "on the chain of tasks that sets the finish date",
    "float": "room to slip without moving the finish date",
    "slack": "room to slip without moving the finish date",
    "total float": "room to slip without moving the finish date",
    "free float": "room to slip without delaying the next task",
    "P50": "the date we are as likely to beat as to miss",
    "P80": "the date we can promise with 4-in-5 confidence",
    "P90": "the date we can promise with 9-in-10 confidence",
    "SPI": "schedule efficiency (work done versus work planned)",
    "CPI": "cost efficiency (value of work done per unit of money spent)",
    "EAC": "forecast total cost",
    "ETC": "forecast cost to finish",
    "VAC": "forecast over- or under-spend at completion",
    "TCPI": "the cost efficiency needed from now on to stay on budget",
    "BAC": "approved budget for the planned work",
    "earned value": "value of the work actually done",
    "planned value": "value of the work that should be done by now",
    "actual cost": "money spent so far",
    "EV": "value of the work actually done",
    "PV": "value of the work that should be done by now",
    "AC": "money spent so far",
    "Monte Carlo": "thousands of simulated runs of the plan",
    "criticality": "how often a task ends up setting the finish date",
    "sensitivity": "how strongly a task's length drives the finish date",
    "tornado": "ranking of what drives the finish date",
    "baseline": "the approved plan",
    "leveling": "rescheduling so nobody is double-booked",
    "resource leveling": "rescheduling so nobody is double-booked",
    "over-allocation": "people booked for more work than they have time for",
    "lag": "waiting time between tasks",
    "lead": "overlap between tasks",
    "milestone": "key date",
    "RCPSP": "scheduling with limited people",
    "WBS": "breakdown of the work",
    "merge bias": "the extra delay that comes from several paths having to finish together",
    "standard deviation": "typical spread",
    "percentile": "confidence level",
}

#: words that must not appear in an executive report (case-sensitive where they are acronyms)
JARGON: tuple[str, ...] = (
    "critical path", "float", "slack", "P10", "P50", "P80", "P90", "SPI", "CPI", "EAC", "ETC", "VAC",
    "TCPI", "BAC", "earned value", "EVM", "Monte Carlo", "criticality", "sensitivity", "tornado",
    "Spearman", "leveling", "levelling", "RCPSP", "WBS", "CPM", "FS", "SS", "FF", "SF", "lag",
    "percentile", "standard deviation", "merge bias", "ALAP", "ASAP", "SNET", "FNLT", "MSO", "MFO",
    "topological", "CP-SAT", "heuristic", "iteration",
)

_ACRONYM = re.compile(r"^[A-Z0-9-]+$")


def _pattern(term: str) -> re.Pattern[str]:
    flags = 0 if _ACRONYM.match(term) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", flags)


def unexplained_jargon(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Technical terms in ``text``, unless explained inline as ``term (plain phrase)``."""
    found = []
    for term in JARGON:
        if term in allowed:
            continue
        for match in _pattern(term).finditer(text):
            after = text[match.end():match.end() + 3]
            if after.startswith(" ("):
                continue  # explained on the spot
            found.append(term)
            break
    return found


def plain(term: str) -> str:
    """The plain phrase for an engine term."""
    return GLOSSARY.get(term, term)
