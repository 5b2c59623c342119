"""The Gantt for printing and sharing: SVG, PNG and PDF on A4 or A3 landscape, split over pages.

A plan longer than one page is cut into pages of whole rows; every page is its own drawing made by
:func:`pmfit.report.svg.gantt.gantt_svg` over the same time window and scale, so each repeats the
header (the timescale and the "Task" column title) and the bars line up from page to page. Nothing
leaves the machine: PDF is WeasyPrint (the ``pdf`` extra, which the PDF reports use), PNG is CairoSVG
(the ``png`` extra). Each function hands back bytes; writing them is the caller's business.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pmfit.model.diagnostics import Diagnostic, PlanError
from pmfit.report.svg.canvas import PALETTE, escape, num
from pmfit.report.svg.gantt import (
    HEADER,
    LEGEND_LINE,
    GanttLink,
    GanttRow,
    GanttView,
    _legend_items,
    _legend_layout,
    _window,
    gantt_svg,
)

if TYPE_CHECKING:
    from pmfit.project import Project

Paper = Literal["A4", "A3"]
GanttFormat = Literal["svg", "png", "pdf"]
PAPERS: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape, mm
FORMATS = ("svg", "png", "pdf")
PX_PER_MM = 96 / 25.4  # CSS pixels, which the SVG is drawn in
MARGIN_MM = 10.0
TITLE_HEIGHT = 30.0
ROW_HEIGHT = 20.0
#: PNG resolution: 150 dots per inch (A4 landscape is then 1754 × 1240 pixels)
PNG_DPI = 150

PNG_NEEDS = "install the png extra: pip install 'pmfit[png]' (CairoSVG, which uses the Cairo library)"
PDF_NEEDS = "install the pdf extra: pip install 'pmfit[pdf]' (WeasyPrint, which uses Pango)"


class ExportUnavailable(PlanError):
    """The library a format needs is not installed: a ``export_unavailable`` diagnostic naming the extra."""

    def __init__(self, message: str) -> None:
        super().__init__(Diagnostic("export_unavailable", message))


@dataclass(frozen=True)
class PageLayout:
    """Where things go on one sheet, in CSS pixels."""

    paper: str
    width: float
    height: float
    margin: float
    rows_per_page: int
    legend_height: float

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin


def check_paper(paper: str) -> Paper:
    """``A4`` or ``A3`` (any case); anything else is a ``bad_request`` diagnostic."""
    found = paper.strip().upper()
    if found not in PAPERS:
        raise PlanError(Diagnostic("bad_request", f"paper '{paper[:20]}' is not A4 or A3"))
    return found  # type: ignore[return-value]


def layout(rows: Sequence[GanttRow], paper: str, status_date: dt.datetime | None = None) -> PageLayout:
    """How many rows fit on a sheet once the title, the header and the legend are placed."""
    paper = check_paper(paper)
    w_mm, h_mm = PAPERS[paper]
    width, height, margin = w_mm * PX_PER_MM, h_mm * PX_PER_MM, MARGIN_MM * PX_PER_MM
    view = GanttView(width=width - 2 * margin, status_date=status_date)
    placed = _legend_layout(_legend_items(rows, view), width - 2 * margin)
    legend = (max(y for _, y, _, _ in placed) + LEGEND_LINE + 10) if placed else 0.0
    room = height - 2 * margin - TITLE_HEIGHT - HEADER - legend - 4
    return PageLayout(paper, width, height, margin, max(1, int(room // ROW_HEIGHT)), legend)


def page_count(rows: Sequence[GanttRow], paper: str = "A4", status_date: dt.datetime | None = None) -> int:
    return max(1, math.ceil(len(rows) / layout(rows, paper, status_date).rows_per_page))


def gantt_pages(rows: Sequence[GanttRow], links: Sequence[GanttLink] = (), *, title: str, paper: str = "A4",
                status_date: dt.datetime | None = None, minutes_per_day: int = 480) -> list[str]:
    """One SVG per sheet (the sheet's size, white, with the title and "page i of n")."""
    sheet = layout(rows, paper, status_date)
    window = _window(rows, GanttView(status_date=status_date))
    per_page = sheet.rows_per_page
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [rows[:0]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        ids = {r.id for r in chunk}
        view = GanttView(zoom="fit", width=sheet.content_width, row_height=ROW_HEIGHT, window=window,
                         status_date=status_date, title=f"{title}, page {number} of {len(chunks)}",
                         minutes_per_day=minutes_per_day, uid=f"gantt-p{number}")
        drawing = gantt_svg(chunk, [k for k in links if k.pred in ids and k.succ in ids], view)
        inner = drawing.replace("<svg ", f'<svg x="{num(sheet.margin)}" y="{num(sheet.margin + TITLE_HEIGHT)}" ', 1)
        pages.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(sheet.width)}" height="{num(sheet.height)}" '
            f'viewBox="0 0 {num(sheet.width)} {num(sheet.height)}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            f'<text x="{num(sheet.margin)}" y="{num(sheet.margin + 18)}" font-size="15" font-weight="bold" '
            f'fill="{PALETTE["ink"]}">{escape(title)}</text>'
            f'<text x="{num(sheet.width - sheet.margin)}" y="{num(sheet.margin + 18)}" font-size="11" '
            f'text-anchor="end" fill="{PALETTE["ink"]}">page {number} of {len(chunks)} · {paper} landscape'
            f'</text>{inner}</svg>')
    return pages


def whole_svg(rows: Sequence[GanttRow], links: Sequence[GanttLink] = (), *, title: str, paper: str = "A4",
              status_date: dt.datetime | None = None, minutes_per_day: int = 480) -> str:
    """The whole Gantt as one drawing, fitted to the paper's printable width (SVG has no pages)."""
    sheet = layout(rows, paper, status_date)
    view = GanttView(zoom="fit", width=sheet.content_width, row_height=ROW_HEIGHT, status_date=status_date,
                     title=title, minutes_per_day=minutes_per_day)
    return gantt_svg(rows, links, view)


def pdf_bytes(pages: Sequence[str], paper: str) -> bytes:
    """The sheets as one PDF (WeasyPrint: one sheet per page, nothing sent anywhere)."""
    try:
        import weasyprint
    except ImportError as exc:
        raise ExportUnavailable(f"a PDF of the Gantt needs WeasyPrint, which is not installed: {PDF_NEEDS}") from exc
    except OSError as exc:  # installed, but Pango cannot be loaded
        raise ExportUnavailable(f"a PDF of the Gantt needs Pango, which WeasyPrint cannot load ({exc}): "
                                f"{PDF_NEEDS}") from exc
    paper = check_paper(paper)
    images = "".join(
        f'<div class="sheet"><img alt="" src="data:image/svg+xml;base64,'
        f'{base64.b64encode(svg.encode("utf-8")).decode("ascii")}"></div>' for svg in pages)
    html = (f"<!doctype html><html><head><meta charset='utf-8'><style>@page {{ size: {paper} landscape; "
            "margin: 0 } body { margin: 0 } .sheet { page-break-after: always; width: 100%; height: 100vh } "
            ".sheet:last-child { page-break-after: auto } img { width: 100%; height: 100%; display: block }"
            f"</style></head><body>{images}</body></html>")
    return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def png_bytes(svg: str, dpi: int = PNG_DPI) -> bytes:
    """One sheet as a PNG at ``dpi`` (CairoSVG)."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:
        raise ExportUnavailable(f"a PNG of the Gantt needs CairoSVG ({exc}): {PNG_NEEDS}") from exc
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), dpi=dpi, scale=dpi / 96)  # type: ignore[no-any-return]


def project_rows(project: Project) -> tuple[list[GanttRow], list[GanttLink], dt.datetime | None]:
    """The current schedule's rows (baselines as ghost bars), its links and the status date."""
    from pmfit.report.svg.gantt_rows import gantt_links, gantt_rows

    plan = project.plan
    rows = gantt_rows(project.current, plan, baselines=plan.baselines)
    status = project.status_date
    when = (dt.datetime.combine(status, dt.time(17)) if isinstance(status, dt.date)
            and not isinstance(status, dt.datetime) else status)
    return rows, gantt_links(plan), when


def gantt_export(project: Project, format: str, paper: str = "A4", page: int = 1) -> bytes:
    """The project's Gantt as ``svg`` (one drawing), ``pdf`` (every sheet) or ``png`` (sheet ``page``)."""
    if format not in FORMATS:
        raise PlanError(Diagnostic("bad_request", f"a Gantt exports as svg, png or pdf, not '{format[:20]}'"))
    paper = check_paper(paper)
    rows, links, status = project_rows(project)
    title = f"{project.plan.project.name}: Gantt chart"
    mpd = project.current.calendar.minutes_per_day or 480
    if format == "svg":
        return whole_svg(rows, links, title=title, paper=paper, status_date=status, minutes_per_day=mpd).encode()
    pages = gantt_pages(rows, links, title=title, paper=paper, status_date=status, minutes_per_day=mpd)
    if format == "pdf":
        return pdf_bytes(pages, paper)
    if not 1 <= page <= len(pages):
        raise PlanError(Diagnostic("bad_request", f"page {page} does not exist: the Gantt has {len(pages)} "
                                   f"page{'s' if len(pages) != 1 else ''} on {paper}"))
    return png_bytes(pages[page - 1])


__all__ = ["FORMATS", "PAPERS", "ExportUnavailable", "PageLayout", "check_paper", "gantt_export", "gantt_pages",
           "layout", "page_count", "pdf_bytes", "png_bytes", "project_rows", "whole_svg"]
