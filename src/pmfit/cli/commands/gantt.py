"""``pmfit gantt PLAN --out FILE``: the Gantt chart as SVG, PNG or PDF, A4 or A3 landscape."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from pmfit.cli.common import console, fail, guarded, load_plan


class PaperChoice(StrEnum):
    A4 = "A4"
    A3 = "A3"


@guarded
def gantt(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    out: str = typer.Option(..., "--out", "-o", metavar="FILE",
                            help="Output file: .pdf (every page), .png (one page) or .svg (one drawing)."),
    paper: PaperChoice = typer.Option(PaperChoice.A4, "--paper", help="A4 or A3, landscape."),
    page: int = typer.Option(1, "--page", min=1, help="The page a PNG shows."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Draw the current schedule's Gantt chart (critical path, floats, baselines, status date).

    A PDF splits a long plan over pages and repeats the timescale and column titles on each.
    PDF needs the pdf extra (WeasyPrint), PNG the png extra (CairoSVG); nothing is sent anywhere.
    """
    from pmfit.api import gantt_chart, save_text

    fmt = Path(out).suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise fail(f"cannot draw the Gantt as '{fmt or out}': name a .pdf, .png or .svg file", 2)
    if Path(out).is_file() and not force:
        raise fail(f"{out} exists; pass --force to overwrite it")
    plan = load_plan(plan_file)
    data = gantt_chart(plan, fmt, paper.value, page)
    save_text(data, out)
    console().print(f"[green]wrote[/] {out} (Gantt, {paper.value} landscape)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("gantt")(gantt)
