"""``pmfit why PLAN TASK``: the chain of links and rules that sets a task's dates."""

from __future__ import annotations

import typer

from pmfit.cli.common import JsonOption, console, guarded, load_plan, print_json


@guarded
def why(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file."),
    task_id: str = typer.Argument(..., metavar="TASK", help="Task id."),
    json_out: bool = JsonOption,
) -> None:
    """Explain why a task starts when it does: the driving chain back to its origin."""
    from pmfit.api import schedule
    from pmfit.model.diagnostics import did_you_mean

    plan = load_plan(plan_file, show_warnings=False)
    result = schedule(plan)
    if task_id not in result.tasks:
        from pmfit.model.diagnostics import Diagnostic, PlanError

        raise PlanError(Diagnostic("unknown_task", f"no task '{task_id}'{did_you_mean(task_id, result.tasks)}",
                                   file=plan_file))
    steps = result.why(task_id)
    task = result[task_id]
    if json_out:
        print_json({"task": task_id, "start": task.start, "finish": task.finish,
                    "total_float_days": task.total_float / result.minutes_per_day,
                    "chain": [s.to_dict() for s in steps]})
        return
    out = console()
    out.print(f"[bold]{task.name}[/] ({task_id}) starts {task.start:%a %d %b %Y %H:%M}, "
              f"finishes {task.finish:%a %d %b %Y %H:%M}, "
              f"float {task.total_float / result.minutes_per_day:g}d"
              f"{' — critical' if task.critical else ''}", highlight=False)
    for depth, step in enumerate(steps):
        arrow = "  " * depth + ("└─ " if depth else "")
        out.print(f"{arrow}[cyan]{step.task}[/] starts {step.start:%a %d %b %H:%M} because of "
                  f"{step.reason}", highlight=False)
        if step.calendar_note:
            out.print(f"{'  ' * depth}   ({step.calendar_note})", style="dim", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("why")(why)
