"""``pmfit export PLAN --out FILE``: write a plan for another tool (format from the extension)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from pmfit.cli.common import (
    AsPlannedOption,
    JsonOption,
    console,
    err_console,
    fail,
    guarded,
    load_plan,
    print_json,
)
from pmfit.cli.options import either, old_spelling


@guarded
def export(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    out: str | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                   help="Output file; the format follows the extension: .xml (MS Project), "
                                        ".xer or .pmxml (Primavera P6), .mpx, .gan (GanttProject), .planner, "
                                        ".tjp (TaskJuggler), .ics, .csv, .xlsx, .yaml, .json. Required."),
    format_name: str | None = typer.Option(None, "--format", "-f",
                                           help="Format name when the extension is ambiguous: mspdi, xer, p6xml, "
                                                "mpx, ganttproject, planner, taskjuggler, icalendar, csv, xlsx, "
                                                "yaml, json."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
    as_planned: bool = AsPlannedOption,
    json_out: bool = JsonOption,
    to: str | None = old_spelling("--to", "--out"),
) -> None:
    """Export a plan as MS Project XML or MPX, Primavera XER or P6 XML, GanttProject, Planner, TaskJuggler,
    iCalendar, CSV, Excel, YAML or JSON.

    Formats that store dates get the current schedule (progress respected), as MS Project writes them.
    """
    from pmfit.api import export_plan

    to = either(out, to, "--out", "--to", required=True)
    assert to is not None
    to_stdout = to == "-"
    if to_stdout and not format_name:
        raise fail("--out - writes to standard output and needs --format (yaml, json, mspdi, xer, p6xml, mpx, "
                   "ganttproject, planner, taskjuggler, csv, xlsx, icalendar)", 2)
    if Path(to).is_file() and not force:  # a pipe or a device is written to, not overwritten
        raise fail(f"{to} exists; pass --force to overwrite it")
    plan = load_plan(plan_file, show_warnings=not json_out)
    result = export_plan(plan, to, format_name, as_planned=as_planned)
    written = result.format
    if json_out:
        summary = {"ok": True, "written": to, "format": written.name, "tasks": len(plan.tasks),
                   "report": result.report.to_dict()}
        if to_stdout:  # the plan is on stdout: the summary goes to stderr
            err_console().print_json(data=summary)
        else:
            print_json(summary)
    else:
        (err_console() if to_stdout else console()).print(
            f"[green]wrote[/] {to} ({written.description or written.name}): "
            f"{len(plan.tasks)} tasks, {len(plan.resources)} resources", highlight=False)
        _print_losses(result.report)


def _print_losses(report: Any) -> None:  # pmfit.io.formats.ImportReport
    """What the target format holds only approximately or not at all, on stderr (as import does)."""
    err = err_console()
    for title, items, mark in (("approximated", report.approximated, "[yellow]~[/]"),
                               ("dropped", report.dropped, "[red]✗[/]")):
        if not items:
            continue
        err.print(f"[bold]{title}[/] in {report.format}")
        for item in items:
            err.print(f"  {mark} ", end="")
            err.print(item, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
