"""Text matching: light stemming, longest-phrase term matching and BM25 scoring.

Task text is short ("Install rack servers in DC2"), so pmfit matches it against a
*vocabulary* rather than training a model: each domain is one BM25 "document" whose
terms carry a curated weight (the term frequency). For a query ``q`` and domain ``D``

    score(q, D) = sum over terms t matched in q and in D of
                  idf(t) * w(t, D) * (k1 + 1) / (w(t, D) + k1)

with ``idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))`` over the N domains (Robertson &
Zaragoza's BM25 with b = 0: the documents are term lists, not prose, so their length
carries no information). Phrases are matched longest first, so "user acceptance testing"
is one term and does not also count as "testing". The same BM25 (with the usual b = 0.75)
ranks O*NET task statements to quote the nearest ones.

The stemmer is a small suffix stripper (plural, -ing, -ed, -ation, -ment, -er for a few
roles): enough to make "installing servers" meet "install server", and it needs no
dependency. It is applied the same way to the vocabulary and to the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[./&-][a-z0-9+#]+)*")
_SPLIT_INNER = re.compile(r"[-/]")
_UPPER_IT = re.compile(r"\bIT\b")  # "IT" in capitals is information technology, not the pronoun

STOPWORDS = frozenset("""a an and or the of for to in on with by at from as is are be been being this that
these those it its into per via our we you your their they them us all any each other such than then so if
not no do does did will shall can could would should may might must has have had was were up out over under
about across after before between during through within without also only very just more most some new""".split())  # noqa: SIM905

_KEEP_ENDINGS = ("ss", "us", "is", "ous", "sis")


def stem(word: str) -> str:
    """A light English stemmer: ``installing``/``installed``/``installation`` -> ``install``."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(_KEEP_ENDINGS) and len(w) > 3:
        w = w[:-1]
    for suffix, minimum in (("ations", 5), ("ation", 5), ("ments", 5), ("ment", 5), ("ings", 5),
                            ("ing", 5), ("ed", 5)):
        if w.endswith(suffix) and len(w) - len(suffix) >= minimum - 2 and len(w) > minimum:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 3 and not w.endswith("ee"):
        w = w[:-1]
    if w.endswith("at") and len(w) > 5:
        w = w[:-2]  # migrate / migration -> migr, configure / configuration -> configur
    return w


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; hyphenated and dotted words also give their parts."""
    out: list[str] = []
    for raw in _TOKEN.findall(_UPPER_IT.sub("information technology", text).lower()):
        raw = raw.rstrip(".")
        if not raw:
            continue
        out.append(raw)
    return out


def normalise(text: str) -> list[str]:
    """Tokens, stemmed; ``cut-over`` and ``cut over`` both become ``cut over``.

    Stop words are kept (as ``""`` placeholders are not needed): phrases like ``go/no-go``
    keep their shape, and single stop words are never vocabulary terms.
    """
    out: list[str] = []
    for tok in tokens(text):
        if "-" in tok or "/" in tok:
            parts = [p for p in _SPLIT_INNER.split(tok) if p]
            out.extend(stem(p) for p in parts)
        else:
            out.append(stem(tok))
    return out


def term_key(phrase: str) -> tuple[str, ...]:
    """The stemmed token sequence a vocabulary phrase matches."""
    return tuple(normalise(phrase))


@dataclass
class PhraseMatcher:
    """Longest-first matching of stemmed phrases in a token stream."""

    terms: dict[tuple[str, ...], str] = field(default_factory=dict)
    _by_first: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def of(cls, phrases: Iterable[str]) -> PhraseMatcher:
        matcher = cls()
        for phrase in phrases:
            matcher.add(phrase)
        return matcher

    def add(self, phrase: str) -> None:
        key = term_key(phrase)
        if not key or (len(key) == 1 and key[0] in STOPWORDS):
            return
        if key not in self.terms:
            self.terms[key] = phrase
            self._by_first.setdefault(key[0], []).append(key)
            self._by_first[key[0]].sort(key=len, reverse=True)

    def find(self, toks: Sequence[str]) -> list[tuple[str, ...]]:
        """Every term found, scanning left to right and taking the longest match at each place."""
        found: list[tuple[str, ...]] = []
        i, n = 0, len(toks)
        while i < n:
            for key in self._by_first.get(toks[i], ()):
                if tuple(toks[i:i + len(key)]) == key:
                    found.append(key)
                    i += len(key)
                    break
            else:
                i += 1
        return found


@dataclass
class DomainIndex:
    """BM25 (b = 0) over weighted domain term lists."""

    weights: dict[str, dict[tuple[str, ...], float]]
    matcher: PhraseMatcher
    idf: dict[tuple[str, ...], float]
    k1: float = 1.2

    @classmethod
    def build(cls, lexicons: Mapping[str, Mapping[str, float]], k1: float = 1.2) -> DomainIndex:
        weights: dict[str, dict[tuple[str, ...], float]] = {}
        matcher = PhraseMatcher()
        for domain, terms in lexicons.items():
            table: dict[tuple[str, ...], float] = {}
            for phrase, weight in terms.items():
                key = term_key(phrase)
                if not key or (len(key) == 1 and key[0] in STOPWORDS):
                    continue
                table[key] = max(table.get(key, 0.0), float(weight))
                matcher.add(phrase)
            weights[domain] = table
        n_docs = len(weights)
        df: dict[tuple[str, ...], int] = {}
        for table in weights.values():
            for key in table:
                df[key] = df.get(key, 0) + 1
        idf = {key: math.log(1 + (n_docs - n + 0.5) / (n + 0.5)) for key, n in df.items()}
        return cls(weights, matcher, idf, k1)

    def terms_in(self, text: str) -> list[tuple[str, ...]]:
        return self.matcher.find(normalise(text))

    def score_terms(self, found: Sequence[tuple[str, ...]]) -> dict[str, float]:
        """BM25 score per domain for terms already found (each distinct term counts once)."""
        unique = set(found)
        scores: dict[str, float] = {}
        for domain, table in self.weights.items():
            total = 0.0
            for key in unique:
                w = table.get(key)
                if w:
                    total += self.idf[key] * w * (self.k1 + 1) / (w + self.k1)
            if total > 0:
                scores[domain] = total
        return scores

    def score(self, text: str) -> dict[str, float]:
        return self.score_terms(self.terms_in(text))

    def evidence(self, text: str, domain: str) -> list[str]:
        """The phrases of ``text`` that matched ``domain``, as written in the vocabulary."""
        table = self.weights.get(domain, {})
        seen: list[str] = []
        for key in self.terms_in(text):
            if key in table:
                phrase = self.matcher.terms[key]
                if phrase not in seen:
                    seen.append(phrase)
        return seen


@dataclass
class Bm25:
    """Plain BM25 over short documents (O*NET task statements)."""

    docs: list[list[str]]
    k1: float = 1.2
    b: float = 0.75
    idf: dict[str, float] = field(default_factory=dict)
    avgdl: float = 1.0

    @classmethod
    def build(cls, texts: Sequence[str]) -> Bm25:
        docs = [[t for t in normalise(text) if t not in STOPWORDS] for text in texts]
        n = len(docs)
        df: dict[str, int] = {}
        for doc in docs:
            for t in set(doc):
                df[t] = df.get(t, 0) + 1
        idf = {t: math.log(1 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}
        avgdl = sum(len(d) for d in docs) / n if n else 1.0
        return cls(docs, idf=idf, avgdl=avgdl or 1.0)

    def scores(self, query: str) -> list[float]:
        q = {t for t in normalise(query) if t not in STOPWORDS}
        out = []
        for doc in self.docs:
            total = 0.0
            dl = len(doc)
            for t in q:
                f = doc.count(t)
                if f:
                    total += self.idf[t] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * dl / self.avgdl))
            out.append(total)
        return out
