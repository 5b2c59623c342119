"""``pmfit progress PLAN TASK``: record progress on a task in the plan file (MS Project's Update Tasks)."""

from __future__ import annotations

import datetime as dt

import typer

from pmfit.cli.common import JsonOption, console, guarded, print_json


def _day(value: str | None) -> dt.date | dt.datetime | None:
    """``2027-01-04`` or ``2027-01-04 10:00`` (a usage error otherwise)."""
    if value is None:
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (write it like 2027-01-04 or '2027-01-04 13:00')") from None


@guarded
def progress(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="YAML plan file to update."),
    task: str = typer.Argument(..., metavar="TASK", help="Id of the task."),
    done: bool = typer.Option(False, "--done", help="The task is finished (100%; dates from the schedule "
                              "unless given)."),
    percent: float = typer.Option(None, "--percent", help="Percent complete, 0 to 100."),
    actual_start: str = typer.Option(None, "--actual-start", help="When the task really started (a date)."),
    actual_finish: str = typer.Option(None, "--actual-finish", help="When it really finished (makes it 100%)."),
    remaining: str = typer.Option(None, "--remaining", help="Work left, like 3d or 4h."),
    actual_cost: float = typer.Option(None, "--actual-cost", help="Money spent on the task so far."),
    status_date: str = typer.Option(None, "--status-date", help="Move the plan's status date to this day."),
    json_out: bool = JsonOption,
) -> None:
    """Record progress on one task: only the plan's progress section changes, comments kept, atomically.

    Then `pmfit schedule` shows the current schedule around it and `pmfit status` the earned value.
    """
    from pmfit.api import save_progress, schedule

    if not (done or percent is not None or actual_start or actual_finish or remaining or actual_cost is not None
            or status_date):
        raise typer.BadParameter("say what happened: --done, --percent, --actual-start, --actual-finish, "
                                 "--remaining, --actual-cost or --status-date")
    new = save_progress(plan_file, task, done=done, percent=percent, actual_start=_day(actual_start),
                        actual_finish=_day(actual_finish), remaining=remaining, actual_cost=actual_cost,
                        status_date=_day(status_date))
    assert new.progress is not None
    record = new.progress.tasks[task]
    if json_out:
        print_json({"file": plan_file, "task": task, "status_date": new.progress.status_date,
                    "progress": record.model_dump(mode="json", exclude_none=True)})
        return
    recorded = ", ".join(f"{k.replace('_', ' ')} {_shown(k, v)}" for k, v in record.model_dump(exclude_none=True).items())
    finish = schedule(new).finish
    console().print(f"Recorded on '{task}' in {plan_file}: {recorded or 'nothing'} "
                    f"(status date {new.progress.status_date}). The current schedule finishes "
                    f"{finish:%a %d %b %Y}.", highlight=False, markup=False)


def _shown(field: str, value: object) -> str:
    if field == "percent_complete" and isinstance(value, float):
        return f"{value:g}%"
    if isinstance(value, float):
        return f"{value:,.2f}".removesuffix(".00")
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("progress")(progress)
