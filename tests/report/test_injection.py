"""Issue 18: free text from a plan never comes out of a report as markup.

Every free-text field a plan has (project, objectives, tasks, resources, risks and mitigations,
stakeholders and their roles, baseline names, ...) carries an injection payload; the Markdown, HTML
and PDF reports of both audiences and the Markdown diff must hold none of them raw.
"""

from __future__ import annotations

import re

import pytest

import pmfit
from pmfit.report.markdown import md_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<a href="javascript:alert(3)">click</a>',
    "<svg onload=alert(4)>",
    "[click](javascript:alert(5))",
    "![track](http://evil.example/t.png)",
    "<iframe src=http://evil.example/></iframe>",
    "`code` | pipe \\ back",
]

#: raw markup that must not survive: a tag opening with a letter (or /, !), a Markdown link or image
RAW_TAG = re.compile(r"<\s*/?\s*(script|img|a|svg|iframe)\b", re.IGNORECASE)
RAW_LINK = re.compile(r"(?<!\\)\]\((javascript|http)")


def _plan() -> pmfit.Plan:
    p = PAYLOADS
    text = f"""\
project:
  name: {p[0]!r}
  start: 2027-01-04
  description: {p[1]!r}
  organisation: {p[2]!r}
  objectives: [{p[3]!r}, {p[4]!r}]
  deadline: 2027-03-26
stakeholders:
  - {{name: {p[5]!r}, role: {p[6]!r}, audience: business, cares_about: [budget]}}
  - {{name: Platform, role: {p[0]!r}, audience: technical}}
resources:
  - {{id: dev, name: {p[1]!r}, team: {p[2]!r}, skills: [python], units: 2, rate: 90/h}}
tasks:
  - {{id: design, name: {p[0]!r}, duration: 5d, needs: {{dev: 1}}, notes: {p[7]!r}, description: {p[3]!r}}}
  - {{id: build, name: {p[1]!r}, after: [design], needs: {{dev: 2}},
     estimate: {{optimistic: 5d, likely: 8d, pessimistic: 15d}}}}
  - {{id: test, name: {p[4]!r}, after: [build], duration: 3d}}
  - {{id: ship, name: {p[5]!r}, milestone: true, after: [test]}}
risks:
  - {{id: vendor, name: {p[6]!r}, description: {p[2]!r}, owner: {p[3]!r}, mitigation: {p[0]!r},
     probability: 0.5, delays: {{build: 10d}}}}
progress:
  status_date: 2027-01-20
  tasks:
    design: {{actual_start: 2027-01-04, actual_finish: 2027-01-12}}
"""
    plan = pmfit.loads(text)
    return pmfit.baseline(plan, name=PAYLOADS[1])


@pytest.fixture(scope="module")
def plan() -> pmfit.Plan:
    return _plan()


@pytest.fixture(scope="module")
def facts(plan: pmfit.Plan) -> object:
    return pmfit.status_facts(plan, iterations=200)


def test_md_text_makes_markup_inert() -> None:
    assert md_text("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert md_text("[a](javascript:b)") == "\\[a\\](javascript:b)"
    assert md_text("a\n# heading") == "a # heading"
    assert md_text("snake_case A & B") == "snake_case A &amp; B"


@pytest.mark.parametrize("audience", ["technical", "executive"])
def test_markdown_reports_hold_no_raw_html_or_links(plan: pmfit.Plan, facts: object, audience: str) -> None:
    text = pmfit.report(plan, audience, "md", facts=facts)
    assert isinstance(text, str)
    assert not RAW_TAG.search(text), RAW_TAG.search(text)
    assert not RAW_LINK.search(text), RAW_LINK.search(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the text is there, as text


@pytest.mark.parametrize("audience", ["technical", "executive"])
def test_html_reports_hold_no_raw_html(plan: pmfit.Plan, facts: object, audience: str) -> None:
    text = pmfit.report(plan, audience, "html", facts=facts)
    assert isinstance(text, str)
    body = text.split("</style>", 1)[1]
    # the page's own markup is only what the renderer writes; every payload tag is escaped
    assert not re.search(r"<\s*(script|img|iframe|a)\b", body, re.IGNORECASE)
    assert "<svg onload" not in body and "<img src=x" not in body  # (charts are the renderer's own <svg>)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_pdf_report_has_no_script_or_outside_links(plan: pmfit.Plan, facts: object) -> None:
    pytest.importorskip("weasyprint")
    data = pmfit.report(plan, "executive", "pdf", facts=facts)
    assert isinstance(data, bytes) and data.startswith(b"%PDF")
    assert b"/JavaScript" not in data and b"/JS " not in data and b"/JS(" not in data
    assert b"javascript:" not in data.lower() and b"evil.example" not in data  # no link, no fetched image


def test_markdown_diff_holds_no_raw_html(plan: pmfit.Plan) -> None:
    changed = plan.model_copy(update={"tasks": [
        t.model_copy(update={"name": PAYLOADS[2] + " v2"}) if t.id == "design" else t for t in plan.tasks]})
    text = pmfit.diff(plan, changed).to_markdown()
    assert not RAW_TAG.search(text) and not RAW_LINK.search(text)
    assert "&lt;a href" in text
