"""``pmfit diff OLD NEW``: what changed between two versions of a plan, and what it did to the finish."""

from __future__ import annotations

import typer

from pmfit.cli.common import EXIT_USAGE, JsonOption, console, fail, guarded, load_plan, print_json


@guarded
def diff(
    old_file: str = typer.Argument(..., metavar="OLD", help="The earlier plan (or the plan, with --baseline)."),
    new_file: str | None = typer.Argument(None, metavar="[NEW]", help="The later plan."),
    baseline: str | None = typer.Option(None, "--baseline", "-b",
                                        help="Compare OLD with this baseline of its own instead of NEW."),
    json_out: bool = JsonOption,
    markdown: bool = typer.Option(False, "--markdown", help="Print Markdown (for a pull request or a report)."),
) -> None:
    """Compare two versions of a plan: tasks added, removed, renamed or changed, and the effect on the finish.

    The drivers are the changed tasks on the new critical path, each with the working days the finish
    would move back if that one change were undone. `pmfit diff PLAN --baseline NAME` compares a plan
    with one of its baselines.
    """
    from pmfit.api import diff as run

    if new_file is not None and baseline is not None:
        raise fail("give either NEW or --baseline, not both", EXIT_USAGE)
    old = load_plan(old_file, show_warnings=False)  # with the baselines of its sidecar
    if new_file is None:
        result = run(old, baseline=baseline)
    else:
        new = load_plan(new_file, show_warnings=False)
        result = run(old, new)
        from dataclasses import replace

        result = replace(result, old_label=old_file, new_label=new_file)
    if json_out:
        print_json(result.to_dict())
        return
    if markdown:
        import sys

        sys.stdout.write(result.to_markdown())
        return
    _table(result)


def _table(result: object) -> None:
    from rich.table import Table

    from pmfit import PlanDiff
    from pmfit.api import show_value as _show

    assert isinstance(result, PlanDiff)
    out = console()
    out.print(f"[bold]{result.old_label} → {result.new_label}[/]", highlight=False)
    out.print(result.summary(), highlight=False, markup=False)
    if result.old_cost is not None and result.new_cost is not None and abs(result.new_cost - result.old_cost) > 0.005:
        out.print(f"Cost {result.old_cost:,.2f} → {result.new_cost:,.2f} "
                  f"({result.new_cost - result.old_cost:+,.2f})", highlight=False)
    if result.drivers:
        table = Table(title="What drove the finish date (changed tasks on the new critical path)",
                      title_justify="left")
        table.add_column("task")
        table.add_column("changes")
        table.add_column("effect (working days)" if result.old_critical is not None
                         else "task slip vs baseline (working days)", justify="right")
        for d in result.drivers:
            table.add_row(d.task, "; ".join(d.changes), "" if d.effect_days is None else f"{d.effect_days:+g}")
        out.print(table)
    if result.old_critical is not None:
        out.print(f"Critical path before: {result.critical_text('old')}", highlight=False, markup=False)
    out.print(f"Critical path after:  {result.critical_text('new')}", highlight=False, markup=False)
    if result.changes:
        table = Table(title="Changes", title_justify="left")
        for column in ("change", "what", "id", "field", "old", "new"):
            table.add_column(column)
        for c in result.changes:
            table.add_row(c.kind, c.entity, c.id, c.field or "", _show(c.old), _show(c.new))
        out.print(table)
    else:
        out.print("No changes.")


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
