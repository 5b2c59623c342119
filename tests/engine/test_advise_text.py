"""Text matching for the role advisor: stemming, longest-phrase matching, BM25 against the formula."""

from __future__ import annotations

import math

import pytest

from pmfit.engine.advise.text import Bm25, DomainIndex, PhraseMatcher, normalise, stem


@pytest.mark.parametrize(("a", "b"), [
    ("installing", "install"), ("installation", "installed"), ("servers", "server"), ("migration", "migrate"),
    ("configuration", "configure"), ("deployment", "deploying"), ("coding", "code"), ("planning", "planned"),
    ("relocation", "relocate"), ("cabling", "cable"),
])
def test_stem_conflates_inflections(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_stem_keeps_words_apart() -> None:
    assert stem("server") != stem("serve") or stem("server") == "server"
    assert stem("business") == "business"  # -ss is not a plural
    assert stem("status") == "status"


def test_capital_it_is_information_technology_not_the_pronoun() -> None:
    it = normalise("information technology")
    assert normalise("Move IT to the cloud")[1:3] == it
    assert normalise("move it to the cloud")[1] == "it"


def test_hyphenated_and_spaced_phrases_match_alike() -> None:
    m = PhraseMatcher.of(["cut-over"])
    assert m.find(normalise("plan the cut over weekend")) == [("cut", "over")]
    assert m.find(normalise("Cut-over rehearsal")) == [("cut", "over")]


def test_longest_phrase_wins() -> None:
    m = PhraseMatcher.of(["testing", "user acceptance testing", "unit test"])
    found = m.find(normalise("Run user acceptance testing, then unit tests and more testing"))
    assert found == [("user", "acceptanc", "test"), ("unit", "test"), ("test",)]


def test_domain_bm25_matches_the_formula_by_hand() -> None:
    index = DomainIndex.build({"a": {"server": 3, "network": 1}, "b": {"network": 2, "desk": 3}}, k1=1.2)
    idf_server = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    idf_network = math.log(1 + (2 - 2 + 0.5) / (2 + 0.5))
    tf = lambda w: w * 2.2 / (w + 1.2)  # noqa: E731
    scores = index.score("Network servers")
    assert scores["a"] == pytest.approx(idf_server * tf(3) + idf_network * tf(1))
    assert scores["b"] == pytest.approx(idf_network * tf(2))
    assert index.score("nothing relevant here") == {}


def test_statement_bm25_matches_a_direct_computation() -> None:
    docs = ["Install the servers", "Train the users on the new servers", "Order furniture"]
    bm = Bm25.build(docs)
    # direct: terms after stop words and stemming
    toks = [["install", "server"], ["train", "user", "server"], ["order", "furnitur"]]
    n, avg = 3, sum(map(len, toks)) / 3
    def direct(query: list[str], doc: list[str]) -> float:
        total = 0.0
        for t in set(query):
            f = doc.count(t)
            if f:
                df = sum(t in d for d in toks)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len(doc) / avg))
        return total
    got = bm.scores("server users")
    assert got == pytest.approx([direct(["server", "user"], d) for d in toks])
    assert got[1] > got[0] > got[2] == 0
