"""``pmfit validate PLAN``: check a plan file and report every problem."""

from __future__ import annotations

import typer

from pmfit.cli.common import JsonOption, console, guarded, print_diagnostics, print_json


@guarded
def validate(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (YAML, or any format pmfit reads)."),
    json_out: bool = JsonOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors (exit 1)."),
) -> None:
    """Check a plan: fields, ids, links, cycles, calendars. Exit 1 if it has errors."""
    from pmfit.api import load, plan_warnings

    plan = load(plan_file)
    warnings = plan_warnings(plan)
    if json_out:
        print_json({"ok": not (strict and warnings), "tasks": len(plan.tasks),
                    "diagnostics": [d.to_dict() for d in warnings]})
    else:
        print_diagnostics(warnings)
        console().print(f"[green]ok[/] {plan_file}: {len(plan.tasks)} tasks, "
                        f"{len(plan.resources)} resources, {len(plan.risks)} risks", highlight=False)
    if strict and warnings:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
