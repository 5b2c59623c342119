"""Defect 11 of issue 12: the executive PDF is one A4 page with one chart, the finish forecast.

It was two pages for every bundled example. Skips cleanly without WeasyPrint or Pango.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import pmfit
from pmfit.report.build import documents
from pmfit.report.html import render_html

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "src" / "pmfit" / "examples").glob("*.yaml"))
A4_POINTS = (595.0, 842.0)


def _weasyprint():  # type: ignore[no-untyped-def]
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without the Pango libraries
        pytest.skip(f"WeasyPrint is not usable here: {exc}")
    return weasyprint


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def executive(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    facts = pmfit.status_facts(pmfit.load(request.param), iterations=500, level_time_limit=0.3)
    return facts, documents(facts, with_charts=False)["executive"]


def test_executive_report_has_one_chart_the_finish_forecast(executive) -> None:  # type: ignore[no-untyped-def]
    facts, doc = executive
    html = render_html(doc)
    assert html.count("<figure") == 1
    assert "Finish forecast: 500 simulated runs of the plan" in html
    for label in ("today&#x27;s schedule", "even odds", "promise (4 in 5)"):
        assert label in html or label.replace("&#x27;", "'") in html
    assert facts.risk is not None  # the chart is drawn from the simulation the text quotes
    from pmfit.report.glossary import unexplained_jargon

    assert unexplained_jargon(doc.text()) == []


def test_executive_pdf_is_one_a4_page(executive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weasyprint = _weasyprint()
    _, doc = executive
    rendered = weasyprint.HTML(string=render_html(doc)).render()
    assert len(rendered.pages) == 1
    page = rendered.pages[0]
    assert (round(page.width * 0.75), round(page.height * 0.75)) == A4_POINTS  # CSS px -> points
    if shutil.which("pdftotext") is None:
        return
    from pmfit.report.pdf import render_pdf

    path = tmp_path / "exec.pdf"
    path.write_bytes(render_pdf(doc))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.count("\f") <= 1  # pdftotext ends each page with a form feed
    assert "Finish forecast" in text and "Decisions needed" in text and "Status at a glance" in text
