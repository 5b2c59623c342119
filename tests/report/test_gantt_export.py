"""The Gantt export (report/svg/export.py): SVG, PNG and PDF on A4/A3 landscape, long plans split
over pages with the header repeated on each, the `pmfit gantt` command and the missing-extra message."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from typer.testing import CliRunner, Result

from pmfit.api import loads
from pmfit.model.diagnostics import PlanError
from pmfit.project import Project
from pmfit.report.svg.export import ExportUnavailable, gantt_export, layout, project_rows
from web.browser import needs_cairosvg, needs_weasyprint

SVG = "{http://www.w3.org/2000/svg}"
TASKS = 70


def long_plan(n: int = TASKS) -> str:
    lines = ["version: 1", "project: {name: Long export plan, start: 2027-01-04}", "tasks:"]
    for i in range(n):
        after = f", after: [t{i - 1:03d}]" if i else ""
        lines.append(f"  - {{id: t{i:03d}, name: Step number {i:03d}, duration: 1d{after}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(loads(long_plan()))


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "gantt.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_a4_rows_per_page_by_hand(project: Project) -> None:
    # A4 landscape is 210 mm = 793.7 px high; minus 2 × 10 mm margins (75.6), the title (30), the
    # timescale header (44), one legend line (20 + 10) and 4 px: 610.1 px, so 30 rows of 20 px
    rows, _, status = project_rows(project)
    assert layout(rows, "A4", status).rows_per_page == 30
    assert layout(rows, "A3", status).rows_per_page >= 30 * 1.4  # 297 mm high instead of 210


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_pdf_splits_the_plan_and_repeats_the_header_on_every_page(project: Project, paper: str,
                                                                  tmp_path: Path) -> None:
    needs_weasyprint()
    pages = pdf_pages(gantt_export(project, "pdf", paper), tmp_path)
    rows, _, status = project_rows(project)
    per_page = layout(rows, paper, status).rows_per_page
    assert len(pages) == math.ceil(TASKS / per_page) > 1
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
        assert "Task" in text  # the column title
        assert "Feb" in text and "Mar" in text  # the timescale (the plan runs January to April 2027)
    # every task is on exactly one page, in plan order
    seen = [f"Step number {i:03d}" for i in range(TASKS)]
    where = [next(k for k, text in enumerate(pages) if name in text) for name in seen]
    assert all(sum(name in text for text in pages) == 1 for name in seen)
    assert where == sorted(where)


def test_png_is_one_sheet_at_150_dpi(project: Project) -> None:
    needs_cairosvg()
    # 297 × 210 mm at 150 dots per inch: 1754 × 1240 pixels; A3 (420 × 297 mm): 2480 × 1754
    assert png_size(gantt_export(project, "png", "A4")) == (1754, 1240)
    assert png_size(gantt_export(project, "png", "A3", page=2)) == (2480, 1754)
    with pytest.raises(PlanError, match="page 9 does not exist"):
        gantt_export(project, "png", "A4", page=9)


def test_svg_is_one_drawing_with_every_task(project: Project) -> None:
    root = ET.fromstring(gantt_export(project, "svg", "A3"))
    bars = [g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()]
    assert [b.get("data-task") for b in bars] == [f"t{i:03d}" for i in range(TASKS)]
    assert all(b.get("data-critical") == "true" for b in bars)  # a single chain: all critical


def test_a_bad_paper_or_format_is_a_clear_error(project: Project) -> None:
    with pytest.raises(PlanError, match="not A4 or A3"):
        gantt_export(project, "pdf", "Letter")
    with pytest.raises(PlanError, match="svg, png or pdf"):
        gantt_export(project, "gif")


def test_a_missing_library_names_the_extra(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ExportUnavailable, match=r"pmfit\[png\]"):
        gantt_export(project, "png")
    with pytest.raises(ExportUnavailable, match=r"pmfit\[pdf\]"):
        gantt_export(project, "pdf")


def cli(*args: object) -> Result:
    from pmfit.cli.app import app
    from pmfit.cli.common import reset_consoles

    reset_consoles()
    try:
        return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    finally:
        reset_consoles()


def test_cli_writes_each_format(tmp_path: Path) -> None:
    needs_weasyprint()
    needs_cairosvg()
    plan = tmp_path / "long.yaml"
    plan.write_text(long_plan(), encoding="utf-8")
    for name in ("g.pdf", "g.png", "g.svg"):
        result = cli("gantt", plan, "--out", tmp_path / name, "--paper", "A3")
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    assert len(pdf_pages((tmp_path / "g.pdf").read_bytes(), tmp_path)) == 2  # 70 rows, 50-odd per A3 sheet
    assert png_size((tmp_path / "g.png").read_bytes()) == (2480, 1754)
    refused = cli("gantt", plan, "--out", tmp_path / "g.pdf")
    assert refused.exit_code != 0 and "--force" in refused.output + refused.stderr
    wrong = cli("gantt", plan, "--out", tmp_path / "g.gif")
    assert wrong.exit_code == 2 and ".pdf, .png or .svg" in wrong.stderr
