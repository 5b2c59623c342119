"""Advice without a plan: a free-text brief, or the answers to a short interview.

A **brief** (a project description or a job advert) is split into sentences and bullet
points; each becomes a work item of equal effort and is classified like a task. People
named in the text (CFO, marketing team, developers...) stand in for stakeholders and
resources; numbers give team size, duration and budget when stated. Job titles (the O*NET
alternate titles, "... project manager") are removed before matching, so that an advert's
heading does not decide the answer: the advisor judges the work, and only *notes* the role
the text asks for.

The **interview** asks the NTCP dimensions (novelty, technology, complexity, pace) plus
stakeholders, kind of work, team, budget and deadline; the answers map straight to
:class:`Features` (the mapping is in :func:`features_from_answers`).

Both give lower confidence than a plan (``SOURCE_CONFIDENCE`` in :mod:`.decision`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pmfit.engine.advise.data import Vocabulary
from pmfit.engine.advise.profile import Person, Profile, ResourceInfo, WorkItem
from pmfit.engine.advise.signals import Features, markers_in

_SEGMENT = re.compile(r"(?:\r?\n\s*[-*•·]\s*|\r?\n\s*\d+[.)]\s+|\r?\n\s*\r?\n|(?<=[.!?;])\s+|\r?\n)")
_TEAM = re.compile(r"\b(?:team of|teams? of)\s+(\d{1,4})\b|\b(\d{1,4})\s*(?:\+\s*)?(?:people|persons|engineers|developers|"
                   r"staff|members|ftes?|consultants|specialists|technicians|contractors)\b", re.I)
_DURATION = re.compile(r"\b(\d{1,3}(?:\.\d)?)\s*(?:-|to)?\s*(?:\d{1,3}\s*)?(months?|weeks?|years?)\b", re.I)
_BUDGET = re.compile(r"(?:[$€£]|usd|eur|gbp)\s?(\d[\d,]*(?:\.\d+)?)\s*(k|m|mm|million|thousand|bn|billion)?\b", re.I)
_PM_TITLE = re.compile(r"\b(?:(?:senior|sr\.?|junior|jr\.?|lead|principal|associate|global|digital)\s+)*"
                       r"(?:(?:[\w&/-]+\s+){0,3})(?:project|program|programme|delivery)\s+managers?\b", re.I)
MAX_BRIEF_CHARS = 200_000


def _segments(text: str, min_words: int = 3) -> list[str]:
    parts = [p.strip(" \t-*•·:") for p in _SEGMENT.split(text)]
    return [p for p in parts if len(p.split()) >= min_words]


def strip_titles(vocab: Vocabulary, text: str) -> tuple[str, list[str]]:
    """Remove job titles ('IT Project Manager', 'Scrum Master') from the text; return what was removed."""
    found: list[str] = []
    titles = sorted({re.sub(r"\s*\(.*?\)", "", t).strip() for _, t in vocab.titles}, key=len, reverse=True)
    for title in titles:
        if len(title.split()) < 2:
            continue
        pattern = re.compile(r"\b" + re.escape(title) + r"s?\b", re.I)
        if pattern.search(text):
            found.append(title)
            text = pattern.sub(" ", text)
    for match in _PM_TITLE.finditer(text):
        found.append(match.group(0).strip())
    text = _PM_TITLE.sub(" ", text)
    return text, list(dict.fromkeys(found))


_TECHNICAL_TITLE = re.compile(r"\b(technical|software|engineering|developer|programming|product development|"
                              r"r&d|hardware|firmware|data engineering|machine learning|ai)\b", re.I)
_IT_TITLE = re.compile(r"\b(it|information technology|infrastructure|network|systems|cyber\w*|security|erp|crm|"
                       r"application|applications|cloud|digital|technology|implementation|e-business|web ?site|"
                       r"internet|database)\b", re.I)


def requested_role(titles: list[str]) -> str | None:
    """The kind of PM a job title asks for ('IT Project Manager' -> it), or None without a PM title."""
    pm = [t for t in titles if re.search(r"\b(project|program|programme|delivery)\s+manager", t, re.I)]
    if not pm:
        return None
    title = pm[0]
    if _TECHNICAL_TITLE.search(title):
        return "technical"
    if re.search(r"\bIT\b", title) or _IT_TITLE.search(title.replace(" IT ", " it ")):
        return "it"
    return "general"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def reading_text(vocab: Vocabulary, text: str) -> str:
    """The text the reading reads from a brief: job titles removed, and the sentences about the
    employer, pay or the candidate left out (when anything else is left)."""
    cleaned, _ = strip_titles(vocab, text[:MAX_BRIEF_CHARS])
    segments = _segments(cleaned, 1)
    work = [seg for seg in segments if not markers_in(vocab, "boilerplate", seg)]
    return "\n".join(work or segments)


def profile_from_brief(vocab: Vocabulary, text: str, name: str = "project brief",
                       currency: str = "USD") -> Profile:
    """A :class:`Profile` from free text (a project description or a job advert)."""
    text = text[:MAX_BRIEF_CHARS]
    cleaned, titles = strip_titles(vocab, text)
    segments = _segments(cleaned)
    work = [seg for seg in segments if not markers_in(vocab, "boilerplate", seg)]
    if work and len(work) < len(segments):
        notes_dropped = len(segments) - len(work)
    else:
        work, notes_dropped = segments, 0
    segments = work
    items = [WorkItem(id=f"s{i + 1}", name=seg[:90], text=seg, effort=1.0, days=1.0)
             for i, seg in enumerate(segments)]
    business = list(dict.fromkeys(m.lower() for m in markers_in(vocab, "business_roles", cleaned)))
    technical = list(dict.fromkeys(m.lower() for m in markers_in(vocab, "technical_roles", cleaned)))
    stakeholders = [Person(b, "business") for b in business[:8]] + [Person(t, "technical") for t in technical[:8]]
    # only the technical roles named stand in for resources (business people are stakeholders);
    # with none named, the engineering share is inferred from the work (see signals.measure)
    resources = [ResourceInfo(f"r{i}", role, role, 1.0, role) for i, role in enumerate(technical)]
    objectives = [seg for seg in segments
                  if markers_in(vocab, "objective", seg) and re.search(r"\d|%", seg)]
    notes = []
    if notes_dropped:
        notes.append(f"{notes_dropped} sentences about the employer, pay or the candidate were left out")
    if titles:
        notes.append("the text names the role(s) " + ", ".join(f"'{t}'" for t in titles[:4])
                     + "; pmfit judged the work described, not the title")
    team = None
    # numbers come from every sentence except those about the employer ("a team of 300 people")
    kept = "\n".join(seg for seg in _segments(cleaned, 1) if not markers_in(vocab, "boilerplate", seg))
    sizes = [int(a or b) for a, b in _TEAM.findall(kept) if (a or b)]
    if sizes:
        team = float(max(min(sizes), 1))
    else:
        team = 4.0
        notes.append("no team size stated: costs assume 4 people (a half-time PM)")
    duration_days = 0.0
    durations = _DURATION.findall(kept)
    if durations:
        value, unit = durations[0]
        factor = {"m": 260 / 12, "w": 5, "y": 260}[unit[0].lower()]
        duration_days = _number(value) * factor
    else:
        duration_days = 130.0
        notes.append("no duration stated: costs assume six months")
    budget = None
    money = _BUDGET.findall(kept)
    if money:
        amount, scale = money[0]
        budget = _number(amount) * {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6,
                                    "bn": 1e9, "billion": 1e9}.get(scale.lower(), 1.0)
    pace_words = markers_in(vocab, "pace", cleaned)
    profile = Profile(
        name=name, source="brief", items=items, resources=resources, stakeholders=stakeholders,
        objectives=objectives, description=cleaned[:2000], duration_days=duration_days,
        deadline_slack=(0.05 if pace_words else None), budget=budget, currency=currency, team_size=team,
        notes=notes, requested_role=requested_role(titles), reading_text=reading_text(vocab, text),
    )
    return profile


@dataclass(frozen=True)
class Question:
    """One interview question: ``kind`` is text, int, float, percent or choice (1..n)."""

    key: str
    prompt: str
    kind: str
    choices: tuple[str, ...] = ()
    default: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question("name", "Project name", "text", default="new project"),
    Question("description", "In one or two sentences, what will the project deliver?", "text", default=""),
    Question("dev_pct", "What share of the work is building software, data or hardware "
             "(design, coding, engineering, testing)? (0-100)", "percent", default="0"),
    Question("it_pct", "What share is installing, configuring, migrating or securing IT "
             "(servers, network, cloud, enterprise software, devices, user roll-out)? (0-100)", "percent",
             default="0"),
    Question("technology", "How new is the technology to your organisation? (NTCP technology)", "choice",
             ("well known, used before", "known, with some new features", "mostly new to us",
              "unproven, never done anywhere"), "1"),
    Question("novelty", "What is the outcome? (NTCP novelty)", "choice",
             ("an improvement of something that exists", "a new generation of a product or platform",
              "something new to the market"), "1"),
    Question("teams", "How many teams or vendors take part? (NTCP complexity)", "int", default="1"),
    Question("team_size", "How many people work on it at the same time?", "float", default="5"),
    Question("engineers", "How many of them are developers or engineers?", "float", default="0"),
    Question("specs", "Will the team write technical specifications or an architecture? (y/n)", "bool",
             default="n"),
    Question("pace", "How critical is the deadline? (NTCP pace)", "choice",
             ("flexible", "important (competitive)", "time-critical: a fixed date that cannot move",
              "emergency: as fast as possible"), "1"),
    Question("business", "How many business (non-technical) stakeholders must be kept on board?", "int",
             default="1"),
    Question("approvals", "How many of them must formally sign off?", "int", default="0"),
    Question("objectives", "How many measurable business objectives does the project have?", "int", default="0"),
    Question("months", "Expected duration in months", "float", default="6"),
    Question("budget", "Budget (a number, or blank if unknown)", "float", default=""),
)


class AnswerError(ValueError):
    """An interview answer that does not fit its question."""


def parse_answer(q: Question, raw: str) -> Any:
    """Check and convert one answer (the CLI re-asks on :class:`AnswerError`)."""
    text = (raw if raw is not None else "").strip() or q.default
    if q.kind == "text":
        return text[:500]
    if q.kind == "bool":
        if text.lower() in ("y", "yes", "true", "1"):
            return True
        if text.lower() in ("n", "no", "false", "0", ""):
            return False
        raise AnswerError("answer y or n")
    if q.kind == "choice":
        try:
            choice = int(text)
        except ValueError:
            raise AnswerError(f"answer a number from 1 to {len(q.choices)}") from None
        if not 1 <= choice <= len(q.choices):
            raise AnswerError(f"answer a number from 1 to {len(q.choices)}")
        return choice
    if text == "" and q.key == "budget":
        return None
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise AnswerError("answer a number") from None
    if value != value or value < 0:
        raise AnswerError("answer a number of zero or more")
    if q.kind == "percent":
        if value > 100:
            raise AnswerError("answer a percentage from 0 to 100")
        return value
    if q.kind == "int":
        if value > 10_000 or value != int(value):
            raise AnswerError("answer a whole number")
        return int(value)
    if value > 1e9:
        raise AnswerError("that number is too large")
    return value


def features_from_answers(answers: dict[str, Any]) -> tuple[Features, Profile]:
    """Interview answers -> features (and a profile for the name, duration and budget).

    Mapping: shares straight from the percentages (the rest is non-IT work); technology 1..4
    -> 0/1/3/6 new-technology markers and 0/2/5/10 wide estimates; novelty 1..3 -> 0/1/4
    new-product markers (1 also counts 2 derivative markers); pace 1..4 -> deadline slack
    60%/30%/5%/-10% of the duration; specifications yes -> 3 specification tasks; engineers'
    share of the team from the two head counts.
    """
    a = {q.key: parse_answer(q, str(answers.get(q.key, ""))) for q in QUESTIONS}
    dev, it = a["dev_pct"] / 100.0, a["it_pct"] / 100.0
    if dev + it > 1.0:
        dev, it = dev / (dev + it), it / (dev + it)
    non = max(0.0, 1.0 - dev - it)
    team = max(a["team_size"], 1.0)
    engineers = min(a["engineers"], team)
    tech = a["technology"]
    months = a["months"] or 6.0
    n_it = round(it * 20)
    features = Features(
        total_effort=1.0, classified_effort=1.0,
        group_effort={"development": dev, "it_operations": it, "non_it": non, "management": 0.0},
        dev_share=dev, it_share=it, nonit_share=non, n_items=20, n_read=20, n_dev=round(dev * 20), n_it=n_it,
        n_nonit=round(non * 20), eng_effort_share=max(dev, engineers / team * 0.5),
        eng_resource_share=engineers / team, n_spec=3 if a["specs"] else 0,
        n_newtech=(0, 1, 3, 6)[tech - 1], n_wide_spread=(0, 2, 5, 10)[tech - 1],
        n_business=a["business"], n_technical_people=1 if engineers else 0, n_approvals=a["approvals"],
        n_objectives=a["objectives"], n_tasks=max(10, 10 * a["teams"]), link_density=1.2,
        n_teams=a["teams"], cross_team_share=0.25 if a["teams"] > 1 else 0.0, critical_share=0.3,
        deadline_slack=(0.6, 0.3, 0.05, -0.1)[a["pace"] - 1],
        n_novel=(0, 1, 4)[a["novelty"] - 1], n_derivative=2 if a["novelty"] == 1 else 0,
        has_resources=True, has_stakeholders=True, has_estimates=True,
        has_goals=bool(a["objectives"]) or a["pace"] > 1 or a["budget"] is not None,
        has_text=bool(a["description"]), team_size=team, duration_days=months * 260 / 12,
        days_per_year=260.0, source="interview",
    )
    profile = Profile(name=a["name"] or "new project", source="interview", description=a["description"],
                      duration_days=months * 260 / 12, budget=a["budget"], team_size=team)
    return features, profile
