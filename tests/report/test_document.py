from pmfit.report.document import Bullets, Callout, Chart, Document, Paragraph, Section, Table
from pmfit.report.html import render_html
from pmfit.report.markdown import render_markdown


def _doc() -> Document:
    return Document("P: status", "As of 1 May 2027", "executive", [
        Section("status", "Status", [Callout("amber", "Needs attention"), Paragraph("a < b & c")]),
        Section("risks", "Risks", [Bullets(["vendor late"])], topics=("risk",)),
        Section("advice", "Who", [Table(["a", "b|c"], [["1", "2"]], ["left", "right"])], topics=("staffing",)),
        Section("gantt", "Gantt", [Chart("<svg xmlns='http://www.w3.org/2000/svg'></svg>", "alt text", "cap")]),
    ], footer="made by pmfit")


def test_ordered_for_puts_cared_sections_first_but_keeps_the_headline() -> None:
    doc = _doc().ordered_for(["staffing", "risk"])
    assert [s.key for s in doc.sections] == ["status", "advice", "risks", "gantt"]


def test_ordered_for_nothing_is_identity() -> None:
    doc = _doc()
    assert doc.ordered_for([]) is doc


def test_markdown_rendering_escapes_table_cells_and_embeds_charts() -> None:
    text = render_markdown(_doc())
    assert "| a | b\\|c |" in text
    assert "| :--- | ---: |" in text
    assert "data:image/svg+xml;base64," in text
    assert "**🟠 AMBER** — Needs attention" in text


def test_html_is_self_contained_and_escaped() -> None:
    html = render_html(_doc())
    assert html.startswith("<!DOCTYPE html>")
    assert "a &lt; b &amp; c" in html
    assert "<svg" in html and "alt text" in html
    for external in ('src="http', "href=\"http", "<link ", "<script"):
        assert external not in html


def test_text_collects_every_visible_string() -> None:
    text = _doc().text()
    for piece in ("Needs attention", "vendor late", "b|c", "cap", "made by pmfit"):
        assert piece in text


def test_for_finds_a_stakeholder_by_role_initials() -> None:
    import pytest

    import pmfit
    from pmfit.report.build import UnknownStakeholder, find_stakeholder

    plan = pmfit.loads("""
project: {name: P, start: 2027-01-04}
stakeholders:
  - {name: Helen Carter, role: Chief Financial Officer, audience: business, cares_about: [budget]}
  - {name: Mark Ellis, role: Head of IT Operations, audience: technical}
tasks: [{id: a, duration: 1d}]
""")
    assert find_stakeholder(plan, "CFO").name == "Helen Carter"
    assert find_stakeholder(plan, "HIO").name == "Mark Ellis"
    assert find_stakeholder(plan, "helen carter").name == "Helen Carter"
    with pytest.raises(UnknownStakeholder, match="did you mean 'Helen Carter'"):
        find_stakeholder(plan, "Helen Cartr")


def test_demo_writes_both_reports_of_an_example(tmp_path: object, monkeypatch: object) -> None:
    from pathlib import Path

    import pmfit
    from pmfit.cli.commands.demo import DemoContext
    from pmfit.cli.commands.report import demo_step

    folder = Path(str(tmp_path)) / "reports"
    monkeypatch.delenv("PMFIT_DEMO_NO_REPORTS", raising=False)  # type: ignore[attr-defined]
    monkeypatch.setenv("PMFIT_DEMO_REPORTS", str(folder))  # type: ignore[attr-defined]
    plan = pmfit.loads("""
project: {name: Tiny, start: 2027-01-04, deadline: 2027-02-26}
resources: [{id: dev, units: 1, rate: 100/h}]
tasks:
  - {id: a, duration: 3d, needs: {dev: 1}, estimate: [2d, 3d, 6d]}
  - {id: b, duration: 2d, needs: {dev: 1}}
  - {id: m, milestone: true, after: [a, b]}
""")
    project = pmfit.Project(plan)
    line = demo_step(DemoContext("tiny.yaml", "tiny.yaml", plan, project.current, project))
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["tiny-executive.html", "tiny-executive.md", "tiny-technical.html", "tiny-technical.md"]
    assert str(folder) in line.text  # type: ignore[attr-defined]
    assert (folder / "tiny-technical.html").read_text().count("<svg") >= 1
