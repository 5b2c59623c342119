"""Render a report as PDF through WeasyPrint (the ``pdf`` extra)."""

from __future__ import annotations

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.report.document import Document
from pmfit.report.html import render_html

#: What a PDF needs, said the same way whichever part is missing.
PDF_NEEDS = ("install the pdf extra, pip install 'pmfit[pdf]' (WeasyPrint), and its system libraries, "
             "Pango and HarfBuzz: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b on "
             "Debian/Ubuntu, dnf install pango on Fedora, brew install pango on macOS; "
             "or write the report with --format html and print it to PDF from a browser")


class PdfUnavailable(PlanError):
    """WeasyPrint or its system libraries (Pango) are missing: a located ``pdf_unavailable`` diagnostic."""

    def __init__(self, missing: str) -> None:
        super().__init__(Diagnostic("pdf_unavailable", f"a PDF report needs {missing}: {PDF_NEEDS}"))


def render_pdf(doc: Document) -> bytes:
    """PDF bytes of the HTML rendering; a clear error naming what to install if it cannot."""
    try:
        import weasyprint
    except ImportError as exc:
        raise PdfUnavailable(f"WeasyPrint, which is not installed ({exc})") from exc
    except OSError as exc:  # WeasyPrint is installed but Pango is not
        raise PdfUnavailable(f"the Pango libraries, which WeasyPrint cannot load ({exc})") from exc
    return weasyprint.HTML(string=render_html(doc)).write_pdf()  # type: ignore[no-any-return]
