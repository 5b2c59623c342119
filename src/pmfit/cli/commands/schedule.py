"""``pmfit schedule PLAN``: the critical-path schedule as a table, JSON or CSV."""

from __future__ import annotations

import typer

from pmfit.cli.common import (
    AsPlannedOption,
    JsonOption,
    console,
    days,
    guarded,
    load_plan,
    print_diagnostics,
    print_json,
    schedule_label,
)


@guarded
def schedule(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    json_out: bool = JsonOption,
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    critical_only: bool = typer.Option(False, "--critical-only", help="Only the critical tasks."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when the schedule has warnings."),
    as_planned: bool = AsPlannedOption,
) -> None:
    """Schedule a plan by the critical path method: dates, float, critical path.

    A plan with progress shows its current schedule: finished work where it happened, work in
    progress from its actual start, the rest not before the status date (--as-planned: ignore progress).
    """
    from pmfit.api import project

    plan = load_plan(plan_file, show_warnings=not json_out)
    proj = project(plan)
    result = proj.schedule(as_planned)
    label = schedule_label(proj, as_planned)
    rows = [t for t in result.tasks.values() if t.critical or not critical_only]
    mpd = result.minutes_per_day
    if json_out:
        kind = "planned" if proj.status is None or as_planned else "current"
        status = {"status_date": proj.status.status_date.isoformat(timespec="minutes")} if (
            proj.status is not None and not as_planned) else {}
        print_json({**result.summary(), "schedule": kind, **status, "tasks": [t.to_dict(mpd) for t in rows]})
    elif csv_out:
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "name", "start", "finish", "duration_days", "total_float_days",
                         "free_float_days", "critical"])
        for t in rows:
            writer.writerow([_no_formula(t.id), _no_formula(t.name), t.start.isoformat(timespec="minutes"),
                             t.finish.isoformat(timespec="minutes"), round(t.duration / mpd, 3),
                             round(t.total_float / mpd, 3), round(t.free_float / mpd, 3), t.critical])
    else:
        from rich.table import Table

        shown = "" if proj.status is None else f" ({label})"
        table = Table(title=f"{plan.project.name}: {result.start:%a %d %b %Y} → {result.finish:%a %d %b %Y}{shown}",
                      title_justify="left")
        for column, justify in (("id", "left"), ("name", "left"), ("start", "left"), ("finish", "left"),
                                ("dur", "right"), ("float", "right"), ("critical", "center")):
            table.add_column(column, justify=justify, no_wrap=column != "name")  # type: ignore[arg-type]
        for t in rows:
            style = "bold red" if t.critical and not t.summary else ("bold" if t.summary else "")
            table.add_row(("  " * _depth(plan, t.id)) + t.id, t.name, f"{t.start:%a %d %b %Y}",
                          f"{t.finish:%a %d %b %Y}", days(t.duration, mpd), days(t.total_float, mpd),
                          "●" if t.critical else "", style=style)
        console().print(table)
        console().print(f"Finish{'' if proj.status is None else ' (' + label + ')'} "
                        f"[bold]{result.finish:%A %d %B %Y %H:%M}[/], "
                        f"{result.duration_days:g} working days; critical path: "
                        f"{result.critical_path_text()}", highlight=False)
    print_diagnostics(result.diagnostics, as_json=json_out)
    if strict and result.diagnostics:
        raise typer.Exit(1)


def _no_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection, as OWASP lists it)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _depth(plan: object, task_id: str) -> int:
    """How far to indent a row: the task's WBS depth, from one walk of the plan's WBS per plan.

    Rebuilding the parent map for every row made the table quadratic (82 s for 8,000 tasks).
    """
    from pmfit.cli.tables import outline_depths_of

    return outline_depths_of(plan).get(task_id, 0)


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)
