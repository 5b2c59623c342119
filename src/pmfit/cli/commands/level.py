"""``pmfit level PLAN``: resource leveling, the finish before and after, every delay and its cause."""

from __future__ import annotations

import typer

from pmfit.cli.common import (
    AsPlannedOption,
    JsonOption,
    console,
    days,
    err_console,
    fail,
    guarded,
    load_plan,
    parse_duration_option,
    print_diagnostics,
    print_json,
)


def _method(value: str) -> str:
    if value not in ("auto", "heuristic", "cp"):
        raise typer.BadParameter(f"{value!r} is not a method (choose auto, heuristic or cp)")
    return value


def _time_limit(value: str) -> str:
    seconds = parse_duration_option(value, 5.0)
    if not 0 < seconds <= 24 * 3600:
        raise typer.BadParameter("the time limit must be above 0 and at most a day")
    return value


def _plot(value: str | None) -> str | None:
    if value is not None and not value.lower().endswith((".png", ".svg", ".pdf")):
        raise typer.BadParameter("the chart is written as .png, .svg or .pdf")
    return value


@guarded
def level(
    plan_file: str = typer.Argument(..., metavar="PLAN", help="Plan file (any format pmfit reads, PSPLIB .sm too)."),
    time_limit: str = typer.Option("5s", "--time-limit", "-t", callback=_time_limit,
                                   help="Time budget, like 5s, 500ms or 2m."),
    method: str = typer.Option("auto", "--method", "-m", callback=_method,
                               help="auto (heuristic, then CP-SAT when installed), heuristic or cp."),
    schedules: int = typer.Option(None, "--schedules", min=1,
                                  help="Heuristic budget in generated schedules (default 5000)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same schedule)."),
    plot: str = typer.Option(None, "--plot", callback=_plot,
                             help="Draw resource histograms before/after and a Gantt (.png/.svg/.pdf)."),
    all_tasks: bool = typer.Option(False, "--all", help="List every task, not only the delayed ones."),
    as_planned: bool = AsPlannedOption,
    apply: bool = typer.Option(False, "--apply", help="Keep the leveled dates: write a leveling delay into each "
                               "task that moved (YAML plan files; comments kept). Undo with --clear."),
    clear: bool = typer.Option(False, "--clear", help="Remove every leveling delay from the plan file "
                               "(MS Project's Clear Leveling)."),
    json_out: bool = JsonOption,
) -> None:
    """Level resources: move tasks so no resource is over its units, and say why each moved.

    A plan with progress levels its current schedule: started work stays where it is and only the
    remaining work moves, not before the status date (--as-planned: level the plan as if nothing happened).
    --apply keeps the leveled dates in the plan as leveling delays; --clear removes them.
    """
    from pmfit.api import level as run_level
    from pmfit.api import project
    from pmfit.cli.common import schedule_label

    seconds = parse_duration_option(time_limit, 5.0)
    if apply and clear:
        raise typer.BadParameter("--apply and --clear cannot be used together")
    if apply or clear:
        _write_leveling(plan_file, clear=clear, seconds=seconds, method=method, seed=seed, as_planned=as_planned,
                        json_out=json_out)
        return
    plan = load_plan(plan_file, show_warnings=not json_out)
    proj = project(plan)
    label = schedule_label(proj, as_planned)

    if json_out or seconds < 1:
        result = run_level(proj, time_limit=seconds, method=method, schedules=schedules, seed=seed,
                           as_planned=as_planned)
    else:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
                      TimeElapsedColumn(), console=err_console(), transient=True) as progress:
            progress.add_task(f"leveling {len(plan.tasks)} tasks (budget {seconds:g}s, {method})", total=None)
            result = run_level(proj, time_limit=seconds, method=method, schedules=schedules, seed=seed,
                           as_planned=as_planned)
    if plot is not None:
        from pmfit.api import PlotUnavailable, save_chart

        try:
            save_chart(result, plot)
        except PlotUnavailable as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{plot}: cannot write the chart ({exc.strerror or exc})") from None
    mpd = result.minutes_per_day
    if json_out:
        print_json({**result.to_dict(),
                    "schedule": "planned" if proj.status is None or as_planned else "current"})
        return
    from rich.table import Table

    out = console()
    before, after = result.finish_before, result.finish_after
    moved = result.delays()
    rows = list(result.tasks.values()) if all_tasks else moved
    table = Table(title=f"{plan.project.name}: leveled ({result.method}, {result.status})", title_justify="left")
    for column, justify in (("id", "left"), ("name", "left"), ("start", "left"), ("finish", "left"),
                            ("delay", "right")):
        table.add_column(column, justify=justify, no_wrap=column != "name")  # type: ignore[arg-type]
    for t in rows:
        table.add_row(t.id, t.name, f"{t.start:%a %d %b %Y}" if t.start else str(t.start_minute),
                      f"{t.finish:%a %d %b %Y}" if t.finish else str(t.finish_minute),
                      days(t.delay, mpd) if t.delay else "")
    if rows:
        out.print(table)
        if moved:
            out.print("[bold]Why each task moved[/]")
            for t in moved:
                out.print(f"  {t.id}: {t.cause}", highlight=False, markup=False)
    else:
        over_after = [p.name for p in result.profiles.values() if p.peak_after > p.capacity + 1e-9]
        out.print("No task had to move: every resource stays within its units." if not over_after else
                  f"No task had to move, but {', '.join(over_after)} stay over their units: a task needs "
                  "more than exist (see the over_capacity warning).", highlight=False)
    res = Table(title="Resources (peak units in use)", title_justify="left")
    for column in ("resource", "units", "peak before", "peak after"):
        res.add_column(column, justify="left" if column == "resource" else "right")
    for p in result.profiles.values():
        over = p.peak_before > p.capacity + 1e-9
        res.add_row(p.name, f"{p.capacity:g}", f"[red]{p.peak_before:g}[/]" if over else f"{p.peak_before:g}",
                    f"{p.peak_after:g}")
    if result.profiles:
        out.print(res)
    added = result.duration_after - result.duration_before
    proof = ("proven optimal" if result.proven_optimal
             else f"not proven optimal; no schedule can finish before {days(result.lower_bound, mpd)}")
    before_label = "" if proj.status is None else f" ({label})"
    out.print(f"Finish before leveling{before_label} [bold]{before:%a %d %b %Y}[/], "
              f"leveled [bold]{after:%a %d %b %Y}[/] "
              f"(+{days(added, mpd) if added else '0d'}); {len(moved)} task(s) delayed; {proof}. "
              f"{result.schedules} heuristic schedules"
              + (f", CP-SAT {result.cp_status.lower()} in {result.cp_seconds:.2f}s" if result.cp_status else "")
              + f", {result.seconds:.2f}s.", highlight=False)
    if plot is not None:
        out.print(f"Chart written to {plot}", highlight=False)
    print_diagnostics(result.diagnostics)


def _write_leveling(plan_file: str, *, clear: bool, seconds: float, method: str, seed: int, as_planned: bool,
                    json_out: bool) -> None:
    """``--apply`` / ``--clear``: write (or remove) the leveling delays in the plan file and say what changed."""
    from pmfit.api import clear_leveling, save_leveling, schedule

    before_plan = load_plan(plan_file, show_warnings=False)
    before = schedule(before_plan, as_planned)
    unleveled = schedule(clear_leveling(before_plan), as_planned) if not clear else before
    new = save_leveling(plan_file, clear=clear, time_limit=seconds, method=method, seed=seed, as_planned=as_planned)
    after = schedule(new, as_planned)
    delays = {t.id: str(t.leveling_delay) for t in new.tasks if t.leveling_delay is not None}
    removed = [t.id for t in before_plan.tasks if t.leveling_delay is not None] if clear else []
    if json_out:
        print_json({"file": plan_file, "action": "clear" if clear else "apply", "leveling_delays": delays,
                    "cleared": removed, "finish_before": before.finish.isoformat(timespec="minutes"),
                    "finish_unleveled": unleveled.finish.isoformat(timespec="minutes"),
                    "finish_after": after.finish.isoformat(timespec="minutes")})
        return
    out = console()
    if clear:
        out.print(f"Cleared the leveling delays of {len(removed)} task(s) in {plan_file}; the schedule finishes "
                  f"[bold]{after.finish:%a %d %b %Y}[/] (was {before.finish:%a %d %b %Y}).", highlight=False)
        return
    from rich.table import Table

    if delays:
        table = Table(title=f"{new.project.name}: leveling delays written to {plan_file}", title_justify="left")
        for column in ("id", "name", "leveling delay", "start", "finish"):
            table.add_column(column, justify="right" if column == "leveling delay" else "left")
        for tid, delay in delays.items():
            row = after.tasks[tid]
            table.add_row(tid, row.name, delay, f"{row.start:%a %d %b %Y}", f"{row.finish:%a %d %b %Y}")
        out.print(table)
    out.print(f"{len(delays)} task(s) with a leveling delay; the schedule now finishes "
              f"[bold]{after.finish:%a %d %b %Y}[/] (unleveled {unleveled.finish:%a %d %b %Y}). "
              f"Take a baseline with: pmfit baseline {plan_file}; undo with: pmfit level {plan_file} --clear",
              highlight=False, markup=True)


def register(app: typer.Typer) -> None:
    app.command("level")(level)
