"""``pmfit baseline PLAN``: freeze the current schedule as a named baseline."""

from __future__ import annotations

import typer

from pmfit.cli.common import JsonOption, console, guarded, load_plan, print_diagnostics, print_json
from pmfit.cli.options import either, old_spelling


@guarded
def baseline(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads)."),
    name: str | None = typer.Option(None, "--name",
                                    help="Baseline name (several allowed, like MS Project's Baseline1..10); "
                                         "default: baseline."),
    sidecar: bool = typer.Option(False, "--sidecar",
                                 help="Write to PLAN's sidecar <plan>.baselines.yaml, not the plan file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing baseline of the same name."),
    ignore_progress: bool = typer.Option(
        False, "--ignore-progress",
        help="Freeze the plan as scheduled without its progress section (the original plan), "
        "not the status-date schedule."),
    list_only: bool = typer.Option(False, "--list", help="List the plan's baselines and exit."),
    json_out: bool = JsonOption,
    name_n: str | None = old_spelling("-n", "--name"),  # -n is a count everywhere else (--iterations)
) -> None:
    """Freeze the current schedule (dates, durations, work, cost, time-phased planned value) as a baseline.

    It goes into the YAML plan file (only its baselines: section changes) or, with --sidecar or for
    plans in other formats, into <plan>.baselines.yaml next to it. A baseline never changes when the
    plan does.
    """
    name = either(name, name_n, "--name", "-n")
    if name is None:
        name = "baseline"
    if not name.strip():
        raise typer.BadParameter("a baseline needs a name, like 'approved' or 'baseline1'", param_hint="--name")
    from pmfit.api import baseline_file, save_baseline

    plan = load_plan(plan_file, show_warnings=not json_out)  # with the baselines of its sidecar
    if list_only:
        rows = [{"name": b.name, "created": b.created, "finish": b.finish, "cost": b.cost,
                 "tasks": len(b.tasks)} for b in plan.baselines]
        if json_out:
            print_json({"baselines": rows})
            return
        if not rows:
            console().print("The plan has no baselines yet.")
        for row in rows:
            console().print(f"{row['name']}: finish {row['finish']:%a %d %b %Y}, cost "
                            f"{row['cost'] or 0:,.2f} {plan.project.currency}, {row['tasks']} tasks"
                            + (f", set {row['created']}" if row["created"] else ""),
                            highlight=False, markup=False)
        return
    frozen = save_baseline(plan_file, name, sidecar=sidecar, replace=force, ignore_progress=ignore_progress)
    written = baseline_file(plan_file, sidecar)
    if json_out:
        print_json({"ok": True, "file": str(written), "name": frozen.name,
                    "start": frozen.start, "finish": frozen.finish, "cost": frozen.cost,
                    "tasks": len(frozen.tasks), "periods": len(frozen.timephased)})
        return
    out = console()
    out.print(f"Baseline [bold]{frozen.name}[/] saved to {written}: "
              f"{len(frozen.tasks)} tasks, finish {frozen.finish:%a %d %b %Y}, "
              f"budget {frozen.cost or 0:,.2f} {plan.project.currency}.", highlight=False)
    print_diagnostics([])


def register(app: typer.Typer) -> None:
    app.command("baseline")(baseline)
