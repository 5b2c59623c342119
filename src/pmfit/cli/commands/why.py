"""``pmfit why PLAN TASK``: the chain of links and rules that sets a task's dates."""

from __future__ import annotations

import typer

from pmfit.cli.common import (
    AsPlannedOption,
    JsonOption,
    console,
    guarded,
    load_plan,
    print_json,
    schedule_label,
)


@guarded
def why(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file."),
    task_id: str = typer.Argument(..., metavar="TASK", help="Task id."),
    json_out: bool = JsonOption,
    as_planned: bool = AsPlannedOption,
) -> None:
    """Explain why a task starts when it does: the driving chain back to its origin.

    With progress, the current dates are explained (a started task is placed by its actual
    start; unstarted work is held after the status date); --as-planned explains the plan's own.
    """
    from pmfit import PlanError
    from pmfit.api import project
    from pmfit.api import why as explain

    plan = load_plan(plan_file, show_warnings=False)
    proj = project(plan)
    result = proj.schedule(as_planned)
    try:
        steps = explain(proj, task_id, as_planned)
    except PlanError as exc:
        raise PlanError([d.located(file=plan_file) for d in exc.diagnostics]) from None
    task = result[task_id]
    if json_out:
        print_json({"task": task_id, "schedule": "planned" if proj.status is None or as_planned else "current",
                    "start": task.start, "finish": task.finish,
                    "total_float_days": task.total_float / result.minutes_per_day,
                    "chain": [s.to_dict() for s in steps]})
        return
    out = console()
    out.print(f"[bold]{task.name}[/] ({task_id}) starts {task.start:%a %d %b %Y %H:%M}, "
              f"finishes {task.finish:%a %d %b %Y %H:%M}, "
              f"float {task.total_float / result.minutes_per_day:g}d"
              f"{' — critical' if task.critical else ''}"
              + ("" if proj.status is None else f" ({schedule_label(proj, as_planned)})"), highlight=False)
    for depth, step in enumerate(steps):
        arrow = "  " * depth + ("└─ " if depth else "")
        out.print(f"{arrow}[cyan]{step.task}[/] starts {step.start:%a %d %b %H:%M} because of "
                  f"{step.reason}", highlight=False)
        if step.calendar_note:
            out.print(f"{'  ' * depth}   ({step.calendar_note})", style="dim", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("why")(why)
