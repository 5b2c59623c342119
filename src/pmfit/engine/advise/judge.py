"""The judgement: which kind of PM the reading points to, how sure, and why in the text's words.

``judge`` applies the shipped model (:mod:`.learn`) to a :class:`~.reading.Reading` and
explains the result by the contribution of each feature to the margin between the chosen
role and the runner-up, ``(w[chosen] - w[runner-up]) * x``: the aspects that pushed towards
the chosen role are the reasons (each quoting the phrases of the text that fed it), the ones
that pushed the other way the counter-reasons.

Honest confidence:

- the probability is the model's after temperature scaling (calibrated out-of-fold on
  pmfit's evaluation set; the reliability table is in BENCHMARKS.md);
- with little to read (fewer than ``MIN_EVIDENCE`` cue and vocabulary phrases) the
  probabilities are pulled towards "can't tell" (a third each) in proportion, and unless one
  kind still has half, the advice falls back to the general PM, the least specialised, at
  low confidence (:func:`.learn.shrink`, :func:`.learn.choose`);
- a **close call** (top probability under ``CLOSE_PROBABILITY`` or within ``CLOSE_GAP`` of the
  runner-up) names the two kinds, asks the question that decides between them, and offers
  the interview (``pmfit advise --interview``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pmfit.engine.advise.data import ROLE_LABELS, Vocabulary
from pmfit.engine.advise.learn import CLASSES, Model, choose, shrink, softmax
from pmfit.engine.advise.reading import Cues, Reading, read

CLOSE_PROBABILITY = 0.65
CLOSE_GAP = 0.25

#: the question that decides between two kinds of PM (unordered pair -> question)
DECIDING_QUESTIONS = {
    frozenset({"general", "it"}): (
        "Is the heart of the work deploying or changing IT (systems, networks, devices, enterprise "
        "software) for the organisation's own people, or is technology one supplier among many in a "
        "building, event or business project?"),
    frozenset({"it", "technical"}): (
        "Is the team engineering the technology itself (the organisation's own product or platform: "
        "code, hardware, architecture decisions), or buying, configuring and rolling out systems for "
        "the organisation's own operations?"),
    frozenset({"general", "technical"}): (
        "Must the PM own technical decisions (requirements, architecture, technical risk) about "
        "something being engineered, or coordinate people, money and suppliers around it?"),
}

_DOMAIN_LABELS = {"development": "the vocabulary of software, data and hardware development",
                  "it_operations": "the vocabulary of IT operations: infrastructure, security, enterprise "
                                   "software and end-user IT",
                  "non_it": "the vocabulary of non-IT work: facilities, events, marketing, HR, finance and "
                            "operations"}
_ONET_OCCUPATIONS = {"general": "Project Management Specialists (13-1082.00)",
                     "it": "Information Technology Project Managers (15-1299.09)",
                     "technical": "Architectural and Engineering Managers (11-9041.00)"}


def pct(p: float) -> str:
    """A probability as a reader should see it: never 0% or 100% (a reading is never certain)."""
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def article(role: str) -> str:
    return "an" if role == "it" else "a"


@dataclass(frozen=True)
class Aspect:
    """One reason (or counter-reason): what it is, the text's words behind it, where it points."""

    feature: str
    label: str
    quotes: tuple[str, ...]
    toward: str
    weight: float  # contribution to the margin of the chosen role over the runner-up

    def sentence(self, counter: bool = False) -> str:
        words = ", ".join(f"'{q}'" for q in self.quotes)
        target = f"{article(self.toward)} {ROLE_LABELS[self.toward]}"
        if counter:
            return f"Against: {words} read as {self.label}, which points to {target}"
        return f"{self.label[0].upper()}{self.label[1:]}: {words} (points to {target})"

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "label": self.label, "quotes": list(self.quotes),
                "toward": self.toward, "weight": round(self.weight, 3)}


@dataclass(frozen=True)
class WhatIf:
    """The reading again without the phrases behind one aspect: does the answer change?"""

    feature: str
    label: str
    quotes: tuple[str, ...]
    role: str  # the role the text reads as without them
    probability: float


@dataclass(frozen=True)
class Judgement:
    role: str
    proba: dict[str, float]
    runner_up: str
    evidence: int
    reasons: tuple[Aspect, ...]
    counters: tuple[Aspect, ...]
    silent_on: tuple[str, ...]  # aspects that counted by their absence (labels)
    close_call: bool
    question: str | None

    @property
    def confidence(self) -> float:
        return self.proba[self.role]

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "probabilities": {k: round(v, 3) for k, v in self.proba.items()},
                "runner_up": self.runner_up, "evidence": self.evidence,
                "reasons": [a.to_dict() for a in self.reasons], "counter_reasons": [a.to_dict() for a in self.counters],
                "silent_on": list(self.silent_on), "close_call": self.close_call, "deciding_question": self.question}


def _label(feature: str, cues: Cues) -> str:
    kind, _, name = feature.partition(":")
    if kind == "cue":
        return cues.labels.get(name, name)
    if kind == "domain":
        return _DOMAIN_LABELS.get(name, name)
    if kind == "onet":
        return f"closest to the O*NET task statements of {_ONET_OCCUPATIONS.get(name, name)}"
    return "other words of the text"


def without(reading: Reading, feature: str) -> str:
    """The reading's text with the phrases behind ``feature`` blanked out (same length)."""
    chars = list(reading.text)
    for m in reading.matches:
        if m.feature == feature:
            chars[m.start:m.end] = " " * (m.end - m.start)
    return "".join(chars)


def what_ifs(reading: Reading, j: Judgement, model: Model, cues: Cues, vocab: Vocabulary,
             limit: int = 2) -> list[WhatIf]:
    """For the strongest reasons: the answer if the text did not have their phrases."""
    out = []
    for a in [a for a in j.reasons if a.feature.startswith(("cue:", "domain:"))][:limit]:
        again = judge(read(without(reading, a.feature), vocab, cues), model, cues)
        out.append(WhatIf(a.feature, a.label, a.quotes, again.role, again.proba[again.role]))
    return out


def _distinct(aspects: list[Aspect]) -> list[Aspect]:
    """Drop an aspect whose quotes an earlier one already gave (a phrase can feed two features)."""
    out: list[Aspect] = []
    seen: set[str] = set()
    for a in aspects:
        qs = {q.lower() for q in a.quotes}
        if qs and len(qs & seen) * 2 >= len(qs):
            continue
        seen |= qs
        out.append(a)
    return out


def judge(reading: Reading, model: Model, cues: Cues) -> Judgement:
    """Which role, with calibrated probabilities, reasons and counter-reasons in the text's words."""
    x = model.vector(reading)
    z = model.logits(x)
    p = shrink(softmax(z / model.temperature), reading.evidence)
    role = CLASSES[choose(p, reading.evidence)]
    runner = max((c for c in CLASSES if c != role), key=lambda c: p[CLASSES.index(c)])
    wi, ri = CLASSES.index(role), CLASSES.index(runner)
    diff = model.W[wi] - model.W[ri]
    delta = diff * x
    nd = len(model.dense_names)
    reasons: list[Aspect] = []
    counters: list[Aspect] = []
    silent: list[str] = []
    for j, name in enumerate(model.dense_names):
        raw = reading.dense.get(name, 0.0)
        if name.startswith("onet:"):
            continue  # reported with the O*NET statements the advice quotes
        label = _label(name, cues)
        # what this aspect's presence does, against the text not having it at all: it points to
        # the role it raises most
        effect = model.W[:, j] * raw / model.scale[j]
        toward = CLASSES[int(np.argmax(effect))]
        if raw > 0:
            quotes = tuple(reading.quotes(name))
            if not quotes:
                continue
            if toward == role and effect[wi] - max(effect[k] for k in range(len(CLASSES)) if k != wi) >= 0.1:
                reasons.append(Aspect(name, label, quotes, role, float(effect[wi] - effect[ri])))
            elif toward != role and effect[CLASSES.index(toward)] - effect[wi] >= 0.1:
                counters.append(Aspect(name, label, quotes, toward, float(effect[wi] - effect[CLASSES.index(toward)])))
        elif name.startswith("cue:") and float(diff[j] * (-model.mean[j]) / model.scale[j]) >= 0.3:
            silent.append(label)  # its absence counted for the chosen role
    # words: the strongest present words for each side, quoted as written
    word_contrib = [(float(delta[nd + k]), w) for k, w in enumerate(model.words) if w in reading.words]
    pos = [(c, w) for c, w in sorted(word_contrib, reverse=True) if c >= 0.05][:4]
    neg = [(c, w) for c, w in sorted(word_contrib) if c <= -0.05][:3]
    if pos:
        quotes = tuple(q for q in (reading.word_quote(w) for _, w in pos) if q)
        reasons.append(Aspect("words", "other words of the text", quotes, role, sum(c for c, _ in pos)))
    if neg:
        quotes = tuple(q for q in (reading.word_quote(w) for _, w in neg) if q)
        counters.append(Aspect("words", "words that lean the other way", quotes, runner, sum(c for c, _ in neg)))
    # the cue groups say what the work is in a PMO head's terms: they keep a phrase they share with
    # the domain vocabulary or the words
    reasons = sorted(_distinct(sorted(reasons, key=lambda a: (not a.feature.startswith("cue:"), -a.weight))),
                     key=lambda a: -a.weight)
    counters = sorted(_distinct(sorted(counters, key=lambda a: (not a.feature.startswith("cue:"), a.weight))),
                      key=lambda a: a.weight)
    proba = {c: float(p[i]) for i, c in enumerate(CLASSES)}
    top, second = proba[role], proba[runner]
    close = top < CLOSE_PROBABILITY or top - second < CLOSE_GAP
    question = DECIDING_QUESTIONS[frozenset({role, runner})] if close else None
    return Judgement(role, proba, runner, reading.evidence, tuple(reasons[:5]), tuple(counters[:3]),
                     tuple(silent[:3]), close, question)
