"""``pmfit import FILE``: read a plan from another tool and say what was kept, changed and lost."""

from __future__ import annotations

from pathlib import Path

import typer

from pmfit.cli.common import JsonOption, console, err_console, fail, guarded, print_diagnostics, print_json
from pmfit.cli.options import either, old_spelling


@guarded
def import_(
    source: str = typer.Argument(..., metavar="FILE",
                                 help="MS Project XML/.mpp, Primavera XER/XML, MPX, GanttProject, Planner, "
                                      "Jira, ClickUp, CSV/Excel, iCalendar ... (detected by content)."),
    out: str | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                   help="Write the imported plan here (.yaml, .json, .xml, .xer, ...)."),
    report: bool = typer.Option(False, "--report", help="Print the whole import report, every difference."),
    check: bool = typer.Option(True, "--check/--no-check",
                               help="Reschedule with pmfit and compare with the file's own dates."),
    force: bool = typer.Option(False, "--force", help="Overwrite the --out file if it exists."),
    project: list[str] | None = typer.Option(None, "--project", "-p", metavar="NAME",
                                             help="A project of a multi-project Primavera XER file to read "
                                                  "(short name or id; repeat for several). Default: the "
                                                  "projects the file marks for export."),
    json_out: bool = JsonOption,
    to: str | None = old_spelling("--to", "--out"),
) -> None:
    """Import a plan file and print the import report: read, approximated, dropped, schedule check."""
    from pmfit.api import export_file, import_file

    to = either(out, to, "--out", "--to")
    if to is not None and Path(to).is_file() and not force:  # a pipe or a device is written to, not overwritten
        raise fail(f"{to} exists; pass --force to overwrite it")
    if to == "-":
        raise fail("--out - (standard output) is for `pmfit export --out - --format NAME`; import prints its "
                   "report there", 2)
    if json_out:
        plan, rep = import_file(source, check=check, projects=project)
    else:
        with err_console().status(f"Reading {source} …"):
            plan, rep = import_file(source, check=check, projects=project)
    written = None
    if to is not None:
        written = export_file(plan, to).name
    if json_out:
        print_json({"ok": True, "tasks": len(plan.tasks), "resources": len(plan.resources),
                    "written": to, "written_format": written, **rep.to_dict()})
        return
    out = console()
    out.print(f"[bold]{source}[/] ({rep.format}): {plan.project.name!r}, {len(plan.tasks)} tasks, "
              f"{len(plan.resources)} resources", highlight=False)
    for title, items, mark in (("read", rep.read, "[green]✓[/]"), ("approximated", rep.approximated, "[yellow]~[/]"),
                               ("dropped", rep.dropped, "[red]✗[/]")):
        if not items:
            continue
        out.print(f"[bold]{title}[/]")
        shown = items if report else items[:8]
        for item in shown:
            out.print(f"  {mark} ", end="")
            out.print(item, markup=False, highlight=False)
        if len(items) > len(shown):
            out.print(f"  … {len(items) - len(shown)} more (--report shows all)")
    if rep.schedule_checked:
        same = rep.schedule_checked - len(rep.schedule_differences)
        colour = "green" if not rep.schedule_differences else "yellow"
        out.print(f"[bold]schedule check[/]: [{colour}]{same} of {rep.schedule_checked} tasks[/] have the file's "
                  "dates when pmfit reschedules them", highlight=False)
        if rep.schedule_differences:
            from rich.table import Table

            limit = None if report else 10
            table = Table(title_justify="left", show_edge=False)
            for column in ("task", "file start", "pmfit start", "file finish", "pmfit finish", "Δ finish", "why"):
                table.add_column(column, overflow="fold", no_wrap=column not in ("task", "why"),
                                 justify="right" if column.startswith("Δ") else "left")

            def when(text: str | None) -> str:
                return (text or "").replace("T", " ")

            for d in rep.schedule_differences[:limit]:
                delta = d["finish_diff_days"]
                table.add_row(d["task"], when(d["file_start"]), when(d["pmfit_start"]), when(d["file_finish"]),
                              when(d["pmfit_finish"]),
                              "" if delta is None else (f"{delta:+g}d" if abs(delta) >= 0.1
                                                        else f"{d['finish_diff_minutes']:+d}min"),
                              "; ".join(d["causes"]))
            out.print(table)
            if limit and len(rep.schedule_differences) > limit:
                out.print(f"  … {len(rep.schedule_differences) - limit} more (--report shows all)")
    elif check and rep.file_dates:
        out.print("[bold]schedule check[/]: not run (see warnings)")
    print_diagnostics(rep.warnings)
    if to is not None:
        out.print(f"[green]wrote[/] {to} ({written})", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
