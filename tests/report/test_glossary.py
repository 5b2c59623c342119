from pmfit.report.glossary import GLOSSARY, JARGON, unexplained_jargon


def test_plain_text_has_no_jargon() -> None:
    assert unexplained_jargon("We have a 4 in 5 chance of going live by 30 April.") == []


def test_jargon_is_found() -> None:
    found = unexplained_jargon("The critical path has no float and SPI is 0.8; P80 is in May.")
    assert {"critical path", "float", "SPI", "P80"} <= set(found)


def test_explained_inline_is_allowed() -> None:
    assert unexplained_jargon("P80 (the date we can promise with 4-in-5 confidence) is 3 May") == []


def test_acronyms_are_case_sensitive_and_whole_words() -> None:
    # "ss" inside a word or lower-case "ff" must not count as the link types SS/FF.
    assert unexplained_jargon("the staff will assess the offer") == []
    assert unexplained_jargon("an SS link") == ["SS"]


def test_every_glossary_term_has_a_plain_phrase() -> None:
    for term, phrase in GLOSSARY.items():
        assert phrase and unexplained_jargon(phrase) == [], term
    assert len(set(JARGON)) == len(JARGON)
