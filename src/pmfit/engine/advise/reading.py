"""The reading: what a brief or a plan says the work IS, as interpretable features.

One reading serves briefs (free text) and plans (task names, descriptions, resources' skills,
stakeholders), so a plan and its own description are read the same way. Four families of
features, every one of which points back to words of the text:

- **cues** (``cues.yaml``): nine questions a PMO head asks — is technology being engineered,
  is it the organisation's own product, is it deployed for the organisation's own people, is
  it an enterprise system, IT infrastructure, physical works, an event or programme, a
  business change, must the PM translate for the business. Feature: the group's share of all
  cue matches, ``matches / max(all matches, 4)`` (length-invariant; damped for short texts).
- **domains**: the share of each domain group (development, IT operations, non-IT) in the
  BM25 scores of the curated and O*NET-derived vocabulary (``domains.yaml``).
- **O*NET**: how close the text is to the task statements of each role's occupations (BM25,
  mean of the three nearest statements per role, as shares of the three roles).
- **words**: stemmed words and word pairs of the text (present or not); the model keeps only
  those seen in several training texts.

Every match keeps the character span it came from, so reasons quote the text as written.
Pure: no I/O; the cue lexicon arrives as a mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmfit.engine.advise.data import Vocabulary
from pmfit.engine.advise.text import STOPWORDS, PhraseMatcher, stem, term_key

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*(?:[./&-][A-Za-z0-9+#]+)*")
_INNER = re.compile(r"[-/]")
DOMAIN_GROUPS = ("development", "it_operations", "non_it")
ONET_ROLES = ("general", "it", "technical")
MAX_READ_CHARS = 200_000
#: single words of the domain vocabulary too common in any brief to say what the work is
#: ("sit", "key", "plan", "risk", "process"...): not counted by the reading (stems)
GENERIC_TERMS = frozenset({"sit", "key", "find", "specific", "risk", "process", "plan", "public", "stor", "imag",
                           "setup", "role", "layout", "build", "support", "user", "test"})
CUE_DAMPING = 4


@dataclass(frozen=True)
class Token:
    stem: str
    start: int
    end: int


def tokenise(text: str) -> list[Token]:
    """Stemmed tokens with their character spans (hyphenated words give their parts; 'IT' in
    capitals is information technology)."""
    out: list[Token] = []
    for m in _WORD.finditer(text):
        raw = m.group(0).rstrip(".")
        if not raw:
            continue
        if raw == "IT":
            out.append(Token("information", m.start(), m.end()))
            out.append(Token("technology", m.start(), m.end()))
            continue
        low = raw.lower()
        if "-" in low or "/" in low:
            pos = m.start()
            for part in _INNER.split(low):
                if part:
                    start = text.lower().find(part, pos, m.end())
                    start = start if start >= 0 else pos
                    out.append(Token(stem(part), start, start + len(part)))
                    pos = start + len(part)
        else:
            out.append(Token(stem(low), m.start(), m.start() + len(raw)))
    return out


@dataclass(frozen=True)
class Cues:
    """The cue groups: a matcher over all phrases (longest first) and each phrase's group."""

    labels: dict[str, str]
    questions: dict[str, str]
    group_of: dict[tuple[str, ...], str]
    matcher: PhraseMatcher
    exact: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)  # key -> surface forms

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.labels)


def cues_from_dict(data: Mapping[str, Any]) -> Cues:
    groups = data.get("groups")
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError("cues: 'groups' must be a mapping of cue groups")
    labels: dict[str, str] = {}
    questions: dict[str, str] = {}
    group_of: dict[tuple[str, ...], str] = {}
    matcher = PhraseMatcher()
    for name, spec in groups.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"cues: group {name!r} must be a mapping")
        labels[str(name)] = str(spec.get("label", name))
        questions[str(name)] = str(spec.get("question", ""))
        for phrase in spec.get("phrases", []) or []:
            key = term_key(str(phrase))
            if not key or (len(key) == 1 and key[0] in STOPWORDS) or key in group_of:
                continue
            group_of[key] = str(name)
            matcher.add(str(phrase))
    exact = {term_key(str(k)): frozenset(" ".join(str(v).lower().split()) for v in vs)
             for k, vs in (data.get("exact") or {}).items()}
    return Cues(labels, questions, group_of, matcher, exact)


@dataclass(frozen=True)
class Match:
    """One phrase of the text: which feature it fed and where it is."""

    feature: str
    start: int
    end: int


@dataclass
class Reading:
    """Feature values of one text, and where in the text each came from."""

    text: str
    dense: dict[str, float] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    matches: list[Match] = field(default_factory=list)
    word_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    n_tokens: int = 0
    evidence: int = 0  # cue and vocabulary phrases found: how much there was to read

    def quotes(self, feature: str, limit: int = 4) -> list[str]:
        """The text's own words behind a feature, first occurrences, without repeats."""
        seen: list[str] = []
        for m in self.matches:
            if m.feature == feature:
                q = self.text[m.start:m.end]
                if q.lower() not in (s.lower() for s in seen):
                    seen.append(q)
                if len(seen) >= limit:
                    break
        return seen

    def word_quote(self, word: str) -> str | None:
        span = self.word_spans.get(word)
        return self.text[span[0]:span[1]] if span else None


def _find(matcher: PhraseMatcher, stems: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
    """Longest-first matches with their token index."""
    found: list[tuple[int, tuple[str, ...]]] = []
    by_first = matcher._by_first
    i, n = 0, len(stems)
    while i < n:
        for key in by_first.get(stems[i], ()):
            if tuple(stems[i:i + len(key)]) == key:
                found.append((i, key))
                i += len(key)
                break
        else:
            i += 1
    return found


def word_features(toks: Sequence[Token]) -> dict[str, tuple[int, int]]:
    """Content words and adjacent content-word pairs -> span of their first occurrence."""
    out: dict[str, tuple[int, int]] = {}
    content = [t for t in toks if t.stem not in STOPWORDS and not t.stem.isdigit() and len(t.stem) > 1]
    for i, t in enumerate(content):
        out.setdefault(t.stem, (t.start, t.end))
        if i + 1 < len(content):
            nxt = content[i + 1]
            if nxt.start - t.end <= 3:  # really adjacent in the text, not across a sentence
                out.setdefault(f"{t.stem} {nxt.stem}", (t.start, nxt.end))
    return out


def _shares(scores: Mapping[str, float], keys: Iterable[str]) -> dict[str, float]:
    ks = list(keys)
    total = sum(max(scores.get(k, 0.0), 0.0) for k in ks)
    if total <= 0:
        return {k: 0.0 for k in ks}
    return {k: max(scores.get(k, 0.0), 0.0) / total for k in ks}


def read(text: str, vocab: Vocabulary, cues: Cues) -> Reading:
    """Read one text (a brief, or the text of a plan) into features."""
    text = text[:MAX_READ_CHARS]
    toks = tokenise(text)
    stems = [t.stem for t in toks]
    r = Reading(text=text, n_tokens=len(toks))
    # cues
    counts = {g: 0 for g in cues.names}
    for i, key in _find(cues.matcher, stems):
        surface = cues.exact.get(key)
        if surface is not None:
            written = " ".join(text[toks[i].start:toks[i + len(key) - 1].end].lower().split())
            if written not in surface:
                continue
        g = cues.group_of[key]
        counts[g] += 1
        r.matches.append(Match(f"cue:{g}", toks[i].start, toks[i + len(key) - 1].end))
    total = sum(counts.values())
    r.evidence += total
    for g, c in counts.items():
        # the share of the cues, damped when there are few: long texts (a 200-task plan, a long
        # advert) are read for what they say, not for how many words they use
        r.dense[f"cue:{g}"] = c / max(total, CUE_DAMPING)
    # domains (curated + O*NET technology-skill vocabulary)
    found = [(i, key) for i, key in _find(vocab.index.matcher, stems)
             if not (len(key) == 1 and key[0] in GENERIC_TERMS)]
    scores = vocab.index.score_terms([key for _, key in found])
    by_group: dict[str, float] = {}
    for d, s in scores.items():
        g = vocab.group_of(d)
        by_group[g] = by_group.get(g, 0.0) + s
    for g, share in _shares(by_group, DOMAIN_GROUPS).items():
        r.dense[f"domain:{g}"] = share
    r.evidence += len(found)
    for i, key in found:
        owners = [d for d, table in vocab.index.weights.items() if key in table]
        groups = {vocab.group_of(d) for d in owners}
        if len(groups) == 1:
            g = groups.pop()
            if g in DOMAIN_GROUPS:
                r.matches.append(Match(f"domain:{g}", toks[i].start, toks[i + len(key) - 1].end))
    # O*NET task statements of each role
    stmt_scores = vocab.statement_index.scores(text) if toks else []
    per_role: dict[str, float] = {}
    for role in ONET_ROLES:
        vals = sorted((s for s, st in zip(stmt_scores, vocab.statements, strict=True) if st.role == role),
                      reverse=True)[:3]
        per_role[role] = sum(vals) / len(vals) if vals else 0.0
    for role, share in _shares(per_role, ONET_ROLES).items():
        r.dense[f"onet:{role}"] = share
    # words
    r.word_spans = word_features(toks)
    r.words = set(r.word_spans)
    return r


def nearest_statements(vocab: Vocabulary, text: str, role: str, limit: int = 3) -> list[tuple[str, float]]:
    """Ids and scores of the role's O*NET statements nearest to the text (for the explanation)."""
    scores = vocab.statement_index.scores(text)
    ranked = sorted(((st.id, s) for st, s in zip(vocab.statements, scores, strict=True) if st.role == role),
                    key=lambda x: -x[1])
    return ranked[:limit]


def profile_text(profile: Any) -> str:
    """The text of a plan the reading reads: the project's name, description and objectives,
    each task's name, description and domain/tags, the resources' names and skills, and the
    stakeholders' names and roles — one line each, as a brief would list them."""
    lines: list[str] = []
    reading_text = getattr(profile, "reading_text", "")
    if reading_text:
        return str(reading_text)
    lines.append(str(profile.name))
    if profile.description:
        lines.append(str(profile.description))
    lines.extend(str(o) for o in profile.objectives)
    for item in profile.items:
        extra = " ".join(x for x in (item.domain or "", " ".join(item.tags)) if x)
        lines.append(item.text + (f" ({extra})" if extra else ""))
    lines.extend(r.text for r in profile.resources)
    lines.extend(" ".join(x for x in (p.name, p.role) if x) for p in profile.stakeholders)
    return "\n".join(line.strip() for line in lines if line and line.strip())
