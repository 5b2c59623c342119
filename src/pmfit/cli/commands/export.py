"""``pmfit export PLAN --to FILE``: write a plan for another tool (format from the extension)."""

from __future__ import annotations

from pathlib import Path

import typer

from pmfit.cli.common import JsonOption, console, fail, guarded, load_plan, print_json


@guarded
def export(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    to: str = typer.Option(..., "--to", help="Output file: .xml (MS Project), .xer (Primavera), .ics, .csv, "
                                             ".xlsx, .yaml, .json."),
    format_name: str | None = typer.Option(None, "--format", help="Format name when the extension is ambiguous."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
    json_out: bool = JsonOption,
) -> None:
    """Export a plan as MS Project XML, Primavera XER, iCalendar, CSV, Excel, YAML or JSON."""
    from pmfit.api import export_file
    from pmfit.cli.common import err_console

    to_stdout = to == "-"
    if to_stdout and not format_name:
        raise fail("--to - writes to standard output and needs --format (yaml, json, mspdi, xer, csv, xlsx, "
                   "icalendar)", 2)
    if Path(to).is_file() and not force:  # a pipe or a device is written to, not overwritten
        raise fail(f"{to} exists; pass --force to overwrite it")
    plan = load_plan(plan_file, show_warnings=not json_out)
    written = export_file(plan, to, format_name)
    if json_out:
        summary = {"ok": True, "written": to, "format": written.name, "tasks": len(plan.tasks)}
        if to_stdout:  # the plan is on stdout: the summary goes to stderr
            err_console().print_json(data=summary)
        else:
            print_json(summary)
    else:
        (err_console() if to_stdout else console()).print(f"[green]wrote[/] {to} ({written.description or written.name}): "
                        f"{len(plan.tasks)} tasks, {len(plan.resources)} resources", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
