"""Render a report as PDF through WeasyPrint (the ``pdf`` extra)."""

from __future__ import annotations

from pmfit.report.document import Document
from pmfit.report.html import render_html


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing."""


def render_pdf(doc: Document) -> bytes:
    """PDF bytes of the HTML rendering; a clear error naming what to install if it cannot."""
    try:
        import weasyprint
    except ImportError as exc:
        raise PdfUnavailable("PDF reports need WeasyPrint: pip install 'pmfit[pdf]' "
                             "(or use --format html and print it)") from exc
    except OSError as exc:  # WeasyPrint is installed but Pango is not
        raise PdfUnavailable("PDF reports need the Pango libraries: apt-get install libpango-1.0-0 "
                             f"libpangoft2-1.0-0 (or use --format html) [{exc}]") from exc
    return weasyprint.HTML(string=render_html(doc)).write_pdf()  # type: ignore[no-any-return]
